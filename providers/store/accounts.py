"""Account rows: the linked accounts and the targets each can publish to.

Functions take a connection; the caller (``Store``) holds the lock and opens the transaction.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from providers.store import brands as _brands
from providers.store.engine import Connection
from providers.store.models import (
    Account,
    AccountState,
    Target,
    checked,
    from_text,
    opt_from_text,
    opt_to_text,
    to_text,
    utcnow,
)

_SELECT = """
    SELECT a.id, a.network, a.instance, a.remote_id, a.handle, a.display_name, a.avatar_url,
           av.path AS avatar_path, a.target_kind, a.target_id, a.target_name, a.state,
           a.state_reason, a.expires_at, a.auto_share, a.linked_at, a.updated_at,
           a.brand_id, b.name AS brand
    FROM accounts a LEFT JOIN avatars av ON av.url = a.avatar_url
                    LEFT JOIN brands b ON b.id = a.brand_id
"""


def _row(row: Any) -> Account:
    return Account(
        id=row["id"],
        network=row["network"],
        remote_id=row["remote_id"],
        handle=row["handle"],
        display_name=row["display_name"],
        avatar_path=_existing(row["avatar_path"]),
        avatar_url=row["avatar_url"],
        instance=row["instance"] or None,
        target_kind=row["target_kind"],
        target_id=row["target_id"],
        target_name=row["target_name"],
        state=AccountState(row["state"]),
        state_reason=row["state_reason"],
        expires_at=opt_from_text(row["expires_at"]),
        auto_share=bool(row["auto_share"]),
        linked_at=from_text(row["linked_at"]),
        updated_at=from_text(row["updated_at"]),
        brand_id=row["brand_id"],
        brand=row["brand"] or "",
    )


def _existing(path: str | None) -> str | None:
    """The cached avatar's path, or None when the file has been removed from the cache."""
    return path if path and os.path.isfile(path) else None


def all_accounts(conn: Connection) -> list[Account]:
    return [_row(r) for r in conn.execute(_SELECT + " ORDER BY a.id")]


def accounts_in(conn: Connection, brand_id: int) -> list[Account]:
    return [_row(r) for r in conn.execute(_SELECT + " WHERE a.brand_id = ? ORDER BY a.id", (brand_id,))]


def accounts_for(conn: Connection, network: str) -> list[Account]:
    return [_row(r) for r in conn.execute(_SELECT + " WHERE a.network = ? ORDER BY a.id", (network,))]


def get(conn: Connection, account_id: int) -> Account | None:
    row = conn.execute(_SELECT + " WHERE a.id = ?", (account_id,)).fetchone()
    return None if row is None else _row(row)


def require(conn: Connection, account_id: int) -> Account:
    account = get(conn, account_id)
    if account is None:
        raise KeyError(f"no linked account with id {account_id}")
    return account


def find(conn: Connection, network: str, instance: str | None, remote_id: str) -> Account | None:
    row = conn.execute(
        _SELECT + " WHERE a.network = ? AND a.instance = ? AND a.remote_id = ?",
        (network, instance or "", remote_id),
    ).fetchone()
    return None if row is None else _row(row)


def upsert(
    conn: Connection,
    network: str,
    remote_id: str,
    *,
    handle: str,
    display_name: str,
    instance: str | None,
    avatar_url: str | None,
    expires_at: datetime | None,
    auto_share: bool | None,
    brand_id: int | None = None,
) -> Account:
    """Insert, or update the row with the same (network, instance, remote_id).

    An update refreshes the profile fields and the token expiry and marks the account linked
    again; it keeps the row id, ``linked_at``, the chosen target, ``auto_share`` and the brand
    (unless ``auto_share`` or ``brand_id`` is given explicitly). A new row gets ``auto_share`` True
    and the default brand unless told otherwise.
    """
    if not network or not remote_id:
        raise ValueError("an account needs a network and the network's user id")
    now = to_text(utcnow())
    expires = opt_to_text(expires_at)
    # COALESCE, not CASE WHEN ? IS NULL: PostgreSQL types the parameter from the column beside it.
    conn.execute(
        """
        INSERT INTO accounts (network, instance, remote_id, handle, display_name, avatar_url,
                              state, state_reason, expires_at, auto_share, linked_at, updated_at,
                              brand_id)
        VALUES (?, ?, ?, ?, ?, ?, 'linked', '', ?, ?, ?, ?, ?)
        ON CONFLICT (network, instance, remote_id) DO UPDATE SET
            handle = excluded.handle,
            display_name = excluded.display_name,
            avatar_url = excluded.avatar_url,
            state = 'linked',
            state_reason = '',
            expires_at = excluded.expires_at,
            auto_share = CASE WHEN ? = 1 THEN excluded.auto_share ELSE accounts.auto_share END,
            brand_id = COALESCE(?, accounts.brand_id, excluded.brand_id),
            updated_at = excluded.updated_at
        """,
        (
            network,
            instance or "",
            remote_id,
            handle,
            display_name,
            avatar_url,
            expires,
            1 if auto_share is None else int(auto_share),
            now,
            now,
            brand_id if brand_id is not None else _brands.default_id(conn),
            0 if auto_share is None else 1,  # given explicitly: it replaces the stored one
            brand_id,
        ),
    )
    account = find(conn, network, instance, remote_id)
    assert account is not None
    return account


def set_state(conn: Connection, account_id: int, state: AccountState, reason: str) -> Account:
    state = checked(AccountState, state, "account state")
    _update(conn, account_id, "state = ?, state_reason = ?", (state, reason))
    return require(conn, account_id)


def set_expiry(conn: Connection, account_id: int, expires_at: datetime | None) -> Account:
    _update(conn, account_id, "expires_at = ?", (opt_to_text(expires_at),))
    return require(conn, account_id)


def set_auto_share(conn: Connection, account_id: int, on: bool) -> Account:
    _update(conn, account_id, "auto_share = ?", (int(on),))
    return require(conn, account_id)


def set_brand(conn: Connection, account_id: int, brand_id: int) -> Account:
    _update(conn, account_id, "brand_id = ?", (brand_id,))
    return require(conn, account_id)


def set_target(
    conn: Connection, account_id: int, kind: str | None, target_id: str | None, name: str | None
) -> Account:
    _update(conn, account_id, "target_kind = ?, target_id = ?, target_name = ?", (kind, target_id, name))
    return require(conn, account_id)


def _update(conn: Connection, account_id: int, assignments: str, values: tuple[object, ...]) -> None:
    cursor = conn.execute(
        f"UPDATE accounts SET {assignments}, updated_at = ? WHERE id = ?",
        (*values, to_text(utcnow()), account_id),
    )
    if cursor.rowcount == 0:
        raise KeyError(f"no linked account with id {account_id}")


def delete(conn: Connection, account_id: int) -> None:
    conn.execute("DELETE FROM accounts WHERE id = ?", (account_id,))


def replace_targets(conn: Connection, account_id: int, targets: Iterable[tuple[str, str, str]]) -> None:
    require(conn, account_id)
    conn.execute("DELETE FROM targets WHERE account_id = ?", (account_id,))
    conn.executemany(
        "INSERT INTO targets (account_id, kind, target_id, name, position) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (account_id, kind, target_id) DO UPDATE SET name = excluded.name, "
        "position = excluded.position",
        [(account_id, kind, tid, name, pos) for pos, (kind, tid, name) in enumerate(targets)],
    )


def targets(conn: Connection, account_id: int) -> list[Target]:
    return [
        Target(account_id=r["account_id"], kind=r["kind"], target_id=r["target_id"], name=r["name"])
        for r in conn.execute(
            "SELECT account_id, kind, target_id, name FROM targets WHERE account_id = ? ORDER BY position",
            (account_id,),
        )
    ]
