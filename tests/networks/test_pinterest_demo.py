"""``linkdeck demo`` with Pinterest: the demo home configures the sandbox's Pinterest app, so the
card invites linking (not set-up), and a board is linked and a photo pinned with a link back,
all against the demo's own sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from providers import clock, linking, overview
from providers import settings as settings_module
from providers.linking.steps import ChooseTarget, Linked, ShowAddress
from providers.outbox.runner import run_due
from providers.store import DeliveryState, Store
from providers.vault import Vault
from tests import media_corpus
from tests.sandbox_browser import approve_async
from tui.demo import demo_environment

SPEC_PORT = 8080  # the port a real app registers, often taken: the demo links on a free one


async def test_the_demo_links_pinterest_and_pins_a_photo(tmp_path: Path) -> None:
    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (1000, 1500))
    with demo_environment():
        settings = settings_module.load()
        assert settings.network("pinterest").port != SPEC_PORT
        assert settings.network("pinterest").client_id
        with Store.open() as store:
            vault = Vault(settings)
            [card] = [c for c in overview.cards(settings, store) if c.spec.id == "pinterest"]
            assert card.state is overview.CardState.NOT_LINKED
            session = await linking.begin_link("pinterest", settings=settings, store=store, vault=vault)
            account = None
            async for step in session.steps():
                if isinstance(step, ShowAddress):
                    assert step.request is not None
                    step.paste((await approve_async(step.request.url)).headers["location"])
                elif isinstance(step, ChooseTarget):
                    step.choose(0)
                elif isinstance(step, Linked):
                    account = step.account
                    break
            assert account is not None and account.target_name == "Harbour photos"
            post = store.create_post("Low tide", [str(photo)], None)
            delivery = store.add_delivery(post.id, account)
            await run_due(store, vault, clock=clock.now)
            sent = store.delivery(delivery.id)
            assert sent is not None and sent.state == DeliveryState.SENT, sent.reason if sent else None
            assert sent.url and sent.url.startswith("https://www.pinterest.com/pin/")


async def test_in_the_demo_app_the_pinterest_card_links_a_chosen_board(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The TUI as a demo user drives it: Enter on the Pinterest card, Allow in the "browser", the
    address pasted, the second board picked from the list; the card turns linked on that board."""
    from textual.widgets import OptionList

    from tests.support.tui import SIZE, link_from_card, pause_until
    from tui.app import LinkdeckApp
    from tui.widgets.network_card import NetworkCard

    monkeypatch.setattr(LinkdeckApp, "open_url", lambda self, url, new_tab=True: None)
    with demo_environment():
        app = LinkdeckApp()
        async with app.run_test(size=SIZE) as pilot:
            app.place = app.place.SSH
            url = await link_from_card(app, pilot, "pinterest")
            assert "/www.pinterest.com/oauth/?" in url
            choices = app.screen.query_one("#link-choices", OptionList)
            assert await pause_until(pilot, lambda: choices.option_count == 2)
            assert str(choices.get_option_at_index(1).prompt) == "board: Recipes to try"
            choices.focus()
            choices.highlighted = 1
            await pilot.press("enter")
            await pause_until(pilot, lambda: type(app.screen).__name__ == "AccountsScreen")
            await pilot.pause()
            card = app.screen.query_one("#card-pinterest", NetworkCard).card
            assert card is not None and card.state is overview.CardState.LINKED
            [account] = card.accounts
            assert (account.handle, account.target_name) == ("@alice", "Recipes to try")
