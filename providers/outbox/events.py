"""Progress events for one delivery, for the Upload screen, the CLI and the worker's log.

Why one small frozen dataclass: publishing runs one task per delivery and the UI needs a single,
immutable, thread-safe thing to post from any of them. Every event names its delivery, network
and account, so a consumer keeps one row per ``delivery_id`` and replaces it with the latest event.

Kinds, in the order a delivery goes through them:

============  ==========================================================================
queued        recorded and waiting for its turn (``publish_now``: right after claiming)
uploading     ``sent`` of ``total`` bytes of media file ``file_index`` (0-based) of
              ``file_count``; the first event of a file has ``sent`` 0
processing    the network is processing media file ``file_index`` (video: 202 → polling)
publishing    the request that creates the post is being sent
sent          done: ``url`` (and ``remote_post_id``) of the post
retrying      a "try later" failure; ``reason`` says why, ``retry_at`` when it is tried again
held          the account must be reconnected (or is gone): ``reason``; nothing was published
failed        ``reason`` names the network and the rule; ``retryable`` says if retry can help
unknown       the send was interrupted after the post may have been created: ``reason`` says
              what to check, ``url`` links to where to look
============  ==========================================================================

Callbacks (``progress=``) are called on the event loop's thread, synchronously: they must return
quickly (the TUI posts a message; the CLI prints a line). An exception in a callback is logged
and ignored; it never fails a delivery.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

log = logging.getLogger("linkdeck.outbox.events")

EventKind = Literal[
    "queued", "uploading", "processing", "publishing", "sent", "retrying", "held", "failed", "unknown"
]
FINAL_KINDS: frozenset[str] = frozenset({"sent", "retrying", "held", "failed", "unknown"})


@dataclass(frozen=True)
class DeliveryEvent:
    kind: EventKind
    delivery_id: int
    post_id: int
    network: str  # catalog id
    network_name: str  # "Mastodon (mastodon.social)"
    account: str  # the account's handle
    file_index: int = 0
    file_count: int = 0
    sent: int = 0  # bytes of the current file sent so far (uploading)
    total: int = 0  # bytes of the current file
    url: str | None = None
    remote_post_id: str | None = None
    reason: str = ""
    retryable: bool | None = None
    retry_at: datetime | None = None

    @property
    def final(self) -> bool:
        """The last event of this attempt (the delivery is no longer being sent)."""
        return self.kind in FINAL_KINDS

    @property
    def fraction(self) -> float | None:
        """Upload progress of the current file, 0.0–1.0 (uploading only)."""
        if self.kind != "uploading" or self.total <= 0:
            return None
        return min(1.0, self.sent / self.total)

    def describe(self) -> str:
        """One line for a log or a terminal."""
        who = f"{self.network_name} {self.account}"
        if self.kind == "uploading":
            share = f"{self.fraction:.0%}" if self.fraction is not None else ""
            return f"{who}: uploading file {self.file_index + 1} of {self.file_count} {share}".rstrip()
        if self.kind == "processing":
            return f"{who}: {self.network_name} is processing file {self.file_index + 1} of {self.file_count}"
        if self.kind == "sent":
            return f"{who}: sent {self.url or self.remote_post_id or ''}".rstrip()
        if self.kind == "retrying":
            when = f" at {self.retry_at.astimezone():%H:%M:%S}" if self.retry_at else ""
            return f"{who}: will try again{when}: {self.reason}"
        if self.reason:
            return f"{who}: {self.kind}: {self.reason}"
        return f"{who}: {self.kind}"


ProgressCallback = Callable[[DeliveryEvent], None]


def emit(callback: ProgressCallback | None, event: DeliveryEvent) -> None:
    if callback is None:
        return
    try:
        callback(event)
    except Exception:  # a broken consumer never fails a delivery
        log.exception("a progress callback failed on %s", event.kind)
