"""A needs-setup card's details: the developer portal one key away, and the client id (into
config.toml, the rest of the file kept) and secret (into the keyring) typed there, then checked."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from providers import catalog
from providers.environment import Place
from providers.overview import CardState
from providers.vault import Vault
from tests.support.tui import SIZE, card, pause_until
from tui.app import LinkdeckApp
from tui.context import Context

CONFIG = '# mine\ntheme = "nord"\n\n[networks.mastodon]\nauto_share = false\n'


async def open_details(app: LinkdeckApp, pilot: object, network_id: str) -> None:
    await pilot.pause()  # type: ignore[attr-defined]
    card(app, network_id).focus()
    await pilot.press("enter")  # type: ignore[attr-defined]
    assert await pause_until(pilot, lambda: type(app.screen).__name__ == "CardDetails")


async def test_set_up_x_in_its_details_without_editing_config(
    linkdeck_home: Path, opened_urls: list[str]
) -> None:
    config = linkdeck_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(CONFIG, encoding="utf-8")
    app = LinkdeckApp(Context(run_outbox=False))
    app.place = Place.LOCAL
    async with app.run_test(size=SIZE) as pilot:
        assert card(app, "x").card.state is CardState.NEEDS_SETUP  # type: ignore[union-attr]
        await open_details(app, pilot, "x")
        portal = catalog.get("x").developer_url
        assert portal in str(app.screen.query_one("#developer-url").render())
        assert not app.screen.query("#revoke-url")
        assert app.focused is app.screen.query_one("#setup-client-id")  # ready to type into
        await pilot.click("#open-settings")
        assert opened_urls == [portal]
        app.screen.query_one("#setup-client-id").focus()
        await pilot.press(*"my-x-app", "enter")
        assert await pause_until(pilot, lambda: type(app.screen).__name__ == "AccountsScreen")
        assert card(app, "x").card.state is CardState.NOT_LINKED  # type: ignore[union-attr]
    assert config.read_text(encoding="utf-8") == CONFIG + '\n[networks.x]\nclient_id = "my-x-app"\n'


async def test_a_secret_goes_to_the_keyring_masked(linkdeck_home: Path) -> None:
    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot, "pinterest")
        secret_box = app.screen.query_one("#setup-secret", Input)
        assert secret_box.password
        app.screen.query_one("#setup-client-id", Input).value = "pin-app"
        secret_box.value = "s3cret"
        save = app.screen.query_one("#setup-save")
        save.scroll_visible(animate=False)  # the details scroll: Save may sit below the fold
        await pilot.pause()
        await pilot.click(save)
        assert await pause_until(pilot, lambda: type(app.screen).__name__ == "AccountsScreen")
        assert card(app, "pinterest").card.state is CardState.NOT_LINKED  # type: ignore[union-attr]
    assert Vault().get_client_secret("pinterest") == "s3cret"
    assert 'client_id = "pin-app"' in (linkdeck_home / "config" / "config.toml").read_text(encoding="utf-8")


async def test_an_empty_client_id_is_asked_for_and_nothing_written(linkdeck_home: Path) -> None:
    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await open_details(app, pilot, "x")
        await pilot.press("enter")  # in the client id box, empty
        await pilot.pause()
        assert "Enter the client id" in str(app.screen.query_one("#setup-result").render())
    assert not (linkdeck_home / "config" / "config.toml").exists()


def test_a_needs_setup_reason_on_a_card_shows_its_command_without_backticks() -> None:
    from providers.overview import Card
    from tui.widgets.network_card import describe

    reason = "Ayrshare needs your API key: `linkdeck config set-secret ayrshare`."
    shown = describe(Card(catalog.get("ayrshare"), CardState.NEEDS_SETUP, (), reason))
    assert shown.plain == "Ayrshare needs your API key: linkdeck config set-secret ayrshare."
