"""The two engines under one store, and the few places where they differ.

The store modules (accounts, posts, machine, holds, apps, avatars) write one set of SQL, in
SQLite's spelling with ``?`` placeholders, and take a :class:`Connection`: a ``sqlite3.Connection``
for one user's file, or :class:`providers.store.pg.PgConnection` for a team's PostgreSQL, which
rewrites each statement once (placeholders, identity columns) and hands back rows readable by
name and by index like ``sqlite3.Row``. What cannot be a rewrite of one statement is here, as a
function of the connection: the write lock, the schema version and the change stamp.

Why not an ORM or a query builder: the SQL is small, portable already (``RETURNING``, ``ON
CONFLICT``, TEXT timestamps), and reading it as SQL is how its concurrency rules are checked.
psycopg is imported only when a PostgreSQL address is configured (:mod:`providers.store.pg`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """What the store modules use of a connection; both engines' connections have it."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor: ...

    def close(self) -> None: ...


class QueueListener(Protocol):
    def wait(self, timeout: float) -> bool: ...

    def close(self) -> None: ...


class EngineConnection(Connection, Protocol):
    """A connection that is not SQLite's: it knows its engine's spelling of what follows."""

    engine: str
    address: str

    def begin_write(self, *, exclusive: bool) -> None: ...

    def try_write_lock(self) -> bool: ...

    def schema_version(self) -> int: ...

    def set_schema_version(self, version: int) -> None: ...

    def change_stamp(self) -> int: ...

    def skip_locked(self) -> str: ...

    def notify_queue(self) -> None: ...


def other(conn: Connection) -> EngineConnection | None:
    """``conn`` when it is not SQLite's (so the engine-specific calls below go to it)."""
    return None if isinstance(conn, sqlite3.Connection) else conn  # type: ignore[return-value]


def name(conn: Connection) -> str:
    found = other(conn)
    return "sqlite" if found is None else found.engine


def begin_write(conn: Connection, *, exclusive: bool = True) -> None:
    """Start a write transaction: one writer at a time, as SQLite's ``BEGIN IMMEDIATE`` gives.
    ``exclusive=False`` (claims) lets PostgreSQL run it beside others, each statement guarding
    its rows itself (:func:`try_write_lock`, :func:`skip_locked`); SQLite has only one kind."""
    found = other(conn)
    if found is None:
        conn.execute("BEGIN IMMEDIATE")
    else:
        found.begin_write(exclusive=exclusive)


def try_write_lock(conn: Connection) -> bool:
    """Inside a non-exclusive transaction: take the one-writer lock if it is free (True), else go
    on without it (False). Always True on SQLite, whose write transactions all hold it."""
    found = other(conn)
    return True if found is None else found.try_write_lock()


def schema_version(conn: Connection) -> int:
    found = other(conn)
    if found is None:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    return found.schema_version()


def set_schema_version(conn: Connection, version: int) -> None:
    found = other(conn)
    if found is None:
        conn.execute(f"PRAGMA user_version = {int(version)}")
    else:
        found.set_schema_version(version)


def change_stamp(conn: Connection) -> int:
    """A number that moves when another connection commits a change (SQLite's ``data_version``;
    on PostgreSQL, the sum of the deliveries' row versions)."""
    found = other(conn)
    if found is None:
        return int(conn.execute("PRAGMA data_version").fetchone()[0])
    return found.change_stamp()


def skip_locked(conn: Connection) -> str:
    """The clause that lets several claimers pick different rows at once (PostgreSQL's ``FOR UPDATE
    SKIP LOCKED``); "" on SQLite, where the write transaction already admits one claimer."""
    found = other(conn)
    return "" if found is None else found.skip_locked()


def notify_queue(conn: Connection) -> None:
    """Inside a write transaction that adds to the queue or makes something due (again): tell the
    waiting workers once it commits (PostgreSQL's NOTIFY). SQLite's runners look at their next
    due time and poll instead; there is no one to tell."""
    found = other(conn)
    if found is not None:
        found.notify_queue()
