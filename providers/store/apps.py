"""Apps linkdeck registered on per-instance servers (Mastodon-style dynamic registration).

Why keep them: registering on every link would leave a trail of identical apps on the user's
server, and Mastodon checks redirect URIs exactly, so the app must be reused with what it was
registered with. One row per (network, instance): the public client id, the redirect URIs and
scopes it was registered with, and when the instance was last used, which doubles as the list of
recent instances. The client secret lives in the keyring (``Vault.set_client_secret(network,
secret, instance=…)``), never here.

Functions take a connection; the caller (``Store``) holds the lock and opens the transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from providers.store.engine import Connection
from providers.store.models import from_text, to_text, utcnow


@dataclass(frozen=True)
class RegisteredApp:
    network: str
    instance: str
    client_id: str
    redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...]
    registered_at: datetime
    last_used_at: datetime


def _row(row: Any) -> RegisteredApp:
    return RegisteredApp(
        network=row["network"],
        instance=row["instance"],
        client_id=row["client_id"],
        redirect_uris=tuple(json.loads(row["redirect_uris"])),
        scopes=tuple(json.loads(row["scopes"])),
        registered_at=from_text(row["registered_at"]),
        last_used_at=from_text(row["last_used_at"]),
    )


def get(conn: Connection, network: str, instance: str) -> RegisteredApp | None:
    row = conn.execute(
        "SELECT * FROM apps WHERE network = ? AND instance = ?", (network, instance)
    ).fetchone()
    return None if row is None else _row(row)


def put(
    conn: Connection,
    network: str,
    instance: str,
    client_id: str,
    redirect_uris: Sequence[str],
    scopes: Sequence[str],
) -> RegisteredApp:
    if not network or not instance or not client_id:
        raise ValueError("a registered app needs a network, an instance and a client id")
    now = to_text(utcnow())
    conn.execute(
        """
        INSERT INTO apps (network, instance, client_id, redirect_uris, scopes, registered_at, last_used_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (network, instance) DO UPDATE SET
            client_id = excluded.client_id,
            redirect_uris = excluded.redirect_uris,
            scopes = excluded.scopes,
            registered_at = excluded.registered_at,
            last_used_at = excluded.last_used_at
        """,
        (network, instance, client_id, json.dumps(list(redirect_uris)), json.dumps(list(scopes)), now, now),
    )
    found = get(conn, network, instance)
    assert found is not None
    return found


def touch(conn: Connection, network: str, instance: str) -> None:
    conn.execute(
        "UPDATE apps SET last_used_at = ? WHERE network = ? AND instance = ?",
        (to_text(utcnow()), network, instance),
    )


def delete(conn: Connection, network: str, instance: str) -> None:
    conn.execute("DELETE FROM apps WHERE network = ? AND instance = ?", (network, instance))


def recent_instances(conn: Connection, network: str, limit: int) -> list[str]:
    rows = conn.execute(
        "SELECT instance FROM apps WHERE network = ? ORDER BY last_used_at DESC LIMIT ?",
        (network, limit),
    )
    return [row["instance"] for row in rows]
