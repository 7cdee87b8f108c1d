"""The store on a real PostgreSQL (tests/support/postgres.py): what tests/test_store.py checks of
the SQLite file (where the schema version is kept, migrations applied once or rolled back, a newer
store refused unaltered, an old store migrated, two connections taking turns, no secret column),
how the engine is chosen (``LINKDECK_DATABASE_URL``, ``[store] url``), what doctor shows, and the
errors for a bad address, a server that is not there and a refused password, which never print
the password."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

from providers import clock, doctor
from providers.errors import SetupError
from providers.outbox import worker
from providers.store import SCHEMA_VERSION, SchemaTooNew, Store, machine, pg
from providers.store import db as store_db
from providers.store.engine import QueueListener
from providers.store.health import DatabaseUnusable
from providers.vault import Vault
from tests.support import postgres
from tests.support.cli import cli_env, run_cli
from tests.support.processes import wait_until
from tests.support.store_checks import assert_no_credential_columns, two_stores_take_turns

pytestmark = pytest.mark.postgresql_only

ENV = "LINKDECK_DATABASE_URL"


@pytest.fixture
def url(store_engine: str) -> str:
    """This test's PostgreSQL address: a schema of its own, empty until a store opens it."""
    return os.environ[ENV]


@pytest.fixture
def raw(url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A plain psycopg connection to the same schema, to look behind the store's back."""
    with psycopg.connect(url, autocommit=True) as conn:
        yield conn


def _link(store: Store, remote_id: str) -> None:
    store.upsert_account("mastodon", remote_id, handle=f"@u{remote_id}", instance="https://m.example")


def _tables(conn: psycopg.Connection[tuple[object, ...]]) -> set[str]:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    )
    return {str(r[0]) for r in rows}


def _version(conn: psycopg.Connection[tuple[object, ...]]) -> object:
    row = conn.execute("SELECT version FROM linkdeck_schema").fetchone()
    return None if row is None else row[0]


def test_the_address_in_the_environment_selects_postgresql(
    url: str, raw: psycopg.Connection[tuple[object, ...]]
) -> None:
    with Store.open() as store:
        assert (store.engine, store.path, store.schema_version()) == ("postgresql", None, SCHEMA_VERSION)
        _link(store, "1")
    assert _version(raw) == SCHEMA_VERSION
    assert {"accounts", "targets", "posts", "deliveries", "avatars", "apps"} <= _tables(raw)
    assert raw.execute("SELECT handle FROM accounts").fetchall() == [("@u1",)]


def test_store_url_in_config_selects_postgresql_and_the_environment_wins(
    url: str,
    linkdeck_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    raw: psycopg.Connection[tuple[object, ...]],
) -> None:
    config = linkdeck_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[store]\nurl = "{url}"\n')
    monkeypatch.delenv(ENV)
    with Store.open() as store:
        assert store.engine == "postgresql"
        _link(store, "2")
    assert raw.execute("SELECT COUNT(*) FROM accounts").fetchone() == (1,)

    config.write_text('[store]\nurl = "mysql://db.example/linkdeck"\n')
    with pytest.raises(SetupError, match=r"\[store\] url in .* must be a postgresql:// address"):
        Store.open()
    monkeypatch.setenv(ENV, url)  # the environment is read first
    with Store.open() as store:
        assert len(store.accounts()) == 1


def test_migrations_run_once_and_a_failing_one_rolls_back(
    url: str, raw: psycopg.Connection[tuple[object, ...]]
) -> None:
    Store.open().close()
    conn = pg.connect(url)
    try:
        assert store_db.migrate(conn) == SCHEMA_VERSION  # a second run is a no-op
        extra = (*store_db.MIGRATIONS, ("CREATE TABLE extra (x INTEGER)", "INSERT INTO extra VALUES (1)"))
        assert store_db.migrate(conn, extra) == SCHEMA_VERSION + 1
        assert store_db.migrate(conn, extra) == SCHEMA_VERSION + 1
        assert raw.execute("SELECT COUNT(*) FROM extra").fetchone() == (1,)

        broken = (*extra, ("CREATE TABLE half (x INTEGER)", "THIS IS NOT SQL"))
        with pytest.raises(psycopg.errors.SyntaxError):
            store_db.migrate(conn, broken)
        assert store_db.schema_version(conn) == SCHEMA_VERSION + 1
        assert "half" not in _tables(raw)  # PostgreSQL's DDL is transactional: nothing half-done
    finally:
        conn.close()


def test_a_store_from_a_newer_linkdeck_is_refused_and_left_alone(
    url: str, raw: psycopg.Connection[tuple[object, ...]]
) -> None:
    raw.execute("CREATE TABLE linkdeck_schema (version INTEGER NOT NULL)")
    raw.execute("INSERT INTO linkdeck_schema VALUES (%s)", (SCHEMA_VERSION + 5,))
    with pytest.raises(SchemaTooNew, match="newer linkdeck") as refused:
        Store.open()
    assert "Upgrade linkdeck" in str(refused.value)
    assert _tables(raw) == {"linkdeck_schema"}  # no migration ran over it
    assert _version(raw) == SCHEMA_VERSION + 5
    check = doctor._store()
    assert check.level == doctor.Level.FAIL and "newer linkdeck" in check.detail


def test_a_version_2_store_is_migrated_keeping_held_deliveries(url: str) -> None:
    conn = pg.connect(url)
    try:
        store_db.migrate(conn, store_db.MIGRATIONS[:2])
        now = "2026-11-25T12:00:00+00:00"
        conn.execute("INSERT INTO posts (caption, created_at, updated_at) VALUES ('old', ?, ?)", (now, now))
        conn.execute(
            "INSERT INTO deliveries (post_id, network, remote_id, state, idempotency_key, created_at, "
            "updated_at) VALUES (1, 'mastodon', '7', 'held', 'k', ?, ?)",
            (now, now),
        )
    finally:
        conn.close()
    with Store.open() as store:
        assert store.schema_version() == SCHEMA_VERSION
        [held] = store.deliveries()
        assert (held.state, held.hold_kind, held.check_needed, held.committed_at) == (
            "held",
            "unlinked",
            False,
            None,
        )
        assert store.post(1).visibility == "public"  # type: ignore[union-attr]


def test_no_column_can_hold_a_token_or_secret(url: str, raw: psycopg.Connection[tuple[object, ...]]) -> None:
    Store.open().close()
    columns = raw.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
    ).fetchall()
    assert_no_credential_columns((str(t), str(c)) for t, c in columns)


def test_two_stores_on_one_database_take_turns(url: str) -> None:
    with Store.open() as tui, Store.open() as worker:
        two_stores_take_turns(tui, worker)


def test_the_posts_screens_stamp_moves_when_another_connection_changes_a_delivery(url: str) -> None:
    with Store.open() as screen, Store.open() as worker:
        worker.upsert_account("mastodon", "1", handle="@u1", instance="https://m.example")
        [account] = worker.accounts()
        _post, [delivery] = worker.create_post_with_deliveries("x", [], None, [account])
        before = screen.deliveries_stamp()
        assert screen.deliveries_stamp() == before  # nothing changed: the rows need no reload
        worker.claim_due("w", lease_seconds=60, limit=1)
        moved = screen.deliveries_stamp()
        assert moved != before
        worker.renew_leases("w", lease_seconds=120)  # no updated_at change, still a change
        assert screen.deliveries_stamp() != moved
        assert screen.delivery(delivery.id).state == "sending"  # type: ignore[union-attr]


def test_doctor_names_the_engine_the_masked_address_and_the_schema_version(
    postgres_server: postgres.Server, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    Store.open().close()
    check = doctor._store()
    assert (check.level, check.detail) == (
        doctor.Level.OK,
        f"PostgreSQL {Store.open().address}, schema version {SCHEMA_VERSION}",
    )
    with_password = postgres_server.url(user=postgres.PASSWORD_USER).replace(
        f"{postgres.PASSWORD_USER}@", f"{postgres.PASSWORD_USER}:{postgres.PASSWORD}@"
    )
    monkeypatch.setenv(ENV, with_password)
    check = doctor._store()
    assert check.level == doctor.Level.OK and check.detail.startswith(
        f"PostgreSQL postgresql://{postgres.PASSWORD_USER}:***@/linkdeck?"
    )
    assert postgres.PASSWORD not in check.detail


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("sqlite:///tmp/x.db", "LINKDECK_DATABASE_URL must be a postgresql:// address"),
        ("postgresql://linkdeck@/linkdeck?host=/nonexistent-socket-dir", "cannot be used: connection"),
        ("postgresql://linkdeck@/linkdeck?sslmode=sometimes", "cannot be used: "),
        ("WRONG_PASSWORD", "password authentication failed"),
    ],
)
def test_a_bad_address_is_one_clear_line_without_traceback_or_password(
    postgres_server: postgres.Server, linkdeck_home: Path, url: str, address: str, expected: str
) -> None:
    if address == "WRONG_PASSWORD":
        address = postgres_server.url(user=postgres.PASSWORD_USER).replace(
            f"{postgres.PASSWORD_USER}@", f"{postgres.PASSWORD_USER}:not-{postgres.PASSWORD}@"
        )
    done = run_cli(cli_env(linkdeck_home, **{ENV: address}), "queue")
    assert done.returncode == 2, done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith("linkdeck: ") and expected in first, done.stderr
    assert "Traceback" not in done.stderr and postgres.PASSWORD not in done.stderr
    if address.startswith("postgresql"):
        with pytest.raises(DatabaseUnusable, match="PostgreSQL store"):
            Store.open(url=address)


def test_claims_pass_over_rows_another_claimer_holds_instead_of_waiting(url: str) -> None:
    with Store.open() as setup:
        account = setup.upsert_account("mastodon", "1", handle="@u1", instance="https://m.example")
        for n in range(4):
            setup.create_post_with_deliveries(f"p{n}", [], None, [account])
    first_worker = pg.connect(url)
    try:
        with Store.open() as second_worker:
            # A wait for the first worker's rows would end in an error here instead of hanging.
            second_worker._conn.execute("SET lock_timeout = '10s'")
            with store_db.transaction(first_worker, exclusive=False):
                now = clock.now()
                mine = machine.claim(
                    first_worker, "a", now=now, lease_until=now + timedelta(minutes=1), limit=2
                )
                # Still open: the first worker holds its two rows (and the one-writer lock).
                theirs = second_worker.claim_due("b", lease_seconds=60, limit=10)
            assert len(mine) == len(theirs) == 2
            assert {d.id for d in mine}.isdisjoint({d.id for d in theirs})
            assert {d.lease_owner for d in second_worker.deliveries(["sending"])} == {"a", "b"}
    finally:
        first_worker.close()


async def test_a_sleeping_worker_is_woken_by_a_new_post_not_by_polling(url: str, vault: Vault) -> None:
    """The worker polls once an hour here: only the store's NOTIFY can wake it for the second post.
    A delivery whose account row is gone is held by the claim that finds it, which shows a runner
    looked at it without sending anything anywhere."""
    with Store.open() as store, Store.open() as other:
        account = other.upsert_account("mastodon", "1", handle="@u1", instance="https://m.example")
        other._conn.execute("DELETE FROM accounts WHERE id = ?", (account.id,))
        _post, [first] = other.create_post_with_deliveries("first", [], None, [account])
        opened = store.queue_listener
        spies: list[_Spy] = []
        store.queue_listener = lambda: spies.append(_Spy(opened())) or spies[-1]  # type: ignore[method-assign]
        stop = asyncio.Event()
        running = asyncio.create_task(worker.serve(store, vault, poll=3600, stop=stop))
        try:
            await asyncio.to_thread(wait_until, lambda: _state(other, first.id) == "held", 30)
            await asyncio.to_thread(wait_until, lambda: bool(spies) and spies[0].sleeping.is_set(), 30)
            _post, [second] = other.create_post_with_deliveries("second", [], None, [account])
            await asyncio.to_thread(wait_until, lambda: _state(other, second.id) == "held", 30)
        finally:
            stop.set()
            await asyncio.wait_for(running, 30)


class _Spy:
    """The worker's listener, saying when the worker has gone to sleep on it (its pass is over)."""

    def __init__(self, listener: QueueListener | None) -> None:
        assert listener is not None
        self.listener = listener
        self.sleeping = threading.Event()

    def wait(self, timeout: float) -> bool:
        self.sleeping.set()
        return self.listener.wait(timeout)

    def close(self) -> None:
        self.listener.close()


def _state(store: Store, delivery_id: int) -> str:
    found = store.delivery(delivery_id)
    return "" if found is None else str(found.state)


def test_a_listener_hears_what_is_added_or_due_again_once_committed(url: str) -> None:
    with Store.open() as store:
        listener = store.queue_listener()
        assert listener is not None
        try:
            assert listener.wait(0.1) is False  # nothing yet
            account = store.upsert_account("mastodon", "1", handle="@u1", instance="https://m.example")
            assert listener.wait(0.1) is False  # linking an account adds nothing to send
            store.create_post_with_deliveries("x", [], None, [account])
            assert listener.wait(10) is True
            assert listener.wait(0.1) is False  # one transaction, one wake-up
        finally:
            listener.close()
