"""The TUI's scheduler: while the app is open it sends due scheduled posts, like `linkdeck worker`.

Several runners at once are safe (the outbox claims each delivery in a transaction), so the app and
a worker service can both run. Failures and successes are told as notifications.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from providers import clock
from providers.errors import LinkdeckError
from providers.outbox.events import DeliveryEvent

if TYPE_CHECKING:
    from tui.app import LinkdeckApp

log = logging.getLogger("linkdeck.tui.outbox")
IDLE_SECONDS = 60.0  # look again at least this often (another process may have scheduled posts)


async def keep_sending(app: LinkdeckApp) -> None:
    from providers.outbox.runner import run_due
    from providers.outbox.startup import recover_on_start

    ctx = app.ctx

    def told(event: DeliveryEvent) -> None:
        if event.kind == "sent":
            app.notify(
                f"{event.network_name} {event.account}: {event.url or 'sent'}", title="Scheduled post sent"
            )
        elif event.kind in ("failed", "unknown", "held"):
            app.notify(event.describe(), title=f"Scheduled post {event.kind}", severity="warning", timeout=10)

    try:
        await recover_on_start(ctx.store, ctx.vault, told, keeper=ctx.keeper)
    except LinkdeckError as exc:  # e.g. no keyring: say so once, keep the app usable
        app.notify(str(exc), title="Scheduled posts", severity="warning", timeout=10)
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
