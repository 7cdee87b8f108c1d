"""``linkdeck queue`` and ``linkdeck worker``: the outbox from a shell (``linkdeck post`` is in
:mod:`tui.cli_commands_post`).

``queue [--json]``: every delivery, queued first (scheduled, held, due, sending) then history
(unknown, failed, sent); each entry's ``state`` is spelled exactly as stored.

``worker [--once]``: run what is due; with ``--once`` one pass (exit 1 if a delivery failed in
it), otherwise until SIGTERM/Ctrl-C, sleeping until the next due time.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from providers import clock
from providers.outbox.events import DeliveryEvent
from providers.outbox.timing import local
from providers.store import DeliveryState, Store

# queue ------------------------------------------------------------------------------------------


def queue(args: argparse.Namespace) -> int:
    from providers.outbox.queue import entries

    with Store.open() as store:
        found = entries(store)
        counts = store.counts_by_state()
    if args.json:
        document = {"deliveries": [e.to_json() for e in found], "counts": counts}
        print(json.dumps(document, indent=2, ensure_ascii=False, default=str))
        return 0
    if not found:
        print("Nothing queued or sent yet. Post with `linkdeck post FILE --to NETWORK`.")
        return 0
    state = None
    for entry in found:
        if entry.state != state:
            state = entry.state
            print(f"\n{state} ({counts.get(state, 0)})")
        print(entry.line())
    return 0


# worker -----------------------------------------------------------------------------------------


def _log_event(event: DeliveryEvent) -> None:
    if event.final:
        print(
            f"{local(clock.now())}  {event.kind:<9} delivery {event.delivery_id}  {event.describe()}",
            flush=True,
        )


def worker(args: argparse.Namespace) -> int:
    from providers.outbox.worker import serve
    from providers.outbox_config import load as load_outbox
    from providers.settings import load
    from providers.vault import Vault

    config = load_outbox()  # a wrong [outbox] setting exits 2 before anything runs
    with Store.open() as store:
        reports = asyncio.run(serve(store, Vault(load()), once=args.once, progress=_log_event, config=config))
    done = [d for report in reports for d in report.deliveries]
    if args.once:
        shown = (
            DeliveryState.SENT,
            DeliveryState.FAILED,
            DeliveryState.HELD,
            DeliveryState.SCHEDULED,  # left scheduled by a pass: it is tried again later
            DeliveryState.UNKNOWN,
        )
        counts = {state: sum(1 for d in done if d.state == state) for state in shown}
        summary = (
            ", ".join(
                f"{n} {'retrying' if s == DeliveryState.SCHEDULED else s}" for s, n in counts.items() if n
            )
            or "nothing was due"
        )
        next_due = reports[-1].next_due if reports else None
        later = f"; next due {local(next_due)}" if next_due else ""
        print(f"worker: {summary}{later}", flush=True)
        return 1 if counts[DeliveryState.FAILED] else 0
    return 0
