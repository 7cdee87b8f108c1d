"""Crash recovery: what to do with deliveries a dead process left ``sending`` or ``unknown``.

Run on every start (``linkdeck worker``, the TUI) and at the top of every runner pass; it only
touches rows whose claim is dead (see :mod:`providers.outbox.owner`), so a runner that is alive in
another process keeps its work.

1. ``sending`` with a dead claim: if no request that could create the post ever went out
   (``committed_at`` empty) it is safe to send again → ``due``. Otherwise → ``unknown``.
2. ``unknown`` (not yet marked for a person), per what the network supports
   (``Publisher.recovery``):

   - idempotent (Mastodon's Idempotency-Key) and the network still remembers the key (an hour
     from the first request, less a margin) → ``due``: resent with the SAME key, the network
     answers with the post it already made, if it made one;
   - the post can be looked up (Pixelfed, and Mastodon after its key window) → ``sent`` when it
     is found, ``due`` when it is not;
   - neither → stays ``unknown`` with ``check_needed`` and the reason "unknown — check: …" plus a
     link to the account's page. Never resent blindly; the user marks it sent or retries it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from providers.interface import Recovery
from providers.outbox.owner import claim_is_live
from providers.outbox.send import WINDOW_MARGIN
from providers.store.models import DeliveryState
from providers.store.transitions import IllegalTransition

if TYPE_CHECKING:
    from providers.interface import Publisher
    from providers.outbox.context import RunContext
    from providers.store import Delivery

log = logging.getLogger("linkdeck.outbox.recovery")

CHECK_PREFIX = "unknown — check"


@dataclass
class RecoveryReport:
    interrupted: list[int] = field(default_factory=list)  # sending → due (nothing went out)
    unknown: list[int] = field(default_factory=list)  # sending → unknown
    resend: list[int] = field(default_factory=list)  # unknown → due, same idempotency key
    found: list[int] = field(default_factory=list)  # unknown → sent (looked up)
    not_found: list[int] = field(default_factory=list)  # unknown → due (looked up, absent)
    check: list[int] = field(default_factory=list)  # unknown, a person must look

    @property
    def changed(self) -> int:
        return sum(len(x) for x in (self.interrupted, self.resend, self.found, self.not_found, self.check))


async def recover(ctx: RunContext, ids: Iterable[int] | None = None) -> RecoveryReport:
    """Recover dead claims and resolve unknown deliveries (only ``ids``, when given)."""
    report = RecoveryReport()
    wanted = None if ids is None else set(ids)
    now = ctx.clock()
    for delivery in await ctx.db(ctx.store.deliveries, [DeliveryState.SENDING]):
        if (wanted is not None and delivery.id not in wanted) or claim_is_live(
            delivery.lease_owner, delivery.lease_until, now
        ):
            continue
        try:
            if delivery.committed_at is None:
                reason = "the process sending it stopped before anything was published; sending it again"
                await _move(ctx, delivery, DeliveryState.SENDING, DeliveryState.DUE, reason)
                report.interrupted.append(delivery.id)
            else:
                reason = "the process sending it stopped after the post request went out; checking"
                await _move(ctx, delivery, DeliveryState.SENDING, DeliveryState.UNKNOWN, reason)
                report.unknown.append(delivery.id)
        except IllegalTransition:  # another process recovered it first
            continue
    for delivery in await ctx.db(ctx.store.deliveries, [DeliveryState.UNKNOWN]):
        if delivery.check_needed or (wanted is not None and delivery.id not in wanted):
            continue
        try:
            await _resolve(ctx, delivery, report)
        except IllegalTransition:
            continue
    if report.changed:
        log.info("recovered deliveries: %s", report)
    return report


def can_look_up(publisher: Publisher) -> bool:
    """Recovery.LOOKUP publishers, and idempotent ones that also offer a look-up for when their
    key window has passed (``can_lookup = True``)."""
    return publisher.looks_up


async def _resolve(ctx: RunContext, delivery: Delivery, report: RecoveryReport) -> None:
    publisher = ctx.publisher(delivery.network)
    account = await ctx.db(ctx.store.find_account, delivery.network, delivery.remote_id, delivery.instance)
    if publisher is not None and publisher.recovery is Recovery.IDEMPOTENT and publisher.idempotency_seconds:
        committed = delivery.committed_at or delivery.updated_at
        age = (ctx.clock() - committed).total_seconds()
        if age < publisher.idempotency_seconds - WINDOW_MARGIN:
            reason = (
                "resending with the same idempotency key after an interrupted send; "
                "the network keeps one post per key"
            )
            await _move(ctx, delivery, DeliveryState.UNKNOWN, DeliveryState.DUE, reason)
            report.resend.append(delivery.id)
            return
    if publisher is not None and account is not None and can_look_up(publisher):
        stored = await ctx.db(ctx.store.post, delivery.post_id)
        post = stored.for_network(delivery.network) if stored is not None else None
        if post is not None:
            try:
                token = await ctx.tokens.get(account)
                found = await publisher.lookup(account, post, delivery, token)
            except Exception as exc:  # offline, refused, no sign-in: try again next time
                log.info("looking up delivery %s failed: %s", delivery.id, exc)
                return
            if found is not None:
                await _move(
                    ctx,
                    delivery,
                    DeliveryState.UNKNOWN,
                    DeliveryState.SENT,
                    "found on the network after an interrupted send",
                    remote_post_id=found.remote_post_id,
                    url=found.url,
                )
                ctx.event(
                    "sent", delivery, account, publisher, url=found.url, remote_post_id=found.remote_post_id
                )
                report.found.append(delivery.id)
                return
            reason = "not found on the network after an interrupted send; sending it again"
            await _move(ctx, delivery, DeliveryState.UNKNOWN, DeliveryState.DUE, reason, clear_commit=True)
            report.not_found.append(delivery.id)
            return
    name = publisher.name(account) if publisher is not None and account is not None else delivery.network
    link = publisher.profile_url(account) if publisher is not None and account is not None else None
    where = f" Look at {link};" if link else " Look at the account on the network;"
    reason = (
        f"{CHECK_PREFIX}: {name} may or may not have published it (the send was interrupted).{where} "
        "if the post is there, mark it sent; if not, retry it."
    )
    await _move(
        ctx, delivery, DeliveryState.UNKNOWN, DeliveryState.UNKNOWN, reason, check_needed=True, url=link
    )
    report.check.append(delivery.id)


async def _move(
    ctx: RunContext,
    delivery: Delivery,
    current: DeliveryState,
    wanted: DeliveryState,
    reason: str,
    **fields: object,
) -> None:
    """One checked move, only from ``current``: IllegalTransition when another process has moved
    the delivery meanwhile (then recovery leaves it to that process)."""
    await ctx.db(ctx.store.transition, delivery.id, wanted, reason=reason, expect=[current], **fields)
