"""One attempt at one claimed delivery: check, upload, create the post, record the outcome.

The delivery arrives ``sending`` (claimed, attempts already counted). Every way out of here ends the
claim with a transition recorded in SQLite: ``sent``; ``failed`` (with the reason and whether a
retry can help); ``scheduled`` for a later try (Retry-After honoured, exponential backoff without
one, at most ``max_attempts`` tries); ``held`` (the account must be reconnected, or is gone);
``unknown`` (the answer to the creating request was lost on a network that cannot dedupe it).
Only a cancelled task (the process is stopping) leaves it ``sending``, for crash recovery.
A runner whose claim was taken over meanwhile records nothing: the row is the new owner's.

Before the creating request, ``committed_at`` is written (publisher → ``report.committing()``),
so after a crash recovery knows whether the post may exist.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import TYPE_CHECKING

from providers.errors import KeyringUnavailable, LinkError, PublishError
from providers.interface import Recovery, TargetKind, as_story
from providers.outbox.checks import inspect_all, problems
from providers.outbox.events import EventKind
from providers.store.models import AccountState, DeliveryState, HoldKind
from providers.store.transitions import IllegalTransition

if TYPE_CHECKING:
    from providers.auth.types import Token
    from providers.interface import Publisher
    from providers.outbox.context import RunContext
    from providers.store import Account, Delivery, Post

log = logging.getLogger("linkdeck.outbox.send")

PROGRESS_INTERVAL = 0.1  # seconds between two "uploading" events of one file
QUOTA_READ_SECONDS = 5.0  # how long the quota read after a post may take before it is skipped
WINDOW_MARGIN = 300.0  # resend with the same key only this long before the network forgets it

# The event that ends an attempt, by the state the delivery was left in ("scheduled": a retry).
_ENDED: dict[DeliveryState, EventKind] = {
    DeliveryState.SENT: "sent",
    DeliveryState.SCHEDULED: "retrying",
    DeliveryState.HELD: "held",
    DeliveryState.FAILED: "failed",
    DeliveryState.UNKNOWN: "unknown",
}


class _Reporter:
    """A publisher's progress, turned into events; ``committing`` writes committed_at first."""

    def __init__(self, ctx: RunContext, delivery: Delivery, account: Account, publisher: Publisher) -> None:
        self.ctx, self.delivery, self.account, self.publisher = ctx, delivery, account, publisher
        self.committed = False
        self._last = 0.0

    def uploading(self, index: int, count: int, sent: int, total: int) -> None:
        now = time.monotonic()
        if 0 < sent < total and now - self._last < PROGRESS_INTERVAL:
            return
        self._last = now
        self.ctx.event(
            "uploading", self.delivery, self.account, self.publisher,
            file_index=index, file_count=count, sent=sent, total=total,
        )  # fmt: skip

    def processing(self, index: int, count: int) -> None:
        self.ctx.event(
            "processing", self.delivery, self.account, self.publisher, file_index=index, file_count=count
        )

    async def committing(self) -> None:
        # Raises IllegalTransition when this runner lost its claim: then nothing is sent.
        await self.ctx.db(self.ctx.store.mark_committing, self.delivery.id, self.ctx.owner)
        self.committed = True
        self.ctx.event("publishing", self.delivery, self.account, self.publisher)


async def send(ctx: RunContext, delivery: Delivery) -> Delivery:
    """Attempt ``delivery`` (claimed by ``ctx.owner``); return it as recorded afterwards."""
    store = ctx.store
    account = await ctx.db(store.find_account, delivery.network, delivery.remote_id, delivery.instance)
    if account is None:
        reason = (
            f"{delivery.network} account {delivery.remote_id} is not linked; held until it is linked again"
        )
        return await _end(
            ctx, delivery, None, None, DeliveryState.HELD, reason=reason, hold_kind=HoldKind.UNLINKED
        )
    if delivery.target_kind == TargetKind.STORY:  # a Story stays one whatever the account's target
        account = as_story(account)
    publisher = ctx.publisher(delivery.network)
    stored = await ctx.db(store.post, delivery.post_id)
    post = stored.for_network(delivery.network) if stored is not None else None
    if publisher is None or post is None:
        reason = (
            f"publishing to {delivery.network} is not built in this version of linkdeck"
            if post is not None
            else "its post was deleted"
        )
        return await _end(
            ctx, delivery, account, publisher, DeliveryState.FAILED, reason=reason, retryable=False
        )
    idempotent = publisher.recovery is Recovery.IDEMPOTENT and publisher.idempotency_seconds is not None
    if delivery.committed_at is not None and not _within_window(ctx, delivery, publisher):
        reason = (
            f"an earlier try may have published it and {publisher.name(account)} no longer recognises "
            "its idempotency key; looking it up instead of sending again"
        )
        return await _end(ctx, delivery, account, publisher, DeliveryState.UNKNOWN, reason=reason)
    refusal = await _preflight(ctx, account, post, publisher)
    if refusal:
        return await _end(
            ctx, delivery, account, publisher, DeliveryState.FAILED, reason=refusal, retryable=False
        )
    reporter = _Reporter(ctx, delivery, account, publisher)
    try:
        token = await ctx.tokens.get(account)
        try:
            result = await publisher.publish(account, post, delivery, token, report=reporter)
        except PublishError as first:
            if not first.unauthorized:
                raise
            token = await ctx.tokens.after_unauthorized(account, token)
            result = await publisher.publish(account, post, delivery, token, report=reporter)
    except LinkError as exc:  # no usable sign-in: TokenKeeper set the account to "reconnect"
        return await _reconnect(ctx, delivery, account, publisher, exc.message)
    except KeyringUnavailable as exc:
        return await _later(
            ctx, delivery, account, publisher, PublishError("try_later", exc.message), reporter
        )
    except PublishError as exc:
        if exc.kind == "reconnect":
            return await _reconnect(ctx, delivery, account, publisher, exc.message)
        if exc.kind == "try_later":
            if exc.maybe_published and not idempotent:
                reason = (
                    f"{exc.message} It may have been published; linkdeck looks it up before sending again."
                )
                return await _end(ctx, delivery, account, publisher, DeliveryState.UNKNOWN, reason=reason)
            return await _later(ctx, delivery, account, publisher, exc, reporter)
        return await _end(
            ctx, delivery, account, publisher, DeliveryState.FAILED, reason=exc.message, retryable=False,
            clear_commit=reporter.committed and delivery.committed_at is None,
        )  # fmt: skip
    except IllegalTransition:  # the claim was taken over (this runner was presumed dead): hands off
        log.warning("delivery %s: claim lost before publishing; nothing was sent by this runner", delivery.id)
        current = await ctx.db(store.delivery, delivery.id)
        return current or delivery
    except Exception as exc:  # a bug or a surprise: never lose the delivery, never resend blindly
        log.exception("publishing delivery %s failed unexpectedly", delivery.id)
        message = f"{publisher.name(account)}: unexpected error ({type(exc).__name__}: {exc})"
        if reporter.committed and not idempotent:
            return await _end(ctx, delivery, account, publisher, DeliveryState.UNKNOWN, reason=message)
        surprise = PublishError("try_later", message, maybe_published=reporter.committed)
        return await _later(ctx, delivery, account, publisher, surprise, reporter)
    if publisher.reads_quota:  # before the "sent" event, so a screen told of it shows the new count
        await _note_quota(account, publisher, token)
    return await _end(
        ctx,
        delivery,
        account,
        publisher,
        DeliveryState.SENT,
        remote_post_id=result.remote_post_id,
        url=result.url,
    )


async def _note_quota(account: Account, publisher: Publisher, token: Token) -> None:
    """After a post, the account's quota as the network now counts it, for its card
    (providers.quotas). Best effort and briefly bounded: the post is made, and a crash here is
    recovered as any crash after the creating request (the delivery is committed)."""
    from providers.quotas import remember

    try:
        found = await asyncio.wait_for(publisher.quota(account, token), QUOTA_READ_SECONDS)
    except Exception as exc:  # the post is made; a card's figure is not worth a failure
        log.info("%s: no posting quota read after the post (%s)", account.network, type(exc).__name__)
        return
    if found is not None:
        remember(account, found)


def _within_window(ctx: RunContext, delivery: Delivery, publisher: Publisher) -> bool:
    """May this delivery be sent again with its key? Only if the network dedupes keys and still
    remembers the one an earlier, possibly successful, request used."""
    if publisher.recovery is not Recovery.IDEMPOTENT or publisher.idempotency_seconds is None:
        return False
    assert delivery.committed_at is not None
    age = (ctx.clock() - delivery.committed_at).total_seconds()
    return age < publisher.idempotency_seconds - WINDOW_MARGIN


async def _preflight(ctx: RunContext, account: Account, post: Post, publisher: Publisher) -> str:
    """The refusal the network would give, found before uploading anything ('' when none)."""
    from providers.errors import MediaError

    try:
        infos = await ctx.db(inspect_all, post.media)
    except MediaError as exc:
        return f"{publisher.name(account)}: {exc.message}"
    spec = await publisher.limits(account)
    found = problems(spec, infos, post.caption, post.spoiler_text, post.descriptions)
    if not found and publisher.stages_media and post.media and publisher.staging is None:
        from providers.staging import not_set_up

        try:
            publisher.staging = await ctx.db(ctx.staging)
        except KeyringUnavailable as exc:
            return f"{publisher.name(account)}: the staging bucket's secret key: {exc.message}"
        if publisher.staging is None:
            return not_set_up(publisher.name(account))
    return "; ".join(p.message for p in found)


async def _reconnect(
    ctx: RunContext, delivery: Delivery, account: Account, publisher: Publisher, message: str
) -> Delivery:
    """The network wants the account linked again: mark it so (which holds its other queued
    deliveries) and hold this one too."""
    current = await ctx.db(ctx.store.account, account.id)
    if current is not None and current.state != AccountState.RECONNECT:
        await ctx.db(ctx.store.set_state, account.id, AccountState.RECONNECT, message)
    reason = f"{message} Held until the account is reconnected."
    return await _end(
        ctx, delivery, account, publisher, DeliveryState.HELD, reason=reason, hold_kind=HoldKind.RECONNECT
    )


async def _later(
    ctx: RunContext,
    delivery: Delivery,
    account: Account,
    publisher: Publisher,
    exc: PublishError,
    reporter: _Reporter,
) -> Delivery:
    clear = reporter.committed and delivery.committed_at is None and not exc.maybe_published
    attempts = delivery.attempts
    if attempts >= ctx.config.max_attempts:
        reason = f"{exc.message} Gave up after {attempts} attempts; retry it when the network is back."
        return await _end(
            ctx,
            delivery,
            account,
            publisher,
            DeliveryState.FAILED,
            reason=reason,
            retryable=True,
            clear_commit=clear,
        )
    wait = exc.retry_after if exc.retry_after is not None else ctx.config.backoff(attempts)
    at = ctx.clock() + timedelta(seconds=wait)
    reason = f"{exc.message} Attempt {attempts} of {ctx.config.max_attempts}."
    return await _end(
        ctx,
        delivery,
        account,
        publisher,
        DeliveryState.SCHEDULED,
        reason=reason,
        next_attempt_at=at,
        clear_commit=clear,
    )


async def _end(
    ctx: RunContext,
    delivery: Delivery,
    account: Account | None,
    publisher: Publisher | None,
    wanted: DeliveryState,
    **fields: object,
) -> Delivery:
    """Record the outcome (ending this runner's claim) and tell the listener."""
    if wanted == DeliveryState.UNKNOWN and publisher is not None and account is not None:
        fields.setdefault("url", publisher.profile_url(account))
    try:
        recorded = await ctx.db(
            ctx.store.transition, delivery.id, wanted, owner=ctx.owner, now=ctx.clock(), **fields
        )
    except IllegalTransition:
        current = await ctx.db(ctx.store.delivery, delivery.id)
        if current is None or (current.state == DeliveryState.SENDING and current.lease_owner == ctx.owner):
            raise  # still ours: a move the machine refuses is a bug, not a lost claim
        # The claim was taken over while this runner worked (it was presumed dead): the row is
        # the new owner's. Leave it alone, but log this attempt's outcome so nothing is lost.
        made = ""
        if wanted == DeliveryState.SENT:
            made = f" (post {fields.get('remote_post_id')} at {fields.get('url')})"
        log.warning(
            "delivery %s: claim lost before this runner could record %s%s; left to %s",
            delivery.id, wanted, made, current.lease_owner,
        )  # fmt: skip
        return current
    ctx.event(
        _ENDED[wanted],
        recorded,
        account,
        publisher,
        url=recorded.url if wanted in (DeliveryState.SENT, DeliveryState.UNKNOWN) else None,
        remote_post_id=recorded.remote_post_id if wanted == DeliveryState.SENT else None,
        reason=recorded.reason,
        retryable=recorded.retryable,
        retry_at=recorded.next_attempt_at if wanted == DeliveryState.SCHEDULED else None,
    )
    return recorded
