"""Shared fixtures: every test gets its own LINKDECK_HOME and UTC local time; ``frozen_clock``
stops the engine's one clock (providers.clock) at FIXED_NOW for tests that render or compare times.

Asked for by name:

- ``store``: the real store (SQLite under LINKDECK_HOME); ``store_sending_past_due``: the same with
  ``[outbox] release_past_due`` answered "send", whatever the config says.
- ``store_engine``: "sqlite", or "postgresql" with LINKDECK_DATABASE_URL set (for this process and
  the subprocesses it starts) to a fresh schema on the session's real PostgreSQL
  (tests/support/postgres.py). A test module marked ``pytest.mark.both_engines`` runs each of its
  tests on both; ``pytest.mark.sqlite_only`` keeps one test (about the SQLite file) on SQLite, and
  ``pytest.mark.postgresql_only`` one about PostgreSQL's own ways on PostgreSQL.
- ``plaintext_ok``: the plaintext opt-in (LINKDECK_ALLOW_PLAINTEXT_SECRETS=1) for this process
  and what it starts; ``vault``: a vault opened with that opt-in. A real Secret Service (under
  tests/with_keyring.sh) is preferred even then, so the opt-in only matters where there is none.
- ``use_keyring``: set the keyring backend for a test; the previous one comes back after it.
- ``sandbox``: the sandbox (providers.sandbox) running in this process; ``http``: an async HTTP
  client for talking to it directly.
- ``env``: the environment for ``linkdeck`` subprocesses (tests.support.cli.cli_env);
  ``sandbox_process``: ``linkdeck sandbox`` in its own process, started with ``env``.
- ``pds``: a real Bluesky PDS (tests/servers/pds.py), one per test module; skipped without Node,
  an error instead under ``make test`` (tests/support/required.py: LINKDECK_TEST_STRICT or CI).
- ``refused_port``: a port on 127.0.0.1 held for the test and refusing every connection.
- ``opened_urls``: the addresses the app asked a browser to open (none is opened).

Plain helpers (ports, CLI runners, processes, linking, Pilot) are in tests/support/.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx2
import keyring
import keyring.backend
import pytest

from providers import clock
from providers.sandbox import Running, start
from providers.store import Account, Store
from providers.vault import Vault
from tests.servers.pds import Pds, pds_missing_reason, running_pds
from tests.support import postgres
from tests.support.cli import cli_env
from tests.support.linking import link, opted_in_vault
from tests.support.processes import SandboxProcess
from tests.support.required import missing, strict

# Snapshots and dates must not depend on the machine's time zone or on animations.
os.environ["TZ"] = "UTC"
time.tzset()
os.environ["TEXTUAL_ANIMATIONS"] = "none"
for _var in (
    "SSH_CONNECTION",
    "SSH_TTY",
    "SSH_CLIENT",
    "LINKDECK_SANDBOX_URL",
    "LINKDECK_THEME",
    "LINKDECK_SECRET_KEY",
):
    os.environ.pop(_var, None)
for _var in [
    v for v in os.environ if v.startswith("LINKDECK_") and v.endswith(("_CLIENT_ID", "_CLIENT_SECRET"))
]:
    os.environ.pop(_var)

FIXED_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under ``make test`` (strict) the whole run needs the real Secret Service: without it every
    vault the tests open would fall back to the opted-in plaintext file and still pass."""
    if strict():
        from tests.support.keyrings import secret_service_missing_reason

        reason = secret_service_missing_reason()
        if reason:
            pytest.exit(f"{reason}; LINKDECK_TEST_STRICT or CI is set, so this is an error", returncode=1)


@pytest.fixture(autouse=True)
def linkdeck_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "linkdeck-home"
    home.mkdir()
    monkeypatch.setenv("LINKDECK_HOME", str(home))
    yield home


@pytest.fixture(autouse=True)
def _system_clock_after() -> Iterator[None]:
    """Whatever a test did to the clock, the next one starts on the system clock."""
    yield
    clock.use(None)


@pytest.fixture(autouse=True)
def _engine_caches_emptied() -> Iterator[None]:
    """The engine's per-process memories of a server (an instance's limits, kept ten minutes; a
    DPoP nonce per origin) start empty: the sandbox's port comes from the OS, so a later test can
    get an earlier one's address and, in some order, its cached answers."""
    from providers.networks.bluesky import dpop
    from providers.publishing import mastodon_api

    mastodon_api._instances.clear()
    dpop._nonces.clear()
    yield


@pytest.fixture(autouse=True)
def _logging_as_it_was() -> Iterator[None]:
    """A test that runs ``tui.cli.main`` in this process sets up linkdeck's log file (in its own
    home) and holds the HTTP libraries' loggers at WARNING; the next test starts without either."""
    import logging

    from providers import logs

    names = ("linkdeck", *logs.NOISY)
    levels = {name: logging.getLogger(name).level for name in names}
    handlers = list(logging.getLogger("linkdeck").handlers)
    configured = logs._configured
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    ours = logging.getLogger("linkdeck")
    for handler in [h for h in ours.handlers if h not in handlers]:
        ours.removeHandler(handler)
        handler.close()
    logs._configured = configured


@pytest.fixture
def frozen_clock() -> Iterator[clock.FrozenClock]:
    """The engine's clock stopped at FIXED_NOW (move it with ``frozen_clock.advance(...)``)."""
    with clock.frozen(FIXED_NOW) as frozen:
        yield frozen


@pytest.fixture
def fixed_now() -> datetime:
    return FIXED_NOW


# Store and secrets --------------------------------------------------------------------------------


ENGINES = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests of a module marked ``both_engines`` run once per engine (store_engine's parameter)."""
    if "store_engine" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("sqlite_only"):
        metafunc.parametrize("store_engine", ["sqlite"], indirect=True)
    elif metafunc.definition.get_closest_marker("postgresql_only"):
        metafunc.parametrize("store_engine", ["postgresql"], indirect=True)
    elif metafunc.definition.get_closest_marker("both_engines"):
        metafunc.parametrize("store_engine", ENGINES, indirect=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.Server]:
    """A real PostgreSQL for the session; its absence fails the tests that need it (no skip)."""
    try:
        server = postgres.start()
    except postgres.PostgresMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def store_engine(request: pytest.FixtureRequest, linkdeck_home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The engine this test's store runs on (see the module's docstring); SQLite unless the test
    is parametrized."""
    engine = str(getattr(request, "param", "sqlite"))
    if engine == "postgresql":
        server: postgres.Server = request.getfixturevalue("postgres_server")
        monkeypatch.setenv("LINKDECK_DATABASE_URL", server.fresh_url())
        # Team mode: a PostgreSQL store seals the secrets in it, under the team's key.
        from providers.secrets.keys import new_key

        monkeypatch.setenv("LINKDECK_SECRET_KEY", new_key().written())
    else:
        monkeypatch.delenv("LINKDECK_DATABASE_URL", raising=False)
    return engine


@pytest.fixture
def store(store_engine: str) -> Iterator[Store]:
    """The real store: SQLite under this test's LINKDECK_HOME, or PostgreSQL (``store_engine``)."""
    with Store.open() as opened:
        yield opened


@pytest.fixture
def store_sending_past_due(store_engine: str) -> Iterator[Store]:
    """The store, with past-due posts sent when released (``[outbox] release_past_due = "send"``
    whatever the config says)."""
    with Store.open(past_due_policy=lambda: "send") as opened:
        yield opened


@pytest.fixture
def plaintext_ok(monkeypatch: pytest.MonkeyPatch) -> None:
    """The explicit plaintext opt-in for this process and the subprocesses it starts: a real Secret
    Service is used where there is one (tests/with_keyring.sh), else the plaintext file under
    LINKDECK_HOME; the same for every Vault() the code under test opens itself."""
    monkeypatch.setenv("LINKDECK_ALLOW_PLAINTEXT_SECRETS", "1")


@pytest.fixture
def vault(plaintext_ok: None) -> Vault:
    """The real vault: the Secret Service when there is one, else the opted-in plaintext file."""
    return opted_in_vault()


@pytest.fixture
def use_keyring() -> Iterator[Callable[[keyring.backend.KeyringBackend], None]]:
    """``use_keyring(backend)`` makes it keyring's backend for this test; the previous one after."""
    saved = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(saved)


# The sandbox and the CLI --------------------------------------------------------------------------


@pytest.fixture
async def sandbox() -> AsyncIterator[Running]:
    """The sandbox in this test's event loop, on a port the OS picks, with no added latency."""
    running = await start()
    try:
        yield running
    finally:
        await running.close()


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    """An async HTTP client that does not follow redirects (10 s timeout)."""
    async with httpx2.AsyncClient(follow_redirects=False, timeout=10) as client:
        yield client


@pytest.fixture
def env(linkdeck_home: Path, store_engine: str) -> dict[str, str]:
    """The environment for ``linkdeck`` subprocesses: this test's LINKDECK_HOME, the plaintext
    opt-in, no SSH_* or LINKDECK_SANDBOX* variables (tests.support.cli.cli_env)."""
    return cli_env(linkdeck_home)


@pytest.fixture
def sandbox_process(env: dict[str, str]) -> Iterator[SandboxProcess]:
    """``linkdeck sandbox --port 0`` in its own process (with ``env``), stopped after the test."""
    running = SandboxProcess(env)
    yield running
    running.stop()


@pytest.fixture
def mastodon_alice(sandbox_process: SandboxProcess, linkdeck_home: Path) -> Account:
    """Alice's account on the sandbox process's Mastodon, linked through the real flow."""
    with Store.open() as store:
        return link(store, f"{sandbox_process.url}/mastodon.example")


# Real servers -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pds]:
    """A real Bluesky PDS and PLC directory (tests/servers/pds.py), one per test module."""
    reason = pds_missing_reason()
    if reason:
        missing(reason)
    with running_pds(tmp_path_factory.mktemp("pds-data")) as running:
        yield running


# The app ------------------------------------------------------------------------------------------


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections for the whole test (tests.support.ports.refusing)."""
    from tests.support.ports import refusing

    with refusing() as port:
        yield port


@pytest.fixture
def opened_urls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every address LinkdeckApp.open_url was asked to open, in order; no browser is started."""
    from tui.app import LinkdeckApp

    urls: list[str] = []
    monkeypatch.setattr(LinkdeckApp, "open_url", lambda self, url, new_tab=True: urls.append(url))
    return urls
