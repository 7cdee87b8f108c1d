"""Times the way the product promises them: stored in UTC, shown in local time, and ``--at``
taken only as ISO-8601 with an offset (a time without one is ambiguous across time zones and
daylight saving, so it is refused rather than guessed)."""

from __future__ import annotations

from datetime import UTC, datetime

from providers import clock
from providers.errors import UsageError

EXAMPLE = "2026-12-01T09:00+01:00"


def parse_at(text: str, *, now: datetime | None = None) -> datetime:
    """``--at`` as a UTC datetime; UsageError for a bad, offset-less or past time."""
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise UsageError(f"--at {value!r} is not an ISO-8601 time; write it like {EXAMPLE}") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise UsageError(
            f"--at {value!r} has no UTC offset; add one, e.g. {EXAMPLE} (or Z for UTC)",
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
