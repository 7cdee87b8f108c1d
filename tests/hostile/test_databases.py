"""Broken databases: each one refused with what is wrong, that nothing changed and how to restore;
exit 2; the file byte for byte as it was. And the copy made before every migration."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from providers.store import Store, db, health
from tests.support.cli import cli_env, run_cli


def _database(home: Path) -> Path:
    return home / "data" / "linkdeck.sqlite3"


def _a_real_database(home: Path) -> Path:
    path = _database(home)
    Store.open(path).close()
    with sqlite3.connect(path) as conn:  # fold the WAL back in, so the file alone is the database
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _garbage(home: Path) -> Path:
    path = _database(home)
    path.write_bytes(os.urandom(8192))
    return path


def _truncated(home: Path) -> Path:
    path = _a_real_database(home)
    path.write_bytes(path.read_bytes()[:5000])  # page 1 whole, the rest cut off mid-page
    return path


def _wrong_header(home: Path) -> Path:
    path = _a_real_database(home)
    data = bytearray(path.read_bytes())
    data[:16] = b"SQLite format 2\x00"
    path.write_bytes(bytes(data))
    return path


def _folder(home: Path) -> Path:
    path = _database(home)
    path.mkdir()
    return path


def _pipe(home: Path) -> Path:
    path = _database(home)
    os.mkfifo(path)
    return path


def _user_version(value: int) -> Callable[[Path], Path]:
    def make(home: Path) -> Path:
        path = _a_real_database(home)
        with sqlite3.connect(path) as conn:
            conn.execute(f"PRAGMA user_version = {value}")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return path

    return make


def _fingerprint(path: Path) -> str:
    if not path.is_file():
        return f"{path.stat().st_mode:o}"
    return hashlib.sha256(path.read_bytes()).hexdigest()


CASES = [
    pytest.param(_garbage, "is not an SQLite database", id="garbage"),
    pytest.param(_truncated, "is damaged", id="truncated"),
    pytest.param(_wrong_header, "is not an SQLite database", id="wrong-header"),
    pytest.param(_folder, "is a folder, not a file", id="a-folder"),
    pytest.param(_pipe, "is not a regular file", id="a-pipe"),
    pytest.param(_user_version(99), "was written by a newer linkdeck (schema version 99", id="newer-schema"),
    pytest.param(_user_version(-3), "has a schema version linkdeck never writes (-3)", id="negative-version"),
]


@pytest.mark.parametrize(("make", "message"), CASES)
@pytest.mark.parametrize(
    "command", [("accounts",), ("queue",), ("post", "--to", "mastodon", "--caption", "hi")]
)
def test_a_broken_database_is_refused_untouched(
    tmp_path: Path, make: Callable[[Path], Path], message: str, command: tuple[str, ...]
) -> None:
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    path = make(home)
    before = _fingerprint(path)
    result: subprocess.CompletedProcess[str] = run_cli(cli_env(home), *command)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert message in result.stderr
    assert str(path) in result.stderr
    assert "Nothing was changed" in result.stderr
    assert _fingerprint(path) == before


def test_the_hint_names_the_newest_automatic_copy(tmp_path: Path) -> None:
    path = tmp_path / "linkdeck.sqlite3"
    for version in (1, 3, 2):
        health.backup_path(path, version).write_bytes(b"")
    assert f"cp '{tmp_path / 'linkdeck.sqlite3.bak-v3'}' '{path}'" in health.restore_hint(path)


def test_every_migration_is_preceded_by_a_copy_of_the_database(tmp_path: Path) -> None:
    path = tmp_path / "linkdeck.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    db.migrate(conn, db.MIGRATIONS[:2])
    conn.execute("INSERT INTO posts (caption, created_at, updated_at) VALUES ('kept', 'then', 'then')")
    conn.close()
    Store.open(path).close()
    copy = health.backup_path(path, 2)
    with sqlite3.connect(copy) as old, sqlite3.connect(path) as new:
        assert old.execute("PRAGMA user_version").fetchone()[0] == 2
        assert old.execute("SELECT caption FROM posts").fetchall() == [("kept",)]
        assert new.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
    assert copy.stat().st_mode & 0o777 == 0o600
    # An up-to-date database is not copied again, and a new one has nothing worth copying.
    Store.open(path).close()
    Store.open(tmp_path / "new.sqlite3").close()
    assert sorted(p.name for p in tmp_path.glob("*.bak-v*")) == ["linkdeck.sqlite3.bak-v2"]


def test_a_database_locked_too_long_is_a_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "linkdeck.sqlite3"
    store = Store.open(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock and does not let go
    try:
        store._conn.execute("PRAGMA busy_timeout = 50")
        with pytest.raises(health.DatabaseUnusable, match="locked by another program"):
            store.set_auto_share(1, False)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.close()
