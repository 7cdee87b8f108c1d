"""The connection (SQLite, or PostgreSQL: :mod:`providers.store.engine`) and the schema migrations.

SQLite connection: WAL journal, ``synchronous=FULL`` (a committed delivery state survives a power cut),
foreign keys on, a busy timeout so the TUI and ``linkdeck worker`` can share the file. The
connection is in autocommit mode and every write runs in an explicit ``BEGIN IMMEDIATE``
transaction (see :func:`transaction`).

Schema version: ``PRAGMA user_version`` (on PostgreSQL, the ``linkdeck_schema`` table) is the
number of migrations applied; the same migrations run on both engines, translated, never edited.
:data:`MIGRATIONS` is an ordered list; each is applied with its version bump in one transaction,
so a crash leaves either the old or the new schema. Never edit a released migration: append a new one.

Schedule: a post's time is ``posts.scheduled_at`` (NULL = post now), one time for all of its
deliveries; retries are per delivery in ``deliveries.next_attempt_at``. A delivery's due time is
``COALESCE(next_attempt_at, scheduled_at)``. There is no separate schedule table. The allowed
state changes are in :mod:`providers.store.transitions`.

Secrets: no column holds a token, a client secret, an app password or an API key in plain text;
a single user's live in the OS keyring (``providers.vault``), a team's in ``secrets``, sealed
(``providers.secrets``). ``instance`` is stored as '' for "no instance" so the UNIQUE
constraint on (network, instance, remote_id) holds (SQLite treats NULLs as distinct).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from providers.store import engine, health
from providers.store.engine import Connection

BUSY_TIMEOUT_MS = 5000

Migration = Sequence[str]

MIGRATIONS: tuple[Migration, ...] = (
    # 1: accounts, targets, posts, deliveries, avatar cache.
    (
        """
        CREATE TABLE accounts (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            network       TEXT NOT NULL,
            instance      TEXT NOT NULL DEFAULT '',
            remote_id     TEXT NOT NULL,
            handle        TEXT NOT NULL DEFAULT '',
            display_name  TEXT NOT NULL DEFAULT '',
            avatar_url    TEXT,
            target_kind   TEXT,
            target_id     TEXT,
            target_name   TEXT,
            state         TEXT NOT NULL DEFAULT 'linked' CHECK (state IN ('linked', 'reconnect')),
            state_reason  TEXT NOT NULL DEFAULT '',
            expires_at    TEXT,
            auto_share    INTEGER NOT NULL DEFAULT 1 CHECK (auto_share IN (0, 1)),
            linked_at     TEXT NOT NULL,
            updated_at    TEXT NOT NULL,
            UNIQUE (network, instance, remote_id)
        )
        """,
        """
        CREATE TABLE targets (
            account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            kind        TEXT NOT NULL,
            target_id   TEXT NOT NULL,
            name        TEXT NOT NULL DEFAULT '',
            position    INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (account_id, kind, target_id)
        )
        """,
        """
        CREATE TABLE posts (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            caption       TEXT NOT NULL DEFAULT '',
            media         TEXT NOT NULL DEFAULT '[]',
            scheduled_at  TEXT,
            created_at    TEXT NOT NULL,
            updated_at    TEXT NOT NULL
        )
        """,
        # account_id is a plain column (no foreign key): a delivery outlives its account row and
        # finds the account again by (network, instance, remote_id).
        """
        CREATE TABLE deliveries (
            id               INTEGER PRIMARY KEY AUTOINCREMENT,
            post_id          INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
            account_id       INTEGER,
            network          TEXT NOT NULL,
            instance         TEXT NOT NULL DEFAULT '',
            remote_id        TEXT NOT NULL,
            target_kind      TEXT,
            target_id        TEXT,
            target_name      TEXT,
            state            TEXT NOT NULL CHECK (state IN
                ('scheduled', 'held', 'due', 'sending', 'sent', 'failed', 'unknown')),
            reason           TEXT NOT NULL DEFAULT '',
            remote_post_id   TEXT,
            url              TEXT,
            idempotency_key  TEXT NOT NULL UNIQUE,
            attempts         INTEGER NOT NULL DEFAULT 0,
            next_attempt_at  TEXT,
            created_at       TEXT NOT NULL,
            updated_at       TEXT NOT NULL
        )
        """,
        "CREATE INDEX deliveries_state ON deliveries (state, next_attempt_at)",
        "CREATE INDEX deliveries_identity ON deliveries (network, instance, remote_id, state)",
        "CREATE INDEX deliveries_post ON deliveries (post_id)",
        "CREATE INDEX posts_scheduled ON posts (scheduled_at)",
        """
        CREATE TABLE avatars (
            url         TEXT PRIMARY KEY,
            path        TEXT NOT NULL,
            fetched_at  TEXT NOT NULL
        )
        """,
    ),
    # 2: apps linkdeck registered itself on per-instance servers (Mastodon POST /api/v1/apps): the
    # public client id, what was registered, and when the instance was last used (recent instances).
    # The client secret is in the keyring, never here.
    (
        """
        CREATE TABLE apps (
            network        TEXT NOT NULL,
            instance       TEXT NOT NULL,
            client_id      TEXT NOT NULL,
            redirect_uris  TEXT NOT NULL DEFAULT '[]',
            scopes         TEXT NOT NULL DEFAULT '[]',
            registered_at  TEXT NOT NULL,
            last_used_at   TEXT NOT NULL,
            PRIMARY KEY (network, instance)
        )
        """,
    ),
    # 3: the delivery state machine (providers.outbox) and the post's publishing options.
    # lease_owner/lease_until: which runner claimed a delivery and until when (two runners never
    # send the same one; a dead owner's claims are recovered). committed_at: when the earliest
    # request that may have created the post went out, so a crash after it is "unknown" and one
    # before it is safe to resend; it also dates an idempotency key's window.
    (
        "ALTER TABLE deliveries ADD COLUMN retryable INTEGER CHECK (retryable IN (0, 1))",
        "ALTER TABLE deliveries ADD COLUMN hold_kind TEXT",
        "ALTER TABLE deliveries ADD COLUMN lease_owner TEXT",
        "ALTER TABLE deliveries ADD COLUMN lease_until TEXT",
        "ALTER TABLE deliveries ADD COLUMN committed_at TEXT",
        "ALTER TABLE deliveries ADD COLUMN check_needed INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE deliveries ADD COLUMN sent_at TEXT",
        "UPDATE deliveries SET hold_kind = 'unlinked' WHERE state = 'held'",
        "ALTER TABLE posts ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public'",
        "ALTER TABLE posts ADD COLUMN spoiler_text TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE posts ADD COLUMN sensitive INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE posts ADD COLUMN descriptions TEXT NOT NULL DEFAULT '[]'",
        "CREATE INDEX deliveries_sent ON deliveries (state, sent_at)",
    ),
    # 4: a caption of its own for some networks (JSON object: catalog id → caption).
    ("ALTER TABLE posts ADD COLUMN caption_overrides TEXT NOT NULL DEFAULT '{}'",),
    # 5: team mode's secrets ([secrets] backend = "store"): tokens and client secrets sealed with
    # AES-256-GCM (providers.secrets). Only the sealed form is here: key_id names the key that
    # sealed the row (never the key), nonce and ciphertext are base64 text so the same column types
    # serve SQLite and PostgreSQL. The row's name is bound to its ciphertext (associated data), so a
    # ciphertext copied into another row does not open.
    (
        """
        CREATE TABLE secrets (
            name        TEXT PRIMARY KEY,
            key_id      TEXT NOT NULL,
            nonce       TEXT NOT NULL,
            ciphertext  TEXT NOT NULL,
            updated_at  TEXT NOT NULL
        )
        """,
        "CREATE INDEX secrets_key ON secrets (key_id)",
    ),
    # 6: the account's handle as it was when the delivery was made, so Posts still names who a
    # post went to after the account is unlinked and its row is gone (before: the network's user id).
    (
        "ALTER TABLE deliveries ADD COLUMN handle TEXT NOT NULL DEFAULT ''",
        """
        UPDATE deliveries SET handle = (
            SELECT a.handle FROM accounts a
            WHERE a.network = deliveries.network AND a.instance = deliveries.instance
                AND a.remote_id = deliveries.remote_id
        )
        WHERE EXISTS (
            SELECT 1 FROM accounts a
            WHERE a.network = deliveries.network AND a.instance = deliveries.instance
                AND a.remote_id = deliveries.remote_id
        )
        """,
    ),
    # 7: brands. Every account belongs to one; existing accounts go into the default brand this
    # migration makes (the lowest id, which cannot be removed). folded_name is the name casefolded
    # with its spaces collapsed (providers.store.brands.folded_name; not "name_key": no column
    # name may suggest a secret): its UNIQUE makes "Acme", " acme " and "ACME" one brand on both
    # engines, without a collation or an expression index.
    # brand_id may not be NOT NULL here: SQLite cannot add a NOT NULL column that REFERENCES
    # another table; linkdeck always writes it.
    (
        """
        CREATE TABLE brands (
            id           INTEGER PRIMARY KEY AUTOINCREMENT,
            name         TEXT NOT NULL,
            folded_name  TEXT NOT NULL UNIQUE
        )
        """,
        "INSERT INTO brands (name, folded_name) VALUES ('Default', 'default')",
        "ALTER TABLE accounts ADD COLUMN brand_id INTEGER REFERENCES brands(id)",
        "UPDATE accounts SET brand_id = (SELECT MIN(id) FROM brands)",
        "CREATE INDEX accounts_brand ON accounts (brand_id)",
    ),
    # 8: where a post came from: '' made in linkdeck; else the network whose post history it was
    # imported from (Ayrshare's), shown as imported on Posts and never sent again.
    ("ALTER TABLE posts ADD COLUMN origin TEXT NOT NULL DEFAULT ''",),
)

SCHEMA_VERSION = len(MIGRATIONS)


SchemaTooNew = health.SchemaTooNew  # the name callers knew before the health checks moved out


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the database at ``path`` and bring its schema up to date.

    A file that is not a database linkdeck can use is refused before anything is written to it
    (:mod:`providers.store.health`); the file is copied before each migration."""
    health.inspect_file(path, SCHEMA_VERSION)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Private to the user; SQLite gives the -wal and -shm files the same mode.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    conn = sqlite3.connect(
        path,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,  # autocommit; transactions are explicit
        check_same_thread=False,  # the Store serialises access with its own lock
    )
    conn.row_factory = sqlite3.Row
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"could not switch {path} to WAL journal mode (got {mode})")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, backup_to=path)
    except sqlite3.Error as exc:
        conn.close()
        raise health.translate(exc, path) from None
    except BaseException:
        conn.close()
        raise
    return conn


def connect_postgres(url: str) -> Connection:
    """Connect to the PostgreSQL store at ``url`` and bring its schema up to date; a schema newer
    than this linkdeck is refused before anything is written."""
    from providers.store import pg  # psycopg is loaded only for a PostgreSQL store

    conn = pg.connect(url)
    try:
        migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def transaction(conn: Connection, *, exclusive: bool = True) -> Iterator[Connection]:
    """``BEGIN IMMEDIATE`` (or the engine's equivalent) … ``COMMIT``, or ``ROLLBACK`` on any
    exception. ``exclusive=False``: see :func:`providers.store.engine.begin_write`."""
    engine.begin_write(conn, exclusive=exclusive)
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class Transactions:
    """One connection shared between threads: a read holds the lock, a write also runs in one
    :func:`transaction`. ``Store`` and each group of its methods (:mod:`providers.store.account_api`,
    :mod:`providers.store.delivery_api`) stand on it."""

    def __init__(self, conn: Connection, path: Path | None = None) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self._db_path = path

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._lock, self._user_errors():
            yield self._conn

    @contextmanager
    def _write(self, *, exclusive: bool = True) -> Iterator[Connection]:
        with self._lock, self._user_errors(), transaction(self._conn, exclusive=exclusive) as conn:
            yield conn

    @contextmanager
    def _user_errors(self) -> Iterator[None]:
        """A file damaged or locked while in use becomes the same message as at opening; errors
        about the statements themselves (constraints, bugs) stay as they are."""
        try:
            yield
        except sqlite3.Error as exc:
            if self._db_path is None:
                raise
            translated = health.translate(exc, self._db_path)
            if translated is exc:
                raise
            raise translated from None


def schema_version(conn: Connection) -> int:
    return engine.schema_version(conn)


def migrate(
    conn: Connection, migrations: Sequence[Migration] = MIGRATIONS, *, backup_to: Path | None = None
) -> int:
    """Apply the migrations not applied yet, each in its own transaction; return the new version.
    With ``backup_to`` (the database's path), a database that has a schema is copied first."""
    current = schema_version(conn)
    if current > len(migrations) or current < 0:
        found = engine.other(conn)
        where = f" {found.address}" if found is not None else ""
        raise SchemaTooNew(
            f"linkdeck's database{where} has schema version {current}, which this linkdeck does not "
            f"know (it knows 0 to {len(migrations)}): a newer linkdeck wrote it",
            hint="Nothing was changed. Upgrade linkdeck to use it.",
        )
    if backup_to is not None and 0 < current < len(migrations) and isinstance(conn, sqlite3.Connection):
        health.back_up(conn, backup_to, current)
    for version in range(current + 1, len(migrations) + 1):
        with transaction(conn):
            # Re-read under the write lock: another process may have migrated meanwhile.
            if schema_version(conn) >= version:
                continue
            for statement in migrations[version - 1]:
                conn.execute(statement)
            engine.set_schema_version(conn, version)
    return schema_version(conn)


def describe() -> tuple[str, str, int | None]:
    """Which store is configured, without creating or migrating it: (engine, address with any
    password masked, schema version, or None when the SQLite file does not exist yet). Raises the
    same errors as opening it (unreachable, refused, newer than this linkdeck)."""
    from providers import paths
    from providers.store import address

    url = address.configured(strict=False)
    if url is None:
        path = paths.database_file()
        health.inspect_file(path, SCHEMA_VERSION)  # refuses a newer or damaged file, changing nothing
        if not path.exists() or path.stat().st_size == 0:
            return "sqlite", str(path), None
        return "sqlite", str(path), health.read_version(path)
    from providers.store import pg

    conn = pg.connect(url)
    try:
        version = schema_version(conn)
    finally:
        conn.close()
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"linkdeck's database {address.masked(url)} has schema version {version}, which this "
            f"linkdeck does not know (it knows 0 to {SCHEMA_VERSION}): a newer linkdeck wrote it",
            hint="Nothing was changed. Upgrade linkdeck to use it.",
        )
    return "postgresql", address.masked(url), version
