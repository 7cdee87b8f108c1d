"""What the Pinterest tests share: the demo app's settings, the in-process sandbox's Pinterest
emulator with every network host rewritten to it, and a link through a real link session."""

from __future__ import annotations

import pytest

from providers import linking
from providers.linking.steps import ChooseTarget, Failed, Linked, ShowAddress
from providers.networks.pinterest.sandbox import DEMO, PinterestServer
from providers.sandbox import Running
from providers.settings import NetworkSettings, Settings
from providers.store import Store
from providers.vault import Vault
from tests.sandbox_browser import approve_async
from tests.support.ports import free_port

ALICE = "109000000000000001"
BOARDS = ["Harbour photos", "Recipes to try"]


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The sandbox's demo app: its client id in the settings, its secret in the environment."""
    assert DEMO.client_secret
    monkeypatch.setenv("LINKDECK_PINTEREST_CLIENT_SECRET", DEMO.client_secret)
    return Settings(
        networks={"pinterest": NetworkSettings(port=free_port(), client_id=DEMO.client_id)},
        allow_plaintext_secrets=True,
    )


@pytest.fixture
def emulator(sandbox: Running, monkeypatch: pytest.MonkeyPatch) -> PinterestServer:
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    found = sandbox.sandbox.emulator("api.pinterest.com")
    assert isinstance(found, PinterestServer)
    return found


async def link(settings: Settings, store: Store, vault: Vault, choose: int = 0) -> Linked | Failed:
    """Link alice: Allow on the consent page, the redirect pasted back, board ``choose``."""
    session = await linking.begin_link("pinterest", settings=settings, store=store, vault=vault)
    async for step in session.steps():
        if isinstance(step, ShowAddress):
            assert step.request is not None
            step.paste((await approve_async(step.request.url)).headers["location"])
        elif isinstance(step, ChooseTarget):
            step.choose(choose)
        elif isinstance(step, Linked | Failed):
            return step
    raise AssertionError("no end step")
