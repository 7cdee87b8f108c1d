"""Shared fixtures: every test gets its own LINKDECK_HOME and UTC local time; ``frozen_clock``
stops the engine's one clock (providers.clock) at FIXED_NOW for tests that render or compare times."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from providers import clock

# Snapshots and dates must not depend on the machine's time zone or on animations.
os.environ["TZ"] = "UTC"
time.tzset()
os.environ["TEXTUAL_ANIMATIONS"] = "none"
for _var in ("SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT", "LINKDECK_SANDBOX_URL", "LINKDECK_THEME"):
    os.environ.pop(_var, None)
for _var in [
    v for v in os.environ if v.startswith("LINKDECK_") and v.endswith(("_CLIENT_ID", "_CLIENT_SECRET"))
]:
    os.environ.pop(_var)

FIXED_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


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


@pytest.fixture
def frozen_clock() -> Iterator[clock.FrozenClock]:
    """The engine's clock stopped at FIXED_NOW (move it with ``frozen_clock.advance(...)``)."""
    with clock.frozen(FIXED_NOW) as frozen:
        yield frozen


@pytest.fixture
def fixed_now() -> datetime:
    return FIXED_NOW
