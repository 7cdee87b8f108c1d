"""Linking Mastodon and Pixelfed accounts through providers.linking against the in-process sandbox:
every route back (pasted address, loopback callback, oob code, bare code), the refusals (forged
state, denied consent), registration reuse and scope fallback, and unlinking with revocation.
The vault is the real Secret Service under tests/with_keyring.sh, else the opted-in plaintext file.
"""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest

from providers import clock, linking, unlinking
from providers.errors import (
    AuthorizationRefused,
    CallbackRejected,
    LinkCancelled,
    LinkError,
    NotBuiltYet,
    SetupError,
    UsageError,
)
from providers.sandbox import Running, fingerprint
from providers.settings import NetworkSettings, Settings
from providers.store import Store
from providers.vault import Vault
from tests.link_driver import Started, to_address
from tests.sandbox_browser import approve_async, oob_code, query
from tests.support.linking import loopback_settings
from tests.support.ports import free_port
from tests.support.unbuilt import pretend_unbuilt, unbuilt_network


@pytest.fixture
def settings() -> Settings:
    return loopback_settings()


@pytest.fixture
def vault(settings: Settings) -> Vault:
    """Not conftest's vault: this one is opened with the test's ``settings``, as the app opens its
    own (unlinking reads its settings back from the vault)."""
    return Vault(settings)


class Linker:
    """begin_link with the fixtures filled in."""

    def __init__(self, sandbox: Running, settings: Settings, store: Store, vault: Vault) -> None:
        self.sandbox, self.settings, self.store, self.vault = sandbox, settings, store, vault

    async def begin(self, network: str = "mastodon", host: str = "mastodon.example") -> Started:
        """A link driven to its address step (a failure before it raises)."""
        session = await linking.begin_link(
            network,
            settings=self.settings,
            store=self.store,
            vault=self.vault,
            instance=f"{self.sandbox.url}/{host}",
        )
        return await to_address(session)

    async def link(
        self, network: str = "mastodon", host: str = "mastodon.example", user: str | None = None
    ) -> Any:
        session = await self.begin(network, host)
        assert session.request is not None
        answer = await approve_async(session.request.url, user=user)
        session.submit(answer.headers["location"])
        return await session.finish()

    async def requests(self, path: str | None = None) -> list[dict[str, Any]]:
        async with httpx2.AsyncClient() as client:
            params = {"path": path} if path else {}
            response = await client.get(self.sandbox.url + "/__sandbox__/requests", params=params)
        found: list[dict[str, Any]] = response.json()["requests"]
        return found


@pytest.fixture
def linker(sandbox: Running, settings: Settings, store: Store, vault: Vault) -> Linker:
    return Linker(sandbox, settings, store, vault)


async def status_with(token: str, url: str) -> int:
    async with httpx2.AsyncClient() as client:
        response = await client.get(url, headers={"Authorization": f"Bearer {token}"})
    return response.status_code


async def test_link_by_pasting_the_redirect_address(linker: Linker, linkdeck_home: Path) -> None:
    session = await linker.begin()
    assert session.request is not None and session.device is None and not session.opened_browser
    port = linker.settings.network("mastodon").port
    assert session.request.redirect_uri == f"http://127.0.0.1:{port}/callback"
    assert "code_challenge_method=S256" in session.request.url
    answer = await approve_async(session.request.url)
    session.submit(answer.headers["location"])
    result = await session.finish()
    account = result.account
    instance = f"{linker.sandbox.url}/mastodon.example"
    assert (account.network, account.instance, account.handle) == (
        "mastodon",
        instance,
        "@alice@mastodon.example",
    )
    assert account.display_name == "Alice Example" and account.expires_at is None
    assert linker.store.targets(account.id) == []  # nothing to choose: no ChooseTarget step
    assert result.profile.remote_id == account.remote_id == "109000000000000001"
    assert account.avatar_path and Path(account.avatar_path).read_bytes().startswith(b"\x89PNG")
    token = linker.vault.get_token(account.vault_key)
    assert token and token["access_token"]
    app = linker.store.registered_app("mastodon", instance)
    assert app is not None and app.scopes == ("profile", "write:statuses", "write:media")
    assert app.redirect_uris == ("urn:ietf:wg:oauth:2.0:oob", session.request.redirect_uri)
    secret = linker.vault.get_client_secret("mastodon", instance=instance)
    assert secret and linker.vault.get_client_secret("mastodon") is None
    assert linker.store.recent_instances("mastodon") == [instance]
    for path in (linkdeck_home / "data").glob("linkdeck.sqlite3*"):
        raw = path.read_bytes()
        assert token["access_token"].encode() not in raw and secret.encode() not in raw
    me = f"{instance}/api/v1/accounts/verify_credentials"
    assert await status_with(token["access_token"], me) == 200


async def test_the_loopback_callback_finishes_without_a_paste(linker: Linker) -> None:
    session = await linker.begin()
    assert session.request is not None
    answer = await approve_async(session.request.url)
    async with httpx2.AsyncClient() as client:  # the browser following the redirect
        landed = await client.get(answer.headers["location"])
    assert landed.status_code == 200
    result = await session.finish()
    assert result.account.handle == "@alice@mastodon.example"


async def test_linking_the_same_account_twice_keeps_one_row_and_one_app(linker: Linker) -> None:
    first = (await linker.link()).account
    second = (await linker.link()).account
    assert second.id == first.id and len(linker.store.accounts()) == 1
    assert len(await linker.requests("/api/v1/apps")) == 1  # the registered app was reused
    other = (await linker.link(user="bob")).account
    assert other.handle == "@bob@mastodon.example" and len(linker.store.accounts()) == 2


async def test_the_oob_page_code_can_be_pasted(linker: Linker) -> None:
    session = await linker.begin()
    assert session.oob_request is not None and session.oob_request.redirect_uri == "urn:ietf:wg:oauth:2.0:oob"
    answer = await approve_async(session.oob_request.url)
    async with httpx2.AsyncClient() as client:
        page = await client.get(answer.headers["location"])
    session.submit(oob_code(page.text))
    assert (await session.finish()).account.handle == "@alice@mastodon.example"


async def test_a_bare_code_copied_from_the_loopback_address_works(linker: Linker) -> None:
    session = await linker.begin()
    assert session.request is not None
    answer = await approve_async(session.request.url)
    session.submit(query(answer.headers["location"])["code"])  # tried on the oob flow, then handed over
    assert (await session.finish()).account.handle == "@alice@mastodon.example"


async def test_a_forged_state_is_refused_and_the_real_answer_still_works(linker: Linker) -> None:
    session = await linker.begin()
    assert session.request is not None
    location = (await approve_async(session.request.url)).headers["location"]
    state = query(location)["state"]
    with pytest.raises(CallbackRejected, match="different link request"):
        session.submit(location.replace(state, "forged" + state[6:]))
    assert linker.store.accounts() == []
    session.submit(location)
    assert (await session.finish()).account.handle == "@alice@mastodon.example"


async def test_denied_consent_links_nothing(linker: Linker) -> None:
    session = await linker.begin()
    assert session.request is not None
    answer = await approve_async(session.request.url, decision="deny")
    with pytest.raises(AuthorizationRefused, match="declined"):
        session.submit(answer.headers["location"])
    with pytest.raises(LinkError, match="declined"):
        await session.finish()
    assert linker.store.accounts() == []


async def test_cancel_frees_the_loopback_port(linker: Linker) -> None:
    session = await linker.begin()
    await session.cancel()  # the steps end with Failed(LinkCancelled)
    with pytest.raises(LinkCancelled):
        await session.finish()
    port = linker.settings.network("mastodon").port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port or 0))  # free again


async def configure(sandbox: Running, **values: Any) -> None:
    async with httpx2.AsyncClient() as client:
        response = await client.post(sandbox.url + "/__sandbox__/instance", json=values)
        assert response.status_code == 200


async def test_servers_before_4_3_get_read_accounts(linker: Linker) -> None:
    await configure(linker.sandbox, host="old.example", version="4.2.10")
    session = await linker.begin(host="old.example")
    assert session.request is not None and "scope=read%3Aaccounts%20write%3Astatuses" in session.request.url
    answer = await approve_async(session.request.url)
    session.submit(answer.headers["location"])
    assert (await session.finish()).account.handle == "@alice@old.example"


async def test_a_refused_profile_scope_is_retried_without_it(linker: Linker) -> None:
    await configure(linker.sandbox, host="quiet.example", version="4.2.0")
    async with httpx2.AsyncClient() as client:  # the version cannot be read
        await client.post(linker.sandbox.url + "/__sandbox__/fail", json={"path": "*/instance", "times": 9})
    session = await linker.begin(host="quiet.example")
    apps = await linker.requests("/api/v1/apps")
    assert [r["status"] for r in apps] == [422, 200]
    assert [r["params"]["scopes"] for r in apps] == [
        "profile write:statuses write:media",
        "read:accounts write:statuses write:media",
    ]
    await session.cancel()


async def test_a_server_that_is_not_mastodon_is_named(linker: Linker) -> None:
    async with httpx2.AsyncClient() as client:
        await client.post(
            linker.sandbox.url + "/__sandbox__/fail", json={"path": "/api/v1/apps", "status": 404}
        )
    with pytest.raises(LinkError, match="does not look like a Mastodon server"):
        await linker.begin()


async def test_unlink_revokes_at_the_server_and_forgets_the_token(linker: Linker) -> None:
    account = (await linker.link()).account
    token = linker.vault.get_token(account.vault_key)
    assert token is not None
    plan = unlinking.plan(linker.store, account)
    assert plan.can_revoke and plan.settings_url == f"{account.instance}/oauth/authorized_applications"
    result = await unlinking.unlink(linker.store, linker.vault, account)
    assert result.revoked is True and result.token_forgotten and "confirmed" in result.summary()
    assert linker.vault.get_token(account.vault_key) is None and linker.store.accounts() == []
    revokes = await linker.requests("/oauth/revoke")
    assert len(revokes) == 1 and revokes[0]["params"]["token"] == fingerprint(token["access_token"])
    me = f"{account.instance}/api/v1/accounts/verify_credentials"
    assert await status_with(token["access_token"], me) == 401


async def test_unlink_says_so_when_the_server_refuses_to_revoke(linker: Linker) -> None:
    account = (await linker.link()).account
    async with httpx2.AsyncClient() as client:
        await client.post(
            linker.sandbox.url + "/__sandbox__/fail", json={"path": "/oauth/revoke", "status": 503}
        )
    result = await unlinking.unlink(linker.store, linker.vault, account)
    assert result.revoked is False and "did not confirm" in result.summary()
    assert linker.vault.get_token(account.vault_key) is None and linker.store.accounts() == []


async def test_pixelfed_links_with_a_refresh_token_and_is_not_revoked(linker: Linker) -> None:
    result = await linker.link("pixelfed", "pixelfed.example")
    account = result.account
    assert account.network == "pixelfed" and account.handle == "@alice@pixelfed.example"
    token = linker.vault.get_token(account.vault_key)
    assert token and token["refresh_token"] and token["expires_in"] == 365 * 24 * 3600
    assert account.expires_at is not None
    assert account.expires_at - clock.now() > timedelta(days=364)
    apps = await linker.requests("/api/v1/apps")
    assert apps[0]["params"]["redirect_uris"].startswith("http://127.0.0.1:")  # no oob for Pixelfed
    result_unlink = await unlinking.unlink(linker.store, linker.vault, account)
    assert result_unlink.revoked is None and "connected-apps page" in result_unlink.summary()
    assert await linker.requests("/oauth/revoke") == []
    assert linker.vault.get_token(account.vault_key) is None


async def test_pixelfed_works_against_a_mastodon_shaped_server(linker: Linker) -> None:
    account = (await linker.link("pixelfed", "mastodon.example")).account
    assert account.network == "pixelfed" and account.handle == "@alice@mastodon.example"


async def test_networks_without_an_adapter_are_not_built_yet(linker: Linker) -> None:
    spec = unbuilt_network()
    with pretend_unbuilt(spec.id), pytest.raises(NotBuiltYet, match=spec.name) as caught:
        await linking.begin_link(spec.id, settings=linker.settings, store=linker.store, vault=linker.vault)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("mastodon.social", "https://mastodon.social"),
        ("HTTPS://Mastodon.Social/", "https://mastodon.social"),
        ("https://mastodon.social:443", "https://mastodon.social"),
        ("http://127.0.0.1:5000/mastodon.example/", "http://127.0.0.1:5000/mastodon.example"),
        ("http://localhost:3000", "http://localhost:3000"),
    ],
)
def test_instances_are_normalised(given: str, expected: str) -> None:
    from providers import catalog

    assert linking.resolve_instance(catalog.get("mastodon"), given, Settings()) == expected


@pytest.mark.parametrize(
    "given",
    ["http://mastodon.social", "ftp://mastodon.social", "https://x.example/?a=1", "https://u:p@x.example"],
)
def test_bad_instances_are_usage_errors(given: str) -> None:
    from providers import catalog

    with pytest.raises(UsageError) as caught:
        linking.resolve_instance(catalog.get("mastodon"), given, Settings())
    assert caught.value.exit_code == 2 and "Mastodon" in caught.value.message


def test_instance_is_required_and_only_for_per_instance_networks() -> None:
    from providers import catalog

    with pytest.raises(UsageError, match="needs your server's address"):
        linking.resolve_instance(catalog.get("mastodon"), None, Settings())
    configured = Settings(networks={"mastodon": NetworkSettings(base_url="https://m.example")})
    assert linking.resolve_instance(catalog.get("mastodon"), None, configured) == "https://m.example"
    with pytest.raises(UsageError, match="not a per-instance network"):
        linking.resolve_instance(catalog.get("x"), "https://x.com", Settings())


def test_the_port_setting_is_read_and_checked(linkdeck_home: Path) -> None:
    from providers import settings as settings_module

    config = linkdeck_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[networks.mastodon]\nport = 9123\n")
    assert settings_module.load().network("mastodon").port == 9123
    config.write_text('[networks.mastodon]\nport = "high"\n')
    with pytest.raises(SetupError, match="port"):
        settings_module.load()


def test_registered_apps_are_kept_per_instance(store: Store, vault: Vault) -> None:
    store.save_registered_app(
        "mastodon", "https://a.example", "id-a", ["urn:ietf:wg:oauth:2.0:oob"], ["profile"]
    )
    store.save_registered_app("mastodon", "https://b.example", "id-b", [], ["read"])
    assert store.recent_instances("mastodon")[0] == "https://b.example"
    store.touch_registered_app("mastodon", "https://a.example")
    assert store.recent_instances("mastodon") == ["https://a.example", "https://b.example"]
    app = store.registered_app("mastodon", "https://a.example")
    assert app is not None and app.client_id == "id-a" and app.scopes == ("profile",)
    vault.set_client_secret("mastodon", "secret-a", instance="https://a.example")
    assert vault.get_client_secret("mastodon", instance="https://a.example") == "secret-a"
    assert vault.get_client_secret("mastodon", instance="https://b.example") is None
    store.forget_registered_app("mastodon", "https://a.example")
    vault.delete_client_secret("mastodon", instance="https://a.example")
    assert store.registered_app("mastodon", "https://a.example") is None
    assert vault.get_client_secret("mastodon", instance="https://a.example") is None


async def test_a_taken_port_is_explained(linker: Linker) -> None:
    port = linker.settings.network("mastodon").port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port or 0))
        sock.listen()
        with pytest.raises(LinkError, match=r"\[networks\.mastodon\] port"):
            await linker.begin()


async def test_the_served_page_relay_delivers_the_answer(linker: Linker) -> None:
    from providers.auth import relay

    relay_uri = f"http://127.0.0.1:{free_port()}/oauth/callback"
    session = await to_address(
        await linking.begin_link(
            "mastodon",
            settings=linker.settings,
            store=linker.store,
            vault=linker.vault,
            instance=f"{linker.sandbox.url}/mastodon.example",
            relay_uri=relay_uri,
            open_browser=lambda url: None,  # App.open_url returns None
        )
    )
    assert session.opened_browser and session.request is not None
    assert session.request.redirect_uri == relay_uri
    location = (await approve_async(session.request.url)).headers["location"]
    assert location.startswith(relay_uri + "?")
    assert relay.deliver(location.removeprefix(relay_uri.removesuffix("/oauth/callback")))
    assert (await session.finish()).account.handle == "@alice@mastodon.example"
    app = linker.store.registered_app("mastodon", f"{linker.sandbox.url}/mastodon.example")
    assert app is not None and relay_uri in app.redirect_uris


async def test_rewrite_mode_serves_a_public_instance_name(
    linker: Linker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", linker.sandbox.url)
    session = await to_address(
        await linking.begin_link(
            "mastodon",
            settings=linker.settings,
            store=linker.store,
            vault=linker.vault,
            instance="https://mastodon.example",
        )
    )
    assert session.request is not None
    assert session.request.url.startswith(f"{linker.sandbox.url}/mastodon.example/oauth/authorize?")
    session.submit((await approve_async(session.request.url)).headers["location"])
    account = (await session.finish()).account
    assert account.instance == "https://mastodon.example" and account.handle == "@alice@mastodon.example"
    result = await unlinking.unlink(linker.store, linker.vault, account)
    assert result.revoked is True
    hosts = {r["host"] for r in await linker.requests()}
    assert hosts == {"mastodon.example"}
