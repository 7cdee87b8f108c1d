"""The engine goes through providers.http: with LINKDECK_SANDBOX_URL set, every request and every
URL shown to the user for https://social.example/... is sent to the local server instead."""

from __future__ import annotations

import asyncio

import pytest

from providers.auth.device import DeviceFlow
from providers.auth.oauth2 import AuthorizationCodeFlow
from providers.auth.refresh import TokenKeeper
from providers.auth.revoke import revoke
from providers.auth.types import ClientConfig, RedirectKind
from providers.store import Store
from providers.vault import Vault
from tests.auth.helpers import add_account
from tests.servers.scripted_as import ScriptedAS

REMOTE = "https://social.example"


def remote_config() -> ClientConfig:
    return ClientConfig(
        network_name="Social",
        client_id="social-client",
        authorize_url=f"{REMOTE}/oauth/authorize?lang=en",
        token_url=f"{REMOTE}/token",
        device_url=f"{REMOTE}/device",
        revoke_url=f"{REMOTE}/revoke",
        scopes=("read", "write:media"),
    )


@pytest.fixture
def sandboxed(scripted: ScriptedAS, monkeypatch: pytest.MonkeyPatch) -> ScriptedAS:
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", scripted.base_url)
    return scripted


async def test_authorize_url_is_rewritten(sandboxed: ScriptedAS) -> None:
    flow = AuthorizationCodeFlow(remote_config(), redirect=RedirectKind.OOB)
    request = await flow.start()
    assert request.url.startswith(f"{sandboxed.base_url}/social.example/oauth/authorize?lang=en&")
    assert "scope=read%20write%3Amedia" in request.url
    await flow.cancel()


async def test_device_flow_requests_and_urls_are_rewritten(sandboxed: ScriptedAS) -> None:
    async def no_wait(seconds: float) -> None:
        await asyncio.sleep(0)

    flow = DeviceFlow(remote_config(), sleep=no_wait)
    code = await flow.start()
    assert code.verification_uri == f"{sandboxed.base_url}/social.example/activate"
    assert (await flow.wait())["access_token"] == "device-access-1"
    assert [path for path, _, _ in sandboxed.requests] == ["/social.example/device", "/social.example/token"]


async def test_refresh_and_revoke_are_rewritten(sandboxed: ScriptedAS, vault: Vault, store: Store) -> None:
    account = add_account(store)
    vault.set_token(account.vault_key, {"access_token": "a", "refresh_token": "r", "expires_at": 0})
    token = await TokenKeeper(vault, store).fresh_token(account, remote_config())
    assert token["access_token"] == "scripted-access-1"
    assert await revoke(remote_config(), token) is True
    assert [path for path, _, _ in sandboxed.requests] == ["/social.example/token", "/social.example/revoke"]
