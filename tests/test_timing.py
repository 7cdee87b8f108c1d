"""``--at`` and Upload's time box in a person's words, on the frozen clock (Wednesday
2026-11-25 12:00, local time UTC in the tests)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from providers import clock
from providers.errors import UsageError
from providers.outbox.timing import example, parse_at

pytestmark = pytest.mark.usefixtures("frozen_clock")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in 2h", at(25, 14)),
        ("in 90 minutes", at(25, 13, 30)),
        ("In 1h30m", at(25, 13, 30)),
        ("in 1 day", at(26, 12)),
        ("12:01", at(25, 12, 1)),  # still to come today
        ("12:00", at(26, 12)),  # now has passed: tomorrow
        ("09:00", at(26, 9)),
        ("2pm", at(25, 14)),
        ("9:30 am", at(26, 9, 30)),
        ("tomorrow 09:00", at(26, 9)),
        ("tomorrow at 18:45", at(26, 18, 45)),
        ("tomorrow", at(26, 9)),
        ("today 18:00", at(25, 18)),
        ("friday", at(27, 9)),
        ("fri 14:30", at(27, 14, 30)),
        ("wed 13:00", at(25, 13)),  # today is Wednesday, and 13:00 is still to come
        ("wednesday 11:00", datetime(2026, 12, 2, 11, tzinfo=UTC)),  # passed: next week's
        ("2026-12-01T09:00+01:00", datetime(2026, 12, 1, 8, tzinfo=UTC)),
        ("2026-12-01T09:00Z", datetime(2026, 12, 1, 9, tzinfo=UTC)),
    ],
)
def test_a_time_in_a_persons_words(text: str, expected: datetime) -> None:
    assert parse_at(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("in 0h", "in the past"),
        ("today 11:59", "in the past"),
        ("2026-11-25T11:00+00:00", "in the past"),
        ("2026-12-01T09:00", "no UTC offset"),
        ("25:00", "not a time"),
        ("13pm", "not a time"),
        ("9", "not a time"),
        ("in 2 fortnights", "not a time"),
        ("in 99999999999 days", "not a time"),
        ("someday 09:00", "not a time"),
        ("tomorrow at nine", "not a time"),
        ("t 09:00", "not a time"),
    ],
)
def test_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_at(text)


def test_the_example_is_never_in_the_past_and_is_accepted() -> None:
    assert parse_at(example()) > clock.now()
