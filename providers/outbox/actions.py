"""What a person does to a delivery from the Posts screen (or a script): retry, cancel,
reschedule, move a held one to another account, confirm a held past-due one, mark an
"unknown — check" one as sent.

Each is one checked transition (:mod:`providers.store.transitions`): asking for something the
machine does not allow (cancelling a post that is being sent, retrying a sent one) raises
:class:`~providers.store.transitions.IllegalTransition` with a message fit to show, and changes
nothing. A cancelled delivery is ``failed`` with the reason "cancelled by you" (kept in history;
retry brings it back).
"""

from __future__ import annotations

from datetime import UTC, datetime

from providers import clock
from providers.errors import UsageError
from providers.store import Delivery, DeliveryState, HoldKind, Store
from providers.store.transitions import IllegalTransition

CANCELLED = "cancelled by you"


def _require(store: Store, delivery_id: int) -> Delivery:
    delivery = store.delivery(delivery_id)
    if delivery is None:
        raise KeyError(f"no delivery with id {delivery_id}")
    return delivery


def retry(store: Store, delivery_id: int) -> Delivery:
    """failed or unknown → due, with a fresh set of attempts and the same idempotency key. For an
    "unknown" one, retrying says the person looked and the post is not on the network."""
    delivery = _require(store, delivery_id)
    return store.transition(
        delivery_id,
        DeliveryState.DUE,
        expect=[DeliveryState.FAILED, DeliveryState.UNKNOWN],
        reason="retried by you",
        reset_attempts=True,
        clear_commit=delivery.state == DeliveryState.UNKNOWN,
    )


def cancel(store: Store, delivery_id: int) -> Delivery:
    """Stop a delivery that has not been sent: scheduled, due, held or unknown → failed
    ("cancelled by you", retryable). A failed one stays as it is; sending or sent raise."""
    delivery = _require(store, delivery_id)
    if delivery.state == DeliveryState.FAILED:
        return delivery
    return store.transition(
        delivery_id,
        DeliveryState.FAILED,
        expect=[DeliveryState.SCHEDULED, DeliveryState.DUE, DeliveryState.HELD, DeliveryState.UNKNOWN],
        reason=CANCELLED,
        retryable=True,
    )


def reschedule(store: Store, post_id: int, when: datetime, *, now: datetime | None = None) -> list[Delivery]:
    """Give a post a new time (timezone-aware, in the future); its scheduled, due and failed
    deliveries wait for it. Returns them."""
    moment = now or clock.now()
    if when.tzinfo is None or when.utcoffset() is None:
        raise UsageError("the new time needs a UTC offset, e.g. 2026-12-01T09:00+01:00")
    if when <= moment:
        raise UsageError(f"{when.isoformat()} is in the past; choose a later time")
    return store.reschedule_post(post_id, when.astimezone(UTC), now=moment)


def move_held(store: Store, delivery_id: int, account_id: int) -> Delivery:
    """Send a held delivery (e.g. to a removed account) to another linked account instead."""
    account = store.account(account_id)
    if account is None:
        raise KeyError(f"no linked account with id {account_id}")
    return store.move_delivery(delivery_id, account)


def confirm_past_due(store: Store, delivery_id: int) -> Delivery:
    """Send now a delivery held because it fell due while its account was unlinked
    (``[outbox] release_past_due = "ask"``)."""
    delivery = _require(store, delivery_id)
    if delivery.state != DeliveryState.HELD or delivery.hold_kind != HoldKind.ASK:
        raise IllegalTransition(
            delivery_id,
            delivery.state,
            DeliveryState.DUE,
            "only posts held to ask about a missed time can be confirmed",
        )
    return store.transition(
        delivery_id, DeliveryState.DUE, expect=[DeliveryState.HELD], reason="confirmed by you"
    )


def held_to_confirm(store: Store) -> list[Delivery]:
    """Deliveries waiting for the person's yes or no after a relink (kind "ask")."""
    return store.deliveries_where([DeliveryState.HELD], "hold_kind = ?", (HoldKind.ASK,))


def mark_sent(store: Store, delivery_id: int, url: str) -> Delivery:
    """An "unknown — check" delivery the person found on the network: record it as sent."""
    if not url.strip():
        raise UsageError("give the address of the post you found")
    return store.transition(
        delivery_id,
        DeliveryState.SENT,
        expect=[DeliveryState.UNKNOWN],
        url=url.strip(),
        reason="marked sent by you",
        clear_commit=True,
    )
