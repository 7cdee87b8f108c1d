"""Linking Pinterest against its emulation, through a real link session: the authorize address as
Pinterest documents it, HTTP Basic and ``continuous_refresh=true`` at the token endpoint (on the
exchange and on every refresh), the boards as targets, no board → a clear refusal, and no
revocation for a user's token (pinterest/api-description@c05b189 ``/oauth/token``,
``/oauth/token/revoke``, ``/boards``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from providers import clock, unlinking
from providers.auth.oauth2 import AuthorizationCodeFlow
from providers.auth.refresh import TokenKeeper
from providers.errors import LinkError
from providers.linking.steps import Failed, Linked
from providers.networks import registry
from providers.networks.pinterest.link import PinterestSignIn
from providers.networks.pinterest.sandbox import DEMO, PinterestServer
from providers.networks.pinterest.spec import SPEC
from providers.sandbox import Running
from providers.settings import Settings
from providers.store import Account, Store
from providers.vault import Vault
from tests.networks.pinterest_support import BOARDS, emulator, link, settings

SCOPES = "user_accounts:read boards:read boards:write pins:read pins:write"
__all__ = ["emulator", "settings"]  # fixtures


async def test_the_authorize_address_is_pinterests_with_its_scopes_and_a_state(
    settings: Settings, store: Store, vault: Vault
) -> None:
    sign_in = registry.sign_in_for("pinterest", settings=settings, store=store, vault=vault)
    assert isinstance(sign_in, PinterestSignIn)
    config = sign_in.client_config()
    assert config.token_auth_method == "client_secret_basic"
    assert config.extra_token_params == {"continuous_refresh": "true"}
    flow = AuthorizationCodeFlow(config, port=settings.network("pinterest").port or 0)
    request = await flow.start()
    await flow.cancel()
    parts = urlsplit(request.url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.pinterest.com", "/oauth/")
    assert query["response_type"] == "code" and query["client_id"] == DEMO.client_id
    assert query["scope"] == SCOPES and " ".join(SPEC.scopes) == SCOPES
    assert len(query["state"]) >= 32 and query["state"] == flow.state
    assert query["redirect_uri"] == request.redirect_uri
    assert request.redirect_uri == f"http://127.0.0.1:{settings.network('pinterest').port}/callback"
    # Pinterest documents no PKCE: none is sent (and never "plain").
    assert "code_challenge" not in query and "code_challenge_method" not in query


async def test_the_code_exchange_and_the_refresh_use_basic_auth_and_continuous_refresh(
    settings: Settings, store: Store, vault: Vault, emulator: PinterestServer, sandbox: Running
) -> None:
    linked = await link(settings, store, vault, choose=1)
    assert isinstance(linked, Linked) and linked.account is not None
    account = linked.account
    assert (account.handle, account.target_kind, account.target_id, account.target_name) == (
        "@alice",
        "board",
        "549755885176",
        "Recipes to try",
    )
    assert [t.name for t in store.targets(account.id)] == BOARDS
    token = vault.get_token(account.vault_key)
    assert token is not None and token["refresh_token"] and token["expires_in"] == 30 * 24 * 3600
    assert token["refresh_token_expires_in"] == 60 * 24 * 3600
    [exchange] = [r for r in sandbox.sandbox.requests if r["path"] == "/v5/oauth/token"]
    assert exchange["authorization"].startswith("Basic sha256:")
    assert exchange["params"]["grant_type"] == "authorization_code"
    assert exchange["params"]["continuous_refresh"] == "true"
    assert "client_secret" not in exchange["params"]

    sign_in = registry.sign_in_for("pinterest", settings=settings, store=store, vault=vault)
    assert sign_in is not None
    # The card's expiry is the 60-day refresh token's; a refresh ten days later moves it on.
    first_expiry = account.expires_at
    assert first_expiry is not None and first_expiry.timestamp() == token["refresh_expires_at"]
    keeper = TokenKeeper(vault, store, now=lambda: clock.now() + timedelta(days=10))
    renewed = await keeper.after_unauthorized(account, await sign_in.refresh_config(None))
    later = store.account(account.id)
    assert later is not None and later.expires_at is not None
    assert later.expires_at.timestamp() == renewed["refresh_expires_at"]
    assert later.expires_at - first_expiry > timedelta(days=9)
    assert renewed["access_token"] != token["access_token"]
    assert renewed["refresh_token"] != token["refresh_token"]  # continuous refresh tokens rotate
    assert not emulator.accepts(token["refresh_token"]) and emulator.accepts(renewed["refresh_token"])
    refresh = [r for r in sandbox.sandbox.requests if r["path"] == "/v5/oauth/token"][-1]
    assert refresh["params"]["grant_type"] == "refresh_token"
    assert refresh["params"]["continuous_refresh"] == "true"
    assert refresh["authorization"].startswith("Basic ") and "client_secret" not in refresh["params"]


class PostAuthSignIn(PinterestSignIn):
    """What a client that sends its secret in the form would do (not Pinterest's way)."""

    token_auth_method: ClassVar[str] = "client_secret_post"


async def test_the_emulator_refuses_the_secret_in_the_form(
    settings: Settings, store: Store, vault: Vault, emulator: PinterestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import providers.networks.pinterest.link as link_module

    monkeypatch.setattr(link_module, "SIGN_IN", PostAuthSignIn)
    failed = await link(settings, store, vault)
    assert isinstance(failed, Failed) and failed.error is not None
    assert "Pinterest" in str(failed.error) and "invalid_client" in str(failed.error).lower().replace(
        " ", "_"
    )
    assert store.accounts() == []


async def test_without_continuous_refresh_there_is_nothing_to_renew_with(
    settings: Settings, store: Store, vault: Vault, emulator: PinterestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The emulator's demo app predates 2025-09-25: a client that forgets the flag gets no
    refresh token, which is why linkdeck sends it."""
    monkeypatch.setattr(PinterestSignIn, "token_params", {})
    linked = await link(settings, store, vault)
    assert isinstance(linked, Linked) and linked.account is not None
    token = vault.get_token(linked.account.vault_key)
    assert token is not None and "refresh_token" not in token


async def test_an_account_without_boards_is_not_linked_and_says_why(
    settings: Settings, store: Store, vault: Vault, emulator: PinterestServer
) -> None:
    emulator.state.boards[:] = [b for b in emulator.state.boards if b.owner != "109000000000000001"]
    failed = await link(settings, store, vault)
    assert isinstance(failed, Failed) and failed.error is not None
    assert "@alice has no boards" in str(failed.error) and "Create a board" in str(failed.error)
    assert store.accounts() == []


async def test_boards_come_from_every_page(
    settings: Settings, store: Store, vault: Vault, emulator: PinterestServer
) -> None:
    from providers.networks.pinterest.sandbox_oauth import Board

    alice = "109000000000000001"
    emulator.state.boards.extend(Board(str(600_000 + n), f"Board {n}", alice) for n in range(300))
    done = await link(settings, store, vault, choose=301)
    assert isinstance(done, Linked) and done.account is not None
    assert done.account.target_id == "600299"
    targets = store.targets(done.account.id)
    assert len(targets) == 302 and targets[-1].name == "Board 299"


async def test_unlinking_revokes_nothing_and_points_to_pinterest_settings(
    settings: Settings, store: Store, vault: Vault, emulator: PinterestServer, sandbox: Running
) -> None:
    linked = await link(settings, store, vault)
    assert isinstance(linked, Linked) and linked.account is not None
    account: Account = linked.account
    token: Mapping[str, Any] | None = vault.get_token(account.vault_key)
    assert token is not None
    # The API's revoke endpoint takes system-user tokens only: a user's token is refused (403, 29).
    async with httpx2.AsyncClient(timeout=10) as client:
        refused = await client.post(
            f"{sandbox.url}/api.pinterest.com/v5/oauth/token/revoke",
            data={"token": token["refresh_token"]},
            auth=(str(DEMO.client_id), str(DEMO.client_secret)),
        )
    assert refused.status_code == 403 and refused.json()["code"] == 29
    plan = unlinking.plan(store, account)
    assert not plan.can_revoke and plan.settings_url == SPEC.settings_url
    result = await unlinking.unlink(store, vault, account)
    assert result.revoked is None and "connected-apps page" in result.summary()
    with pytest.raises(LinkError):  # nothing is left to read the account with here
        sign_in = registry.sign_in_for("pinterest", settings=settings, store=store, vault=vault)
        assert sign_in is not None
        await sign_in.profile({"access_token": "gone"}, None)


async def test_a_board_is_read_by_its_id_and_only_by_its_owner(
    settings: Settings, store: Store, vault: Vault, emulator: PinterestServer, sandbox: Running
) -> None:
    linked = await link(settings, store, vault)
    assert isinstance(linked, Linked) and linked.account is not None
    token = vault.get_token(linked.account.vault_key)
    assert token is not None
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    base = f"{sandbox.url}/api.pinterest.com/v5/boards"
    async with httpx2.AsyncClient(timeout=10) as client:
        mine = await client.get(f"{base}/549755885175", headers=auth)
        bobs = await client.get(f"{base}/549755885177", headers=auth)
        nobody = await client.get(f"{base}/549755885175")
    assert mine.status_code == 200 and mine.json()["name"] == "Harbour photos"
    assert bobs.status_code == 404 and bobs.json() == {"code": 404, "message": "Board not found."}
    assert nobody.status_code == 401 and nobody.json()["code"] == 2


async def test_the_consent_page_takes_only_the_registered_loopback_callback(
    emulator: PinterestServer, sandbox: Running
) -> None:
    base = f"{sandbox.url}/www.pinterest.com/oauth/"
    asked = {"response_type": "code", "client_id": DEMO.client_id, "scope": SCOPES, "state": "s" * 20}
    async with httpx2.AsyncClient(timeout=10) as client:
        good = await client.get(base, params=asked | {"redirect_uri": "http://127.0.0.1:5123/callback"})
        for wrong in (
            "http://127.0.0.1:5123/other",
            "http://evil.example/callback",
            "http://localhost:5123/callback",
        ):
            page = await client.get(base, params=asked | {"redirect_uri": wrong})
            assert page.status_code == 400 and "invalid_redirect_uri" in page.text, wrong
        unknown = await client.get(
            base, params=asked | {"client_id": "999", "redirect_uri": "http://127.0.0.1:5123/callback"}
        )
    assert good.status_code == 200 and "user_accounts:read" in good.text
    assert unknown.status_code == 401
