"""Every network that links, publishes and has a sandbox emulator (as tests/test_contract.py finds
them), end to end through the TUI in ``linkdeck demo``'s environment: Enter on its card, the Link
window's steps answered as a person would (the server, the typed credentials, Allow on the
sandbox's consent page with the address pasted back, the first target), the card turns linked
with the account's handle; on Upload a photo (a short video where the spec takes no photos) is
posted to that account alone and is sent with a link; then Unlink in the card's details, confirmed,
and the card is no longer linked. No network is named here: a new one is covered by existing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from textual.widgets import Checkbox, Input, OptionList, TextArea

from providers import catalog, networks
from providers.emulation.framework import SandboxDemo
from providers.overview import CardState
from providers.spec import NetworkSpec
from providers.store import Account, DeliveryState
from tests.sandbox_browser import approve_async
from tests.scenarios import _settle
from tests.support.tui import SIZE, card, pause_until, press_unlink
from tui.app import LinkdeckApp
from tui.context import Context
from tui.demo import demo_environment
from tui.widgets.link_address import AddressView

EVERY = [
    spec
    for spec in catalog.all_networks()
    if all(networks.has(spec.id, part) for part in (networks.LINK, networks.PUBLISH, networks.SANDBOX))
]


def demo_of(spec: NetworkSpec) -> SandboxDemo:
    module = networks.part(spec.id, networks.SANDBOX)
    assert module is not None
    demo: SandboxDemo = module.DEMO
    return demo


def media_for(spec: NetworkSpec, folder: Path) -> Path:
    """An 800×600 JPEG, or a short video for a network whose spec takes no photos."""
    if not spec.media.images:
        from tests.media_corpus import video

        return video(folder / "harbour.mp4", seconds=1.0)
    path = folder / "harbour.jpg"
    Image.new("RGB", (800, 600), (40, 90, 160)).save(path, quality=85)
    return path


def _shown(screen: Any, selector: str) -> bool:
    found = screen.query(selector)
    return bool(found) and bool(found.first().display)


async def link_in_window(app: LinkdeckApp, pilot: Any, spec: NetworkSpec) -> None:
    """Enter on the card, then each step the Link window shows answered once, until it closes."""
    demo = demo_of(spec)
    card(app, spec.id).focus()
    await pilot.press("enter")
    assert await pause_until(pilot, lambda: type(app.screen).__name__ == "LinkScreen")
    window = app.screen
    done: set[str] = set()
    for _ in range(600):
        if app.screen is not window:
            return
        if "instance" not in done and _shown(window, "#link-instance-step"):
            done.add("instance")
            field = window.query_one("#link-instance", Input)
            field.value = f"https://{demo.host}"
            field.focus()
            await pilot.press("enter")
        elif "fields" not in done and _shown(window, "#link-credentials-step"):
            done.add("fields")
            for name, value in demo.fields.items():
                window.query_one(f"#cred-{name}", Input).value = value
            await pilot.click("#link-sign-in")
        elif "address" not in done and window.query(AddressView) and window.query_one(AddressView).url:
            done.add("address")
            url = window.query_one(AddressView).url
            assert url is not None
            answer = await approve_async(url, user=demo.user)
            paste = window.query_one("#link-paste", Input)
            if paste.display and "location" in answer.headers:
                paste.value = answer.headers["location"]
                paste.focus()
                await pilot.press("enter")
        elif "choose" not in done and _shown(window, "#link-choose-step"):
            choices = window.query_one("#link-choices", OptionList)
            if choices.option_count:
                done.add("choose")
                choices.focus()
                choices.highlighted = 0
                await pilot.press("enter")
        assert not _shown(window, "#link-device-step"), f"{spec.id}: no device approval in the sandbox"
        await pilot.pause(0.02)
    errors = [str(w.render()) for w in window.query(".link-error")]
    raise AssertionError(f"{spec.id}: the Link window did not finish: {errors}")


def _rows(screen: Any) -> str:
    """What Upload's progress rows say."""
    return "\n".join(str(row.render()) for row in screen.query(".delivery-row .status"))


def _sent_row(screen: Any) -> bool:
    """A progress row shows the delivery sent, with its link (or it failed: the assertion says)."""
    return "http" in _rows(screen) or "ail" in _rows(screen)


async def post_in_upload(app: LinkdeckApp, pilot: Any, media: Path, account: Account) -> Any:
    """On Upload (u), ``media`` with a caption posted to ``account`` alone, until it is sent; the
    Upload screen."""
    await pilot.press("u")
    assert await pause_until(pilot, lambda: type(app.screen).__name__ == "UploadScreen")
    upload = app.screen
    upload.choose(media)  # type: ignore[attr-defined]
    await _settle(pilot)
    upload.query_one("#upload-caption", TextArea).text = "Boats at the harbour"
    for box in upload.query(Checkbox):
        box.value = box.id == f"share-{account.id}"
    await _settle(pilot)
    post = upload.query_one("#upload-post")
    assert not post.disabled, str(upload.query_one("#upload-verdicts").render())
    post.focus()
    await pilot.press("enter")
    assert await pause_until(pilot, lambda: _sent_row(upload), 200, 0.05), _rows(upload)
    [delivery] = app.ctx.store.deliveries()
    assert delivery.state == DeliveryState.SENT, delivery.reason
    return upload


@pytest.mark.parametrize("spec", EVERY, ids=[s.id for s in EVERY])
async def test_links_posts_and_unlinks_in_the_tui(
    spec: NetworkSpec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LinkdeckApp, "open_url", lambda self, url, new_tab=True: None)
    media = media_for(spec, tmp_path)
    with demo_environment():
        app = LinkdeckApp(Context(start_dir=tmp_path, run_outbox=False))
        async with app.run_test(size=SIZE) as pilot:
            app.place = app.place.SSH
            await link_in_window(app, pilot, spec)
            assert await pause_until(pilot, lambda: type(app.screen).__name__ == "AccountsScreen")
            await pilot.pause()
            linked = card(app, spec.id).card
            assert linked is not None and linked.state is CardState.LINKED, linked
            [account] = app.ctx.store.accounts()
            assert account.network == spec.id and account.handle
            assert [a.handle for a in linked.accounts] == [account.handle]
            shown = str(card(app, spec.id).render())  # the handle, cut with … where the card is narrow
            assert account.handle in shown or account.handle[:12] in shown, shown

            upload = await post_in_upload(app, pilot, media, account)
            [delivery] = app.ctx.store.deliveries()
            assert delivery.url and delivery.url in _rows(upload)

            await app.run_action("switch_mode('accounts')")  # "a" (focus may be in a text box)
            assert await pause_until(pilot, lambda: type(app.screen).__name__ == "AccountsScreen")
            await press_unlink(app, pilot, spec.id)
            assert await pause_until(pilot, lambda: type(app.screen).__name__ == "Confirm")
            await pilot.click("#yes")
            assert await pause_until(pilot, lambda: _unlinked(app, spec.id, account), 300)


def _unlinked(app: LinkdeckApp, network_id: str, account: Account) -> bool:
    if type(app.screen).__name__ != "AccountsScreen" or app.ctx.store.account(account.id) is not None:
        return False
    shown = card(app, network_id).card
    return shown is not None and shown.state is not CardState.LINKED
