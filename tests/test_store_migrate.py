"""``linkdeck store migrate --to postgresql://…`` (issue 16, item 5), against the test suite's real
PostgreSQL, the sandbox in its own process and the real keyring (tests/with_keyring.sh).

A single user links and schedules on SQLite (tokens in the OS keyring), moves up, and a
``linkdeck worker --once`` on the team database sends the due post with the token the keyring held;
the SQLite file is byte for byte what it was and still opens with the same counts.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import traceback
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers import paths
from providers.clock import now
from providers.secrets.keys import new_key
from providers.store import Store
from tests.support import postgres
from tests.support.cli import run_cli
from tests.support.linking import BOB, link, opted_in_vault, statuses
from tests.support.processes import SandboxProcess
from tui.cli import main

TABLES = ("brands", "accounts", "targets", "posts", "deliveries", "apps", "avatars")


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_single_users_store_moves_up_and_its_tokens_send_from_the_team_database(
    env: dict[str, str], sandbox_process: SandboxProcess, postgres_server: postgres.Server
) -> None:
    instance = f"{sandbox_process.url}/mastodon.example"
    with Store.open() as store:
        assert store.engine == "sqlite"
        alice = link(store, instance)
        bob = link(store, instance, user="bob")
        acme = store.add_brand("Acme")
        store.set_account_brand(bob.id, acme.id)
        store.cache_avatar("https://example.test/a.png", "/tmp/a.png")
        due, _ = store.create_post_with_deliveries("moved up and sent", [], None, [alice])
        later, _ = store.create_post_with_deliveries("next week", [], now() + timedelta(days=7), [alice, bob])
        deliveries = {d.id: (d.post_id, d.idempotency_key, d.state) for d in store.deliveries()}
    original = paths.database_file()
    before, digest = _counts(original), _digest(original)
    assert before["accounts"] == 2 and before["deliveries"] == 3 and before["apps"] == 1

    url = postgres_server.fresh_url()
    key = new_key().written()
    team = env | {"LINKDECK_SECRET_KEY": key}
    moved = run_cli(team, "store", "migrate", "--to", url)
    assert moved.returncode == 0, moved.stderr
    said = {line.split()[0]: line.split() for line in moved.stdout.splitlines() if line.startswith("  ")}
    for table in TABLES:
        assert said[table][1] == said[table][4] == str(before[table]) and said[table][-1] == "ok", said
    # Alice's and Bob's tokens and the registered app's client secret, from the keyring.
    assert said["secrets"][1] == said["secrets"][4] == "3"
    assert "3 keyring secrets sealed with key" in moved.stdout
    # Sealed on the way: no token, client secret or key in a dump of the team database.
    keyring = opted_in_vault()
    plain = [keyring.get_token(a.vault_key)["access_token"] for a in (alice, bob)]  # type: ignore[index]
    app_secret = keyring.get_client_secret("mastodon", instance=alice.instance)
    assert app_secret
    plain += [app_secret, key]
    dump = postgres_server.dump()
    assert f"token:{alice.vault_key}" in dump and not [p for p in plain if p in dump]
    assert key not in moved.stdout + moved.stderr

    # The original: unchanged to the byte, and it still opens with the same rows.
    assert _digest(original) == digest
    with Store.open(original) as store:
        assert _counts(original) == before
        assert {a.handle for a in store.accounts()} == {alice.handle, bob.handle}

    # The team database: every row arrived with its id; a new row gets a new id.
    assert _counts_pg(url) == before
    with Store.open(url=url) as store:
        assert {d.id: (d.post_id, d.idempotency_key, d.state) for d in store.deliveries()} == deliveries
        assert store.account(bob.id) is not None and store.account(bob.id).brand == "Acme"  # type: ignore[union-attr]
        assert store.post(later.id) is not None
        fresh = store.create_post("after the move", [], None)
        assert fresh.id > max(due.id, later.id)

    # A worker on the team database sends the due post with the token the keyring held.
    sent = run_cli(team | {"LINKDECK_DATABASE_URL": url}, "worker", "--once")
    assert sent.returncode == 0, sent.stderr
    assert "Traceback" not in sent.stderr
    assert [s["content"] for s in statuses(instance)].count("<p>moved up and sent</p>") == 1
    with Store.open(url=url) as store:
        assert {d.state for d in store.deliveries() if d.post_id == due.id} == {"sent"}
    assert statuses(instance, BOB) == []  # bob's post is next week's

    # Once there is data, a second copy is refused, and nothing is changed.
    again = run_cli(team, "store", "migrate", "--to", url)
    assert again.returncode == 2 and "already holds data" in again.stderr
    assert "Traceback" not in again.stderr
    assert _digest(original) == digest


def _counts_pg(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}  # type: ignore[index]


@pytest.mark.parametrize(
    ("to", "key", "said"),
    [
        ("sqlite:///tmp/x.db", True, "--to must be a postgresql:// address"),
        ("postgresql://nobody@/none?host=/nonexistent-socket-dir", True, "cannot be used"),
        ("postgresql://linkdeck@/linkdeck", False, "seals the keyring's secrets with the team key"),
    ],
)
def test_bad_input_is_refused_with_the_rule_and_no_traceback(
    env: dict[str, str], to: str, key: bool, said: str
) -> None:
    with Store.open() as store:
        store.create_post("kept", [], None)
    original = paths.database_file()
    digest = _digest(original)
    extra = {"LINKDECK_SECRET_KEY": new_key().written()} if key else {}
    refused = run_cli(env | extra, "store", "migrate", "--to", to)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert said in refused.stderr and "Traceback" not in refused.stderr
    assert _digest(original) == digest


def test_an_older_store_is_brought_up_to_date_in_the_copy_only(
    env: dict[str, str], postgres_server: postgres.Server, tmp_path: Path
) -> None:
    """A file from before brands (schema 6): the team database gets this version's schema and the
    default brand holding the account; the file stays at version 6, byte for byte."""
    from providers.store import db

    old = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(old, isolation_level=None)
    db.migrate(conn, db.MIGRATIONS[:6])
    conn.execute(
        "INSERT INTO accounts (network, remote_id, handle, linked_at, updated_at) "
        "VALUES ('mastodon', '1', '@old', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')"
    )
    conn.close()
    digest = _digest(old)
    url = postgres_server.fresh_url()
    team = env | {"LINKDECK_SECRET_KEY": new_key().written()}
    moved = run_cli(team, "store", "migrate", "--from", str(old), "--to", url)
    assert moved.returncode == 0, moved.stderr
    assert _digest(old) == digest
    check = sqlite3.connect(f"{old.as_uri()}?mode=ro", uri=True)
    assert check.execute("PRAGMA user_version").fetchone()[0] == 6
    check.close()
    with Store.open(url=url) as store:
        assert [(a.handle, a.brand) for a in store.accounts()] == [("@old", "Default")]


WORDS = [
    "--to",
    "--from",
    "migrate",
    "postgresql://",
    "postgres://x@/y?host=/nonexistent-socket-dir",
    "postgresql://a:b@[::1",
    "postgresql://%zz@/db",
    "sqlite:///tmp/x.db",
    "/dev/null",
    "/",
    "",
    "\x00",
    "é" * 200,
]


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(args=st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=30)), max_size=5))
def test_no_store_migrate_command_line_gets_a_traceback(args: list[str]) -> None:
    """Any arguments: an answer with exit 0, 1 or 2 (argparse's usage errors included), never a
    traceback; with and without a team key."""
    for key in ("", new_key().written()):
        os.environ["LINKDECK_SECRET_KEY"] = key
        try:
            code = main(["store", "migrate", *args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        except BaseException:
            pytest.fail(f"store migrate {args!r} raised instead of answering:\n{traceback.format_exc()}")
        finally:
            os.environ.pop("LINKDECK_SECRET_KEY", None)
        assert code in (0, 1, 2), args
