"""The delivery state machine: which state may follow which, and the error for the others.

Why a table: "no post lost, none sent twice" rests on a few rules that must hold whoever changes a
row (the worker, the TUI, the CLI, a user's click on Posts). Every checked change goes through
:func:`check`, inside the same ``BEGIN IMMEDIATE`` transaction as the UPDATE, so a state read and
the write that depends on it cannot be split by another process.

::

    scheduled ─► due ─► sending ─► sent
        │  ▲      │        ├─► failed (reason, retryable)
        ▼  │      ▼        ├─► unknown (the process died after the create request started)
        held ◄────┘        ├─► scheduled (try later: next_attempt_at, honouring Retry-After)
                           ├─► held (the network wants the account reconnected)
                           └─► due (the process died before the create request: safe to resend)

    held    ─► scheduled | due (released)  held ─► held (moved to another account)
    unknown ─► due (resend with the same idempotency key, or the user's "retry")
    unknown ─► sent (found on the network, or the user saw it)   unknown ─► unknown (check needed)
    failed  ─► due | scheduled (retry, reschedule)
    scheduled | due | held | unknown ─► failed (cancelled by the user)
    scheduled | due ─► scheduled (rescheduled)

``sent`` is final. ``sending`` never goes back to ``held`` or ``failed`` by a user action: a request
may be on the wire, so only the runner holding the claim (or recovery, once it is dead) ends it.
"""

from __future__ import annotations

TRANSITIONS: dict[str, frozenset[str]] = {
    "scheduled": frozenset({"due", "held", "failed", "scheduled"}),
    "held": frozenset({"scheduled", "due", "failed", "held"}),
    "due": frozenset({"sending", "held", "failed", "scheduled"}),
    "sending": frozenset({"sent", "failed", "unknown", "scheduled", "held", "due"}),
    "sent": frozenset(),
    "failed": frozenset({"due", "scheduled"}),
    "unknown": frozenset({"due", "sent", "failed", "unknown"}),
}

FINAL_STATES: frozenset[str] = frozenset({"sent"})
# Waiting to be sent by a runner (the queue), as opposed to history.
QUEUED_STATES: tuple[str, ...] = ("scheduled", "due", "held")


class IllegalTransition(ValueError):
    """A state change the machine does not allow (e.g. ``sent`` → ``due``)."""

    def __init__(self, delivery_id: int, current: str, wanted: str, why: str = "") -> None:
        self.delivery_id = delivery_id
        self.current = current
        self.wanted = wanted
        detail = f": {why}" if why else ""
        super().__init__(f"delivery {delivery_id} is {current}; it cannot become {wanted}{detail}")


def allowed(current: str, wanted: str) -> bool:
    return wanted in TRANSITIONS.get(current, frozenset())


def check(delivery_id: int, current: str, wanted: str) -> None:
    """Raise :class:`IllegalTransition` unless ``current`` → ``wanted`` is in :data:`TRANSITIONS`."""
    if not allowed(current, wanted):
        raise IllegalTransition(delivery_id, current, wanted)
