"""Imported post history in the store and on Posts (providers.store.imports, migration 8): a post
is recorded once however often the history is read; one remote post on two accounts is one post
with two deliveries; Posts marks imported rows and shows their links. The sandbox end to end
(linkdeck's own posts through Ayrshare not imported again) is tests/networks/test_ayrshare_via_cli.py."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.widgets import DataTable

from providers.store import Account, Store
from tests.support.tui import SIZE, pause_until
from tui.app import LinkdeckApp
from tui.context import Context

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def ayrshare_account(store: Store, platform: str, name: str) -> Account:
    account = store.upsert_account("ayrshare", f"ref-1:{platform}", handle="harbour.studio")
    store.set_target(account.id, "network", platform, f"{name} via Ayrshare")
    found = store.account(account.id)
    assert found is not None
    return found


def test_the_same_history_read_twice_records_each_post_once(store: Store) -> None:
    instagram = ayrshare_account(store, "instagram", "Instagram")
    facebook = ayrshare_account(store, "facebook", "Facebook Pages")
    url = "https://instagram.example/harbourstudio/abc"
    assert store.import_sent(instagram, "abc", "Low tide", AT, url, "ayrshare") is True
    assert store.import_sent(instagram, "abc", "Low tide", AT, url, "ayrshare") is False
    assert store.import_sent(facebook, "abc", "Low tide", AT, None, "ayrshare") is True

    [first, second] = store.deliveries(None)
    assert first.post_id == second.post_id  # one Ayrshare post on two networks: one post
    assert (first.state, first.remote_post_id, first.url, first.sent_at) == ("sent", "abc", url, AT)
    post = store.posts([first.post_id])[first.post_id]
    assert (post.origin, post.caption, post.created_at) == ("ayrshare", "Low tide", AT)


def test_a_post_linkdeck_made_is_not_marked_imported(store: Store) -> None:
    post, _ = store.create_post_with_deliveries("Mine", [], None, [])
    assert store.posts([post.id])[post.id].origin == ""


async def test_posts_shows_imported_rows_with_their_links(linkdeck_home: object) -> None:
    url = "https://instagram.example/harbourstudio/abc"
    with Store.open() as store:
        store.import_sent(
            ayrshare_account(store, "instagram", "Instagram"), "abc", "Low tide", AT, url, "ayrshare"
        )
    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        assert await pause_until(pilot, lambda: type(app.screen).__name__ == "PostsScreen")
        table = app.screen.query_one("#posts-table", DataTable)
        assert await pause_until(pilot, lambda: table.row_count == 1)
        [row] = [[str(cell) for cell in table.get_row_at(0)]]
        assert row[1].endswith(", imported") and row[3] == "sent" and row[5] == url
