"""An 80×24 terminal (issue 10 item 7): every button of every dialog, and Upload's Post, is on
screen: the dialogs' bodies scroll and their buttons lose their borders; Upload's third column is
compact and scrolls."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widget import Widget
from textual.widgets import Button

from providers.store import Store
from tests.scenarios import PICTURES, _link_waiting, _stub_link
from tests.seed import seed_accounts, seed_posts, write_config
from tests.support.tui import card, pause_until
from tui.app import LinkdeckApp
from tui.context import Context

pytestmark = pytest.mark.usefixtures("frozen_clock")

SMALL = (80, 24)


@pytest.fixture
def seeded(linkdeck_home: Path) -> None:
    write_config(linkdeck_home)
    with Store.open() as store:
        seed_accounts(store)
        seed_posts(store)


def off_screen(app: LinkdeckApp) -> list[str]:
    """The buttons shown on the current screen that are not wholly inside the terminal."""
    width, height = app.size
    return [
        str(button.id)
        for button in app.screen.query(Button)
        if all(node.display for node in button.ancestors_with_self if isinstance(node, Widget))
        and not (button.region.width and button.region.right <= width and button.region.bottom <= height)
    ]


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("network_id", ["facebook", "bluesky", "x", "foursquare"])
async def test_details_buttons_on_screen(network_id: str) -> None:
    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        card(app, network_id).focus()
        await pilot.press("d")
        await pilot.pause()
        assert type(app.screen).__name__ == "CardDetails"
        assert len(app.screen.query(Button)) >= 3
        assert off_screen(app) == []


@pytest.mark.usefixtures("seeded")
async def test_unlink_confirmation_buttons_on_screen() -> None:
    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        card(app, "mastodon").focus()
        await pilot.press("d")
        await pilot.pause()
        await pilot.click("#unlink")
        await pause_until(pilot, lambda: type(app.screen).__name__ == "Confirm")
        await pilot.pause()
        assert off_screen(app) == []


async def test_link_window_buttons_on_screen() -> None:
    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await _stub_link(pilot)
        card(app, "mastodon").focus()
        await pilot.press("enter")
        await _link_waiting(pilot)
        assert app.screen.query_one("#link-copy").display
        assert off_screen(app) == []


@pytest.mark.usefixtures("seeded")
async def test_upload_post_button_on_screen() -> None:
    app = LinkdeckApp(Context(start_dir=PICTURES, run_outbox=False))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        assert app.screen.query("#upload-targets Checkbox")  # the seeded accounts are listed
        assert off_screen(app) == []


async def test_no_literal_backticks_on_any_screen_or_details() -> None:
    """Commands and config keys in engine and screen text are shown bold or as code, never with
    their Markdown backticks (tui/prose.py): every screen, empty, and every card's details."""
    from providers import catalog

    app = LinkdeckApp(Context(start_dir=PICTURES, run_outbox=False))
    shown: dict[str, str] = {}
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        for network_id in catalog.ids():
            card(app, network_id).focus()
            await pilot.press("d")
            await pilot.pause()
            shown[network_id] = app.export_screenshot()
            await pilot.press("escape")
            await pilot.pause()
        for key in ("a", "u", "p", "h"):
            await pilot.press(key)
            await pilot.pause()
            shown[key] = app.export_screenshot()
    assert [name for name, svg in shown.items() if "`" in svg] == []
