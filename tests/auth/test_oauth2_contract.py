"""AuthorizationCodeFlow, TokenKeeper and revoke against a real authorization server (oidc-provider).

The provider validates PKCE, redirect URIs, single use of codes, refresh-token rotation and
revocation on its own, so these tests show the engine and a standard server agree.
"""

from __future__ import annotations

import httpx2
import pytest

from providers.auth import pkce
from providers.auth.oauth2 import AuthorizationCodeFlow
from providers.auth.refresh import TokenKeeper
from providers.auth.revoke import revoke
from providers.auth.types import OOB_REDIRECT, RedirectKind, Token
from providers.errors import AuthorizationRefused, CallbackRejected, LinkError
from providers.store import Account, Store
from providers.vault import Vault
from tests.auth.helpers import add_account, connection_refused
from tests.servers.oidc import CONFIDENTIAL, LoginFailed, OidcProvider, browser_login


def row_of(store: Store, account: Account) -> Account:
    """The account's row as stored now (the test fails if the row is gone, rather than reading the
    state of the object it started with)."""
    row = store.account(account.id)
    assert row is not None, f"account {account.id} is no longer stored"
    return row


async def browser_to_listener(redirect_url: str) -> httpx2.Response:
    """The browser following the provider's redirect to our loopback listener."""
    async with httpx2.AsyncClient(timeout=10) as browser:
        return await browser.get(redirect_url)


async def userinfo(oidc: OidcProvider, token: Token) -> int:
    async with httpx2.AsyncClient(timeout=10) as client:
        response = await client.get(
            oidc.metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['access_token']}"}
        )
        return response.status_code


async def link_via_listener(oidc: OidcProvider, flow: AuthorizationCodeFlow) -> Token:
    request = await flow.start()
    redirect = await browser_login(request.url, stop_at=request.redirect_uri)
    page = await browser_to_listener(redirect)
    assert page.status_code == 200 and "return to the terminal" in page.text
    return await flow.wait()


async def test_full_flow_via_the_loopback_listener(oidc: OidcProvider) -> None:
    flow = AuthorizationCodeFlow(oidc.config())
    request = await flow.start()
    assert request.redirect_kind is RedirectKind.LOOPBACK
    assert request.redirect_uri == f"http://127.0.0.1:{request.listener_port}/callback"
    assert "code_challenge_method=S256" in request.url and f"state={flow.state}" in request.url
    redirect = await browser_login(request.url, stop_at=request.redirect_uri)
    page = await browser_to_listener(redirect)
    assert page.status_code == 200 and "Linked — you can close this tab" in page.text
    token = await flow.wait()
    assert token["access_token"] and token["refresh_token"] and token["token_type"] == "Bearer"
    assert isinstance(token["expires_at"], int) and token["expires_in"] > 0
    assert await userinfo(oidc, token) == 200
    assert request.listener_port is not None and await connection_refused(request.listener_port)


async def test_full_flow_via_paste_back(oidc: OidcProvider) -> None:
    """Over SSH: the browser cannot reach the listener; the user pastes the address it ended on."""
    flow = AuthorizationCodeFlow(oidc.config())
    request = await flow.start()
    redirect = await browser_login(request.url, stop_at=request.redirect_uri)
    flow.submit(f"  {redirect}\n")
    token = await flow.wait()
    assert await userinfo(oidc, token) == 200
    assert request.listener_port is not None and await connection_refused(request.listener_port)


async def test_out_of_band_flow_with_a_bare_code(oidc: OidcProvider) -> None:
    flow = AuthorizationCodeFlow(oidc.config(), redirect=RedirectKind.OOB)
    request = await flow.start()
    assert request.redirect_uri == OOB_REDIRECT and request.listener_port is None
    redirect = await browser_login(request.url, stop_at=OOB_REDIRECT)
    code = httpx2.URL(redirect).params["code"]
    flow.submit(code)
    assert await userinfo(oidc, await flow.wait()) == 200


async def test_relay_flow_takes_the_relayed_url(oidc: OidcProvider) -> None:
    relay = "http://127.0.0.1:8765/relay/callback"
    flow = AuthorizationCodeFlow(oidc.config(), redirect=RedirectKind.RELAY, relay_uri=relay)
    request = await flow.start()
    assert request.redirect_uri == relay and request.listener_port is None
    redirect = await browser_login(request.url, stop_at=relay)
    with pytest.raises(CallbackRejected):
        flow.submit(redirect.replace(flow.state, "forged"))
    flow.submit(redirect)
    assert await userinfo(oidc, await flow.wait()) == 200


async def test_confidential_client_authenticates_at_the_token_endpoint(oidc: OidcProvider) -> None:
    token = await link_via_listener(oidc, AuthorizationCodeFlow(oidc.config(CONFIDENTIAL)))
    assert await userinfo(oidc, token) == 200


async def test_wrong_client_secret_is_a_clear_error(oidc: OidcProvider) -> None:
    flow = AuthorizationCodeFlow(oidc.config(CONFIDENTIAL, client_secret="not-the-secret"))
    with pytest.raises(LinkError) as info:
        await link_via_listener(oidc, flow)
    assert str(info.value).startswith("Test OIDC did not accept linkdeck's app credentials (invalid_client")
    assert "not-the-secret" not in str(info.value)


async def test_wrong_verifier_is_refused(oidc: OidcProvider) -> None:
    flow = AuthorizationCodeFlow(oidc.config())
    request = await flow.start()
    redirect = await browser_login(request.url, stop_at=request.redirect_uri)
    flow._verifier = pkce.new_verifier()  # as if another client tried to redeem our code
    code = httpx2.URL(redirect).params["code"]
    await browser_to_listener(redirect)
    with pytest.raises(LinkError) as info:
        await flow.wait()
    message = str(info.value)
    assert message.startswith("Test OIDC refused the sign-in code (invalid_grant")
    assert code not in message and flow._verifier not in message


async def test_reuse_of_a_code_is_refused(oidc: OidcProvider) -> None:
    first = AuthorizationCodeFlow(oidc.config())
    request = await first.start()
    redirect = await browser_login(request.url, stop_at=request.redirect_uri)
    first.submit(redirect)
    token = await first.wait()
    code = httpx2.URL(redirect).params["code"]
    # Redeeming the same code again (same verifier and redirect, as an attacker replaying it
    # would need) is refused, and oidc-provider revokes what the code had granted.
    with pytest.raises(LinkError, match=r"refused the sign-in code \(invalid_grant"):
        await first._exchange(code)
    assert await userinfo(oidc, token) == 401


async def test_unregistered_redirect_is_refused(oidc: OidcProvider) -> None:
    flow = AuthorizationCodeFlow(oidc.config(), path="/not-registered", timeout=1.0)
    request = await flow.start()
    with pytest.raises(LoginFailed) as page:
        await browser_login(request.url, stop_at=request.redirect_uri)
    assert page.value.status == 400 and "redirect_uri" in page.value.body
    with pytest.raises(LinkError) as info:
        await flow.wait()
    assert str(info.value).startswith("Test OIDC: no answer from the sign-in page within 1 seconds")
    assert "redirect address" in str(info.value)
    assert request.listener_port is not None and await connection_refused(request.listener_port)


async def test_redirect_uri_mismatch_at_the_token_endpoint_is_refused(oidc: OidcProvider) -> None:
    flow = AuthorizationCodeFlow(oidc.config())
    request = await flow.start()
    redirect = await browser_login(request.url, stop_at=request.redirect_uri)
    flow.submit(redirect)
    flow.redirect_uri = "http://127.0.0.1/relay/callback"  # registered, but not the one authorised
    with pytest.raises(LinkError, match=r"invalid_grant"):
        await flow.wait()


async def test_access_denied_is_mapped(oidc: OidcProvider) -> None:
    flow = AuthorizationCodeFlow(oidc.config())
    request = await flow.start()
    redirect = await browser_login(request.url, stop_at=request.redirect_uri, decline=True)
    assert "error=access_denied" in redirect
    page = await browser_to_listener(redirect)
    assert "you declined access" in page.text
    with pytest.raises(AuthorizationRefused) as info:
        await flow.wait()
    assert (
        str(info.value)
        == "Test OIDC: you declined access, so nothing was linked. Start again if that was a mistake."
    )


async def test_server_side_error_is_mapped(oidc: OidcProvider) -> None:
    """Without PKCE the provider refuses a public client at the authorize step; the error comes
    back to the listener with our state and ends the flow with a readable message."""
    flow = AuthorizationCodeFlow(oidc.config(pkce=False))
    request = await flow.start()
    assert "code_challenge" not in request.url
    async with httpx2.AsyncClient(timeout=10) as browser:
        redirect = (await browser.get(request.url)).headers["location"]
    assert redirect.startswith(request.redirect_uri) and "error=invalid_request" in redirect
    await browser_to_listener(redirect)
    with pytest.raises(AuthorizationRefused) as info:
        await flow.wait()
    assert str(info.value).startswith(
        "Test OIDC rejected linkdeck's sign-in request as malformed (invalid_request"
    )
    assert "PKCE" in str(info.value)


async def test_refresh_rotates_and_the_old_refresh_token_is_refused(
    oidc: OidcProvider, vault: Vault, store: Store
) -> None:
    config = oidc.config()
    token = await link_via_listener(oidc, AuthorizationCodeFlow(config))
    account = add_account(store)
    vault.set_token(account.vault_key, token)
    keeper = TokenKeeper(vault, store)

    refreshed = await keeper.after_unauthorized(account, config)
    assert refreshed["refresh_token"] != token["refresh_token"]
    assert refreshed["access_token"] != token["access_token"]
    assert vault.get_token(account.vault_key) == refreshed
    assert await userinfo(oidc, refreshed) == 200

    # The old refresh token, kept somewhere else, is refused: that account must be relinked.
    stale = add_account(store, "stale-copy")
    vault.set_token(stale.vault_key, token)
    with pytest.raises(LinkError) as info:
        await keeper.after_unauthorized(stale, config)
    assert "invalid_grant" in str(info.value) and "Link the account again" in str(info.value)
    assert token["refresh_token"] not in str(info.value)
    after = store.account(stale.id)
    assert after is not None and after.state == "reconnect" and "Test OIDC" in after.state_reason


async def test_revocation_then_refresh_is_refused(oidc: OidcProvider, vault: Vault, store: Store) -> None:
    config = oidc.config()
    token = await link_via_listener(oidc, AuthorizationCodeFlow(config))
    assert await revoke(config, token) is True
    assert await userinfo(oidc, token) == 401  # the whole grant went with the refresh token
    account = add_account(store)
    vault.set_token(account.vault_key, token)
    with pytest.raises(LinkError, match="invalid_grant"):
        await TokenKeeper(vault, store).after_unauthorized(account, config)
    assert row_of(store, account).state == "reconnect"


async def test_revoking_an_access_token_only(oidc: OidcProvider) -> None:
    config = oidc.config(CONFIDENTIAL)
    token = await link_via_listener(oidc, AuthorizationCodeFlow(config))
    assert await revoke(config, {"access_token": token["access_token"]}) is True
    assert await userinfo(oidc, token) == 401


async def test_revoke_never_raises(oidc: OidcProvider, refused_port: int) -> None:
    config = oidc.config()
    assert await revoke(oidc.config(revoke_url=None), {"access_token": "x"}) is False
    assert await revoke(config, {}) is False
    # Refused: a client the provider does not know.
    assert await revoke(oidc.config(client_id="nobody"), {"refresh_token": "whatever"}) is False
    # Unreachable: nothing listens there.
    unreachable = oidc.config(revoke_url=f"http://127.0.0.1:{refused_port}/revoke")
    assert await revoke(unreachable, {"refresh_token": "x"}) is False
