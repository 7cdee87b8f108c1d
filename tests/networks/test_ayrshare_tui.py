"""The Ayrshare card in the TUI against the sandbox: the Link window asks for the profile title and
the network, shows Ayrshare's hosted linking page with no paste box (nothing comes back through a
redirect), and the card turns green once the network is linked on that page. 'Link via Ayrshare'
from another network's card (Instagram's details, the v key): the Link window asks only for the
profile title, and that card turns green "via Ayrshare"; X's explains why not; Tumblr's has none."""

from __future__ import annotations

import pytest
from textual.widgets import Button

from providers.networks.ayrshare.sandbox import DEMO_KEY
from providers.overview import CardState
from providers.sandbox import Running
from tests.networks.ayrshare_support import app_with_key, app_without_key, link_on_page
from tests.support.tui import SIZE, card, pause_until

pytestmark = pytest.mark.usefixtures("frozen_clock", "plaintext_ok")


async def test_the_link_window_shows_ayrshares_page_and_the_card_turns_green(
    sandbox: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_with_key(sandbox, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        app.place = app.place.SSH
        card(app, "ayrshare").focus()
        await pilot.press("enter")
        await pilot.pause()
        await link_on_page(app, pilot, "Harbour Studio", "instagram")
        linked = card(app, "ayrshare").card
        assert linked is not None and linked.state is CardState.LINKED
        assert linked.account is not None and linked.account.handle == "harbour.studio"


async def test_the_api_key_is_entered_in_the_app_then_the_link_window_opens(
    sandbox: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    from providers.overview import CardState as State

    app = app_without_key(sandbox, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        ayrshare = card(app, "ayrshare")
        assert ayrshare.card is not None and ayrshare.card.state is State.NEEDS_SETUP
        ayrshare.focus()
        await pilot.press("enter")
        assert await pause_until(pilot, lambda: type(app.screen).__name__ == "CardDetails")
        await pilot.click("#api-key")
        assert await pause_until(pilot, lambda: type(app.screen).__name__ == "AskText")
        field = app.screen.query_one("#ask-text")
        assert field.password  # type: ignore[attr-defined]
        field.value = DEMO_KEY  # type: ignore[attr-defined]
        field.focus()
        await pilot.press("enter")
        assert await pause_until(pilot, lambda: type(app.screen).__name__ == "LinkScreen")
        assert app.ctx.vault.get_client_secret("ayrshare") == DEMO_KEY
        screen = app.screen
        assert await pause_until(pilot, lambda: screen.query_one("#link-credentials-step").display)


async def test_instagrams_card_links_via_ayrshare_and_turns_green_via_ayrshare(
    sandbox: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_with_key(sandbox, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        app.place = app.place.SSH
        tumblr, x = card(app, "tumblr").card, card(app, "x").card
        assert tumblr is not None and tumblr.routes == ()  # Ayrshare does not offer Tumblr
        assert x is not None and len(x.routes) == 1
        assert x.routes[0].refused.startswith("X through Ayrshare needs")

        card(app, "instagram").focus()
        await pilot.press("d")
        assert await pause_until(pilot, lambda: type(app.screen).__name__ == "CardDetails")
        details = app.screen
        assert str(details.query_one("#via-ayrshare", Button).label) == "Link via Ayrshare"
        assert details.query_one("#link", Button)  # the direct route stays beside it
        await pilot.click("#via-ayrshare")
        assert await pause_until(pilot, lambda: type(app.screen).__name__ == "LinkScreen")
        await link_on_page(app, pilot, "Harbour Studio")  # the title only: the network is Instagram

        instagram = card(app, "instagram")
        linked = instagram.card
        assert linked is not None and linked.state is CardState.LINKED
        assert linked.account is not None and linked.account.network == "ayrshare"
        assert linked.via(linked.account) == "Ayrshare"
        assert instagram.border_subtitle == "linked via Ayrshare"
        assert "via Ayrshare" in instagram.card_text().plain
        ayrshare = card(app, "ayrshare").card  # the broker's own card lists it too
        assert ayrshare is not None and ayrshare.accounts == linked.accounts
        facebook = card(app, "facebook").card
        # Facebook needs a developer app of the user's own, and offers the route without one.
        assert facebook is not None and facebook.state is CardState.NEEDS_SETUP
        assert [r.label for r in facebook.routes] == ["Link via Ayrshare"]


async def test_the_v_key_explains_x_and_offers_nothing_without_a_key(
    sandbox: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_without_key(sandbox, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        instagram = card(app, "instagram")
        assert instagram.card is not None and instagram.card.routes == ()  # no Ayrshare key yet
        instagram.focus()
        await pilot.press("v")
        await pilot.pause()
        assert type(app.screen).__name__ == "AccountsScreen"
        assert any("no broker route" in str(n.message) for n in app._notifications)

        monkeypatch.setenv("LINKDECK_AYRSHARE_CLIENT_SECRET", DEMO_KEY)
        app.screen.refresh_cards()  # type: ignore[attr-defined]
        card(app, "x").focus()
        await pilot.press("v")
        await pilot.pause()
        assert type(app.screen).__name__ == "AccountsScreen"  # nothing opens for X
        assert any("needs your own X app keys" in str(n.message) for n in app._notifications)
