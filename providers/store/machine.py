"""SQL for the delivery state machine: checked transitions, claims with a lease, the queue's reads.

Functions take a connection inside a ``BEGIN IMMEDIATE`` transaction (``Store`` opens it), so
"read the state, check the move, write it" is one step no other process can interleave with.

Claiming (:func:`claim`) is how two runners (the TUI and ``linkdeck worker``, or two workers) never
send the same delivery: in one write transaction, due rows are picked and moved to ``sending``
with the runner's id (``lease_owner``) and a lease end (``lease_until``), ``WHERE state = 'due'``.
SQLite allows one writer at a time, so a row is claimed by exactly one runner; the other sees it
as ``sending`` already. On PostgreSQL claimers run at once and each locks the rows it picks
(``FOR UPDATE SKIP LOCKED``), so no two pick the same row and none waits for another. Only the
owner may end a claim (:func:`transition` with ``owner``); recovery ends the claims of runners
that died (providers.outbox.recovery).

It stays one module a few lines past 300: it is every write the state machine makes, so what the
machine allows can be checked against :mod:`.transitions` in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from providers.store import engine, transitions
from providers.store.engine import Connection
from providers.store.models import AccountState, Delivery, DeliveryState, HoldKind, from_text, to_text
from providers.store.posts import DUE_AT, deliveries, require_delivery


class _Unset:
    pass


UNSET: Any = _Unset()


def _fields_for(
    wanted: DeliveryState,
    *,
    now: str,
    reason: str | None,
    retryable: bool | None,
    remote_post_id: str | None,
    url: str | None,
    hold_kind: HoldKind | None,
    next_attempt_at: datetime | None,
    check_needed: bool,
    clear_commit: bool,
) -> dict[str, object]:
    """The columns a move to ``wanted`` sets; ValueError when a required one is missing."""
    fields: dict[str, object] = {"state": wanted, "updated_at": now, "lease_until": None}
    if clear_commit:
        fields["committed_at"] = None
    if wanted != DeliveryState.HELD:
        fields["hold_kind"] = None
    if wanted != DeliveryState.FAILED:
        fields["retryable"] = None
    if wanted != DeliveryState.UNKNOWN:
        fields["check_needed"] = 0
    if wanted != DeliveryState.SCHEDULED:
        fields["next_attempt_at"] = None
    if reason is not None:
        fields["reason"] = reason
    if wanted == DeliveryState.SENT:
        if not remote_post_id and not url:
            raise ValueError("a sent delivery needs the network's post id or URL")
        fields |= {"remote_post_id": remote_post_id, "url": url, "sent_at": now, "reason": reason or ""}
    elif wanted == DeliveryState.FAILED:
        if not reason or retryable is None:
            raise ValueError("a failed delivery needs a reason and whether retrying can help")
        fields["retryable"] = int(retryable)
    elif wanted == DeliveryState.HELD:
        if not reason or hold_kind not in tuple(HoldKind):
            raise ValueError(f"a held delivery needs a reason and a kind ({', '.join(HoldKind)})")
        fields["hold_kind"] = hold_kind
    elif wanted == DeliveryState.UNKNOWN:
        if not reason:
            raise ValueError("an unknown delivery needs a reason (what to check)")
        fields["check_needed"] = int(check_needed)
        if url is not None:
            fields["url"] = url
    elif wanted == DeliveryState.SCHEDULED:
        fields["next_attempt_at"] = None if next_attempt_at is None else to_text(next_attempt_at)
        fields.setdefault("reason", "")
    elif wanted == DeliveryState.DUE:
        fields.setdefault("reason", "")
    return fields


def transition(
    conn: Connection,
    delivery_id: int,
    wanted: DeliveryState,
    *,
    now: datetime,
    owner: str | None = None,
    expect: Iterable[DeliveryState] | None = None,
    reason: str | None = None,
    retryable: bool | None = None,
    remote_post_id: str | None = None,
    url: str | None = None,
    hold_kind: HoldKind | None = None,
    next_attempt_at: datetime | None = None,
    check_needed: bool = False,
    lease_until: datetime | None = None,
    clear_commit: bool = False,
    reset_attempts: bool = False,
) -> Delivery:
    """Move one delivery to ``wanted`` if the machine allows it from its current state.

    ``owner``: the move ends (or, to ``sending``, starts) a runner's claim; ending one requires the
    row to be ``sending`` under that owner. ``expect``: the states this caller means to move from
    (e.g. retry only from failed/unknown), narrower than the machine allows. ``clear_commit``:
    it is known that no earlier request created the post (``committed_at`` is kept otherwise: it
    is the time of the earliest request that may have). ``reset_attempts``: a person asked for
    a fresh set of tries. Raises
    :class:`~providers.store.transitions.IllegalTransition`, KeyError (no such row) or ValueError
    (a required field missing)."""
    current = require_delivery(conn, delivery_id)
    transitions.check(delivery_id, current.state, wanted)
    if expect is not None and current.state not in set(expect):
        raise transitions.IllegalTransition(
            delivery_id, current.state, wanted, f"only from {', '.join(sorted(set(expect)))}"
        )
    stamp = to_text(now)
    fields = _fields_for(
        wanted,
        now=stamp,
        reason=reason,
        retryable=retryable,
        remote_post_id=remote_post_id,
        url=url,
        hold_kind=hold_kind,
        next_attempt_at=next_attempt_at,
        check_needed=check_needed,
        clear_commit=clear_commit,
    )
    condition = "id = ? AND state = ?"
    args: list[object] = [delivery_id, current.state]
    if wanted == DeliveryState.SENDING:
        if not owner or lease_until is None:
            raise ValueError("claiming a delivery needs an owner and a lease end")
        fields |= {"lease_owner": owner, "lease_until": to_text(lease_until)}
        fields["reason"] = ""
    elif current.state == DeliveryState.SENDING and owner is not None:
        if current.lease_owner != owner:
            raise transitions.IllegalTransition(
                delivery_id, current.state, wanted, f"it is claimed by {current.lease_owner}, not {owner}"
            )
        condition += " AND lease_owner = ?"
        args.append(owner)
    assignments = ", ".join(f"{column} = ?" for column in fields)
    extra = (
        ", attempts = attempts + 1"
        if wanted == DeliveryState.SENDING
        else (", attempts = 0" if reset_attempts else "")
    )
    cursor = conn.execute(
        f"UPDATE deliveries SET {assignments}{extra} WHERE {condition}", [*fields.values(), *args]
    )
    if cursor.rowcount != 1:  # cannot happen inside the write transaction; never write silently
        raise transitions.IllegalTransition(delivery_id, current.state, wanted, "it changed meanwhile")
    if wanted in (DeliveryState.DUE, DeliveryState.SCHEDULED):
        engine.notify_queue(conn)  # due again, or a new time: waiting workers look again
    return require_delivery(conn, delivery_id)


def promote(conn: Connection, now: datetime) -> int:
    """scheduled → due for every delivery whose time has come; returns how many."""
    stamp = to_text(now)
    cursor = conn.execute(
        f"UPDATE deliveries SET state = 'due', updated_at = ? WHERE state = 'scheduled' AND {DUE_AT} <= ?",
        (stamp, stamp),
    )
    return cursor.rowcount


def hold_unsendable(conn: Connection, now: datetime, ids: list[int] | None = None) -> int:
    """Hold due deliveries (only ``ids``, when given) whose account is gone or needs reconnecting,
    or whose target is gone, instead of letting a runner claim them (reconnect-needed behaves like
    unlinked); point the others at the current account row. Returns how many were held."""
    only = f"AND d.id IN ({', '.join('?' for _ in ids)})" if ids is not None else ""
    rows = conn.execute(
        f"""
        SELECT d.id, d.network, d.remote_id, d.target_id, d.account_id AS delivery_account,
               a.id AS account_id, a.state AS account_state, a.handle, a.state_reason,
               (SELECT COUNT(*) FROM targets t WHERE t.account_id = a.id) AS target_count,
               (SELECT COUNT(*) FROM targets t WHERE t.account_id = a.id AND t.target_id = d.target_id)
                   AS target_found
        FROM deliveries d
        LEFT JOIN accounts a
          ON a.network = d.network AND a.instance = d.instance AND a.remote_id = d.remote_id
        WHERE d.state = 'due' {only}
        """,
        ids or (),
    ).fetchall()
    stamp = to_text(now)
    held = 0
    for row in rows:
        who = row["handle"] or row["remote_id"]
        kind: HoldKind | None = None
        reason = ""
        if row["account_id"] is None:
            kind, reason = (
                HoldKind.UNLINKED,
                f"{row['network']} account {who} is not linked; held until it is linked again",
            )
        elif row["account_state"] == AccountState.RECONNECT:
            why = f" ({row['state_reason']})" if row["state_reason"] else ""
            kind, reason = HoldKind.RECONNECT, f"{who} needs reconnecting{why}; held until it is reconnected"
        elif row["target_id"] and row["target_count"] and not row["target_found"]:
            kind, reason = HoldKind.TARGET_GONE, f"the target of this post is no longer available to {who}"
        if kind is None:
            if row["delivery_account"] != row["account_id"]:
                conn.execute(
                    "UPDATE deliveries SET account_id = ? WHERE id = ?", (row["account_id"], row["id"])
                )
            continue
        conn.execute(
            "UPDATE deliveries SET state = 'held', hold_kind = ?, reason = ?, updated_at = ? "
            "WHERE id = ? AND state = 'due'",
            (kind, reason, stamp, row["id"]),
        )
        held += 1
    return held


def claim(
    conn: Connection,
    owner: str,
    *,
    now: datetime,
    lease_until: datetime,
    limit: int,
    ids: Iterable[int] | None = None,
) -> list[Delivery]:
    """Promote what has come due, hold what cannot be sent, then move up to ``limit`` due
    deliveries (only ``ids``, when given) to ``sending`` under ``owner``. Oldest due first.

    On PostgreSQL claims run side by side (a non-exclusive transaction): promoting and holding
    every due row is done by the claimer that gets the one-writer lock, so those many-row updates
    never wait in a cycle with another writer's; the others pick with ``FOR UPDATE SKIP LOCKED``
    (rows another claimer holds are passed over, not waited for) and check only what they picked.
    On SQLite the lock is always had, and this is one writer's transaction as before."""
    locked = engine.try_write_lock(conn)
    if locked:
        promote(conn, now)
        hold_unsendable(conn, now)
    condition, args = "state = 'due'", []
    if ids is not None:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        condition += f" AND id IN ({', '.join('?' for _ in wanted)})"
        args = list(wanted)
    picked = [
        int(r[0])
        for r in conn.execute(
            f"SELECT id FROM deliveries WHERE {condition} ORDER BY COALESCE(next_attempt_at, created_at), id "
            f"LIMIT ? {engine.skip_locked(conn)}",
            [*args, limit],
        )
    ]
    if not picked:
        return []
    if not locked:
        hold_unsendable(conn, now, picked)  # held ones drop out: the update below wants 'due'
    marks = ", ".join("?" for _ in picked)
    conn.execute(
        f"""
        UPDATE deliveries SET state = 'sending', lease_owner = ?, lease_until = ?, attempts = attempts + 1,
            check_needed = 0, retryable = NULL, hold_kind = NULL, next_attempt_at = NULL, reason = '',
            updated_at = ?
        WHERE id IN ({marks}) AND state = 'due'
        """,
        [owner, to_text(lease_until), to_text(now), *picked],
    )
    return deliveries(
        conn, [DeliveryState.SENDING], where=f"id IN ({marks}) AND lease_owner = ?", args=(*picked, owner)
    )


def renew(conn: Connection, owner: str, *, now: datetime, lease_until: datetime) -> int:
    """Extend the lease of every delivery ``owner`` is sending (the runner's heartbeat)."""
    cursor = conn.execute(
        "UPDATE deliveries SET lease_until = ? WHERE state = 'sending' AND lease_owner = ?",
        (to_text(lease_until), owner),
    )
    return cursor.rowcount


def mark_committing(conn: Connection, delivery_id: int, owner: str, now: datetime) -> Delivery:
    """Record that the request creating the post is about to go out (before it does). An earlier
    time is kept: ``committed_at`` is when the first request that may have created it went out."""
    cursor = conn.execute(
        "UPDATE deliveries SET committed_at = COALESCE(committed_at, ?), updated_at = ? "
        "WHERE id = ? AND state = 'sending' AND lease_owner = ?",
        (to_text(now), to_text(now), delivery_id, owner),
    )
    if cursor.rowcount != 1:
        current = require_delivery(conn, delivery_id)
        raise transitions.IllegalTransition(
            delivery_id, current.state, DeliveryState.SENDING, f"it is not claimed by {owner} any more"
        )
    return require_delivery(conn, delivery_id)


def next_due(conn: Connection, now: datetime) -> datetime | None:
    """When a runner next has something to send: now if anything is due, else the earliest
    scheduled time (or retry time); None when nothing is queued."""
    if conn.execute("SELECT 1 FROM deliveries WHERE state = 'due' LIMIT 1").fetchone():
        return now
    row = conn.execute(f"SELECT MIN({DUE_AT}) FROM deliveries WHERE state = 'scheduled'").fetchone()
    if row is None or row[0] is None:
        return None
    return now if row[0] == "" else from_text(row[0])


def due_at(conn: Connection, delivery_id: int) -> datetime | None:
    row = conn.execute(f"SELECT {DUE_AT} FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
    return None if row is None or not row[0] else from_text(row[0])
