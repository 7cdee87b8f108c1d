"""What a publisher returns, raises and reports: the contract between a network and the outbox.

Why these shapes: the outbox must decide, for every failure, between three user-visible outcomes
("reconnect the account", "fix the media or caption", "try later") without knowing the network,
and crash recovery must know whether a resend can duplicate a post (:class:`Recovery`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from providers.errors import LinkdeckError

ERROR_KINDS = ("reconnect", "fix_media", "try_later", "refused")


class Recovery(StrEnum):
    """What the outbox may do with a delivery whose process died while sending it."""

    IDEMPOTENT = "idempotent"  # resend with the same idempotency key: the network dedupes it
    LOOKUP = "lookup"  # the network's API can tell whether the post exists
    CHECK = "check"  # neither: mark it "unknown — check" with a link, never resend blindly


@dataclass(frozen=True)
class PublishResult:
    remote_post_id: str  # the network's id of the new post
    url: str | None  # where people see it


class PublishError(LinkdeckError):
    """A publish that did not succeed. ``kind``:

    - ``reconnect``: the network refused the account's sign-in (after one refresh); link it again.
    - ``fix_media``: the network refused the media or the caption; retrying the same post won't help.
    - ``try_later``: rate-limited (``retry_after`` seconds, from Retry-After), a server error, a
      timeout, media still processing; the outbox retries with backoff.
    - ``refused``: any other refusal (a 4xx that is not about the content); retrying won't help.

    ``maybe_published``: the request that creates the post may have reached the network (the
    answer was lost). ``unauthorized``: an HTTP 401, so the outbox refreshes the token once and
    tries again before asking for a reconnect. The message names the network and the rule.
    """

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        retry_after: float | None = None,
        maybe_published: bool = False,
        unauthorized: bool = False,
        status: int | None = None,
    ) -> None:
        if kind not in ERROR_KINDS:
            raise ValueError(f"unknown publish error kind {kind!r}; expected one of {', '.join(ERROR_KINDS)}")
        super().__init__(message)
        self.kind = kind
        self.retry_after = retry_after
        self.maybe_published = maybe_published
        self.unauthorized = unauthorized
        self.status = status

    @property
    def retryable(self) -> bool:
        return self.kind == "try_later"


class Reporter(Protocol):
    """Where a publisher reports progress. The outbox turns these into DeliveryEvents and records
    :meth:`committing` in the store; the publisher MUST await it right before the request that
    creates the post (after media uploads), never after."""

    def uploading(self, index: int, count: int, sent: int, total: int) -> None:
        """``sent`` of ``total`` bytes of media file ``index`` (0-based) of ``count`` are out."""

    def processing(self, index: int, count: int) -> None:
        """The network is processing media file ``index`` (a video's 202 → poll)."""

    async def committing(self) -> None:
        """The request that creates the post is about to be sent."""
