"""Helpers shared by the outbox, publishing, worker and ``linkdeck post`` tests (no tests here).

- :class:`SandboxProcess`: ``linkdeck sandbox`` in its own process (for tests that run the CLI or
  workers as subprocesses), with its request record and failure injection.
- :func:`link` / :func:`link_async`: link a sandbox account through the real OAuth flow
  (providers.linking, the consent page approved like a browser would).
- :func:`statuses`: every status an emulated server holds for a user, through its public API.

Secrets go to the real Secret Service inside tests/with_keyring.sh, else to the opted-in
plaintext file; subprocesses get the same choice through ``LINKDECK_ALLOW_PLAINTEXT_SECRETS``.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2

from providers import linking
from providers.settings import NetworkSettings, Settings
from providers.store import Account, Store
from providers.vault import Vault
from tests.link_driver import to_address
from tests.sandbox_browser import approve_async

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())"]
ALICE = "109000000000000001"
BOB = "109000000000000002"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def settings() -> Settings:
    ports = {"mastodon": NetworkSettings(port=free_port()), "pixelfed": NetworkSettings(port=free_port())}
    return Settings(networks=ports, allow_plaintext_secrets=True)


def vault() -> Vault:
    return Vault(Settings(allow_plaintext_secrets=True))


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if not k.startswith(("SSH_", "LINKDECK_SANDBOX"))}
    values |= {"LINKDECK_HOME": str(home), "LINKDECK_ALLOW_PLAINTEXT_SECRETS": "1", "PYTHONUNBUFFERED": "1"}
    return values | extra


def run_cli(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


async def link_async(
    store: Store,
    instance: str,
    network: str = "mastodon",
    user: str | None = None,
    config: Settings | None = None,
) -> Account:
    config = config or settings()
    session = await linking.begin_link(
        network, settings=config, store=store, vault=vault(), instance=instance
    )
    started = await to_address(session)
    answer = await approve_async(started.request.url, user=user)
    started.submit(answer.headers["location"])
    result = await session.finish()
    account: Account = result.account
    return account


def link(store: Store, instance: str, network: str = "mastodon", user: str | None = None) -> Account:
    return asyncio.run(link_async(store, instance, network, user))


async def statuses_async(base: str, user_id: str = ALICE) -> list[dict[str, Any]]:
    """Every public status of the user on the emulated server at ``base``, newest first."""
    found: list[dict[str, Any]] = []
    async with httpx2.AsyncClient(timeout=30) as client:
        max_id = None
        while True:
            params: dict[str, Any] = {"limit": 40} | ({"max_id": max_id} if max_id else {})
            response = await client.get(f"{base}/api/v1/accounts/{user_id}/statuses", params=params)
            assert response.status_code == 200, response.text
            page = response.json()
            if not page:
                return found
            found += page
            max_id = page[-1]["id"]


def statuses(base: str, user_id: str = ALICE) -> list[dict[str, Any]]:
    return asyncio.run(statuses_async(base, user_id))


class SandboxProcess:
    """``linkdeck sandbox`` in a subprocess; control it over HTTP."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [*CLI, "sandbox", "--port", "0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", self.url), self.url

    def control(self, method: str, action: str, **body: Any) -> Any:
        response = httpx2.request(method, f"{self.url}/__sandbox__/{action}", json=body or None, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def requests(self, path: str | None = None, method: str | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in (("path", path), ("method", method)) if v}
        found: list[dict[str, Any]] = httpx2.get(
            f"{self.url}/__sandbox__/requests", params=params, timeout=10
        ).json()["requests"]
        return found

    def fail(self, path: str, status: int, times: int = 1, retry_after: float | None = None) -> None:
        self.control("POST", "fail", path=path, status=status, times=times, retry_after=retry_after)

    def latency(self, seconds: float) -> None:
        self.control("POST", "latency", seconds=seconds)

    def configure(self, host: str, **values: Any) -> None:
        self.control("POST", "instance", host=host, **values)

    def stop(self) -> None:
        self.process.terminate()
        self.process.communicate(timeout=10)


def wait_until(condition: Callable[[], bool], timeout: float = 30.0, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for a condition")
        time.sleep(interval)
