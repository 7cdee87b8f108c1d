"""Fixtures for the OAuth engine tests: real peers on 127.0.0.1, the real vault, a raw HTTP client.

- ``oidc``: panva's oidc-provider (Node), one per test session, started on a free port. Skipped
  only when node or npm is not installed, and an error then under ``make test`` (strict).
- ``scripted``: :class:`tests.servers.scripted_as.ScriptedAS`, per test, in the test's loop.
- ``oauth1``: the authlib/Flask OAuth 1.0a server in a thread, per test.

``vault`` (the real vault: gnome-keyring under tests/with_keyring.sh, else the plaintext opt-in) and
``store`` (a real SQLite store under the per-test LINKDECK_HOME) come from tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.servers import oauth1_server
from tests.servers.oidc import OidcProvider, node_missing_reason, start_oidc_provider
from tests.servers.scripted_as import Running, ScriptedAS
from tests.support.required import missing


@pytest.fixture(scope="session")
def oidc() -> Iterator[OidcProvider]:
    reason = node_missing_reason()
    if reason:
        missing(reason)
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
