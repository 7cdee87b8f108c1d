"""The Posts screen stays true while it is open: a delivery that a worker in another process sends
shows as sent without leaving the screen (issue 10 item 6)."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import DataTable

from providers.store import Account, DeliveryState, Store
from tests.support.cli import run_cli
from tests.support.tui import SIZE, pause_until
from tui.app import LinkdeckApp
from tui.context import Context

# Run on SQLite and on PostgreSQL (conftest's store_engine).
pytestmark = pytest.mark.both_engines


def states(app: LinkdeckApp) -> list[str]:
    table = app.screen.query_one("#posts-table", DataTable)
    return [str(table.get_row_at(row)[3]) for row in range(table.row_count)]


async def test_a_post_sent_by_a_worker_elsewhere_shows_as_sent_on_the_open_screen(
    env: dict[str, str], mastodon_alice: Account
) -> None:
    with Store.open() as store:
        post = store.create_post("Sent by the worker", [], None)
        store.add_delivery(post.id, mastodon_alice)
    app = LinkdeckApp(Context(run_outbox=False))  # the app itself sends nothing here
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        assert await pause_until(pilot, lambda: app.screen.id != "_default" and states(app))
        assert states(app) == [DeliveryState.DUE]  # posted "now", and nothing in this app sends it
        worker = await asyncio.to_thread(run_cli, env, "worker", "--once")
        assert worker.returncode == 0 and "1 sent" in worker.stdout, worker.stderr
        assert type(app.screen).__name__ == "PostsScreen"  # never left
        assert await pause_until(pilot, lambda: states(app) == [DeliveryState.SENT], tries=150, interval=0.05)
        detail = str(app.screen.query_one("#posts-table", DataTable).get_row_at(0)[5])
        assert detail.startswith("https://mastodon.example/@alice/")
