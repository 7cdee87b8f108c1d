"""Pilot tests of Instagram's "Share to Facebook": the choice in Instagram's details (the linked
Pages, or off) written to config.toml; the Facebook details naming it; Upload ticking the Page
with Instagram; and the post made from Upload getting one delivery per account."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from textual.widgets import Checkbox, Select

from providers.store import Store
from tests.seed import seed_accounts, write_config
from tests.support.tui import SIZE, card
from tui.app import LinkdeckApp
from tui.context import Context

pytestmark = pytest.mark.usefixtures("frozen_clock")
PAGE = "2002"  # the seeded Facebook account's Page, "Alice's Bakery"


@pytest.fixture
def linked(linkdeck_home: Path) -> dict[str, int]:
    write_config(linkdeck_home)
    with Store.open() as store:
        ids = seed_accounts(store)
        instagram = store.upsert_account(
            "instagram", "17841400000000001", handle="@alice", display_name="Alice"
        )
        store.set_auto_share(ids["facebook"], False)  # not ticked by itself: only through sharing
    return {**ids, "instagram": instagram.id}


def config_of(home: Path) -> dict[str, object]:
    found: dict[str, object] = tomllib.loads((home / "config" / "config.toml").read_text())
    return found


async def test_instagram_details_choose_the_page_and_upload_ticks_it(
    linked: dict[str, int], linkdeck_home: Path
) -> None:
    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        card(app, "instagram").focus()
        await pilot.press("enter")
        await pilot.pause()
        choice = app.screen.query_one("#share-to", Select)
        assert choice.value == "off"
        assert [str(label) for label, _ in choice._options] == ["Off", "Alice's Bakery"]
        choice.value = PAGE
        for _ in range(20):  # written in a worker thread
            await pilot.pause(0.05)
            if "share_to_facebook" in (linkdeck_home / "config" / "config.toml").read_text():
                break
        await pilot.pause()
        networks = config_of(linkdeck_home)["networks"]
        assert networks["instagram"]["share_to_facebook"] == PAGE  # type: ignore[index]
        assert app.ctx.settings.network("instagram").share_to_facebook == PAGE
        await pilot.press("escape")
        await pilot.pause()

        card(app, "facebook").focus()
        await pilot.press("enter")
        await pilot.pause()
        text = app.screen.query_one("#details-text").source  # type: ignore[attr-defined]
        assert "Also gets Instagram's posts" in text
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("u")
        await pilot.pause()
        boxes = {b.id: b for b in app.screen.query(Checkbox)}
        instagram, facebook = boxes[f"share-{linked['instagram']}"], boxes[f"share-{linked['facebook']}"]
        assert instagram.value is True and facebook.value is True  # Instagram brings its Page along
        instagram.value = False
        facebook.value = False
        await pilot.pause()
        instagram.value = True  # ticking Instagram ticks the Page again, in one step
        await pilot.pause()
        assert facebook.value is True
        facebook.value = False  # and the Page can still be left out of this one post
        await pilot.pause()
        assert instagram.value is True and facebook.value is False


async def test_without_a_linked_page_the_details_say_how_to_get_one(linkdeck_home: Path) -> None:
    write_config(linkdeck_home)
    with Store.open() as store:
        store.upsert_account("instagram", "17841400000000001", handle="@alice", display_name="Alice")
    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        card(app, "instagram").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert not app.screen.query("#share-to")
        assert "link Facebook" in str(app.screen.query_one("#share-to-none").render())
