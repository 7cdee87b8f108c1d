"""After an account is unlinked, Posts still names who each post went to by the handle the account
had, not by the network's user id (issue 10): the delivery keeps the handle it was made with."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.widgets import DataTable

from providers.store import Account, Store
from providers.store import db as store_db
from tests.support.cli import run_cli
from tests.support.tui import SIZE, pause_until
from tui.app import LinkdeckApp
from tui.context import Context


def accounts_column(app: LinkdeckApp) -> list[str]:
    table = app.screen.query_one("#posts-table", DataTable)
    return [str(table.get_row_at(row)[2]) for row in range(table.row_count)]


async def test_posts_name_the_unlinked_account_by_its_handle(
    env: dict[str, str], mastodon_alice: Account
) -> None:
    assert (
        mastodon_alice.handle and mastodon_alice.handle != mastodon_alice.remote_id
    )  # else the test could not tell them apart
    with Store.open() as store:
        post = store.create_post("Held once alice is gone", [], None)
        store.add_delivery(post.id, mastodon_alice)
    unlinked = run_cli(env, "unlink", "mastodon", "--yes")
    assert unlinked.returncode == 0, unlinked.stderr
    with Store.open() as store:
        assert store.accounts() == []  # the row is gone: only the delivery remembers the handle
        (delivery,) = store.deliveries(None)
        assert delivery.handle == mastodon_alice.handle
    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        assert await pause_until(pilot, lambda: app.screen.id != "_default" and accounts_column(app))
        assert accounts_column(app) == [mastodon_alice.handle]
    listed = run_cli(env, "queue")
    assert listed.returncode == 0, listed.stderr
    assert mastodon_alice.handle in listed.stdout and mastodon_alice.remote_id not in listed.stdout


def test_the_migration_fills_the_handle_of_deliveries_whose_account_is_still_linked(
    linkdeck_home: Path,
) -> None:
    """A database from before the handle column: deliveries to a linked account get its handle,
    those whose account is already gone keep '' (Posts falls back to the user id for them)."""
    path = linkdeck_home / "old.sqlite3"
    before = store_db.MIGRATIONS[:5]  # migration 6 (the handle) is the one under test
    assert any("handle" in statement for statement in store_db.MIGRATIONS[5])
    raw = sqlite3.connect(path, isolation_level=None)
    store_db.migrate(raw, before)
    now = "2026-01-01T00:00:00+00:00"
    raw.execute(
        "INSERT INTO accounts (network, instance, remote_id, handle, linked_at, updated_at) "
        "VALUES ('mastodon', 'm.example', '101', '@alice', ?, ?)",
        (now, now),
    )
    raw.execute("INSERT INTO posts (caption, created_at, updated_at) VALUES ('x', ?, ?)", (now, now))
    for key, remote_id in (("k1", "101"), ("k2", "202")):
        raw.execute(
            "INSERT INTO deliveries (post_id, network, instance, remote_id, state, idempotency_key, "
            "created_at, updated_at) VALUES (1, 'mastodon', 'm.example', ?, 'held', ?, ?, ?)",
            (remote_id, key, now, now),
        )
    raw.close()
    with Store.open(path) as store:
        handles = {d.remote_id: d.handle for d in store.deliveries(None)}
    assert handles == {"101": "@alice", "202": ""}
