"""Times the way the product promises them: stored in UTC, shown in local time, and ``--at`` (and
Upload's time box) taken the way a person says it, in local time: "in 2h", "in 90 minutes",
"09:00" (today, or tomorrow once it has passed), "tomorrow 09:00", "friday" or "fri 14:30" (the
next one), "today 18:00"; or as ISO-8601 with an offset. A full ISO date-time without an offset is
still refused rather than guessed (a script's timestamp may come from another zone)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from providers import clock
from providers.errors import UsageError


def example() -> str:
    """An example ``--at`` that is never in the past: tomorrow at 09:00, local time, with its offset."""
    tomorrow = (clock.now().astimezone() + timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    return tomorrow.isoformat(timespec="minutes")


FORMS = '"in 2h", "09:00", "tomorrow 09:00", "fri 14:30"'
_UNITS = {"m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60}
_UNITS |= {"h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600}
_UNITS |= {"d": 86400, "day": 86400, "days": 86400}
_IN = re.compile(r"in\s+((?:\d+\s*[a-z]+\s*)+)")
_AMOUNT = re.compile(r"(\d+)\s*([a-z]+)")
_CLOCK = re.compile(r"(\d{1,2})(?::(\d{2}))?(am|pm)?")
_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MORNING = time(9, 0)  # a day named without a time


def _relative(value: str, moment: datetime) -> datetime | None:
    """``value`` in a person's words as an aware datetime, None if it is not one of them."""
    words = re.sub(r"\s+(am|pm)\b", r"\1", f" {value.lower()} ".replace(" at ", " ")).split()
    joined = " ".join(words)
    if found := _IN.fullmatch(joined):
        seconds = 0
        for amount, unit in _AMOUNT.findall(found.group(1)):
            if unit not in _UNITS:
                return None
            seconds += int(amount) * _UNITS[unit]
        try:
            return moment + timedelta(seconds=seconds)
        except OverflowError:
            return None
    here = moment.astimezone()
    day_word = words[0] if words and not words[0][0].isdigit() else None
    rest = words[1:] if day_word else words
    if len(rest) > 1 or (day_word is None and not rest):
        return None
    at = _MORNING
    if rest:
        if not (clock_match := _CLOCK.fullmatch(rest[0])):
            return None
        hour, minute = int(clock_match.group(1)), int(clock_match.group(2) or 0)
        if half := clock_match.group(3):
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if half == "pm" else 0)
        elif clock_match.group(2) is None:  # "9" alone is not a time
            return None
        if hour > 23 or minute > 59:
            return None
        at = time(hour, minute)
    today = here.date()
    if day_word is None:  # "09:00": the next one
        day = today if _local(today, at) > moment else today + timedelta(days=1)
    elif day_word == "today":
        day = today
    elif day_word == "tomorrow":
        day = today + timedelta(days=1)
    elif named := [i for i, name in enumerate(_DAYS) if len(day_word) >= 3 and name.startswith(day_word)]:
        ahead = (named[0] - today.weekday()) % 7  # today's weekday: today if still to come, else next week
        day = today + timedelta(days=ahead)
        if _local(day, at) <= moment:
            day += timedelta(days=7)
    else:
        return None
    return _local(day, at)


def _local(day: date, at: time) -> datetime:
    """``day`` at ``at`` in local time (the zone's offset on that day, daylight saving included)."""
    return datetime.combine(day, at).astimezone()


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
        raise UsageError(f"--at {value!r} is not a time (it has control characters)")
    moment = now or clock.now()
    relative = _relative(value, moment)
    if relative is not None:
        if relative <= moment:
            raise UsageError(
                f"--at {value} is in the past ({local(relative)}; it is now {local(moment)}); "
                "choose a later time, or leave --at out to post now"
            )
        return relative.astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
        parsed.astimezone(UTC)  # an offset that moves it past year 1 or 9999 overflows here
    except (ValueError, OverflowError):
        raise UsageError(
            f"--at {value!r} is not a time; write it like {FORMS}, or ISO-8601 like {example()}"
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise UsageError(
            f"--at {value!r} has no UTC offset; add one, e.g. {example()} (or Z for UTC)",
            hint=f"Your local offset now is {clock.now().astimezone():%z}.",
        )
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


def spoken(moment: datetime) -> str:
    """A time as a person reads it, in local time with its zone: "Thu 26 Nov 09:00 UTC"."""
    shown = moment.astimezone()
    zone = shown.tzname() or shown.strftime("%z")
    year = "" if shown.year == clock.now().astimezone().year else f" {shown.year}"
    return f"{shown:%a} {shown.day} {shown:%b}{year} {shown:%H:%M} {zone}"


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def iso_local(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone().isoformat()
