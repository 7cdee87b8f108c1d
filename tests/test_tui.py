"""Pilot tests: navigation, card states, details and the unlink dialog."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Button, Switch

from providers import catalog
from providers.overview import CardState
from providers.spec import NetworkSpec
from providers.store import Store
from tests.conftest import FIXED_NOW
from tests.seed import SEEDED, seed_accounts, seed_posts, write_config
from tests.support.tui import SIZE, card, pause_until, press_unlink
from tests.support.unbuilt import pretend_unbuilt, unbuilt_network
from tui.app import LinkdeckApp
from tui.context import Context
from tui.widgets.network_card import NetworkCard

# Cards, expiry warnings and scheduled times are read against one fixed moment.
pytestmark = pytest.mark.usefixtures("frozen_clock")


def make_app() -> LinkdeckApp:
    return LinkdeckApp(Context(run_outbox=False))


@pytest.fixture
def seeded(linkdeck_home: Path) -> dict[str, int]:
    write_config(linkdeck_home)
    with Store.open() as store:
        ids = seed_accounts(store)
        seed_posts(store)
    return ids


async def test_every_network_has_a_card_in_catalog_order() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        cards = list(app.screen.query(NetworkCard))
        assert [c.network_id for c in cards] == list(catalog.ids())
        assert app.screen.focused is cards[0]


async def test_mode_keys_switch_screens() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for key, screen in [
            ("u", "UploadScreen"),
            ("p", "PostsScreen"),
            ("h", "HelpScreen"),
            ("a", "AccountsScreen"),
            ("question_mark", "HelpScreen"),
        ]:
            if app.current_mode == "upload":
                await pilot.press("escape")  # Upload starts in its path box, which takes the letters
            await pilot.press(key)
            await pilot.pause()
            assert type(app.screen).__name__ == screen, key
        assert app.current_mode == "help"


async def test_card_states(seeded: dict[str, int]) -> None:
    app = make_app()
    unbuilt = unbuilt_network(besides=SEEDED).id  # a card that is "not built" (or made one)
    with pretend_unbuilt(unbuilt):
        await _card_states(app, unbuilt)


async def _card_states(app: LinkdeckApp, unbuilt: str) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        states = {c.network_id: c.card.state for c in app.screen.query(NetworkCard) if c.card}
        assert states["mastodon"] is CardState.LINKED
        assert states["facebook"] is CardState.LINKED
        assert states["bluesky"] is CardState.RECONNECT
        assert states["linkedin"] is CardState.LINKED
        assert states["pixelfed"] is CardState.NOT_LINKED
        assert states[unbuilt] is CardState.NOT_BUILT  # said before any set-up
        assert card(app, unbuilt).has_class("-not-built")
        assert card(app, unbuilt).border_subtitle == "not in this version"  # the body says why
        assert states["x"] is CardState.NEEDS_SETUP  # built: it needs the user's own developer app
        assert states["foursquare"] is CardState.UNAVAILABLE
        assert card(app, "mastodon").has_class("-linked")
        assert card(app, "bluesky").has_class("-reconnect")
        assert card(app, "linkedin").has_class("-expiring")  # expires in 3 days
        rendered = str(card(app, "facebook").card_text())
        assert "Alice's Bakery" in rendered  # the target shows on the card


async def test_arrow_keys_move_through_the_grid() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        ids = list(catalog.ids())
        await pilot.press("right")
        assert app.screen.focused is card(app, ids[1])
        await pilot.press("down")
        columns = app.screen._columns  # type: ignore[attr-defined]
        assert columns == 4  # 140 columns of terminal fit four cards
        assert app.screen.focused is card(app, ids[1 + columns])
        await pilot.press("left", "up")
        assert app.screen.focused is card(app, ids[0])


async def test_selecting_an_unlinked_card_opens_the_link_window() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        card(app, "pixelfed").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "LinkScreen"
        # a per-instance network asks for the server first
        for _ in range(50):
            if app.screen.query_one("#link-instance-step").display:
                break
            await pilot.pause(0.02)
        assert app.screen.query_one("#link-instance-step").display
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "AccountsScreen"


async def test_a_card_this_version_cannot_link_invites_no_set_up() -> None:
    app = make_app()
    spec = unbuilt_network()
    with pretend_unbuilt(spec.id):
        await _details_of_an_unbuilt_card(app, spec)


async def _details_of_an_unbuilt_card(app: LinkdeckApp, spec: NetworkSpec) -> None:
    async with app.run_test(size=SIZE) as pilot:
        card(app, spec.id).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "CardDetails"
        text = app.screen.query_one("#details-text").source  # type: ignore[attr-defined]
        assert f"Linking {spec.name} is not in this version of linkdeck." in text
        assert "## Set-up" not in text  # no guide for what cannot work yet
        assert not app.screen.query("#link")  # and no Link button


async def test_details_offer_revocation_page(seeded: dict[str, int], opened_urls: list[str]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.place = app.place.LOCAL  # a desktop: the browser may open
        card(app, "mastodon").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "CardDetails"
        await pilot.click("#open-settings")
        await pilot.pause()
        assert opened_urls == ["https://mastodon.example/oauth/authorized_applications"]


async def test_details_copy_instead_of_opening_over_ssh(
    seeded: dict[str, int], opened_urls: list[str]
) -> None:
    app = make_app()
    copied: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.place = app.place.SSH
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        card(app, "mastodon").focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#open-settings")
        await pilot.pause()
    assert opened_urls == []  # never launch a browser on the remote host
    assert copied == ["https://mastodon.example/oauth/authorized_applications"]


async def test_auto_share_toggle_is_saved(seeded: dict[str, int]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        card(app, "mastodon").focus()
        await pilot.press("enter")
        await pilot.pause()
        switch = app.screen.query_one("#auto-share", Switch)
        assert switch.value is True
        await pilot.click("#auto-share")
        await pilot.pause()
    with Store.open() as store:
        account = store.account(seeded["mastodon"])
        assert account is not None and account.auto_share is False


async def test_unlink_cancel_changes_nothing(seeded: dict[str, int]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await press_unlink(app, pilot, "mastodon")
        assert type(app.screen).__name__ == "Confirm"
        assert app.screen.focused is app.screen.query_one("#no", Button)  # the safe default
        await pilot.press("escape")
        await pilot.pause()
    with Store.open() as store:
        assert store.account(seeded["mastodon"]) is not None


async def test_unlink_confirmed_holds_scheduled_posts(seeded: dict[str, int]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await press_unlink(app, pilot, "mastodon")
        body = app.screen.query_one(".dialog-body").source  # type: ignore[attr-defined]
        assert "Posts already sent stay on Mastodon" in body
        assert "1 scheduled post" in body and "held" in body
        await pilot.click("#yes")
        await pilot.pause()
        await pilot.pause()
        assert type(app.screen).__name__ == "AccountsScreen"
        assert card(app, "mastodon").card.state is CardState.NOT_LINKED  # type: ignore[union-attr]
    with Store.open() as store:
        assert store.account(seeded["mastodon"]) is None
        assert [d.state for d in store.deliveries()] == ["held"]


async def test_posts_screen_lists_deliveries(seeded: dict[str, int]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await pilot.pause()
        table = app.screen.query_one("#posts-table")
        assert table.row_count == 1  # type: ignore[attr-defined]
        assert not app.screen.query_one("#posts-empty").display


async def test_upload_lists_linked_accounts_with_auto_share(seeded: dict[str, int]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        await pilot.pause()
        boxes = {b.id: b.value for b in app.screen.query("#upload-targets Checkbox")}  # type: ignore[attr-defined]
        # linked accounts only: the reconnect-needed Bluesky account is not offered
        assert boxes == {
            f"share-{seeded['mastodon']}": True,
            f"share-{seeded['linkedin']}": True,
            f"share-{seeded['facebook']}": True,
        }


async def test_upload_empty_state_without_accounts() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        await pilot.pause()
        empty = app.screen.query_one("#upload-no-accounts")
        assert str(empty.render()) == "No linked accounts yet. Press a to open Accounts and link one."
        assert empty.display and list(app.screen.query("#upload-targets Checkbox")) == []


async def test_help_has_guides_and_a_page_per_network() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        await pilot.pause()
        topics = app.screen.query_one("#help-topics")
        titles = [str(topics.get_option_at_index(i).prompt) for i in range(topics.option_count)]  # type: ignore[attr-defined]
        assert titles[:4] == ["Getting started", "Linking over SSH", "Troubleshooting", "Keys"]
        assert titles[4:] == [spec.name for spec in catalog.all_networks()]
        app.screen.show_topic("network:instagram")  # type: ignore[attr-defined]
        await pilot.pause()
        text = app.screen.query_one("#help-text").source  # type: ignore[attr-defined]
        assert "Business or Creator" in text and "Switch to professional account" in text


async def test_light_theme_renders(seeded: dict[str, int]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "textual-light"
        await pilot.pause()
        assert card(app, "mastodon").has_class("-linked")


async def test_command_palette_switches_modes() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Upload")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "UploadScreen"


async def test_posts_screen_actions_cancel_retry_and_move(seeded: dict[str, int]) -> None:
    from providers.store import Store as _Store

    with _Store.open() as store:
        mastodon = store.account(seeded["mastodon"])
        assert mastodon is not None
        store.remove_account(mastodon.id)  # its scheduled post is now held
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await pilot.pause()
        table = app.screen.query_one("#posts-table")
        assert table.row_count == 1  # type: ignore[attr-defined]
        assert "held" in str(app.screen.query_one("#posts-detail").render())
        await pilot.press("m")  # move the held post to another linked account
        await pilot.pause()
        assert type(app.screen).__name__ == "AskChoice"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        with _Store.open() as store:
            [delivery] = store.deliveries()
            assert delivery.state in ("scheduled", "due") and delivery.network != "mastodon"
        await pilot.press("x")  # cancel it
        await pilot.pause()
        with _Store.open() as store:
            assert [d.state for d in store.deliveries()] == ["failed"]
        await pilot.press("r")  # and try again
        await pilot.pause()
        with _Store.open() as store:
            assert [d.state for d in store.deliveries()] in (["due"], ["scheduled"])


# The app's scheduler (tui.outbox_runner) -----------------------------------------------------------


@pytest.fixture
def notified(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    """(title, message, severity) of every notification the app shows."""
    shown: list[tuple[str, str, str]] = []

    def notify(
        self: LinkdeckApp, message: str, *, title: str = "", severity: str = "information", **_: object
    ) -> None:
        shown.append((title, message, severity))

    monkeypatch.setattr(LinkdeckApp, "notify", notify)
    return shown


async def test_the_open_app_tells_when_a_scheduled_post_fails(notified: list[tuple[str, str, str]]) -> None:
    spec = unbuilt_network()
    with Store.open() as store:
        # Linked, but linkdeck cannot publish there: the scheduler records it failed at once.
        account = store.upsert_account(spec.id, "p1", handle="Harbour cafe")
        store.create_post_with_deliveries("due now", [], FIXED_NOW - timedelta(minutes=1), [account])
    app = LinkdeckApp(Context())
    with pretend_unbuilt(spec.id):
        async with app.run_test(size=SIZE) as pilot:
            await pause_until(pilot, lambda: notified, interval=0.05)  # the scheduler starts after a second
    with Store.open() as store:
        assert [d.state for d in store.deliveries()] == ["failed"]
    [(title, message, severity)] = notified
    assert (title, severity) == ("Scheduled post failed", "warning")
    assert message == (
        f"{spec.name} Harbour cafe: failed: publishing to {spec.id} is not built in this version of linkdeck"
    )


async def test_the_open_app_says_once_when_scheduled_posts_cannot_run(
    notified: list[tuple[str, str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from providers.errors import KeyringUnavailable

    async def no_keyring(*args: object, **kwargs: object) -> None:
        raise KeyringUnavailable("no keyring here")

    monkeypatch.setattr("providers.outbox.startup.recover_on_start", no_keyring)
    app = LinkdeckApp(Context())
    async with app.run_test(size=SIZE) as pilot:
        await pause_until(pilot, lambda: notified, interval=0.05)  # the scheduler starts after a second
        await pilot.pause(0.2)
    assert notified == [("No keyring", "no keyring here", "warning")]
