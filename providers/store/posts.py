"""Posts and their deliveries (one per post × account): rows read into models, posts and
deliveries recorded and read, the unchecked state change, and a delivery's due time
(:data:`DUE_AT`, which the state machine's SQL shares).

A delivery names its account by identity (network, instance, remote_id) as well as by row id;
holding and releasing by that identity is :mod:`providers.store.holds`. Functions take a
connection; ``Store`` holds the lock and opens the transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from providers.store import engine
from providers.store.engine import Connection
from providers.store.health import DatabaseUnusable
from providers.store.models import (
    VISIBILITIES,
    Account,
    Delivery,
    DeliveryState,
    HoldKind,
    Post,
    checked,
    from_text,
    opt_from_text,
    opt_to_text,
    to_text,
    utcnow,
)

_DELIVERY_COLUMNS = """
    post_id, account_id, network, instance, remote_id, target_kind, target_id, target_name,
    state, reason, remote_post_id, url, idempotency_key, attempts, next_attempt_at, created_at,
    updated_at
"""
# What a read returns: the columns above plus the state machine's (migration 3).
_SELECT_DELIVERY = f"""
    id, {_DELIVERY_COLUMNS}, retryable, hold_kind, lease_owner, lease_until, committed_at,
    check_needed, sent_at, handle
"""
_POST_COLUMNS = """
    id, caption, media, scheduled_at, created_at, updated_at, visibility, spoiler_text, sensitive,
    descriptions, caption_overrides, origin
"""

# A delivery's due time: its retry time, else its post's time; a post-now (no time) is due at once.
DUE_AT = (
    "COALESCE(deliveries.next_attempt_at, "
    "(SELECT scheduled_at FROM posts WHERE posts.id = deliveries.post_id), '')"
)


def _str_list(raw: str) -> list[str]:
    value = json.loads(raw)
    return [str(v) for v in value] if isinstance(value, list) else []


def _str_dict(raw: str) -> dict[str, str]:
    value = json.loads(raw)
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def unreadable_row(kind: str, row: Any, exc: Exception) -> DatabaseUnusable:
    """A stored row this linkdeck cannot read (edited by hand, written by a broken tool): named,
    with nothing changed, instead of a traceback from deep inside the store."""
    return DatabaseUnusable(
        f"linkdeck's database holds a {kind} (id {row['id']}) it cannot read: {exc}",
        hint="Nothing was changed. `linkdeck doctor` checks the database; a copy from before the "
        "last upgrade sits beside it as linkdeck.sqlite3.bak-vN.",
    )


def post_from_row(row: Any) -> Post:
    try:
        return _post_from_row(row)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise unreadable_row("stored post", row, exc) from None


def delivery_from_row(row: Any) -> Delivery:
    try:
        return _delivery_from_row(row)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise unreadable_row("stored delivery", row, exc) from None


def _post_from_row(row: Any) -> Post:
    return Post(
        id=row["id"],
        caption=row["caption"],
        media=_str_list(row["media"]),
        scheduled_at=opt_from_text(row["scheduled_at"]),
        created_at=from_text(row["created_at"]),
        updated_at=from_text(row["updated_at"]),
        visibility=row["visibility"],
        spoiler_text=row["spoiler_text"],
        sensitive=bool(row["sensitive"]),
        descriptions=_str_list(row["descriptions"]),
        caption_overrides=_str_dict(row["caption_overrides"]),
        origin=row["origin"],
    )


def _delivery_from_row(row: Any) -> Delivery:
    retryable = row["retryable"]
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
        state=DeliveryState(row["state"]),
        reason=row["reason"],
        remote_post_id=row["remote_post_id"],
        url=row["url"],
        idempotency_key=row["idempotency_key"],
        attempts=row["attempts"],
        next_attempt_at=opt_from_text(row["next_attempt_at"]),
        created_at=from_text(row["created_at"]),
        updated_at=from_text(row["updated_at"]),
        retryable=None if retryable is None else bool(retryable),
        hold_kind=None if row["hold_kind"] is None else HoldKind(row["hold_kind"]),
        lease_owner=row["lease_owner"],
        lease_until=opt_from_text(row["lease_until"]),
        committed_at=opt_from_text(row["committed_at"]),
        check_needed=bool(row["check_needed"]),
        sent_at=opt_from_text(row["sent_at"]),
        handle=row["handle"],
    )


def check_states(states: Iterable[str]) -> list[DeliveryState]:
    """The states as members; ValueError for a name that is not one (a caller's typo)."""
    return [checked(DeliveryState, s, "delivery state") for s in states]


def create_post(
    conn: Connection,
    caption: str,
    media: list[str],
    scheduled_at: datetime | None,
    *,
    visibility: str = "public",
    spoiler_text: str = "",
    sensitive: bool = False,
    descriptions: list[str] | None = None,
    caption_overrides: dict[str, str] | None = None,
) -> Post:
    if visibility not in VISIBILITIES:
        raise ValueError(f"unknown visibility {visibility!r}; expected one of {', '.join(VISIBILITIES)}")
    alt = [str(d) for d in (descriptions or [])]
    if len(alt) > len(media):
        raise ValueError(f"{len(alt)} descriptions given for {len(media)} media files")
    now = to_text(utcnow())
    cursor = conn.execute(
        """
        INSERT INTO posts (caption, media, scheduled_at, created_at, updated_at, visibility,
                           spoiler_text, sensitive, descriptions, caption_overrides)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        RETURNING id
        """,
        (
            caption,
            json.dumps([str(m) for m in media]),
            opt_to_text(scheduled_at),
            now,
            now,
            visibility,
            spoiler_text,
            int(sensitive),
            json.dumps(alt),
            json.dumps(dict(caption_overrides or {})),
        ),
    )
    post = get_post(conn, int(cursor.fetchone()[0]))
    assert post is not None
    return post


def get_post(conn: Connection, post_id: int) -> Post | None:
    row = conn.execute(f"SELECT {_POST_COLUMNS} FROM posts WHERE id = ?", (post_id,)).fetchone()
    return None if row is None else post_from_row(row)


def get_posts(conn: Connection, post_ids: Iterable[int]) -> dict[int, Post]:
    """Several posts by id in one query (the queue lists thousands)."""
    wanted = sorted(set(post_ids))
    found: dict[int, Post] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        for row in conn.execute(f"SELECT {_POST_COLUMNS} FROM posts WHERE id IN ({marks})", chunk):
            found[row["id"]] = post_from_row(row)
    return found


def add_delivery(conn: Connection, post_id: int, account: Account) -> Delivery:
    """A new delivery of the post to the account: ``scheduled`` when the post has a time, else
    ``due``. The account's current target is copied, so it stays fixed for this delivery."""
    post = get_post(conn, post_id)
    if post is None:
        raise KeyError(f"no post with id {post_id}")
    now = to_text(utcnow())
    cursor = conn.execute(
        f"""
        INSERT INTO deliveries ({_DELIVERY_COLUMNS}, handle)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', NULL, NULL, ?, 0, NULL, ?, ?, ?)
        RETURNING id
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
            DeliveryState.SCHEDULED if post.scheduled_at is not None else DeliveryState.DUE,
            uuid.uuid4().hex,
            now,
            now,
            account.handle,
        ),
    )
    delivery = get_delivery(conn, int(cursor.fetchone()[0]))
    assert delivery is not None
    engine.notify_queue(conn)
    return delivery


def get_delivery(conn: Connection, delivery_id: int) -> Delivery | None:
    row = conn.execute(f"SELECT {_SELECT_DELIVERY} FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
    return None if row is None else delivery_from_row(row)


def require_delivery(conn: Connection, delivery_id: int) -> Delivery:
    delivery = get_delivery(conn, delivery_id)
    if delivery is None:
        raise KeyError(f"no delivery with id {delivery_id}")
    return delivery


def deliveries(
    conn: Connection, states: Iterable[str] | None, *, where: str = "", args: tuple[object, ...] = ()
) -> list[Delivery]:
    """Deliveries (in ``states``, or all), oldest first; ``where`` adds an SQL condition."""
    conditions: list[str] = [where] if where else []
    values: list[object] = list(args)
    if states is not None:
        wanted = check_states(states)
        if not wanted:
            return []
        conditions.insert(0, f"state IN ({', '.join('?' for _ in wanted)})")
        values[:0] = wanted
    clause = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    rows = conn.execute(f"SELECT {_SELECT_DELIVERY} FROM deliveries {clause} ORDER BY id", values)
    return [delivery_from_row(r) for r in rows]


def deliveries_stamp(conn: Connection) -> tuple[int, ...]:
    version = engine.change_stamp(conn)
    count, newest, last = conn.execute("SELECT COUNT(*), MAX(updated_at), MAX(id) FROM deliveries").fetchone()
    return (int(version), int(count), hash(newest), int(last or 0))


def counts_by_state(conn: Connection) -> dict[DeliveryState, int]:
    counts = dict.fromkeys(DeliveryState, 0)
    for state, count in conn.execute("SELECT state, COUNT(*) FROM deliveries GROUP BY state"):
        counts[DeliveryState(state)] = count
    return counts


def set_state(
    conn: Connection,
    delivery_id: int,
    state: DeliveryState,
    reason: str,
    remote_post_id: str | None,
    url: str | None,
) -> Delivery:
    check_states([state])
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
