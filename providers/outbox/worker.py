"""The long-running scheduler behind ``linkdeck worker``: run what is due, sleep until the next
due time (at most ``POLL_SECONDS``, since other processes add posts), stop cleanly on SIGTERM.
On PostgreSQL the sleep also ends when the store says the queue changed (LISTEN/NOTIFY: a post
added, a delivery due again), so a new post is picked up at once without every worker polling.

On SIGTERM or SIGINT no new delivery is claimed; those being sent finish and are recorded, then
the loop returns. A second signal is not needed: if the process is killed anyway, the deliveries
it was sending are recovered by the next start (see :mod:`providers.outbox.recovery`).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from datetime import datetime
from typing import TYPE_CHECKING

from providers.outbox.context import Clock, utcnow
from providers.outbox.events import ProgressCallback
from providers.outbox.runner import RunReport, run_due
from providers.outbox_config import OutboxConfig

if TYPE_CHECKING:
    from providers.auth.refresh import TokenKeeper
    from providers.store import Store
    from providers.store.engine import QueueListener
    from providers.vault import Vault

POLL_SECONDS = 30.0
STOP_CHECK_SECONDS = 0.5


def seconds_until(next_due: datetime | None, now: datetime, poll: float = POLL_SECONDS) -> float:
    if next_due is None:
        return poll
    return max(0.0, min(poll, (next_due - now).total_seconds()))


async def serve(
    store: Store,
    vault: Vault,
    *,
    once: bool = False,
    progress: ProgressCallback | None = None,
    config: OutboxConfig | None = None,
    stop: asyncio.Event | None = None,
    clock: Clock = utcnow,
    poll: float = POLL_SECONDS,
    keeper: TokenKeeper | None = None,
) -> list[RunReport]:
    """Run due deliveries until ``stop`` is set (or a signal arrives); with ``once``, one pass.
    Returns the report of every pass."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # not the main thread
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    reports: list[RunReport] = []
    listener = None if once else await asyncio.to_thread(store.queue_listener)
    try:
        while not stop.is_set():
            report = await run_due(
                store, vault, progress=progress, config=config, clock=clock, stop=stop, keeper=keeper
            )
            reports.append(report)
            if once:
                break
            timeout = max(0.2, seconds_until(report.next_due, clock(), poll))
            if listener is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=timeout)
            else:
                await asyncio.to_thread(_sleep_on, listener, timeout, stop)
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
        if listener is not None:
            listener.close()
    return reports


def _sleep_on(listener: QueueListener, timeout: float, stop: asyncio.Event) -> None:
    """Wait for the queue to change, at most ``timeout`` seconds, in slices short enough that a
    stop (SIGTERM) is noticed within one (this runs in a thread, which cannot be cancelled)."""
    left = timeout
    while left > 0 and not stop.is_set():
        if listener.wait(min(left, STOP_CHECK_SECONDS)):
            return
        left -= STOP_CHECK_SECONDS
