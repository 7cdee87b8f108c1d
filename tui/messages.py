"""Every message the app's widgets and screens exchange, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # the media engine stays off the start-up path (Accounts imports this module)
    from providers.media import Fix, MediaInfo
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
    keyring: bool = False  # because no keyring can be used (the app's start-up warning says it)


# Upload: its panes tell the screen, which tells the panes that depend on it.


@dataclass
class FileChosen(Message):
    """A file was picked in the tree or its path typed in; it is not read yet."""

    path: Path


@dataclass
class FileShown(Message):
    """The chosen file was read and shown; ``info`` is None when it could not be read."""

    info: MediaInfo | None


@dataclass
class FixChosen(Message):
    """One network's fix for the chosen file was picked from its verdicts (Enter)."""

    network: str
    fix: Fix


class TargetsChanged(Message):
    """An account was ticked or unticked: verdicts, counters and post options follow."""


class CaptionEdited(Message):
    """The shared caption changed: count it again for the ticked networks."""


class OwnCaptionRequested(Message):
    """The person wants a caption of its own for one of the ticked networks."""


class CaptionCounted(Message):
    """The counters were redrawn; whether every caption fits may have changed."""


@dataclass
class PostRequested(Message):
    """Post now (``when`` None) or schedule for ``when``: the screen gathers the draft."""

    when: datetime | None


class PostFinished(Message):
    """Sending (or scheduling) is over: the Post button may be enabled again."""
