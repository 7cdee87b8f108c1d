"""The TUI's scheduler: while the app is open it sends due scheduled posts, like `linkdeck worker`.

Several runners at once are safe (the outbox claims each delivery in a transaction), so the app and
a worker service can both run. What happens is posted as messages (:mod:`tui.messages`) that the
app shows as notifications; the runner never holds the app itself, so it does not import it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.message import Message

from providers import clock
from providers.errors import KeyringUnavailable, LinkdeckError
from providers.outbox.events import DeliveryEvent
from tui.messages import OutboxUnavailable, ScheduledPostProblem, ScheduledPostSent

if TYPE_CHECKING:
    from tui.context import Context

log = logging.getLogger("linkdeck.tui.outbox")
IDLE_SECONDS = 60.0  # look again at least this often (another process may have scheduled posts)

# A MessagePump's post_message (the app's): thread-safe, and it returns at once.
PostMessage = Callable[[Message], object]


def message_for(event: DeliveryEvent) -> Message | None:
    """What the app is told about a scheduled post's progress event (None: nothing to tell)."""
    if event.kind == "sent":
        return ScheduledPostSent(event)
    if event.kind in ("failed", "unknown", "held"):
        return ScheduledPostProblem(event)
    return None


async def keep_sending(ctx: Context, post_message: PostMessage) -> None:
    """Recover what a crash left, then send due posts until cancelled (the app's worker is)."""
    from providers.outbox.runner import run_due
    from providers.outbox.startup import recover_on_start
    from providers.outbox_config import load as load_outbox

    def told(event: DeliveryEvent) -> None:
        message = message_for(event)
        if message is not None:
            post_message(message)

    try:
        if not load_outbox().sends_from_app(ctx.store.engine):
            log.info("not sending from the app on the %s store ([outbox] send_from_app)", ctx.store.engine)
            return
        await recover_on_start(ctx.store, ctx.vault, told, keeper=ctx.keeper)
    except LinkdeckError as exc:  # e.g. no keyring: say so once, keep the app usable
        post_message(OutboxUnavailable(str(exc), keyring=isinstance(exc, KeyringUnavailable)))
        return
    while True:
        try:
            report = await run_due(ctx.store, ctx.vault, progress=told, keeper=ctx.keeper)
        except LinkdeckError as exc:
            log.warning("sending due posts failed: %s", exc)
            await asyncio.sleep(IDLE_SECONDS)
            continue
        wait = IDLE_SECONDS
        if report.next_due is not None:
            wait = min(IDLE_SECONDS, max(1.0, (report.next_due - clock.now()).total_seconds()))
        await asyncio.sleep(wait)
