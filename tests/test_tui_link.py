"""Linking and unlinking through the TUI against the sandbox, with the consent page driven by an
HTTP client acting as the user's browser (tests/sandbox_browser.py)."""

from __future__ import annotations

import httpx2
import pytest

from providers.overview import CardState
from providers.sandbox import Running
from providers.store import Store
from tests.sandbox_browser import approve_async
from tests.support.tui import SIZE, card, pause_until
from tui.app import LinkdeckApp
from tui.context import Context
from tui.widgets.link_address import AddressView

# Cards, expiry warnings and scheduled times are read against one fixed moment; the app's vault
# is the real Secret Service under tests/with_keyring.sh, else the opted-in plaintext file.
pytestmark = pytest.mark.usefixtures("frozen_clock", "plaintext_ok")


async def wait_for(pilot, condition, tries: int = 200) -> None:  # type: ignore[no-untyped-def]
    if not await pause_until(pilot, condition, tries):
        shown = [str(w.render())[:200] for w in pilot.app.screen.query(".link-error")]
        raise AssertionError(f"condition not met in time; the window says {shown}")


def address(screen) -> str:  # type: ignore[no-untyped-def]
    """The network's address the Link window shows (its address step)."""
    url = screen.query_one(AddressView).url
    assert url is not None
    return str(url)


async def open_link_window(pilot, app: LinkdeckApp, network: str, instance: str):  # type: ignore[no-untyped-def]
    card(app, network).focus()
    await pilot.press("enter")
    await pilot.pause()
    assert type(app.screen).__name__ == "LinkScreen"
    screen = app.screen
    await wait_for(pilot, lambda: screen.query_one("#link-instance-step").display)
    await pilot.click("#link-instance")
    screen.query_one("#link-instance").value = instance  # typing it key by key is slow
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen.query_one(AddressView).url is not None)
    return screen


async def test_link_by_pasting_the_address_then_unlink(sandbox: Running, opened_urls: list[str]) -> None:
    app = LinkdeckApp(Context())
    async with app.run_test(size=SIZE) as pilot:
        app.place = app.place.SSH  # over SSH: no browser, the address is shown
        screen = await open_link_window(pilot, app, "mastodon", f"{sandbox.url}/mastodon.example")
        url = address(screen)
        assert opened_urls == []
        assert str(screen.query_one("#link-url").render()).startswith(url[:40])
        # 140×45 has no room for the address and the QR code side by side: the button swaps them
        assert not screen.query_one("#link-qr").display
        await pilot.click("#link-qr-toggle")
        await pilot.pause()
        assert screen.query_one("#link-qr").display and not screen.query_one("#link-left").display
        await pilot.click("#link-qr-back")
        await pilot.pause()
        assert screen.query_one("#link-left").display and not screen.query_one("#link-qr").display
        redirect = (await approve_async(url)).headers["location"]
        await pilot.click("#link-paste")
        screen.query_one("#link-paste").value = redirect
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AccountsScreen")
        await pilot.pause()
        linked = card(app, "mastodon").card
        assert linked is not None and linked.state is CardState.LINKED
        assert linked.account is not None and linked.account.handle == "@alice@mastodon.example"

        await pilot.press("enter")  # details of the linked card
        await pilot.pause()
        await pilot.click("#unlink")
        await pilot.pause()
        await pilot.click("#yes")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AccountsScreen")
        await wait_for(pilot, lambda: card(app, "mastodon").card.state is CardState.NOT_LINKED)  # type: ignore[union-attr]
    async with httpx2.AsyncClient() as client:
        record = (
            await client.get(f"{sandbox.url}/__sandbox__/requests", params={"path": "/oauth/revoke"})
        ).json()
    assert len(record["requests"]) == 1  # unlinking revoked the token at the server
    with Store.open() as store:
        assert store.accounts() == []


async def test_link_through_the_loopback_listener_when_a_browser_opens(
    sandbox: Running, opened_urls: list[str]
) -> None:
    app = LinkdeckApp(Context())
    async with app.run_test(size=SIZE) as pilot:
        app.place = app.place.LOCAL
        screen = await open_link_window(pilot, app, "pixelfed", f"{sandbox.url}/pixelfed.example")
        url = address(screen)
        assert opened_urls == [url]  # a desktop: the browser was asked to open the page
        redirect = (await approve_async(url)).headers["location"]
        async with httpx2.AsyncClient() as browser:  # the browser follows the redirect to our listener
            answer = await browser.get(redirect)
        assert answer.status_code == 200 and "terminal" in answer.text
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AccountsScreen")
        await pilot.pause()
        linked = card(app, "pixelfed").card
        assert linked is not None and linked.state is CardState.LINKED


async def test_a_forged_paste_is_refused_in_the_window(sandbox: Running) -> None:
    app = LinkdeckApp(Context())
    async with app.run_test(size=SIZE) as pilot:
        app.place = app.place.SSH
        screen = await open_link_window(pilot, app, "mastodon", f"{sandbox.url}/mastodon.example")
        url = address(screen)
        redirect = (await approve_async(url)).headers["location"]
        forged = redirect.replace("state=", "state=x")
        await pilot.click("#link-paste")
        screen.query_one("#link-paste").value = forged
        await pilot.press("enter")
        await pilot.pause()
        assert "state" in str(screen.query_one("#link-error").render())
        assert type(app.screen).__name__ == "LinkScreen"  # still waiting for the real answer
        await pilot.press("escape")
        await pilot.pause()
    with Store.open() as store:
        assert store.accounts() == []


async def test_bluesky_links_with_handle_and_app_password_in_the_window(sandbox: Running) -> None:
    """A credential network: the window asks for the handle and the app password (masked)."""
    app = LinkdeckApp(Context())
    async with app.run_test(size=SIZE) as pilot:
        app.place = app.place.SSH
        card(app, "bluesky").focus()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        await wait_for(pilot, lambda: screen.query_one("#link-instance-step").display)
        assert screen.query_one("#link-instance").value == "bsky.social"  # type: ignore[attr-defined]
        screen.query_one("#link-instance").value = f"{sandbox.url}/bsky.social"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.query_one("#link-credentials-step").display)
        fields = list(screen.query("#link-credentials Input"))
        assert len(fields) == 2 and fields[1].password  # type: ignore[attr-defined]
        fields[0].value = "alice.bsky.social"  # type: ignore[attr-defined]
        fields[1].value = "wrong-pass"  # type: ignore[attr-defined]
        await pilot.click("#link-sign-in")
        await wait_for(
            pilot, lambda: "app password" in str(screen.query_one("#link-credentials-error").render()).lower()
        )
        fields[1].value = "demo-demo-demo-demo"  # type: ignore[attr-defined]
        fields[1].focus()
        await pilot.press("enter")  # Enter in the last field signs in
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AccountsScreen")
        await pilot.pause()
        linked = card(app, "bluesky").card
        assert linked is not None and linked.state is CardState.LINKED


async def test_linking_from_upload_turns_sharing_on(sandbox: Running) -> None:

    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        app.place = app.place.SSH
        await pilot.press("u")
        await pilot.pause()
        upload = app.screen
        assert upload.query_one("#upload-no-accounts")
        await pilot.click("#upload-link")
        await pilot.pause()
        choices = app.screen.query_one("#ask-choices")
        index = next(
            i for i in range(choices.option_count) if choices.get_option_at_index(i).id == "mastodon"
        )  # type: ignore[attr-defined]
        choices.highlighted = index  # type: ignore[attr-defined]
        choices.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LinkScreen")
        screen = app.screen
        await wait_for(pilot, lambda: screen.query_one("#link-instance-step").display)
        screen.query_one("#link-instance").value = f"{sandbox.url}/mastodon.example"  # type: ignore[attr-defined]
        screen.query_one("#link-instance").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.query_one(AddressView).url is not None)
        redirect = (await approve_async(address(screen))).headers["location"]
        screen.query_one("#link-paste").value = redirect  # type: ignore[attr-defined]
        screen.query_one("#link-paste").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is upload)
        await wait_for(pilot, lambda: bool(upload.query("#upload-targets Checkbox")))
        [box] = list(upload.query("#upload-targets Checkbox"))
        assert "Mastodon: @alice@mastodon.example" in str(box.label) and box.value
