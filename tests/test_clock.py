"""The engine's one clock: frozen and advanced by tests, and no picture depends on today's date."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from providers import clock
from providers.store import Store
from tests.conftest import FIXED_NOW
from tests.support.cli import ROOT


def test_frozen_clock_stands_still_and_moves_when_told() -> None:
    with clock.frozen(FIXED_NOW) as frozen:
        assert clock.now() == FIXED_NOW
        assert clock.now() == FIXED_NOW
        frozen.advance(90)
        assert clock.now() == FIXED_NOW + timedelta(seconds=90)
        frozen.advance(days=2)
        assert clock.timestamp() == (FIXED_NOW + timedelta(days=2, seconds=90)).timestamp()
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)  # the system clock again


def test_a_frozen_clock_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        clock.FrozenClock(datetime(2026, 11, 25, 12, 0))


def test_the_store_stamps_rows_with_the_engine_clock(frozen_clock: clock.FrozenClock) -> None:
    with Store.open() as store:
        account = store.upsert_account("mastodon", "1", handle="@a@m.example", display_name="A")
        assert account.linked_at == FIXED_NOW
        frozen_clock.advance(days=400)
        again = store.upsert_account("mastodon", "1", handle="@a@m.example", display_name="A")
        assert again.linked_at == FIXED_NOW  # linking again keeps when it was first linked
        assert again.updated_at == FIXED_NOW + timedelta(days=400)


def test_seeded_accounts_and_posts_take_the_frozen_clock(frozen_clock: clock.FrozenClock) -> None:
    """What the snapshots and screenshots/ show (tests/seed.py, under the frozen clock that
    tests/screenshots.py and the Pilot tests use) is dated by the engine clock, not the machine's."""
    from tests.seed import seed_accounts, seed_posts

    with Store.open() as store:
        seed_accounts(store)
        seed_posts(store)
        accounts = store.accounts()
        assert accounts and {a.linked_at for a in accounts} == {FIXED_NOW}
        assert {a.updated_at for a in accounts} == {FIXED_NOW}
        posts = [store.post(d.post_id) for d in store.deliveries()]
        assert posts and {p.created_at for p in posts if p is not None} == {FIXED_NOW}


@pytest.mark.timeout(900)  # three test files in a subprocess: minutes on a busy 2-core machine
def test_pictures_are_the_same_a_year_from_now() -> None:
    """Every snapshot scenario and the Pilot tests that show dates, run with the machine's own
    clock set 365 days ahead (libfaketime), still match: nothing reads the wall clock behind the
    engine's back. The start is absolute (``@…``, then the clock runs on), so this holds even when
    the whole suite already runs under faketime; the monotonic clock moves with it, by a constant,
    so timeouts and pauses behave."""
    faketime = shutil.which("faketime")
    assert faketime, "faketime is missing: `make system-deps` installs Debian's faketime package"
    ahead = datetime.now(UTC) + timedelta(days=365)
    start = ["-f", f"@{ahead:%Y-%m-%d %H:%M:%S}"]
    env = {**os.environ, "TZ": "UTC"}
    env.pop("FAKETIME", None)  # an outer faketime's setting would win over ours
    probe = subprocess.run(
        [faketime, *start, sys.executable, "-c", "import datetime; print(datetime.date.today())"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert datetime.fromisoformat(probe.stdout.strip()).date() == ahead.date()
    run = subprocess.run(
        [
            faketime,
            *start,
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_snapshots.py",
            "tests/test_tui.py",
            "tests/test_upload.py",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout
