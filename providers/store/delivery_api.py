"""The ``Store`` methods of the delivery state machine (mixed into :class:`providers.store.Store`).

Kept apart from ``core.py`` (and the account methods, :mod:`.account_api`) so each group reads on
its own. Every method is one ``BEGIN IMMEDIATE`` transaction; see :mod:`providers.store.machine`
for the SQL and :mod:`providers.store.transitions` for which moves are allowed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from providers.store import machine
from providers.store import posts as _posts
from providers.store.db import Transactions
from providers.store.models import (
    Account,
    AccountState,
    Delivery,
    DeliveryState,
    HoldKind,
    Post,
    to_text,
    utcnow,
)
from providers.store.transitions import IllegalTransition


class DeliveryMethods(Transactions):
    # Posts ---------------------------------------------------------------------------------------

    def create_post_with_deliveries(
        self,
        caption: str,
        media: list[str],
        scheduled_at: datetime | None,
        accounts: Iterable[Account],
        *,
        visibility: str = "public",
        spoiler_text: str = "",
        sensitive: bool = False,
        descriptions: list[str] | None = None,
        caption_overrides: dict[str, str] | None = None,
    ) -> tuple[Post, list[Delivery]]:
        """A post and one delivery per account, in one transaction: either all are recorded or
        none (a crash in between never leaves a post half-addressed)."""
        with self._write() as conn:
            post = _posts.create_post(
                conn,
                caption,
                media,
                scheduled_at,
                visibility=visibility,
                spoiler_text=spoiler_text,
                sensitive=sensitive,
                descriptions=descriptions,
                caption_overrides=caption_overrides,
            )
            made = [_posts.add_delivery(conn, post.id, account) for account in accounts]
            return post, made

    def posts(self, post_ids: Iterable[int]) -> dict[int, Post]:
        with self._read() as conn:
            return _posts.get_posts(conn, post_ids)

    def deliveries_of_post(self, post_id: int) -> list[Delivery]:
        with self._read() as conn:
            return _posts.deliveries(conn, None, where="post_id = ?", args=(post_id,))

    def deliveries_where(
        self, states: Iterable[DeliveryState] | None, where: str, args: tuple[object, ...]
    ) -> list[Delivery]:
        """Deliveries in ``states`` matching an SQL condition on the deliveries table."""
        with self._read() as conn:
            return _posts.deliveries(conn, states, where=where, args=args)

    # The state machine ---------------------------------------------------------------------------

    def transition(
        self, delivery_id: int, wanted: DeliveryState, *, now: datetime | None = None, **fields: Any
    ) -> Delivery:
        """A checked state change (see :func:`providers.store.machine.transition` for ``fields``).
        Raises IllegalTransition when the machine does not allow it."""
        with self._write() as conn:
            return machine.transition(conn, delivery_id, wanted, now=now or utcnow(), **fields)

    def claim_due(
        self,
        owner: str,
        *,
        lease_seconds: float,
        limit: int,
        now: datetime | None = None,
        ids: Iterable[int] | None = None,
    ) -> list[Delivery]:
        """Claim up to ``limit`` due deliveries for ``owner`` (see :func:`machine.claim`)."""
        moment = now or utcnow()
        with self._write(exclusive=False) as conn:  # claims run side by side on PostgreSQL
            return machine.claim(
                conn,
                owner,
                now=moment,
                lease_until=moment + timedelta(seconds=lease_seconds),
                limit=limit,
                ids=None if ids is None else list(ids),
            )

    def renew_leases(self, owner: str, *, lease_seconds: float, now: datetime | None = None) -> int:
        moment = now or utcnow()
        with self._write() as conn:
            return machine.renew(
                conn, owner, now=moment, lease_until=moment + timedelta(seconds=lease_seconds)
            )

    def mark_committing(self, delivery_id: int, owner: str, *, now: datetime | None = None) -> Delivery:
        with self._write() as conn:
            return machine.mark_committing(conn, delivery_id, owner, now or utcnow())

    def promote_due(self, *, now: datetime | None = None) -> int:
        with self._write() as conn:
            return machine.promote(conn, now or utcnow())

    def next_due_at(self, *, now: datetime | None = None) -> datetime | None:
        with self._read() as conn:
            return machine.next_due(conn, now or utcnow())

    def due_at(self, delivery_id: int) -> datetime | None:
        """The delivery's due time (retry time, else its post's time); None for a post-now."""
        with self._read() as conn:
            return machine.due_at(conn, delivery_id)

    # What the Posts screen changes ---------------------------------------------------------------

    def reschedule_post(self, post_id: int, when: datetime, *, now: datetime | None = None) -> list[Delivery]:
        """Give the post a new time. Its scheduled, due and failed deliveries become scheduled for
        it; held ones keep waiting (at the new time); sending, sent and unknown are untouched."""
        moment = now or utcnow()
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE posts SET scheduled_at = ?, updated_at = ? WHERE id = ?",
                (to_text(when), to_text(moment), post_id),
            )
            if cursor.rowcount == 0:
                raise KeyError(f"no post with id {post_id}")
            changed = []
            again = [DeliveryState.SCHEDULED, DeliveryState.DUE, DeliveryState.FAILED]
            for delivery in _posts.deliveries(conn, again, where="post_id = ?", args=(post_id,)):
                changed.append(
                    machine.transition(conn, delivery.id, DeliveryState.SCHEDULED, now=moment, reason="")
                )
            return changed

    def move_delivery(self, delivery_id: int, account: Account, *, now: datetime | None = None) -> Delivery:
        """Point a held delivery at another account (a removed account's post, given to a new
        one). It gets a new idempotency key and no attempts; it is queued again (scheduled, or due
        for a post-now), or stays held if that account needs reconnecting."""
        moment = now or utcnow()
        with self._write() as conn:
            current = _posts.require_delivery(conn, delivery_id)
            if current.state != DeliveryState.HELD:
                raise IllegalTransition(
                    delivery_id, current.state, DeliveryState.HELD, "only held deliveries can be moved"
                )
            duplicate = conn.execute(
                "SELECT id FROM deliveries WHERE post_id = ? AND network = ? AND instance = ? "
                "AND remote_id = ? AND id != ? AND state != 'failed'",
                (current.post_id, account.network, account.instance or "", account.remote_id, delivery_id),
            ).fetchone()
            if duplicate is not None:
                raise ValueError(
                    f"post {current.post_id} already goes to {account.handle} (delivery {duplicate[0]})"
                )
            conn.execute(
                """
                UPDATE deliveries SET account_id = ?, network = ?, instance = ?, remote_id = ?, handle = ?,
                    target_kind = ?, target_id = ?, target_name = ?, idempotency_key = ?, attempts = 0,
                    remote_post_id = NULL, url = NULL, lease_owner = NULL, committed_at = NULL,
                    next_attempt_at = NULL, updated_at = ?
                WHERE id = ?
                """,
                (
                    account.id,
                    account.network,
                    account.instance or "",
                    account.remote_id,
                    account.handle,
                    account.target_kind,
                    account.target_id,
                    account.target_name,
                    uuid.uuid4().hex,
                    to_text(moment),
                    delivery_id,
                ),
            )
            post = _posts.get_post(conn, current.post_id)
            if account.state == AccountState.RECONNECT:
                reason = f"{account.handle} needs reconnecting; held until it is reconnected"
                return machine.transition(
                    conn,
                    delivery_id,
                    DeliveryState.HELD,
                    now=moment,
                    reason=reason,
                    hold_kind=HoldKind.RECONNECT,
                )
            wanted = (
                DeliveryState.DUE if post is None or post.scheduled_at is None else DeliveryState.SCHEDULED
            )
            return machine.transition(conn, delivery_id, wanted, now=moment, reason="")
