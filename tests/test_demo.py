"""`linkdeck demo`: the app against the sandbox in a throw-away home, so a newcomer can link and
post with nothing real touched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from providers.overview import CardState
from tests.support.tui import SIZE, link_from_card, pause_until
from tui.app import LinkdeckApp
from tui.demo import demo_environment
from tui.widgets.network_card import NetworkCard


async def test_demo_links_mastodon_on_the_sandbox_and_cleans_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LinkdeckApp, "open_url", lambda self, url, new_tab=True: None)
    before = os.environ.get("LINKDECK_SANDBOX_URL")
    with demo_environment() as home:
        assert os.environ["LINKDECK_HOME"] == str(home)
        sandbox = os.environ["LINKDECK_SANDBOX_URL"]
        assert sandbox != before
        app = LinkdeckApp()
        async with app.run_test(size=SIZE) as pilot:
            app.place = app.place.SSH
            # no server question: the demo starts on mastodon.example
            url = await link_from_card(app, pilot, "mastodon")
            assert url.startswith(f"{sandbox}/mastodon.example/oauth/authorize?")
            await pause_until(pilot, lambda: type(app.screen).__name__ == "AccountsScreen")
            await pilot.pause()
            card = app.screen.query_one("#card-mastodon", NetworkCard).card
            assert card is not None and card.state is CardState.LINKED
        # the token went to the demo folder's file, never a real keyring
        assert (home / "data" / "secrets-plaintext.cfg").exists()
    assert not Path(home).exists()
    assert os.environ.get("LINKDECK_SANDBOX_URL") == before  # the demo's sandbox address is gone


async def test_the_demo_says_it_is_a_demo_and_gives_bluesky_demo_account() -> None:
    """Issue 10 item 8: the header says SANDBOX on every screen, and the Bluesky window shows the
    sandbox's demo handle and app password to type."""
    from providers.networks.bluesky.sandbox import DEMO

    with demo_environment():
        app = LinkdeckApp()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert "SANDBOX" in str(app.screen.query_one("HeaderTitle").render())
            app.screen.query_one("#card-bluesky").focus()
            await pilot.press("enter")
            await pause_until(pilot, lambda: app.screen.query("#link-instance-step"))
            await pilot.press("enter")  # the suggested server, bsky.social
            await pause_until(pilot, lambda: app.screen.query("#link-credentials Input"), tries=100)
            await pilot.pause()
            hint = str(app.screen.query_one("#link-credentials-hint").render())
            assert "Sandbox demo account" in hint
            assert DEMO.fields["handle"] in hint and DEMO.fields["app_password"] in hint


async def test_outside_the_sandbox_no_marker_and_no_demo_account() -> None:
    app = LinkdeckApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "SANDBOX" not in str(app.screen.query_one("HeaderTitle").render())
        app.screen.query_one("#card-bluesky").focus()
        await pilot.press("enter")
        await pause_until(pilot, lambda: app.screen.query("#link-instance-step"))
        await pilot.press("enter")
        await pause_until(pilot, lambda: app.screen.query("#link-credentials Input"), tries=100)
        await pilot.pause()
        assert "Sandbox" not in str(app.screen.query_one("#link-credentials-hint").render())
