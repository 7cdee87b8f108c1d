"""The one wall clock the engine and the app read: the store's timestamps, the outbox's due times,
token expiry, card states, the dates screens show.

Why one: a time read straight from ``datetime.now`` in one corner (a seeded account's
``linked_at``) made pictures that were right on the day they were taken and wrong a week later.
Everything that needs "now" asks :func:`now` (or :func:`timestamp`), so a test freezes every
reading at once with :func:`frozen` and moves it with :meth:`FrozenClock.advance`, instead of
sleeping or hoping the date does not matter.

Durations (poll intervals, progress throttling, timeouts) use ``time.monotonic`` and are not
this clock's business: they never become a date.

Public API::

    now() -> datetime (aware, UTC)      timestamp() -> float (POSIX seconds)
    with frozen(datetime(...)) as clock: clock.advance(seconds=90)
    use(source) / use(None)             # install any ``() -> datetime``; None: the system clock
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

Source = Callable[[], datetime]


def system_now() -> datetime:
    return datetime.now(UTC)


_source: Source = system_now


def now() -> datetime:
    """The current time, aware, in UTC."""
    return _source()


def timestamp() -> float:
    """The current time as POSIX seconds (what token ``expires_at`` values are kept in)."""
    return now().timestamp()


def use(source: Source | None) -> None:
    """Read the time from ``source`` from now on (None: the system clock again)."""
    global _source
    _source = source or system_now


class FrozenClock:
    """A clock that stands still until told to move."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a frozen clock needs an aware datetime (with a UTC offset)")
        self.at = at.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float = 0.0, **delta: float) -> datetime:
        """Move forward by ``seconds`` (and any ``timedelta`` keywords: days=, hours=…)."""
        self.at += timedelta(seconds=seconds, **delta)
        return self.at


@contextlib.contextmanager
def frozen(at: datetime) -> Iterator[FrozenClock]:
    """Every reading inside the block is ``at`` (until advanced); the previous source after."""
    previous = _source
    clock = FrozenClock(at)
    use(clock)
    try:
        yield clock
    finally:
        use(previous)
