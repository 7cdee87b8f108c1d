"""Linking LinkedIn in the in-process sandbox as a person would, for the LinkedIn tests."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from providers import linking
from providers.linking.steps import ChooseTarget, Failed, Linked, ShowAddress, Step
from providers.sandbox import Running
from providers.settings import NetworkSettings, Settings
from providers.store import Store
from providers.vault import Vault
from tests.sandbox_browser import approve_async
from tests.support.ports import free_port

NATIVE_APP = "linkdeck-sandbox-native"
API = "api.linkedin.com"


class LinkedIn:
    """The sandbox's LinkedIn for one test: its settings, and linking through the real steps."""

    def __init__(
        self,
        sandbox: Running,
        store: Store,
        monkeypatch: pytest.MonkeyPatch,
        *,
        client_id: str = NATIVE_APP,
        pages: bool = False,
    ) -> None:
        monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
        self.sandbox, self.store, self.port = sandbox, store, free_port()
        self.settings = Settings(
            networks={
                "linkedin": NetworkSettings(
                    client_id=client_id, port=self.port, optional_scopes=pages or None
                )
            },
            allow_plaintext_secrets=True,
        )
        self.vault = Vault(self.settings)
        self.seen: list[Step] = []

    @property
    def emulator(self) -> Any:
        return self.sandbox.sandbox.emulator(API)

    def configure(self, **values: Any) -> None:
        self.emulator.configure(values)

    def requests(self, method: str, path_start: str) -> list[dict[str, Any]]:
        return [
            r
            for r in self.sandbox.sandbox.requests
            if r["method"] == method and r["path"].startswith(path_start)
        ]

    async def link(self, choice: int = 0, decision: str = "allow") -> Linked:
        session = await linking.begin_link(
            "linkedin", settings=self.settings, store=self.store, vault=self.vault
        )
        async for step in session.steps():
            self.seen.append(step)
            if isinstance(step, ShowAddress):
                assert step.request is not None
                async with httpx2.AsyncClient(follow_redirects=False, timeout=10) as browser:
                    page = await browser.get(step.request.url)
                if page.status_code == 302:  # LinkedIn sent the browser straight back (an error)
                    step.paste(page.headers["location"])
                    continue
                answer = await approve_async(step.request.url, decision=decision)
                step.paste(answer.headers["location"])
            elif isinstance(step, ChooseTarget):
                step.choose(choice)
            elif isinstance(step, Linked):
                return step
            elif isinstance(step, Failed):
                assert step.error is not None
                raise step.error
        raise AssertionError("the steps ended without Linked or Failed")

    @property
    def address(self) -> ShowAddress:
        return next(s for s in self.seen if isinstance(s, ShowAddress))
