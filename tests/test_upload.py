"""Pilot tests of the Upload screen: pick a file, see verdicts, apply a fix, count a caption."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import Button, Checkbox, Input, TextArea

from providers.store import Store
from tests.scenarios import PICTURES, _settle
from tests.support.tui import SIZE
from tui.app import LinkdeckApp
from tui.context import Context
from tui.widgets.verdicts import VerdictList

# Cards, expiry warnings and scheduled times are read against one fixed moment.
pytestmark = pytest.mark.usefixtures("frozen_clock")


def seed(home: Path) -> None:
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text('[networks.instagram]\nclient_id = "ig-app"\n', encoding="utf-8")
    with Store.open() as store:
        store.upsert_account("mastodon", "1", handle="@a@m.example", instance="https://m.example")
        store.upsert_account("instagram", "2", handle="alice.bakes")


async def open_upload(pilot) -> object:  # type: ignore[no-untyped-def]
    await pilot.press("u")
    await pilot.pause()
    return pilot.app.screen


async def test_verdicts_and_a_one_key_fix_on_a_copy(linkdeck_home: Path) -> None:
    seed(linkdeck_home)
    original = PICTURES / "tall.jpg"
    before = hashlib.sha256(original.read_bytes()).hexdigest()
    app = LinkdeckApp(Context(start_dir=PICTURES, run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_upload(pilot)
        screen.choose(original)  # type: ignore[attr-defined]
        await _settle(pilot)
        assert not screen.verdicts["instagram"].ok  # type: ignore[attr-defined]
        assert screen.verdicts["mastodon"].ok  # type: ignore[attr-defined]
        assert screen.query_one("#upload-post").disabled  # type: ignore[attr-defined]
        verdicts = screen.query_one("#upload-verdicts", VerdictList)  # type: ignore[attr-defined]
        crop = next(
            i
            for i in range(verdicts.option_count)
            if "Crop to 4:5" in str(verdicts.get_option_at_index(i).prompt)
        )
        verdicts.focus()
        verdicts.highlighted = crop
        await pilot.press("enter")
        await _settle(pilot)
        await _settle(pilot)
        fixed = screen.chosen  # type: ignore[attr-defined]
        assert fixed != original and fixed.exists()
        assert screen.info.width / screen.info.height == 0.8  # type: ignore[attr-defined]
        problems = {p.code for p in screen.verdicts["instagram"].problems}  # type: ignore[attr-defined]
        assert "aspect_ratio" not in problems  # still too narrow (40 px): another fix remains
        assert "fixed copy of tall.jpg" in str(screen.query_one("#upload-facts").render())  # type: ignore[attr-defined]
        await pilot.press("escape", "o")  # back to the original
        await _settle(pilot)
        assert screen.chosen == original  # type: ignore[attr-defined]
    assert hashlib.sha256(original.read_bytes()).hexdigest() == before  # the original is untouched


async def test_caption_counts_per_network_and_unticking_a_network(linkdeck_home: Path) -> None:
    seed(linkdeck_home)
    app = LinkdeckApp(Context(start_dir=PICTURES, run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_upload(pilot)
        screen.query_one("#upload-caption", TextArea).text = "x" * 600  # type: ignore[attr-defined]
        await _settle(pilot)
        counter = str(screen.query_one("#upload-count").render())  # type: ignore[attr-defined]
        assert "Mastodon 600/500" in counter and "Instagram 600/2,200" in counter
        assert "Mastodon" in counter and "100 over" in counter
        assert screen.query_one("#upload-post").disabled  # type: ignore[attr-defined]
        mastodon_box = next(c for c in screen.query(Checkbox) if "Mastodon" in str(c.label))  # type: ignore[attr-defined]
        mastodon_box.value = False
        await _settle(pilot)
        assert not screen.query_one("#upload-post").disabled  # type: ignore[attr-defined]


async def test_a_broken_file_gets_a_clear_message(linkdeck_home: Path, tmp_path: Path) -> None:
    seed(linkdeck_home)
    fake = tmp_path / "holiday.jpg"
    fake.write_text("not a photo at all\n", encoding="utf-8")
    app = LinkdeckApp(Context(start_dir=PICTURES, run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_upload(pilot)
        screen.choose(fake)  # type: ignore[attr-defined]
        await _settle(pilot)
        facts = str(screen.query_one("#upload-facts").render())  # type: ignore[attr-defined]
        assert facts.startswith("holiday.jpg:") and "Traceback" not in facts
        assert screen.info is None  # type: ignore[attr-defined]


async def test_typing_on_arrival_goes_into_the_path_box(linkdeck_home: Path) -> None:
    seed(linkdeck_home)
    app = LinkdeckApp(Context(start_dir=PICTURES, run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_upload(pilot)
        await pilot.press(*"/tmp/p.jpg")  # "p" is Posts and "h" Help everywhere else
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one("#upload-path", Input).value == "/tmp/p.jpg"  # type: ignore[attr-defined]


async def test_tab_follows_the_screen_file_caption_networks_time_post(linkdeck_home: Path) -> None:
    seed(linkdeck_home)
    app = LinkdeckApp(Context(start_dir=PICTURES, run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_upload(pilot)
        screen.query_one("#upload-caption", TextArea).text = "Hello"  # type: ignore[attr-defined]
        await _settle(pilot)  # Post is enabled, so it is in the chain
        chain = [w.id for w in screen.focus_chain]  # type: ignore[attr-defined]
        order = ["upload-path", "upload-tree", "upload-caption", "upload-visibility"]
        order += [w.id for w in screen.query(Checkbox)] + ["upload-at", "upload-post"]  # type: ignore[attr-defined]
        assert [i for i in chain if i in order] == order
        path_box = screen.query_one("#upload-path", Input)  # type: ignore[attr-defined]
        assert len(path_box.placeholder) <= path_box.content_region.width


async def test_scheduling_in_words_confirms_and_clears_the_form(
    linkdeck_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(linkdeck_home)
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        LinkdeckApp, "notify", lambda self, message, **kw: shown.append((kw.get("title", ""), message))
    )
    app = LinkdeckApp(Context(start_dir=PICTURES, run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_upload(pilot)
        instagram = next(c for c in screen.query(Checkbox) if "Instagram" in str(c.label))  # type: ignore[attr-defined]
        instagram.value = False
        screen.choose(PICTURES / "beach.jpg")  # type: ignore[attr-defined]
        await _settle(pilot)
        screen.query_one("#upload-alt", Input).value = "A beach"  # type: ignore[attr-defined]
        screen.query_one("#upload-caption", TextArea).text = "Low tide at the harbour"  # type: ignore[attr-defined]
        await _settle(pilot)
        button = screen.query_one("#upload-post", Button)  # type: ignore[attr-defined]
        assert str(button.label) == "Post now"
        screen.query_one("#upload-at", Input).focus()  # type: ignore[attr-defined]
        await pilot.press(*"in 2h")
        await pilot.pause()
        assert str(button.label) == "Schedule"
        assert "Wed 25 Nov 14:00 UTC" in str(screen.query_one("#upload-when").render())  # type: ignore[attr-defined]
        await pilot.press("enter")
        await _settle(pilot)
        [message] = [m for t, m in shown if t == "Scheduled"]
        assert message.startswith("beach.jpg with “Low tide at the harbour” to Mastodon @a@m.example")
        assert "Wed 25 Nov 14:00 UTC" in message
        # The form is empty again: nothing stale to post twice.
        assert screen.chosen is None and screen.query_one("#upload-alt", Input).value == ""  # type: ignore[attr-defined]
        assert screen.query_one("#upload-caption", TextArea).text == ""  # type: ignore[attr-defined]
        assert screen.query_one("#upload-at", Input).value == "" and str(button.label) == "Post now"  # type: ignore[attr-defined]
    with Store.open() as store:
        [delivery] = store.deliveries()
        post = store.post(delivery.post_id)
    assert delivery.state == "scheduled" and post is not None
    assert post.scheduled_at == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    assert post.descriptions == ["A beach"]


async def test_choosing_another_file_clears_its_alt_text(linkdeck_home: Path) -> None:
    seed(linkdeck_home)
    app = LinkdeckApp(Context(start_dir=PICTURES, run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_upload(pilot)
        screen.choose(PICTURES / "beach.jpg")  # type: ignore[attr-defined]
        await _settle(pilot)
        screen.query_one("#upload-alt", Input).value = "A beach"  # type: ignore[attr-defined]
        screen.choose(PICTURES / "tall.jpg")  # type: ignore[attr-defined]
        await _settle(pilot)
        assert screen.query_one("#upload-alt", Input).value == ""  # type: ignore[attr-defined]
