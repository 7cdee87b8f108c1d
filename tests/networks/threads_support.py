"""Linking Threads in the in-process sandbox as a person would, for the Threads tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from providers import linking
from providers.linking.steps import Failed, Linked, ShowAddress, Step
from providers.networks.threads.sandbox import CLIENT_ID, CLIENT_SECRET
from providers.sandbox import Running
from providers.settings import NetworkSettings, Settings
from providers.store import Account, Store
from providers.vault import Vault
from tests.sandbox_browser import approve_async
from tests.support.ports import free_port

GRAPH = "graph.threads.net"


class Threads:
    """The sandbox's Threads for one test: settings, and linking through the real steps."""

    def __init__(self, sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
        monkeypatch.setenv("LINKDECK_THREADS_CLIENT_SECRET", CLIENT_SECRET)
        self.sandbox, self.store = sandbox, store
        self.settings = Settings(
            networks={"threads": NetworkSettings(client_id=CLIENT_ID, port=free_port())},
            allow_plaintext_secrets=True,
        )
        self.vault = Vault(self.settings)
        self.seen: list[Step] = []

    def requests(self, method: str, path: str) -> list[dict[str, Any]]:
        return [
            r
            for r in self.sandbox.sandbox.requests
            if r["method"] == method and r["host"] == GRAPH and r["path"] == path
        ]

    def later(self, delta: timedelta) -> None:
        self.sandbox.sandbox.clock.offset += delta.total_seconds()

    async def link(self) -> Account:
        session = await linking.begin_link(
            "threads", settings=self.settings, store=self.store, vault=self.vault
        )
        async for step in session.steps():
            self.seen.append(step)
            if isinstance(step, ShowAddress):
                assert step.request is not None
                answer = await approve_async(step.request.url)
                step.paste(answer.headers["location"])
            elif isinstance(step, Linked):
                assert step.account is not None
                return step.account
            elif isinstance(step, Failed):
                assert step.error is not None
                raise step.error
        raise AssertionError("no Linked step")

    @property
    def emulator(self) -> Any:
        return self.sandbox.sandbox.emulator(GRAPH)

    def configure(self, **values: Any) -> None:
        self.emulator.configure(values)
