"""Posts and their deliveries (one per post × account).

A delivery names its account by identity (network, instance, remote_id) as well as by row id, so
when the account is unlinked its pending deliveries are held rather than lost, and linking the
same account again releases them. Functions take a connection; ``Store`` holds the lock and opens
the transaction.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable
from datetime import datetime

from providers.store.models import (
    DELIVERY_STATES,
    HOLDABLE_STATES,
    Account,
    Delivery,
    Post,
    from_text,
    opt_from_text,
    opt_to_text,
    to_text,
    utcnow,
)

_DELIVERY_COLUMNS = """
    id, post_id, account_id, network, instance, remote_id, target_kind, target_id, target_name,
    state, reason, remote_post_id, url, idempotency_key, attempts, next_attempt_at, created_at,
    updated_at
"""


def _post(row: sqlite3.Row) -> Post:
    media = json.loads(row["media"])
    return Post(
        id=row["id"],
        caption=row["caption"],
        media=[str(m) for m in media] if isinstance(media, list) else [],
        scheduled_at=opt_from_text(row["scheduled_at"]),
        created_at=from_text(row["created_at"]),
        updated_at=from_text(row["updated_at"]),
    )


def _delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(
        id=row["id"],
        post_id=row["post_id"],
        account_id=row["account_id"],
        network=row["network"],
        instance=row["instance"] or None,
        remote_id=row["remote_id"],
        target_kind=row["target_kind"],
        target_id=row["target_id"],
        target_name=row["target_name"],
        state=row["state"],
        reason=row["reason"],
        remote_post_id=row["remote_post_id"],
        url=row["url"],
        idempotency_key=row["idempotency_key"],
        attempts=row["attempts"],
        next_attempt_at=opt_from_text(row["next_attempt_at"]),
        created_at=from_text(row["created_at"]),
        updated_at=from_text(row["updated_at"]),
    )


def _check_states(states: Iterable[str]) -> list[str]:
    wanted = list(states)
    unknown = [s for s in wanted if s not in DELIVERY_STATES]
    if unknown:
        raise ValueError(
            f"unknown delivery state {unknown[0]!r}; expected one of {', '.join(DELIVERY_STATES)}"
        )
    return wanted


def create_post(
    conn: sqlite3.Connection, caption: str, media: list[str], scheduled_at: datetime | None
) -> Post:
    now = to_text(utcnow())
    cursor = conn.execute(
        "INSERT INTO posts (caption, media, scheduled_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        (caption, json.dumps([str(m) for m in media]), opt_to_text(scheduled_at), now, now),
    )
    post = get_post(conn, int(cursor.lastrowid or 0))
    assert post is not None
    return post


def get_post(conn: sqlite3.Connection, post_id: int) -> Post | None:
    row = conn.execute(
        "SELECT id, caption, media, scheduled_at, created_at, updated_at FROM posts WHERE id = ?",
        (post_id,),
    ).fetchone()
    return None if row is None else _post(row)


def add_delivery(conn: sqlite3.Connection, post_id: int, account: Account) -> Delivery:
    """A new delivery of the post to the account: ``scheduled`` when the post has a time, else
    ``due``. The account's current target is copied, so it stays fixed for this delivery."""
    post = get_post(conn, post_id)
    if post is None:
        raise KeyError(f"no post with id {post_id}")
    now = to_text(utcnow())
    cursor = conn.execute(
        f"""
        INSERT INTO deliveries ({_DELIVERY_COLUMNS})
        VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', NULL, NULL, ?, 0, NULL, ?, ?)
        """,
        (
            post_id,
            account.id,
            account.network,
            account.instance or "",
            account.remote_id,
            account.target_kind,
            account.target_id,
            account.target_name,
            "scheduled" if post.scheduled_at is not None else "due",
            uuid.uuid4().hex,
            now,
            now,
        ),
    )
    delivery = get_delivery(conn, int(cursor.lastrowid or 0))
    assert delivery is not None
    return delivery


def get_delivery(conn: sqlite3.Connection, delivery_id: int) -> Delivery | None:
    row = conn.execute(f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
    return None if row is None else _delivery(row)


def deliveries(conn: sqlite3.Connection, states: Iterable[str] | None) -> list[Delivery]:
    if states is None:
        rows = conn.execute(f"SELECT {_DELIVERY_COLUMNS} FROM deliveries ORDER BY id")
    else:
        wanted = _check_states(states)
        if not wanted:
            return []
        marks = ", ".join("?" for _ in wanted)
        rows = conn.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE state IN ({marks}) ORDER BY id", wanted
        )
    return [_delivery(r) for r in rows]


def counts_by_state(conn: sqlite3.Connection) -> dict[str, int]:
    counts = dict.fromkeys(DELIVERY_STATES, 0)
    for state, count in conn.execute("SELECT state, COUNT(*) FROM deliveries GROUP BY state"):
        counts[state] = count
    return counts


def set_state(
    conn: sqlite3.Connection,
    delivery_id: int,
    state: str,
    reason: str,
    remote_post_id: str | None,
    url: str | None,
) -> Delivery:
    _check_states([state])
    cursor = conn.execute(
        """
        UPDATE deliveries SET state = ?, reason = ?,
            remote_post_id = COALESCE(?, remote_post_id), url = COALESCE(?, url), updated_at = ?
        WHERE id = ?
        """,
        (state, reason, remote_post_id, url, to_text(utcnow()), delivery_id),
    )
    if cursor.rowcount == 0:
        raise KeyError(f"no delivery with id {delivery_id}")
    delivery = get_delivery(conn, delivery_id)
    assert delivery is not None
    return delivery


def hold_for(
    conn: sqlite3.Connection, network: str, instance: str | None, remote_id: str, reason: str
) -> int:
    """Hold the account's scheduled and due deliveries; return how many were held."""
    marks = ", ".join("?" for _ in HOLDABLE_STATES)
    cursor = conn.execute(
        f"""
        UPDATE deliveries SET state = 'held', reason = ?, updated_at = ?
        WHERE network = ? AND instance = ? AND remote_id = ? AND state IN ({marks})
        """,
        (reason, to_text(utcnow()), network, instance or "", remote_id, *HOLDABLE_STATES),
    )
    return cursor.rowcount


def release_for(conn: sqlite3.Connection, account: Account) -> int:
    """Give the account's held deliveries back to the queue, pointed at this account row:
    ``scheduled`` when their post has a time (the worker sends it once due, at once if the time
    has passed), ``due`` for a post-now. Return how many were released."""
    cursor = conn.execute(
        """
        UPDATE deliveries SET
            state = CASE WHEN (SELECT scheduled_at FROM posts WHERE posts.id = deliveries.post_id)
                         IS NULL THEN 'due' ELSE 'scheduled' END,
            reason = '',
            account_id = ?,
            updated_at = ?
        WHERE network = ? AND instance = ? AND remote_id = ? AND state = 'held'
        """,
        (account.id, to_text(utcnow()), account.network, account.instance or "", account.remote_id),
    )
    return cursor.rowcount
