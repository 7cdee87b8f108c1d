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
    with demo_environment() as home:
        assert os.environ["LINKDECK_HOME"] == str(home)
        sandbox = os.environ["LINKDECK_SANDBOX_URL"]
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
    assert "LINKDECK_SANDBOX_URL" not in os.environ or os.environ["LINKDECK_SANDBOX_URL"] != sandbox
