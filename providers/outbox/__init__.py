"""The outbox: every delivery (post × account) as a durable state machine, and the runners that
send them — now (``publish_now``), when due (``run_due``, ``linkdeck worker``), after a crash
(``recover_on_start``).

Why a package of its own: "no post lost, none sent twice" is one set of rules (record before
sending, claim in a transaction, end every claim with a recorded state, recover dead claims) that
the CLI, the worker and the TUI must all follow the same way; the networks only publish
(:class:`providers.interface.Publisher`).

Public API (import from the submodules; importing this package loads nothing)::

    from providers.outbox.runner import run_due, publish_now, RunReport
        await run_due(store, vault, *, progress=None, config=None, stop=None, keeper=None) -> RunReport
        await publish_now(store, vault, post, accounts, progress=None, *, wait_retries=30.0,
                          config=None, keeper=None) -> list[Delivery]
    from providers.outbox.startup import recover_on_start              # TUI start
        await recover_on_start(store, vault, progress=None, *, keeper=None) -> RecoveryReport
    from providers.outbox.worker import serve                          # linkdeck worker
        await serve(store, vault, *, once=False, progress=None, stop=None) -> list[RunReport]
    from providers.outbox.actions import (retry, cancel, reschedule, move_held,
        confirm_past_due, held_to_confirm, mark_sent)                  # the Posts screen
    from providers.outbox.queue import entries, QueueEntry             # queue and history
    from providers.outbox.events import DeliveryEvent, ProgressCallback
    from providers.outbox.checks import inspect_all, problems, CheckProblem
    from providers.outbox_config import OutboxConfig, load             # [outbox] settings, beside
                                                                       # the package: the store reads them
    from providers.outbox.timing import parse_at, local

States and the moves between them: :mod:`providers.store.transitions`.
"""
