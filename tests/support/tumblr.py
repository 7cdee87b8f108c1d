"""Linking the sandbox's Tumblr from a test, as a person would: Allow on its consent page, the
redirect pasted back, a blog and a way of posting chosen."""

from __future__ import annotations

import pytest

from providers import linking
from providers.linking.steps import ChooseTarget, Failed, Linked, ShowAddress
from providers.networks.tumblr.sandbox import DEMO
from providers.sandbox import Running
from providers.settings import NetworkSettings, Settings
from providers.store import Account, Store
from providers.vault import Vault
from tests.sandbox_browser import approve_async
from tests.support.ports import free_port


def settings_for(client_id: str) -> Settings:
    """Settings with Tumblr's client id and a free loopback port (the spec's 8080 may be taken)."""
    return Settings(
        networks={"tumblr": NetworkSettings(client_id=client_id, port=free_port())},
        allow_plaintext_secrets=True,
    )


async def link_alice(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch, target: str
) -> tuple[Account, Vault, Settings]:
    """Link alice on the sandbox's Tumblr (Allow on its consent page, the redirect pasted), choosing
    the target named ``target``."""
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("LINKDECK_TUMBLR_CLIENT_SECRET", str(DEMO.client_secret))
    settings = settings_for(str(DEMO.client_id))
    vault = Vault(settings)
    session = await linking.begin_link("tumblr", settings=settings, store=store, vault=vault)
    async for step in session.steps():
        if isinstance(step, ShowAddress):
            assert step.request is not None
            assert step.request.url.startswith(f"{sandbox.url}/www.tumblr.com/oauth2/authorize?")
            answer = await approve_async(step.request.url)
            step.paste(answer.headers["location"])
        elif isinstance(step, ChooseTarget):
            step.choose([c.name for c in step.choices].index(target))
        elif isinstance(step, Failed):
            assert step.error is not None
            raise step.error
        elif isinstance(step, Linked):
            assert step.account is not None
            return step.account, vault, settings
    raise AssertionError("no Linked step")
