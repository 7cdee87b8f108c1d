"""The base sign-ins driven only by a spec, through a real link session, against real servers:
OAuth 2 with a developer app and the device grant against oidc-provider, OAuth 1.0a against the
authlib/Flask server, a pasted token, each with a test network that is nothing but a spec and a
profile parser. This is what "a network on a base sign-in is a spec plus a small adapter" means,
and how the OAuth 1.0a and device flows the engine has had become routes a network can use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx2
import pytest

from providers.errors import LinkError
from providers.interface import Profile
from providers.linking.session import LinkSession
from providers.linking.steps import AskFields, Failed, Linked, ShowAddress, ShowDeviceCode, Working
from providers.settings import NetworkSettings, Settings
from providers.signin.developer_app import DeveloperAppSignIn, DeviceGrantSignIn
from providers.signin.oauth1 import OAuth1SignIn
from providers.signin.pasted_token import PastedTokenSignIn
from providers.spec import (
    AuthCapabilities,
    AuthKind,
    CaptionLimits,
    Endpoints,
    MediaLimits,
    NetworkSpec,
    SignInKind,
)
from providers.store import Store
from providers.vault import Vault
from tests.link_driver import next_shown
from tests.servers.oauth1_server import CONSUMER_KEY, CONSUMER_SECRET, OAuth1Server, pin_from_page
from tests.servers.oidc import DEVICE, NATIVE, OidcProvider, browser_device, browser_login


def spec_of(network_id: str, auth: AuthKind, endpoints: Endpoints, **caps: Any) -> NetworkSpec:
    return NetworkSpec(
        id=network_id,
        name=f"Test {network_id}",
        brand_color="#123456",
        auth=auth,
        endpoints=endpoints,
        scopes=("openid",) if auth is AuthKind.OAUTH2 else (),
        settings_url="https://example.test/apps",
        capabilities=AuthCapabilities(needs_developer_app=True, **caps),
        media=MediaLimits(),
        caption=CaptionLimits(),
    )


class OidcSignIn(DeveloperAppSignIn):
    """A network on the developer-app base: the spec, plus reading its account document."""

    def parse_profile(self, body: Mapping[str, Any]) -> Profile:
        sub = body.get("sub")
        if not isinstance(sub, str):
            raise LinkError(f"{self.spec.name}: the account document has no sub.")
        return Profile(remote_id=sub, handle=f"@{sub}", display_name=sub)


class OidcDeviceSignIn(DeviceGrantSignIn, OidcSignIn):
    pass


def oidc_spec(oidc: OidcProvider, **caps: Any) -> NetworkSpec:
    meta = oidc.metadata
    endpoints = Endpoints(
        authorize=meta["authorization_endpoint"],
        token=meta["token_endpoint"],
        revoke=meta["revocation_endpoint"],
        profile=meta["userinfo_endpoint"],
        device=meta["device_authorization_endpoint"],
    )
    return spec_of("test-oidc", AuthKind.OAUTH2, endpoints, **caps)


def session_for(
    sign_in_class: type, spec: NetworkSpec, client_id: str, store: Store, vault: Vault
) -> LinkSession:
    settings = Settings(
        networks={spec.id: NetworkSettings(client_id=client_id)}, allow_plaintext_secrets=True
    )
    sign_in = sign_in_class(spec, store, vault, settings)
    return LinkSession(spec, sign_in, settings=settings, store=store, vault=vault)


async def test_developer_app_links_and_revokes_when_its_device_route_is_refused(
    oidc: OidcProvider, store: Store, vault: Vault
) -> None:
    spec = oidc_spec(oidc, loopback_redirect=True, pkce=True, device_flow=True, provider_revoke=True)
    assert spec.sign_in is SignInKind.DEVELOPER_APP
    session = session_for(OidcSignIn, spec, NATIVE, store, vault)
    step = await next_shown(session)
    assert isinstance(step, ShowAddress) and step.request is not None
    assert "code_challenge_method=S256" in step.request.url and "state=" in step.request.url
    assert step.request.redirect_uri.startswith("http://127.0.0.1:")  # any port: RFC 8252 §7.3
    # The spec offers the device grant beside the address, but this client may not use it: the
    # provider refuses the device code, and the address alone goes on.
    assert step.device is None
    redirect = await browser_login(step.request.url, stop_at=step.request.redirect_uri)
    step.paste(redirect)
    linked = await session.finish()
    account = linked.account
    assert account is not None and account.network == "test-oidc" and account.handle == "@alice"
    token = vault.get_token(account.vault_key)
    assert token is not None and token["access_token"]
    sign_in = OidcSignIn(spec, store, vault, session.settings)
    assert await sign_in.revoke(token, None) is True
    with pytest.raises(LinkError, match="Test test-oidc"):  # the revoked token reads no account
        await sign_in.profile(token, None)


async def test_the_device_grant_alone_is_a_route(oidc: OidcProvider, store: Store, vault: Vault) -> None:
    spec = oidc_spec(oidc, device_flow=True)
    session = session_for(OidcDeviceSignIn, spec, DEVICE, store, vault)
    step = await next_shown(session)
    assert isinstance(step, ShowDeviceCode) and step.code is not None
    assert step.code.verification_uri_complete
    await browser_device(step.code.verification_uri_complete)  # approved on another device
    linked = await session.finish()
    assert linked.account is not None and linked.account.handle == "@alice"


class FlickrShapedSignIn(OAuth1SignIn):
    async def profile(self, token: Mapping[str, Any], instance: str | None) -> Profile:
        me = await self.signed_get(str(self.spec.endpoints.profile), dict(token))
        if me.status_code != 200:
            raise LinkError(f"{self.spec.name}: the signed account call answered HTTP {me.status_code}.")
        user = str(me.json()["user_id"])
        return Profile(remote_id=user, handle=str(token.get("username") or user), display_name=user)


def oauth1_spec(server: OAuth1Server, **caps: Any) -> NetworkSpec:
    endpoints = Endpoints(
        request_token=server.request_token_url,
        authorize=server.authorize_url,
        token=server.access_token_url,
        profile=f"{server.base_url}/api/me",
    )
    return spec_of(
        "test-oauth1", AuthKind.OAUTH1, endpoints, loopback_redirect=True, needs_client_secret=True, **caps
    )


async def test_oauth1_links_by_callback_and_by_pin(
    oauth1: OAuth1Server, store: Store, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKDECK_TEST_OAUTH1_CLIENT_SECRET", CONSUMER_SECRET)
    spec = oauth1_spec(oauth1, oob=True)
    assert spec.sign_in is SignInKind.OAUTH1
    session = session_for(FlickrShapedSignIn, spec, CONSUMER_KEY, store, vault)
    step = await next_shown(session)
    assert isinstance(step, ShowAddress) and step.request is not None and step.code_page is not None
    async with httpx2.AsyncClient(timeout=10) as browser:
        consent = await browser.get(step.request.url)
    assert consent.status_code == 302 and consent.headers["location"].startswith(step.request.redirect_uri)
    step.paste(consent.headers["location"])
    linked = await session.finish()
    assert linked.account is not None and linked.account.handle
    token = vault.get_token(linked.account.vault_key)
    assert token is not None and token["oauth_token"] and token["oauth_token_secret"]

    again = session_for(FlickrShapedSignIn, spec, CONSUMER_KEY, store, vault)
    step = await next_shown(again)
    assert isinstance(step, ShowAddress) and step.code_page is not None
    async with httpx2.AsyncClient(timeout=10) as browser:
        page = await browser.get(step.code_page.url)  # the network's PIN page
    step.paste(pin_from_page(page.text))
    assert (await again.finish()).account is not None


async def test_oauth1_without_the_consumer_secret_says_how_to_set_it(
    oauth1: OAuth1Server, store: Store, vault: Vault
) -> None:
    session = session_for(FlickrShapedSignIn, oauth1_spec(oauth1), CONSUMER_KEY, store, vault)
    step = await session.next_step()
    while isinstance(step, Working):
        step = await session.next_step()
    assert isinstance(step, Failed) and step.error is not None
    assert step.error.exit_code == 2 and "linkdeck config set-secret test-oauth1" in str(step.error)
    assert store.accounts() == []


class BotSignIn(PastedTokenSignIn):
    token_label = "Bot token"

    async def profile(self, token: Mapping[str, Any], instance: str | None) -> Profile:
        if token.get("access_token") != "123:good":
            raise LinkError(f"{self.spec.name} did not accept that bot token.")
        return Profile(remote_id="123", handle="@linkdeck_bot", display_name="linkdeck bot")


async def test_a_pasted_token_is_checked_before_it_is_kept(store: Store, vault: Vault) -> None:
    spec = spec_of("test-bot", AuthKind.BOT_TOKEN, Endpoints())
    assert spec.sign_in is SignInKind.PASTED_TOKEN
    session = session_for(BotSignIn, spec, "", store, vault)
    ask = await next_shown(session)
    assert isinstance(ask, AskFields) and [(f.label, f.secret) for f in ask.fields] == [("Bot token", True)]
    ask.answer({"token": "123:wrong"})
    again = await next_shown(session)
    assert isinstance(again, AskFields) and "did not accept that bot token" in again.error
    assert store.accounts() == []  # nothing kept for a refused token
    again.answer({"token": " 123:good "})
    linked = await next_shown(session)
    assert isinstance(linked, Linked) and linked.account is not None
    assert vault.get_token(linked.account.vault_key) == {"access_token": "123:good"}
