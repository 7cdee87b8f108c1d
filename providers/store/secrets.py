"""Team mode's sealed secrets: one row per secret, only its AES-GCM ciphertext and nonce.

The store never sees a key or a plaintext: sealing and opening are :mod:`providers.secrets`'s.
Writes that must not lose a concurrent change (a token refreshed on two machines, a row
re-encrypted by ``linkdeck keys rotate`` while a worker refreshes it) compare the nonce they read:
a nonce is fresh for every sealing, so it doubles as the row's version, and the compare-and-set is
plain SQL on both engines (no ``SELECT … FOR UPDATE``, which SQLite lacks).

Functions take a connection; the caller (``Store``) holds the lock and opens the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from providers.store.engine import Connection
from providers.store.models import to_text, utcnow


@dataclass(frozen=True)
class SealedSecret:
    """A secret as stored: ``name`` (``token:<vault key>``, ``client-secret:<network>``…), the id
    of the key that sealed it, and base64 text of the nonce and the ciphertext (with its tag)."""

    name: str
    key_id: str
    nonce: str
    ciphertext: str

    def __repr__(self) -> str:  # the ciphertext is no secret, but a log has no use for it
        return f"<SealedSecret {self.name!r} key={self.key_id}>"


def _row(row: Any) -> SealedSecret:
    return SealedSecret(row["name"], row["key_id"], row["nonce"], row["ciphertext"])


def get(conn: Connection, name: str) -> SealedSecret | None:
    row = conn.execute(
        "SELECT name, key_id, nonce, ciphertext FROM secrets WHERE name = ?", (name,)
    ).fetchone()
    return None if row is None else _row(row)


def put(conn: Connection, sealed: SealedSecret) -> None:
    """Store ``sealed``, replacing whatever the row held."""
    conn.execute(
        """
        INSERT INTO secrets (name, key_id, nonce, ciphertext, updated_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (name) DO UPDATE SET
            key_id = excluded.key_id,
            nonce = excluded.nonce,
            ciphertext = excluded.ciphertext,
            updated_at = excluded.updated_at
        """,
        (sealed.name, sealed.key_id, sealed.nonce, sealed.ciphertext, to_text(utcnow())),
    )


def replace(conn: Connection, sealed: SealedSecret, read_nonce: str | None) -> bool:
    """Store ``sealed`` only if the row is still as it was read (``read_nonce``; None: there was
    no row); False when another writer got there first."""
    if read_nonce is None:
        cursor = conn.execute(
            """
            INSERT INTO secrets (name, key_id, nonce, ciphertext, updated_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (name) DO NOTHING
            """,
            (sealed.name, sealed.key_id, sealed.nonce, sealed.ciphertext, to_text(utcnow())),
        )
    else:
        cursor = conn.execute(
            """
            UPDATE secrets SET key_id = ?, nonce = ?, ciphertext = ?, updated_at = ?
            WHERE name = ? AND nonce = ?
            """,
            (sealed.key_id, sealed.nonce, sealed.ciphertext, to_text(utcnow()), sealed.name, read_nonce),
        )
    return cursor.rowcount == 1


def delete(conn: Connection, name: str) -> None:
    conn.execute("DELETE FROM secrets WHERE name = ?", (name,))


def names(conn: Connection, *, not_under: str | None = None) -> list[str]:
    """Every secret's name in name order, or those sealed with any key but ``not_under``."""
    if not_under is None:
        rows = conn.execute("SELECT name FROM secrets ORDER BY name")
    else:
        rows = conn.execute("SELECT name FROM secrets WHERE key_id <> ? ORDER BY name", (not_under,))
    return [row["name"] for row in rows]


def all_sealed(conn: Connection) -> list[SealedSecret]:
    rows = conn.execute("SELECT name, key_id, nonce, ciphertext FROM secrets ORDER BY name")
    return [_row(row) for row in rows]


def key_counts(conn: Connection) -> dict[str, int]:
    """How many secrets each key sealed."""
    rows = conn.execute("SELECT key_id, COUNT(*) AS n FROM secrets GROUP BY key_id ORDER BY key_id")
    return {row["key_id"]: int(row["n"]) for row in rows}
