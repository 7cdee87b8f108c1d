"""Posting from the Upload screen to the sandbox: progress per network, a link to the published
post, scheduling for later; and the app's own scheduler sending a due post while it is open."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx2
import pytest
from textual.screen import Screen
from textual.widgets import Input, Select, TextArea

from providers.sandbox import Running
from providers.store import Account, Store
from providers.store.models import utcnow
from tests import media_corpus
from tests.scenarios import PICTURES, _settle
from tests.support.linking import link_async
from tests.support.tui import SIZE, pause_until
from tui.app import LinkdeckApp
from tui.context import Context

pytestmark = pytest.mark.usefixtures("plaintext_ok")  # the app opens its own vault


@pytest.fixture
async def alice(sandbox: Running, linkdeck_home: Path) -> Account:
    with Store.open() as store:
        return await link_async(store, f"{sandbox.url}/mastodon.example")


def _published(screen: Screen[object]) -> bool:
    """The Upload screen's publish worker is done (or never started)."""
    worker = next((w for w in screen.workers if w.group == "publish"), None)
    return worker is None or worker.is_finished


async def test_post_now_shows_progress_and_the_link(sandbox: Running, alice: Account, tmp_path: Path) -> None:
    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (800, 600))
    app = LinkdeckApp(Context(start_dir=PICTURES, run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        await pilot.pause()
        screen = app.screen
        screen.choose(photo)  # type: ignore[attr-defined]
        await _settle(pilot)
        screen.query_one("#upload-caption", TextArea).text = "Boats at the harbour"
        screen.query_one("#upload-alt", Input).value = "Three red boats"
        assert screen.query_one("#upload-visibility").display  # Mastodon takes it
        screen.query_one("#upload-visibility", Select).value = "unlisted"
        screen.query_one("#upload-cw", Input).value = "Boats (lots of them)"
        await _settle(pilot)
        await pilot.click("#upload-post")
        await pause_until(pilot, lambda: _published(screen), interval=0.05)
        await pilot.pause()
        status = str(screen.query_one(".delivery-row .status").render())
    with Store.open() as store:
        [delivery] = store.deliveries()
    assert delivery.state == "sent" and delivery.url and delivery.url in status
    async with httpx2.AsyncClient() as client:
        body = (await client.get(f"{alice.instance}/api/v1/statuses/{delivery.remote_post_id}")).json()
    assert "Boats at the harbour" in body["content"]
    assert body["media_attachments"][0]["description"] == "Three red boats"
    assert (body["visibility"], body["spoiler_text"], body["sensitive"]) == (
        "unlisted",
        "Boats (lots of them)",
        True,
    )


async def test_schedule_from_upload_then_the_open_app_sends_it(
    sandbox: Running, alice: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = LinkdeckApp(Context(start_dir=PICTURES, run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#upload-caption", TextArea).text = "Later, a text post"
        await _settle(pilot)
        when = (utcnow() + timedelta(hours=2)).isoformat(timespec="minutes")
        screen.query_one("#upload-at", Input).value = when
        screen.query_one("#upload-at", Input).focus()
        await pilot.press("enter")
        await pilot.pause(0.3)
    with Store.open() as store:
        [delivery] = store.deliveries()
        assert delivery.state == "scheduled"
        post = store.post(delivery.post_id)
        assert post is not None and post.scheduled_at is not None
        # Make it due now, then open the app with its scheduler on.
        store.reschedule_post(post.id, utcnow() + timedelta(seconds=1))
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        LinkdeckApp, "notify", lambda self, message, **kw: shown.append((kw["title"], message))
    )
    app = LinkdeckApp(Context(start_dir=PICTURES))

    def sent_and_shown() -> bool:
        with Store.open() as store:
            return store.deliveries()[0].state == "sent" and bool(shown)

    async with app.run_test(size=SIZE) as pilot:
        await pause_until(pilot, sent_and_shown, interval=0.05)
    with Store.open() as store:
        [sent] = store.deliveries()
    assert sent.state == "sent" and sent.url
    [(title, message)] = shown
    assert title == "Scheduled post sent" and message.startswith("Mastodon (")  # and the instance
    assert message.endswith(f" {alice.handle}: {sent.url}")


async def test_a_network_gets_its_own_caption(sandbox: Running, alice: Account) -> None:
    app = LinkdeckApp(Context(start_dir=PICTURES, run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#upload-caption", TextArea).text = "The shared caption " + "x" * 600
        await _settle(pilot)
        assert "Mastodon 619/500" in str(screen.query_one("#upload-count").render())
        await pilot.click("#upload-override")  # one ticked network: straight to its caption
        await pilot.pause()
        assert type(app.screen).__name__ == "AskText"
        app.screen.query_one("#ask-text", Input).value = "Short, for Mastodon only"
        await pilot.press("enter")
        await _settle(pilot)
        assert "Own caption: Mastodon" in str(screen.query_one("#upload-overrides").render())
        assert "Mastodon 24/500" in str(screen.query_one("#upload-count").render())
        await pilot.click("#upload-post")
        await pause_until(pilot, lambda: _published(screen), interval=0.05)
    with Store.open() as store:
        [delivery] = store.deliveries()
        post = store.post(delivery.post_id)
    assert post is not None and post.caption.startswith("The shared caption")
    assert post.caption_overrides == {"mastodon": "Short, for Mastodon only"}
    async with httpx2.AsyncClient() as client:
        body = (await client.get(f"{alice.instance}/api/v1/statuses/{delivery.remote_post_id}")).json()
    assert "Short, for Mastodon only" in body["content"] and "shared" not in body["content"]
