"""Running deliveries: everything due (the worker, and the TUI on a timer), or one post now.

``run_due`` recovers dead claims, then keeps ``concurrency`` tasks busy, each claiming one due
delivery at a time (a transaction: two runners never get the same one) and sending it, until
nothing is due. ``publish_now`` records any missing deliveries of a post first, claims exactly
those and sends them all at once, one task per delivery (a fan-out: ten accounts take about as
long as the slowest one), waiting for short retries so a command-line post can finish.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from providers.outbox.context import Clock, RunContext, utcnow
from providers.outbox.events import ProgressCallback
from providers.outbox.recovery import RecoveryReport, recover
from providers.outbox.send import send
from providers.outbox_config import OutboxConfig
from providers.outbox_config import load as load_config
from providers.store.models import DeliveryState

if TYPE_CHECKING:
    from providers.auth.refresh import TokenKeeper
    from providers.store import Account, Delivery, Post, Store
    from providers.vault import Vault

log = logging.getLogger("linkdeck.outbox.runner")

POLL_OTHERS = 0.5  # seconds between looks at a delivery another runner is sending
OTHERS_TIMEOUT = 900.0  # publish_now stops waiting for other runners (and retries) after this


@dataclass(frozen=True)
class RunReport:
    """What one pass did. ``deliveries``: as recorded after this pass's attempts, in the order
    they finished. ``next_due``: when something is due next (None: the queue is empty)."""

    deliveries: tuple[Delivery, ...] = ()
    recovery: RecoveryReport = field(default_factory=RecoveryReport)
    next_due: datetime | None = None

    def count(self, state: DeliveryState) -> int:
        return sum(1 for d in self.deliveries if d.state == state)


async def run_due(
    store: Store,
    vault: Vault,
    *,
    progress: ProgressCallback | None = None,
    config: OutboxConfig | None = None,
    owner: str | None = None,
    clock: Clock = utcnow,
    stop: asyncio.Event | None = None,
    keeper: TokenKeeper | None = None,
) -> RunReport:
    """Send every due delivery (after crash recovery); return when none is left or ``stop`` is
    set (in-flight sends finish first). Safe to run in several processes at once. ``keeper``:
    the process's TokenKeeper, if it has one (refreshes stay single-flight)."""
    ctx = RunContext(
        store,
        vault,
        config=config or load_config(),
        progress=progress,
        owner=owner,
        clock=clock,
        keeper=keeper,
    )
    async with ctx:
        recovered = await recover(ctx)
        done = await _drain(ctx, stop=stop)
        next_due = await ctx.db(store.next_due_at, now=clock())
    return RunReport(tuple(done), recovered, next_due)


async def _drain(
    ctx: RunContext, *, ids: Sequence[int] | None = None, stop: asyncio.Event | None = None
) -> list[Delivery]:
    finished: list[Delivery] = []

    async def worker() -> None:
        while stop is None or not stop.is_set():
            batch = await ctx.db(
                ctx.store.claim_due,
                ctx.owner,
                lease_seconds=ctx.config.lease_seconds,
                limit=1,
                ids=ids,
                now=ctx.clock(),
            )
            if not batch:
                return
            for delivery in batch:
                finished.append(await _attempt(ctx, delivery))

    await asyncio.gather(*(worker() for _ in range(ctx.config.concurrency)))
    return finished


async def _attempt(ctx: RunContext, delivery: Delivery) -> Delivery:
    try:
        return await send(ctx, delivery)
    except asyncio.CancelledError:
        raise
    except Exception:  # the row stays "sending"; recovery ends it once this claim is dead
        log.exception("delivery %s could not be recorded", delivery.id)
        current = await ctx.db(ctx.store.delivery, delivery.id)
        return current or delivery


async def publish_now(
    store: Store,
    vault: Vault,
    post: Post,
    accounts: Iterable[Account],
    progress: ProgressCallback | None = None,
    *,
    config: OutboxConfig | None = None,
    wait_retries: float = 30.0,
    owner: str | None = None,
    clock: Clock = utcnow,
    keeper: TokenKeeper | None = None,
) -> list[Delivery]:
    """Send ``post`` to ``accounts`` now, concurrently; return their deliveries as recorded.

    A delivery is recorded for each account that has none yet (before anything is sent); one
    still scheduled for later is moved to due ("send now"). Retries due within ``wait_retries``
    seconds (a 429 with a short Retry-After) are waited for; later ones stay scheduled for the
    worker or the TUI. A delivery another runner is sending is waited for, not sent twice."""
    ctx = RunContext(
        store,
        vault,
        config=config or load_config(),
        progress=progress,
        owner=owner,
        clock=clock,
        keeper=keeper,
    )
    existing = {d.account_key: d for d in await ctx.db(store.deliveries_of_post, post.id)}
    mine: list[Delivery] = []
    chosen = list(accounts)
    for account in chosen:
        found = existing.get(account.vault_key)
        delivery: Delivery = (
            found if found is not None else await ctx.db(store.add_delivery, post.id, account)
        )
        if delivery.state == DeliveryState.SCHEDULED:
            delivery = await ctx.db(
                store.transition,
                delivery.id,
                DeliveryState.DUE,
                expect=[DeliveryState.SCHEDULED],
                now=clock(),
            )
        mine.append(delivery)
    ids = [d.id for d in mine]
    if not ids:
        return []
    async with ctx:
        for delivery, account in zip(mine, chosen, strict=True):
            if delivery.state == DeliveryState.DUE:
                ctx.event("queued", delivery, account, ctx.publisher(delivery.network))
        rounds, started = 0, asyncio.get_running_loop().time()
        while True:
            claimed = await ctx.db(
                store.claim_due,
                ctx.owner,
                lease_seconds=ctx.config.lease_seconds,
                limit=len(ids),
                ids=ids,
                now=clock(),
            )
            rounds += bool(claimed)
            await asyncio.gather(*(_attempt(ctx, d) for d in claimed))
            current = await _current(ctx, ids)
            if any(d.state == DeliveryState.UNKNOWN and not d.check_needed for d in current):
                await recover(ctx, ids)
                current = await _current(ctx, ids)
            wait = _wait_for(ctx, current, wait_retries)
            elapsed = asyncio.get_running_loop().time() - started
            if wait is None or rounds > ctx.config.max_attempts + 1 or elapsed > OTHERS_TIMEOUT:
                break
            await asyncio.sleep(max(0.05, wait))
        return await _current(ctx, ids)


async def _current(ctx: RunContext, ids: Sequence[int]) -> list[Delivery]:
    marks = ", ".join("?" for _ in ids)
    return await ctx.db(ctx.store.deliveries_where, None, f"id IN ({marks})", tuple(ids))


def _wait_for(ctx: RunContext, current: Sequence[Delivery], wait_retries: float) -> float | None:
    """Seconds to wait before the next round, or None when nothing more will happen soon."""
    now = ctx.clock()
    waits: list[float] = []
    for delivery in current:
        if delivery.state == DeliveryState.DUE:
            waits.append(0.0)
        elif delivery.state == DeliveryState.SENDING and delivery.lease_owner != ctx.owner:
            waits.append(POLL_OTHERS)
        elif delivery.state == DeliveryState.SCHEDULED and delivery.next_attempt_at is not None:
            seconds = (delivery.next_attempt_at - now).total_seconds()
            if seconds <= wait_retries:
                waits.append(max(0.0, seconds))
    return min(waits) if waits else None
