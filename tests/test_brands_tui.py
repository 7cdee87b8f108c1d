"""Brands in the TUI (Pilot): nothing shows while there is one brand; with two, the Accounts
screen filters its cards by the chosen brand (reached from the keyboard), a card's details move
its account to another brand, and Upload's brand chooser picks that brand's accounts, which are
the only ones the post reaches."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Select, TextArea

from providers.overview import CardState
from providers.sandbox import Running
from providers.store import Account, Store
from tests.scenarios import PICTURES, _settle
from tests.support.linking import ALICE, BOB, link_async, statuses_async
from tests.support.tui import SIZE, card, link_from_card, pause_until
from tui.app import LinkdeckApp
from tui.context import Context
from tui.demo import demo_environment
from tui.widgets.brand_select import BrandSelect
from tui.widgets.network_card import NetworkCard

pytestmark = pytest.mark.usefixtures("frozen_clock")


def seed(*, acme: bool) -> None:
    """Mastodon in the default brand; Instagram in Acme when ``acme``, else in the default too."""
    with Store.open() as store:
        store.upsert_account("mastodon", "1", handle="@alice@m.example", instance="https://m.example")
        instagram = store.upsert_account("instagram", "2", handle="alice.bakes")
        if acme:
            store.set_account_brand(instagram.id, store.add_brand("Acme").id)


@asynccontextmanager
async def accounts_screen(*, acme: bool) -> AsyncIterator[tuple[LinkdeckApp, Pilot[None]]]:
    """The app on its Accounts screen over :func:`seed`'s accounts."""
    seed(acme=acme)
    app = LinkdeckApp(Context(start_dir=PICTURES, run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        yield app, pilot


async def test_one_brand_shows_no_chooser_and_b_does_nothing(linkdeck_home: Path) -> None:
    async with accounts_screen(acme=False) as (app, pilot):
        chooser = app.screen.query_one("#accounts-brand", BrandSelect)
        assert not chooser.display
        assert "choose_brand" not in {
            b.binding.action for b in app.screen.active_bindings.values() if b.enabled
        }
        await pilot.press("b")
        assert app.focused is not chooser
        assert card(app, "instagram").card.state is CardState.LINKED  # type: ignore[union-attr]


async def test_the_accounts_screen_filters_by_the_brand_chosen_from_the_keyboard(linkdeck_home: Path) -> None:
    async with accounts_screen(acme=True) as (app, pilot):
        chooser = app.screen.query_one("#accounts-brand", BrandSelect)
        assert chooser.display and chooser.brand_id is None  # all brands to begin with
        assert card(app, "mastodon").card.state is CardState.LINKED  # type: ignore[union-attr]
        assert card(app, "instagram").card.state is CardState.LINKED  # type: ignore[union-attr]

        await pilot.press("b")  # the chooser opens; the arrows are its own, not the cards'
        await pilot.pause()
        assert chooser.expanded
        await pilot.press("down", "down", "enter")  # All brands → Default → Acme
        await pilot.pause()
        with Store.open() as store:
            assert chooser.brand_id == store.brand("acme").id
        assert card(app, "instagram").card.state is CardState.LINKED  # type: ignore[union-attr]
        assert card(app, "mastodon").card.state is CardState.NOT_LINKED  # type: ignore[union-attr]
        summary = str(app.screen.query_one("#accounts-summary").render())
        assert summary.startswith("1 of ")

        # Tab leaves the chooser, and the arrows move between the cards again.
        await pilot.press("tab")
        await pilot.press("right")
        await pilot.pause()
        assert isinstance(app.focused, NetworkCard)


async def test_details_move_an_account_to_another_brand(linkdeck_home: Path) -> None:
    async with accounts_screen(acme=True) as (app, pilot):
        card(app, "mastodon").focus()
        await pilot.press("d")
        await pilot.pause()
        chooser = app.screen.query_one("#account-brand", Select)
        with Store.open() as store:
            acme = store.brand("Acme").id
        chooser.value = acme
        await pilot.pause()
    with Store.open() as store:
        [mastodon] = store.accounts_for("mastodon")
        assert mastodon.brand == "Acme"


@pytest.fixture
async def alice_in_acme(sandbox: Running, linkdeck_home: Path) -> tuple[Account, Account]:
    """Alice (Acme) and Bob (the default brand) on the sandbox's Mastodon, both sharing by default."""
    with Store.open() as store:
        alice = await link_async(store, f"{sandbox.url}/mastodon.example")
        bob = await link_async(store, f"{sandbox.url}/mastodon.example", user="bob")
        alice = store.set_account_brand(alice.id, store.add_brand("Acme").id)
        return alice, bob


@pytest.mark.usefixtures("plaintext_ok")  # the app opens its own vault
async def test_upload_to_a_brand_ticks_its_accounts_and_reaches_only_them(
    sandbox: Running, alice_in_acme: tuple[Account, Account]
) -> None:
    alice, bob = alice_in_acme
    app = LinkdeckApp(Context(start_dir=PICTURES, run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        await pilot.pause()
        screen = app.screen
        boxes = {c.id: c.value for c in screen.query("#upload-targets Checkbox")}
        assert boxes == {f"share-{alice.id}": True, f"share-{bob.id}": True}  # all brands: as auto-share says

        chooser = screen.query_one("#upload-brand", BrandSelect)
        assert chooser.display
        chooser.focus()
        await pilot.press("enter", "down", "down", "enter")  # All brands → Default → Acme
        await _settle(pilot)
        assert {c.id: c.value for c in screen.query("#upload-targets Checkbox")} == {
            f"share-{alice.id}": True
        }

        screen.query_one("#upload-caption", TextArea).text = "Acme's news"
        await _settle(pilot)
        assert not screen.query_one("#upload-post").disabled
        await pilot.click("#upload-post")
        await pause_until(
            pilot, lambda: not [w for w in screen.workers if w.group == "publish" and not w.is_finished]
        )
        await pilot.pause()
    with Store.open() as store:
        [delivery] = store.deliveries()
    assert (delivery.remote_id, delivery.state) == (ALICE, "sent")
    assert len(await statuses_async(str(alice.instance), ALICE)) == 1
    assert await statuses_async(str(bob.instance), BOB) == []


async def test_linking_from_a_brand_chosen_on_accounts_puts_the_account_in_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The demo's sandbox: Acme chosen, Mastodon linked from its card, and the new account is
    Acme's (so it stays on the screen the person is looking at)."""
    monkeypatch.setattr(LinkdeckApp, "open_url", lambda self, url, new_tab=True: None)
    with demo_environment():
        with Store.open() as store:
            acme = store.add_brand("Acme").id
        app = LinkdeckApp()
        async with app.run_test(size=SIZE) as pilot:
            app.place = app.place.SSH
            await pilot.pause()
            app.screen.query_one("#accounts-brand", BrandSelect).value = acme
            await pilot.pause()
            await link_from_card(app, pilot, "mastodon")
            await pause_until(pilot, lambda: type(app.screen).__name__ == "AccountsScreen")
            await pilot.pause()
            assert card(app, "mastodon").card.state is CardState.LINKED  # type: ignore[union-attr]
        with Store.open() as store:
            [account] = store.accounts()
            assert account.brand_id == acme
