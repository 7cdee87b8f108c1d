"""Times the way the product promises them: stored in UTC, shown in local time, and ``--at``
taken only as ISO-8601 with an offset (a time without one is ambiguous across time zones and
daylight saving, so it is refused rather than guessed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from providers import clock
from providers.errors import UsageError


def example() -> str:
    """An example ``--at`` that is never in the past: tomorrow at 09:00, local time, with its offset."""
    tomorrow = (clock.now().astimezone() + timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    return tomorrow.isoformat(timespec="minutes")


def parse_at(text: str, *, now: datetime | None = None) -> datetime:
    """``--at`` as a UTC datetime; UsageError for an empty, bad, offset-less or past time.

    An empty ``--at`` is refused, never read as "now": it is what a script's unset ``$WHEN`` gives,
    and posting at once is not what that script meant."""
    value = text.strip()
    if not value:
        raise UsageError(
            f"--at is empty; give the time to publish, like {example()}, or leave --at out to post now"
        )
    if not value.isprintable():
        raise UsageError(f"--at {value!r} is not an ISO-8601 time (it has control characters)")
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
        parsed.astimezone(UTC)  # an offset that moves it past year 1 or 9999 overflows here
    except (ValueError, OverflowError):
        raise UsageError(f"--at {value!r} is not an ISO-8601 time; write it like {example()}") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise UsageError(
            f"--at {value!r} has no UTC offset; add one, e.g. {example()} (or Z for UTC)",
            hint=f"Your local offset now is {clock.now().astimezone():%z}.",
        )
    moment = now or clock.now()
    if parsed <= moment:
        raise UsageError(
            f"--at {value} is in the past ({local(parsed)}; it is now {local(moment)}); "
            "choose a later time, or leave --at out to post now"
        )
    return parsed.astimezone(UTC)


def local(moment: datetime | None) -> str:
    """A stored UTC time as the user's local time, e.g. "2026-12-01 09:00 CET"."""
    if moment is None:
        return ""
    shown = moment.astimezone()
    zone = shown.tzname() or shown.strftime("%z")
    return f"{shown:%Y-%m-%d %H:%M} {zone}"


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def iso_local(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone().isoformat()
