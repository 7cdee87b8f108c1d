"""The store against a real database: each test runs on SQLite (a file under a temporary
LINKDECK_HOME) and on a real PostgreSQL (``store_engine``), except those about the SQLite file
itself (``sqlite_only``; their PostgreSQL counterparts are in tests/test_store_postgres.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.fail
import pytest

from providers import paths
from providers.settings import Settings
from providers.store import (
    SCHEMA_VERSION,
    Account,
    AccountState,
    DeliveryState,
    HoldKind,
    SchemaTooNew,
    Store,
)
from providers.store import db as store_db
from providers.vault import Vault
from tests.support.keyrings import secret_service_missing_reason
from tests.support.required import missing
from tests.support.store_checks import assert_no_credential_columns, two_stores_take_turns

pytestmark = pytest.mark.both_engines


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_engine: str) -> Path:
    monkeypatch.setenv("LINKDECK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LINKDECK_ALLOW_PLAINTEXT_SECRETS", raising=False)
    return tmp_path / "home"


@pytest.fixture
def store(home: Path) -> Iterator[Store]:
    """Not conftest's store: this module's opens in ``home`` (not created yet, no plaintext opt-in)."""
    with Store.open() as s:
        yield s


def _link(store: Store, remote_id: str = "1001", **kw: object) -> Account:
    fields: dict[str, object] = {"handle": f"@user{remote_id}", "display_name": "User"}
    fields.update(kw)
    network = str(fields.pop("network", "mastodon"))
    return store.upsert_account(network, remote_id, **fields)  # type: ignore[arg-type]


FUTURE = datetime(2999, 1, 1, 12, 0, tzinfo=UTC)


# Connection, schema, migrations -------------------------------------------------------------


@pytest.mark.sqlite_only
def test_open_defaults_to_the_database_under_linkdeck_home(home: Path) -> None:
    with Store.open() as store:
        assert store.path == paths.database_file()
        assert store.path.is_relative_to(home)
        assert store.path.exists()
        assert store.path.stat().st_mode & 0o077 == 0


@pytest.mark.sqlite_only
def test_migrations_are_idempotent_and_the_version_is_recorded(home: Path) -> None:
    path = home / "data" / "linkdeck.sqlite3"
    with Store.open(path) as store:
        assert store.schema_version() == SCHEMA_VERSION == len(store_db.MIGRATIONS) >= 1
        _link(store)
    # Opening again applies nothing and loses nothing.
    with Store.open(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert len(store.accounts()) == 1
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store_db.migrate(raw) == SCHEMA_VERSION  # a second run is a no-op
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        raw.close()
    assert {"accounts", "targets", "posts", "deliveries", "avatars"} <= tables


@pytest.mark.sqlite_only
def test_a_new_migration_is_applied_once_and_a_failing_one_rolls_back(home: Path) -> None:
    path = home / "m.sqlite3"
    Store.open(path).close()
    conn = store_db.connect(path)
    try:
        extra = (*store_db.MIGRATIONS, ("CREATE TABLE extra (x INTEGER)", "INSERT INTO extra VALUES (1)"))
        assert store_db.migrate(conn, extra) == SCHEMA_VERSION + 1
        assert store_db.migrate(conn, extra) == SCHEMA_VERSION + 1
        assert conn.execute("SELECT COUNT(*) FROM extra").fetchone()[0] == 1

        broken = (*extra, ("CREATE TABLE half (x INTEGER)", "THIS IS NOT SQL"))
        with pytest.raises(sqlite3.OperationalError):
            store_db.migrate(conn, broken)
        assert store_db.schema_version(conn) == SCHEMA_VERSION + 1
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'half'").fetchone() is None
    finally:
        conn.close()


@pytest.mark.sqlite_only
def test_a_database_from_a_newer_linkdeck_is_refused(home: Path) -> None:
    home.mkdir(parents=True)
    path = home / "new.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    raw.close()
    with pytest.raises(SchemaTooNew, match="Upgrade linkdeck"):
        Store.open(path)


@pytest.mark.sqlite_only
def test_connection_uses_wal_foreign_keys_and_a_busy_timeout(store: Store) -> None:
    conn = store._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    _link(store)
    assert Path(f"{store.path}-wal").exists()


@pytest.mark.sqlite_only
def test_no_column_can_hold_a_token_or_secret(store: Store) -> None:
    conn = store._conn
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert_no_credential_columns(
        (table, column[1]) for table in tables for column in conn.execute(f"PRAGMA table_info({table})")
    )
    # Team mode's secrets are there only sealed: no column for a value in the clear.
    sealed = [column[1] for column in conn.execute("PRAGMA table_info(secrets)")]
    assert sealed == ["name", "key_id", "nonce", "ciphertext", "updated_at"]


@pytest.mark.sqlite_only
def test_two_stores_on_one_file_take_turns(home: Path) -> None:
    path = home / "shared.sqlite3"
    with Store.open(path) as tui, Store.open(path) as worker:
        two_stores_take_turns(tui, worker)


# Accounts ---------------------------------------------------------------------------------------


def test_upsert_inserts_then_updates_without_duplicates(store: Store) -> None:
    expires = datetime(2030, 5, 6, 7, 8, 9, tzinfo=timezone(timedelta(hours=2)))
    first = store.upsert_account(
        "mastodon",
        "42",
        handle="@ann@social.example",
        display_name="Ann",
        instance="https://social.example",
        avatar_url="https://social.example/a.png",
        expires_at=expires,
    )
    assert first.id > 0
    assert first.state == "linked" and first.state_reason == ""
    assert first.auto_share is True
    assert first.expires_at == expires and first.expires_at.tzinfo == UTC
    assert first.linked_at.tzinfo == UTC
    assert first.vault_key == "mastodon:https://social.example:42"

    again = store.upsert_account(
        "mastodon",
        "42",
        handle="@ann2@social.example",
        display_name="Ann B",
        instance="https://social.example",
    )
    assert again.id == first.id
    assert (again.handle, again.display_name, again.expires_at) == ("@ann2@social.example", "Ann B", None)
    assert again.linked_at == first.linked_at
    assert len(store.accounts()) == 1

    # Same remote id on another instance, or another network: different accounts.
    other = store.upsert_account("mastodon", "42", handle="@ann@other", instance="https://other.example")
    x = store.upsert_account("x", "42", handle="@ann")
    assert len({first.id, other.id, x.id}) == 3
    assert [a.id for a in store.accounts_for("mastodon")] == [first.id, other.id]
    assert x.instance is None and x.vault_key == "x::42"
    assert store.find_account("x", "42") == x
    assert store.account(x.id) == x
    assert store.account(99999) is None


def test_relink_keeps_auto_share_target_and_clears_reconnect(store: Store) -> None:
    account = _link(store, network="facebook")
    store.set_auto_share(account.id, False)
    store.set_target(account.id, "page", "p-1", "My Page")
    store.set_targets(account.id, [("page", "p-1", "My Page"), ("page", "p-2", "Other")])
    store.set_state(account.id, "reconnect", "token expired")
    assert store.account(account.id).state == "reconnect"  # type: ignore[union-attr]

    relinked = _link(store, network="facebook", handle="@renamed")
    assert relinked.id == account.id
    assert relinked.auto_share is False
    assert (relinked.target_kind, relinked.target_id, relinked.target_name) == ("page", "p-1", "My Page")
    assert [t.target_id for t in store.targets(account.id)] == ["p-1", "p-2"]
    assert (relinked.state, relinked.state_reason, relinked.handle) == ("linked", "", "@renamed")

    # An explicit auto_share on a link (e.g. linking from the Upload screen) does apply.
    assert _link(store, network="facebook", auto_share=True).auto_share is True


def test_account_setters_validate(store: Store) -> None:
    account = _link(store)
    with pytest.raises(ValueError, match="unknown account state"):
        store.set_state(account.id, "broken")
    with pytest.raises(KeyError):
        store.set_auto_share(12345, True)
    with pytest.raises(ValueError, match="naive"):
        store.upsert_account("x", "1", handle="@a", expires_at=datetime(2030, 1, 1))
    updated = store.set_target(account.id, None, None, None)
    assert updated.target_kind is None


def test_states_are_enums_spelled_as_the_database_stores_them(store: Store) -> None:
    # The schema's CHECK constraints and every JSON document use exactly these strings.
    stored = ["scheduled", "held", "due", "sending", "sent", "failed", "unknown"]
    assert [s.value for s in DeliveryState] == stored
    assert [s.value for s in AccountState] == ["linked", "reconnect"]
    assert [k.value for k in HoldKind] == ["unlinked", "reconnect", "target_gone", "ask"]
    account = _link(store)
    post = store.create_post("hi", [], None)
    store.add_delivery(post.id, account)
    store.remove_account(account.id)
    [held] = store.deliveries()
    assert type(held.state) is DeliveryState and held.state is DeliveryState.HELD
    assert type(held.hold_kind) is HoldKind and held.hold_kind is HoldKind.UNLINKED
    raw = store._conn.execute("SELECT state, hold_kind FROM deliveries WHERE id = ?", (held.id,)).fetchone()
    assert (type(raw[0]), tuple(raw)) == (str, ("held", "unlinked"))
    relinked = _link(store)
    assert type(relinked.state) is AccountState and relinked.state is AccountState.LINKED


def test_datetimes_are_stored_as_utc_iso_text(store: Store) -> None:
    when = datetime(2031, 2, 3, 4, 5, 6, 789, tzinfo=timezone(timedelta(hours=-5)))
    account = _link(store, expires_at=when)
    raw = store._conn.execute(
        "SELECT expires_at, linked_at FROM accounts WHERE id = ?", (account.id,)
    ).fetchone()
    assert raw[0] == "2031-02-03T09:05:06.000789+00:00"
    assert datetime.fromisoformat(raw[1]).utcoffset() == timedelta(0)


# Posts, deliveries, hold and release -------------------------------------------------------------


def test_create_post_and_deliveries(store: Store) -> None:
    account = _link(store, network="pinterest")
    store.set_target(account.id, "board", "b-9", "Cats")
    account = store.account(account.id)
    assert account is not None
    post = store.create_post("hello", ["/tmp/a.jpg", "/tmp/b.jpg"], FUTURE)
    assert (post.caption, post.media, post.scheduled_at) == ("hello", ["/tmp/a.jpg", "/tmp/b.jpg"], FUTURE)
    assert store.post(post.id) == post

    d = store.add_delivery(post.id, account)
    assert d.state == "scheduled" and d.post_id == post.id and d.account_id == account.id
    assert (d.target_kind, d.target_id, d.target_name) == ("board", "b-9", "Cats")
    assert len(d.idempotency_key) == 32 and int(d.idempotency_key, 16) >= 0
    assert d.attempts == 0 and d.next_attempt_at is None and d.remote_post_id is None
    assert d.account_key == account.vault_key

    now_post = store.create_post("now", [], None)
    d2 = store.add_delivery(now_post.id, account)
    assert d2.state == "due"
    assert d2.idempotency_key != d.idempotency_key

    assert [x.id for x in store.deliveries()] == [d.id, d2.id]
    assert [x.id for x in store.deliveries(["due"])] == [d2.id]
    assert store.deliveries([]) == []
    with pytest.raises(ValueError, match="unknown delivery state"):
        store.deliveries(["lost"])
    counts = store.counts_by_state()
    assert set(counts) == set(DeliveryState)
    assert counts["scheduled"] == 1 and counts["due"] == 1 and counts["sent"] == 0

    sent = store.set_delivery_state(d2.id, "sent", remote_post_id="r1", url="https://example/p/1")
    assert (sent.state, sent.remote_post_id, sent.url) == ("sent", "r1", "https://example/p/1")
    with pytest.raises(KeyError):
        store.add_delivery(99999, account)


def test_remove_account_holds_scheduled_deliveries_and_relink_releases_them(store: Store) -> None:
    account = _link(store, "7", network="bluesky", handle="@me.bsky.social")
    other = _link(store, "8", network="bluesky", handle="@other.bsky.social")
    later = store.create_post("later", ["/m.jpg"], FUTURE)
    now = store.create_post("now", [], None)
    scheduled = store.add_delivery(later.id, account)
    due = store.add_delivery(now.id, account)
    sent = store.set_delivery_state(store.add_delivery(now.id, account).id, "sent", url="https://bsky.app/x")
    failed = store.set_delivery_state(store.add_delivery(later.id, account).id, "failed", "too long")
    sending = store.set_delivery_state(store.add_delivery(later.id, account).id, "sending")
    others = store.add_delivery(later.id, other)

    assert store.remove_account(account.id) == 2
    assert store.account(account.id) is None
    assert store.targets(account.id) == []
    by_id = {d.id: d for d in store.deliveries()}
    assert len(by_id) == 6  # nothing deleted
    for d in (scheduled, due):
        held = by_id[d.id]
        assert held.state == "held"
        assert "@me.bsky.social" in held.reason and "linked again" in held.reason
        assert held.account_id == account.id  # kept as a plain value, no cascade
        assert held.idempotency_key == d.idempotency_key
    assert by_id[sent.id] == sent  # sent stays sent, untouched
    assert by_id[failed.id] == failed
    assert by_id[sending.id] == sending  # in flight: never held (could send twice)
    assert by_id[others.id] == others
    assert store.counts_by_state()["held"] == 2
    assert store.remove_account(account.id) == 0  # already gone

    # Survives closing and reopening the database.
    path = store.path
    store.close()
    with Store.open(path) as reopened:
        assert [d.id for d in reopened.deliveries(["held"])] == [scheduled.id, due.id]

        relinked = reopened.upsert_account("bluesky", "7", handle="@me.bsky.social")
        assert relinked.id != account.id  # a new row...
        after = {d.id: d for d in reopened.deliveries()}
        assert after[scheduled.id].state == "scheduled"  # ...and the held ones are back in the queue
        assert after[due.id].state == "due"
        assert after[scheduled.id].account_id == after[due.id].account_id == relinked.id
        assert after[scheduled.id].reason == ""
        assert after[sent.id] == sent and after[failed.id] == failed
        assert reopened.counts_by_state()["held"] == 0


def test_hold_and_release_are_keyed_by_identity(store: Store) -> None:
    a = _link(store, "1", network="mastodon", instance="https://one.example")
    b = _link(store, "1", network="mastodon", instance="https://two.example")
    post = store.create_post("x", [], FUTURE)
    da, db_ = store.add_delivery(post.id, a), store.add_delivery(post.id, b)
    assert store.hold_deliveries_for(a, reason="paused") == 1
    states = {d.id: (d.state, d.reason) for d in store.deliveries()}
    assert states == {da.id: ("held", "paused"), db_.id: ("scheduled", "")}
    assert store.release_deliveries_for(b) == 0
    assert store.release_deliveries_for(a) == 1
    assert {d.state for d in store.deliveries()} == {"scheduled"}


def test_deleting_a_post_cascades_to_its_deliveries(store: Store) -> None:
    account = _link(store)
    post = store.create_post("x", [], FUTURE)
    store.add_delivery(post.id, account)
    with store._write() as conn:
        conn.execute("DELETE FROM posts WHERE id = ?", (post.id,))
    assert store.deliveries() == []


# Avatar cache ----------------------------------------------------------------------------------


def test_avatar_cache(store: Store) -> None:
    url = "https://cdn.example/a.png"
    image = paths.avatar_dir() / "a.png"
    image.write_bytes(b"\x89PNG fake")
    assert store.avatar_for(url) is None
    account = _link(store, avatar_url=url)
    assert account.avatar_path is None

    entry = store.cache_avatar(url, image)
    assert (entry.url, entry.path) == (url, str(image))
    assert entry.fetched_at.tzinfo == UTC
    assert store.avatar_for(url) == entry
    assert store.account(account.id).avatar_path == str(image)  # type: ignore[union-attr]

    later = datetime(2032, 1, 1, tzinfo=UTC)
    assert store.cache_avatar(url, image, fetched_at=later).fetched_at == later
    assert store.avatar_for(url).fetched_at == later  # type: ignore[union-attr]

    image.unlink()  # the cache folder was cleaned: no stale path is handed out
    assert store.avatar_for(url) is None
    assert store.account(account.id).avatar_path is None  # type: ignore[union-attr]


# Tokens never reach SQLite ---------------------------------------------------------------------


@pytest.mark.sqlite_only
@pytest.mark.parametrize("backend", ["secret-service", "plaintext-opt-in"])
def test_tokens_written_through_the_vault_never_reach_the_sqlite_files(
    home: Path, backend: str, use_keyring: Callable[[keyring.backend.KeyringBackend], None]
) -> None:
    if backend == "secret-service":  # the real gnome-keyring (tests/with_keyring.sh)
        reason = secret_service_missing_reason()
        if reason:
            missing(reason)
        vault = Vault(Settings())
    else:
        use_keyring(keyring.backends.fail.Keyring())
        vault = Vault(Settings(allow_plaintext_secrets=True))

    secrets = {
        "access": "AT-9f2c41d7e0b84a55-access",
        "refresh": "RT-5a7e19c3b2d64f08-refresh",
        "client": "CS-3e8d0b6a91f2c7d4-client",
        "rotated": "RT-0c4b9e2d7f1a3856-rotated",
    }
    store = Store.open()
    try:
        account = store.upsert_account("mastodon", "77", handle="@t", instance="https://m.example")
        vault.set_token(
            account.vault_key, {"access_token": secrets["access"], "refresh_token": secrets["refresh"]}
        )
        vault.set_client_secret("x", secrets["client"])
        vault.merge_token(account.vault_key, {"access_token": secrets["rotated"]})
        # Ordinary store traffic around the vault writes.
        store.set_state(account.id, "reconnect", "refresh failed")
        post = store.create_post("caption", ["/p.jpg"], FUTURE)
        store.add_delivery(post.id, account)
        store.remove_account(account.id)
        store.upsert_account("mastodon", "77", handle="@t", instance="https://m.example")
        assert vault.get_token(account.vault_key) == {
            "access_token": secrets["rotated"],
            "refresh_token": secrets["refresh"],
        }
        assert vault.get_client_secret("x") == secrets["client"]
        _assert_absent(store.path, secrets.values(), expect_wal=True)
    finally:
        store.close()
    _assert_absent(store.path, secrets.values(), expect_wal=False)


def _assert_absent(db_path: Path, secrets: Iterable[str], *, expect_wal: bool) -> None:
    files = [p for p in db_path.parent.iterdir() if p.name.startswith(db_path.name)]
    assert db_path in files
    if expect_wal:
        assert Path(f"{db_path}-wal") in files
    for file in files:
        data = file.read_bytes()
        for secret in secrets:
            for encoded in (secret.encode("utf-8"), secret.encode("utf-16-le")):
                assert encoded not in data, f"a secret was found in {file.name}"
