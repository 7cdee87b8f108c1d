"""A Story from Upload, in the demo: once an Instagram account is ticked, "As a Story" is offered;
a 9:16 photo is refused for the feed and accepted as a Story; posted, it goes out as a Story (the
delivery's target) with a story link, and the form goes back to the feed."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Checkbox, TextArea

from providers import catalog
from providers.store import DeliveryState
from tests import media_corpus
from tests.scenarios import _settle
from tests.support.tui import SIZE, pause_until
from tests.test_tui_every_network import _rows, _sent_row, link_in_window
from tui.app import LinkdeckApp
from tui.context import Context
from tui.demo import demo_environment


async def test_as_a_story_is_offered_judged_and_posted_from_upload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LinkdeckApp, "open_url", lambda self, url, new_tab=True: None)
    tall = media_corpus.jpeg(tmp_path / "tall.jpg", (1080, 1920))
    with demo_environment():
        app = LinkdeckApp(Context(start_dir=tmp_path, run_outbox=False))
        async with app.run_test(size=SIZE) as pilot:
            app.place = app.place.SSH
            await link_in_window(app, pilot, catalog.get("instagram"))
            assert await pause_until(pilot, lambda: type(app.screen).__name__ == "AccountsScreen")
            [account] = app.ctx.store.accounts()
            await pilot.press("u")
            assert await pause_until(pilot, lambda: type(app.screen).__name__ == "UploadScreen")
            upload = app.screen
            story = upload.query_one("#upload-story", Checkbox)
            upload.choose(tall)  # type: ignore[attr-defined]
            await _settle(pilot)
            upload.query_one("#upload-caption", TextArea).text = "Dawn"
            upload.query_one(f"#share-{account.id}", Checkbox).value = True
            await _settle(pilot)
            post = upload.query_one("#upload-post")
            assert story.display and post.disabled  # offered; 9:16 is refused for the feed
            story.value = True
            await _settle(pilot)
            assert not post.disabled, str(upload.query_one("#upload-verdicts").render())  # type: ignore[attr-defined]
            post.focus()
            await pilot.press("enter")
            assert await pause_until(pilot, lambda: _sent_row(upload), 200, 0.05), _rows(upload)
            [delivery] = app.ctx.store.deliveries()
            assert delivery.state == DeliveryState.SENT, delivery.reason
            assert delivery.target_kind == "story" and delivery.url and "/stories/" in delivery.url
            assert await pause_until(pilot, lambda: not story.value)  # the next post: to the feed
