"""Refusing a database linkdeck cannot trust, without touching it, and the copy kept before each
migration.

A broken file must never be "repaired" by opening it: SQLite would switch the journal mode (a write
to the header), and a migration run over a schema it does not know would make it worse. So
:func:`inspect_file` looks at the file before :func:`providers.store.db.connect` writes anything:
what it is (a regular file, not a folder or a device), its 16-byte SQLite header, and its schema
version read over a read-only connection. Every refusal is a :class:`DatabaseUnusable` (exit 2)
saying what is wrong, that nothing was changed, and how to restore the newest automatic copy.

Before a migration the file is copied with SQLite's online backup (consistent even with the WAL
beside it) to ``<name>.bak-v<N>``, N being the schema version the copy holds.
"""

from __future__ import annotations

import shutil
import sqlite3
import stat
from pathlib import Path

from providers.errors import SetupError

SQLITE_HEADER = b"SQLite format 3\x00"
# SQLite's own result codes for a file that is not a database or is damaged, and for a lock held by
# another connection past the busy timeout (sqlite3 exposes them as ``sqlite_errorname``).
_DAMAGED = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}
_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")


class DatabaseUnusable(SetupError):
    """linkdeck's database cannot be used as it is; the file was left as it was."""


class SchemaTooNew(DatabaseUnusable):
    """The file was written by a newer linkdeck than this one."""


def backup_path(path: Path, version: int) -> Path:
    return path.with_name(f"{path.name}.bak-v{version}")


def _backups(path: Path) -> list[Path]:
    def version(p: Path) -> int:
        tail = p.name.rpartition(".bak-v")[2]
        return int(tail) if tail.isdigit() else -1

    return sorted(path.parent.glob(f"{path.name}.bak-v*"), key=version, reverse=True)


def restore_hint(path: Path) -> str:
    """How to get a working database back: the newest automatic copy, or starting afresh."""
    copies = _backups(path)
    if copies:
        return (
            f"Nothing was changed. To go back to the copy made before the last upgrade, quit linkdeck and "
            f"run: cp '{copies[0]}' '{path}' (other copies: {len(copies) - 1})."
        )
    return (
        "Nothing was changed. There is no automatic copy of it yet; to start afresh, move it aside "
        f"(mv '{path}' '{path}.broken') and link your accounts again; the posts it held are not carried over."
    )


def unusable(path: Path, what: str) -> DatabaseUnusable:
    return DatabaseUnusable(f"linkdeck's database {path} {what}.", hint=restore_hint(path))


def inspect_file(path: Path, known_version: int) -> None:
    """Raise :class:`DatabaseUnusable` when ``path`` exists but is no database this linkdeck may
    open and migrate. A missing or empty file is fine: it becomes a new database."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise unusable(path, f"cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise unusable(path, "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise unusable(path, "is not a regular file (a device, pipe or socket)")
    if info.st_size == 0:
        return
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise unusable(path, f"cannot be read ({exc.strerror})") from None
    if header != SQLITE_HEADER:
        raise unusable(path, "is not an SQLite database (its first bytes are not SQLite's header)")
    version = read_version(path)
    if version < 0:
        raise unusable(path, f"has a schema version linkdeck never writes ({version})")
    if version > known_version:
        raise SchemaTooNew(
            f"linkdeck's database {path} was written by a newer linkdeck (schema version {version}; "
            f"this one knows up to {known_version}).",
            hint="Nothing was changed. Upgrade linkdeck to use it.",
        )


def read_version(path: Path) -> int:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error as exc:
        raise translate(exc, path) from None
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # reads the schema pages
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error as exc:
        raise translate(exc, path) from None
    finally:
        conn.close()


def unwritable(path: Path, exc: sqlite3.Error) -> DatabaseUnusable:
    """A database the disk will not take writes for: full, failing or read-only."""
    try:
        full = shutil.disk_usage(path.parent).free == 0 or "full" in str(exc)
    except OSError:
        full = False
    why = "the disk holding it is full" if full else f"the disk refused ({exc})"
    return DatabaseUnusable(
        f"linkdeck's database {path} cannot be written: {why}.",
        hint="Nothing was recorded, and nothing was sent. Free some space there (or make it "
        "writable) and try again.",
    )


def translate(exc: sqlite3.Error, path: Path) -> Exception:
    """The user's message for an SQLite error about the file itself; other errors as they were."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name in _DAMAGED or str(exc) in ("file is not a database", "database disk image is malformed"):
        return unusable(path, f"is damaged ({exc})")
    if name.startswith(_BUSY) or "database is locked" in str(exc):
        return DatabaseUnusable(
            f"linkdeck's database {path} is locked by another program and stayed locked too long.",
            hint="Nothing was changed. Close the other linkdeck (or the program holding the file) "
            "and try again.",
        )
    if name.startswith(("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY")) or "disk is full" in str(exc):
        return unwritable(path, exc)
    if isinstance(exc, sqlite3.OperationalError) and "unable to open" in str(exc):
        return unusable(path, f"cannot be opened ({exc})")
    return exc


def back_up(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    """Copy the open database to ``<name>.bak-v<version>`` before migrating it; returns the copy."""
    target = backup_path(path, version)
    partial = target.with_name(target.name + ".partial")
    copy = sqlite3.connect(partial)
    try:
        conn.backup(copy)
        # One self-contained file: the copy would otherwise keep WAL mode and grow side files.
        copy.execute("PRAGMA journal_mode = DELETE")
    finally:
        copy.close()
    partial.chmod(0o600)
    partial.replace(target)  # a crash mid-copy never leaves a half copy under the real name
    return target
