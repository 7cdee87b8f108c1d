"""Every message the app's widgets and screens exchange, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from providers.outbox.events import DeliveryEvent


@dataclass
class CardSelected(Message):
    """A network card was chosen (Enter or click)."""

    network_id: str


# The app's scheduler (tui.outbox_runner) tells the app what happened to scheduled posts with
# these, so it needs no reference to the app; the app turns them into notifications.


@dataclass
class ScheduledPostSent(Message):
    """A scheduled post went out to one account."""

    event: DeliveryEvent  # kind "sent"


@dataclass
class ScheduledPostProblem(Message):
    """A scheduled post failed, was held, or may or may not have been published (kind "failed",
    "held" or "unknown"); ``event.describe()`` says why."""

    event: DeliveryEvent


@dataclass
class OutboxUnavailable(Message):
    """The scheduler could not start (e.g. no keyring); scheduled posts wait for a later start or
    ``linkdeck worker``."""

    reason: str
