"""The Ayrshare card in the TUI against the sandbox: the Link window asks for the profile title and
the network, shows Ayrshare's hosted linking page with no paste box (nothing comes back through a
redirect), and the card turns green once the network is linked on that page."""

from __future__ import annotations

import pytest

from providers.networks.ayrshare.link import AyrshareSignIn
from providers.networks.ayrshare.sandbox import DEMO_KEY
from providers.overview import CardState
from providers.sandbox import Running
from tests.sandbox_browser import approve_async
from tests.support.tui import SIZE, card, pause_until
from tui.app import LinkdeckApp
from tui.context import Context
from tui.widgets.link_address import AddressView

pytestmark = pytest.mark.usefixtures("frozen_clock", "plaintext_ok")


async def test_the_link_window_shows_ayrshares_page_and_the_card_turns_green(
    sandbox: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("LINKDECK_AYRSHARE_CLIENT_SECRET", DEMO_KEY)
    monkeypatch.setattr(AyrshareSignIn, "poll_seconds", 0.05)
    app = LinkdeckApp(Context())
    async with app.run_test(size=SIZE) as pilot:
        app.place = app.place.SSH
        card(app, "ayrshare").focus()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert await pause_until(pilot, lambda: screen.query_one("#link-credentials-step").display)
        fields = list(screen.query("#link-credentials Input"))
        assert len(fields) == 2
        fields[0].value = "Harbour Studio"  # type: ignore[attr-defined]
        fields[1].value = "instagram"  # type: ignore[attr-defined]
        await pilot.click("#link-sign-in")
        assert await pause_until(pilot, lambda: screen.query_one(AddressView).url is not None)
        view = screen.query_one(AddressView)
        assert not screen.query_one("#link-paste").display
        assert "finishes by itself" in str(screen.query_one("#link-explain").render())
        assert view.url is not None
        assert (await approve_async(view.url)).status_code == 302
        assert await pause_until(pilot, lambda: type(app.screen).__name__ == "AccountsScreen", 400)
        await pilot.pause()
        linked = card(app, "ayrshare").card
        assert linked is not None and linked.state is CardState.LINKED
        assert linked.account is not None and linked.account.handle == "harbour.studio"


async def test_the_api_key_is_entered_in_the_app_then_the_link_window_opens(
    sandbox: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    from providers.overview import CardState as State

    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    monkeypatch.delenv("LINKDECK_AYRSHARE_CLIENT_SECRET", raising=False)
    app = LinkdeckApp(Context())
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
