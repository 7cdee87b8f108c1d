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

from providers.store.models import DeliveryState

_S = DeliveryState  # short, so each row of the table reads on one line

TRANSITIONS: dict[DeliveryState, frozenset[DeliveryState]] = {
    _S.SCHEDULED: frozenset({_S.DUE, _S.HELD, _S.FAILED, _S.SCHEDULED}),
    _S.HELD: frozenset({_S.SCHEDULED, _S.DUE, _S.FAILED, _S.HELD}),
    _S.DUE: frozenset({_S.SENDING, _S.HELD, _S.FAILED, _S.SCHEDULED}),
    _S.SENDING: frozenset({_S.SENT, _S.FAILED, _S.UNKNOWN, _S.SCHEDULED, _S.HELD, _S.DUE}),
    _S.SENT: frozenset(),
    _S.FAILED: frozenset({_S.DUE, _S.SCHEDULED}),
    _S.UNKNOWN: frozenset({_S.DUE, _S.SENT, _S.FAILED, _S.UNKNOWN}),
}

FINAL_STATES: frozenset[DeliveryState] = frozenset({_S.SENT})
# Waiting to be sent by a runner (the queue), as opposed to history.
QUEUED_STATES: tuple[DeliveryState, ...] = (_S.SCHEDULED, _S.DUE, _S.HELD)


class IllegalTransition(ValueError):
    """A state change the machine does not allow (e.g. ``sent`` → ``due``)."""

    def __init__(
        self, delivery_id: int, current: DeliveryState, wanted: DeliveryState, why: str = ""
    ) -> None:
        self.delivery_id = delivery_id
        self.current = current
        self.wanted = wanted
        detail = f": {why}" if why else ""
        super().__init__(f"delivery {delivery_id} is {current}; it cannot become {wanted}{detail}")


def allowed(current: DeliveryState, wanted: DeliveryState) -> bool:
    return wanted in TRANSITIONS.get(current, frozenset())


def check(delivery_id: int, current: DeliveryState, wanted: DeliveryState) -> None:
    """Raise :class:`IllegalTransition` unless ``current`` → ``wanted`` is in :data:`TRANSITIONS`."""
    if not allowed(current, wanted):
        raise IllegalTransition(delivery_id, current, wanted)
