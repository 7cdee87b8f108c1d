"""Copying one store's rows into another, empty one (``linkdeck store migrate``), ids kept.

The source is read from a private in-memory copy of the SQLite file (:func:`read_only_copy`): the
user's file is opened read-only and never written, not even migrated, while the copy is brought to
this linkdeck's schema so both ends have the same columns. The target's rows all go in with one
write transaction, so a failure leaves it as empty as it was.

Ids are kept as they are (posts, deliveries, accounts and brands refer to each other by id, and a
delivery's idempotency key was sent with its id's post): the target's id counters are then moved
past the largest id copied (:func:`_continue_ids`), so the next row made there gets a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from providers.store import db, engine, health
from providers.store.engine import Connection

# In the order foreign keys need (a brand before its accounts, a post before its deliveries).
TABLES = ("brands", "accounts", "targets", "posts", "deliveries", "apps", "avatars", "secrets")
# Tables with an identity column whose counter must follow the copied ids.
_WITH_IDS = ("brands", "accounts", "posts", "deliveries")


class TargetNotEmpty(Exception):
    """The target already holds rows (``table``: the first table found with some)."""

    def __init__(self, table: str, count: int) -> None:
        super().__init__(f"{table} holds {count} rows")
        self.table = table
        self.count = count


@dataclass(frozen=True)
class Counted:
    table: str
    source: int
    target: int


def read_only_copy(path: Path) -> sqlite3.Connection:
    """An in-memory copy of the SQLite store at ``path``, at this linkdeck's schema version.

    A damaged file or one a newer linkdeck wrote is refused (:mod:`providers.store.health`) before
    it is read; the file is opened with ``mode=ro``, so nothing reaches it."""
    health.inspect_file(path, db.SCHEMA_VERSION)
    if not path.is_file():
        raise health.DatabaseUnusable(
            f"there is no SQLite store at {path} to copy",
            hint="Give the file with --from, or run linkdeck once so it makes one.",
        )
    copy = sqlite3.connect(":memory:", isolation_level=None)
    copy.row_factory = sqlite3.Row
    try:
        original = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            original.backup(copy)
        finally:
            original.close()
        db.migrate(copy)  # the copy only: an older file's rows gain this version's columns
    except BaseException as exc:
        copy.close()
        if isinstance(exc, sqlite3.Error):
            raise health.translate(exc, path) from None
        raise
    return copy


def counts(conn: Connection) -> dict[str, int]:
    return {table: int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]) for table in TABLES}


def _refuse_unless_empty(conn: Connection) -> None:
    """A fresh store holds only the default brand its migration made; anything more is someone's
    data, which a copy must neither merge into nor overwrite."""
    for table, found in counts(conn).items():
        if table == "brands":
            found = int(
                conn.execute("SELECT COUNT(*) FROM brands WHERE folded_name <> 'default'").fetchone()[0]
            )
        if found:
            raise TargetNotEmpty(table, found)


def _columns(source: sqlite3.Connection, table: str) -> list[str]:
    return [str(row[1]) for row in source.execute(f"PRAGMA table_info({table})")]


def _continue_ids(conn: Connection, table: str) -> None:
    """Move ``table``'s id counter past its largest id. SQLite's AUTOINCREMENT already follows
    the ids inserted; PostgreSQL's identity sequence does not, and would hand out id 1 again."""
    if engine.name(conn) == "sqlite":
        return
    conn.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
    )


def copy_rows(source: sqlite3.Connection, target: Connection, extra: Iterable[tuple[str, ...]] = ()) -> None:
    """Copy every table's rows from ``source`` into the empty ``target``, in one transaction,
    after ``extra`` statements-with-parameters the caller adds in the same transaction (``(sql,
    *parameters)``: the sealed secrets). TargetNotEmpty, and nothing written, when it is not empty."""
    with db.transaction(target) as conn:
        _refuse_unless_empty(conn)
        conn.execute("DELETE FROM brands")  # the target's own default brand: the source brings its own
        for table in TABLES:
            columns = _columns(source, table)
            names = ", ".join(columns)
            rows = [tuple(row) for row in source.execute(f"SELECT {names} FROM {table}")]
            if rows:
                marks = ", ".join("?" for _ in columns)
                conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        for statement in extra:
            conn.execute(statement[0], statement[1:])
        for table in _WITH_IDS:
            _continue_ids(conn, table)
        engine.notify_queue(conn)  # workers already waiting on the team database see the new queue


def compare(source: sqlite3.Connection, target: Connection, added: dict[str, int]) -> list[Counted]:
    """Each table's rows at both ends, read after the copy committed; ``added``: rows the copy
    brought besides the source's (the keyring's secrets, sealed), counted on the source's side."""
    before, after = counts(source), counts(target)
    return [Counted(table, before[table] + added.get(table, 0), after[table]) for table in TABLES]
