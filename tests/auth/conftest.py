"""Fixtures for the OAuth engine tests: real peers on 127.0.0.1, the real vault, a raw HTTP client.

- ``oidc``: panva's oidc-provider (Node), one per test session, started on a free port. Skipped
  only when node or npm is not installed.
- ``scripted``: :class:`tests.servers.scripted_as.ScriptedAS`, per test, in the test's loop.
- ``oauth1``: the authlib/Flask OAuth 1.0a server in a thread, per test.
- ``vault`` / ``store``: the real :class:`~providers.vault.Vault` (gnome-keyring under
  tests/with_keyring.sh; outside such a session the plaintext opt-in, so the tests still run) and a
  real SQLite store, both under the per-test LINKDECK_HOME from tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from providers.errors import KeyringUnavailable
from providers.store import Store
from providers.vault import Vault
from tests.servers import oauth1_server
from tests.servers.oidc import OidcProvider, node_missing_reason, start_oidc_provider
from tests.servers.scripted_as import Running, ScriptedAS


@pytest.fixture(scope="session")
def oidc() -> Iterator[OidcProvider]:
    reason = node_missing_reason()
    if reason:
        pytest.skip(reason)
    provider = start_oidc_provider()
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture
async def scripted() -> AsyncIterator[ScriptedAS]:
    running = Running(ScriptedAS())
    server = await running.start()
    try:
        yield server
    finally:
        await running.stop()


@pytest.fixture
def oauth1() -> Iterator[oauth1_server.OAuth1Server]:
    with oauth1_server.serve() as server:
        yield server


@pytest.fixture
def vault(monkeypatch: pytest.MonkeyPatch) -> Vault:
    """The real vault: the Secret Service when there is one (CI runs the suite inside
    tests/with_keyring.sh), else the explicit plaintext opt-in under LINKDECK_HOME."""
    real = Vault()
    try:
        real.check()
        return real
    except KeyringUnavailable:
        monkeypatch.setenv("LINKDECK_ALLOW_PLAINTEXT_SECRETS", "1")
        fallback = Vault()
        fallback.check()
        return fallback


@pytest.fixture
def store() -> Iterator[Store]:
    opened = Store.open()
    try:
        yield opened
    finally:
        opened.close()
