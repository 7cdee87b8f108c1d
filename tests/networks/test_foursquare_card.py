"""Foursquare's card on the Accounts screen and in ``linkdeck demo``: "legacy" with its reason
before any set-up (the details name the reason and how a legacy project opens it, and offer no
Link button); with a legacy project's client id it is a card like any other, and the Link window
asks for the place and the venue after the sign-in and offers what Foursquare found; the demo
links it with the sandbox's legacy project, the venue typed and chosen.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import Button, Input, Markdown, OptionList

from providers import catalog, linking, settings
from providers.linking.steps import AskFields, ChooseTarget, Linked, ShowAddress
from providers.networks.foursquare.sandbox_oauth import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from providers.overview import CardState, needs_setup
from providers.sandbox import Running
from providers.store import Store
from providers.vault import Vault
from tests.sandbox_browser import approve_async
from tests.support.ports import free_port
from tests.support.tui import SIZE, card, pause_until
from tui.app import LinkdeckApp
from tui.context import Context
from tui.demo import demo_environment
from tui.widgets.link_address import AddressView

pytestmark = pytest.mark.usefixtures("frozen_clock")


async def test_the_card_says_legacy_with_its_reason_and_offers_no_link_before_set_up() -> None:
    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        found = card(app, "foursquare")
        assert found.card is not None and found.card.state is CardState.UNAVAILABLE
        assert found.border_subtitle == "legacy"
        assert "18 Nov 2021" in str(found.card_text())
        found.focus()
        await pilot.press("d")
        await pause_until(pilot, lambda: app.screen.query("#details-text"))
        text = app.screen.query_one("#details-text", Markdown).source
        assert "**Legacy:** Check-ins need Foursquare's legacy v2 API" in text
        assert "linkdeck config set foursquare client_id" in text and "## Set-up" in text
        assert "linkdeck config set-secret foursquare" in text
        assert not app.screen.query("#link") and app.screen.query(Button)  # nothing offers to link


async def test_with_a_legacy_projects_client_id_the_card_can_be_linked(
    linkdeck_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKDECK_FOURSQUARE_CLIENT_ID", DEMO_CLIENT_ID)
    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        found = card(app, "foursquare")
        assert found.card is not None and found.card.state is CardState.NOT_LINKED
        assert found.border_subtitle == "not linked"


async def test_the_demo_links_foursquare_with_the_sandbox_legacy_project() -> None:
    with demo_environment():
        loaded = settings.load()
        assert loaded.network("foursquare").client_id == DEMO_CLIENT_ID
        assert needs_setup(catalog.get("foursquare"), loaded) == ""
        own = replace(loaded.network("foursquare"), port=free_port())  # 8080 may be taken here
        loaded = replace(loaded, networks={**loaded.networks, "foursquare": own})
        with Store.open() as store:
            session = await linking.begin_link(
                "foursquare", settings=loaded, store=store, vault=Vault(loaded)
            )
            async for step in session.steps():
                if isinstance(step, ShowAddress):
                    assert step.request is not None
                    step.paste((await approve_async(step.request.url)).headers["location"])
                elif isinstance(step, AskFields):
                    step.answer({"near": "Lisbon", "query": "harbour"})
                elif isinstance(step, ChooseTarget):
                    step.choose(
                        [c.name for c in step.choices].index("Harbour Lighthouse (Cais do Farol, Lisbon)")
                    )
                elif isinstance(step, Linked):
                    assert step.account is not None
                    assert step.account.target_name == "Harbour Lighthouse (Cais do Farol, Lisbon)"
                    break
            else:
                raise AssertionError("the demo did not link Foursquare")


async def test_the_link_window_asks_the_place_and_venue_after_sign_in_and_offers_the_venues(
    sandbox: Running, linkdeck_home: Path, monkeypatch: pytest.MonkeyPatch, plaintext_ok: None
) -> None:
    config = linkdeck_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[networks.foursquare]\nclient_id = "{DEMO_CLIENT_ID}"\nport = {free_port()}\n')
    monkeypatch.setenv("LINKDECK_FOURSQUARE_CLIENT_SECRET", DEMO_CLIENT_SECRET)
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        app.place = app.place.SSH  # no browser: the address is shown and the redirect pasted
        card(app, "foursquare").focus()
        await pilot.press("enter")
        screen = app.screen
        assert await pause_until(pilot, lambda: screen.query_one(AddressView).url is not None)
        answer = await approve_async(str(screen.query_one(AddressView).url))
        screen.query_one("#link-paste", Input).value = answer.headers["location"]
        screen.query_one("#link-paste", Input).focus()
        await pilot.press("enter")
        assert await pause_until(pilot, lambda: screen.query_one("#link-credentials-step").display)
        assert str(screen.query_one("#link-sign-in", Button).label) == "Continue"  # not a sign-in
        near, venue = screen.query("#link-credentials Input").results(Input)
        near.value, venue.value = "Lisbon", "Harbour"
        await pilot.click("#link-sign-in")
        assert await pause_until(pilot, lambda: screen.query_one("#link-choose-step").display)
        choices = screen.query_one("#link-choices", OptionList)
        shown = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        assert shown == [
            "location: Harbour Café (Rua do Cais 3, Lisbon)",
            "location: Harbour Lighthouse (Cais do Farol, Lisbon)",
        ]
        choices.highlighted = 1
        choices.action_select()
        assert await pause_until(pilot, lambda: type(app.screen).__name__ == "AccountsScreen")
        await pilot.pause()
        linked = card(app, "foursquare").card
        assert linked is not None and linked.state is CardState.LINKED
        assert linked.account is not None and linked.account.target_name.startswith("Harbour Lighthouse")
