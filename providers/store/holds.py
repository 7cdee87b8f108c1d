"""Holding and releasing an account's deliveries, by the account's identity.

A delivery names its account by identity (network, instance, remote_id) as well as by row id, so
when the account is unlinked, or needs reconnecting, its pending deliveries are held rather than
lost, and linking the same account again releases them back to the queue; with ``[outbox]
release_past_due = "ask"``, those whose time has passed stay held (kind "ask") until the user
confirms them. Functions take a connection; ``Store`` holds the lock and opens the transaction.
"""

from __future__ import annotations

from datetime import datetime

from providers.store import engine
from providers.store.engine import Connection
from providers.store.models import HOLDABLE_STATES, Account, HoldKind, checked, to_text, utcnow
from providers.store.posts import DUE_AT


def hold_for(
    conn: Connection,
    network: str,
    instance: str | None,
    remote_id: str,
    reason: str,
    kind: HoldKind = HoldKind.UNLINKED,
) -> int:
    """Hold the account's scheduled and due deliveries; return how many were held."""
    kind = checked(HoldKind, kind, "hold kind")
    marks = ", ".join("?" for _ in HOLDABLE_STATES)
    cursor = conn.execute(
        f"""
        UPDATE deliveries SET state = 'held', reason = ?, hold_kind = ?, updated_at = ?
        WHERE network = ? AND instance = ? AND remote_id = ? AND state IN ({marks})
        """,
        (reason, kind, to_text(utcnow()), network, instance or "", remote_id, *HOLDABLE_STATES),
    )
    return cursor.rowcount


PAST_DUE_REASON = (
    "it fell due while the account was not linked; confirm it on the Posts screen to send it now, "
    "or cancel it"
)


def release_for(
    conn: Connection, account: Account, *, past_due: str = "send", now: datetime | None = None
) -> int:
    """Give the account's held deliveries back to the queue, pointed at this account row:
    ``scheduled`` when their post has a time (the worker sends it once due, at once if the time
    has passed), ``due`` for a post-now. With ``past_due="ask"`` those whose time has passed (a
    post-now always has) stay held, kind "ask", until the user confirms them. Return how many
    were released."""
    if past_due not in ("send", "ask"):
        raise ValueError(f"release_past_due must be 'send' or 'ask', not {past_due!r}")
    stamp = to_text(now or utcnow())
    identity = (account.network, account.instance or "", account.remote_id)
    if past_due == "ask":
        conn.execute(
            f"""
            UPDATE deliveries SET hold_kind = 'ask', reason = ?, account_id = ?, updated_at = ?
            WHERE network = ? AND instance = ? AND remote_id = ? AND state = 'held'
              AND {DUE_AT} <= ?
            """,
            (PAST_DUE_REASON, account.id, stamp, *identity, stamp),
        )
    cursor = conn.execute(
        """
        UPDATE deliveries SET
            state = CASE WHEN (SELECT scheduled_at FROM posts WHERE posts.id = deliveries.post_id)
                         IS NULL THEN 'due' ELSE 'scheduled' END,
            reason = '',
            hold_kind = NULL,
            account_id = ?,
            updated_at = ?
        WHERE network = ? AND instance = ? AND remote_id = ? AND state = 'held'
          AND (? = 'send' OR hold_kind IS NULL OR hold_kind != 'ask')
        """,
        (account.id, stamp, *identity, past_due),
    )
    if cursor.rowcount:
        engine.notify_queue(conn)
    return cursor.rowcount
