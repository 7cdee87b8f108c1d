"""Crash recovery for a front end that is starting (the TUI; ``linkdeck worker`` does the same at
the top of every pass): end the claims of dead processes and resolve "unknown" deliveries.

Cheap when there is nothing to recover (two indexed queries), so it can run on start-up without
slowing the first frame; network look-ups happen only for deliveries that need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from providers.outbox.context import RunContext
from providers.outbox.events import ProgressCallback
from providers.outbox.recovery import RecoveryReport, recover
from providers.outbox_config import load as load_config

if TYPE_CHECKING:
    from providers.auth.refresh import TokenKeeper
    from providers.store import Store
    from providers.vault import Vault


async def recover_on_start(
    store: Store, vault: Vault, progress: ProgressCallback | None = None, *, keeper: TokenKeeper | None = None
) -> RecoveryReport:
    """End dead claims and resolve "unknown" deliveries; ``keeper``: the process's TokenKeeper."""
    async with RunContext(store, vault, config=load_config(), progress=progress, keeper=keeper) as ctx:
        return await recover(ctx)
