"""Every screen and state worth a picture: used by the snapshot tests and `make screenshots`.

Each scenario seeds a LINKDECK_HOME, builds the app with a fixed clock and a fixed Upload folder,
then presses keys. Nothing here depends on the machine (time zone, cwd, date).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from textual.pilot import Pilot

from providers import catalog
from providers.linking.steps import AskInstance, ShowAddress, Step
from providers.store import Store
from tests.seed import SEEDED, seed_accounts, seed_posts, write_config
from tests.support.tui import SIZE, pause_until
from tests.support.unbuilt import pretend_unbuilt, unbuilt_network
from tui.app import LinkdeckApp
from tui.context import Context

PICTURES = Path(__file__).parent / "fixtures" / "pictures"

RunBefore = Callable[[Pilot[None]], Awaitable[None]]


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    seeded: bool = True
    press: tuple[str, ...] = ()
    size: tuple[int, int] = SIZE
    theme: str | None = None
    focus: str | None = None  # a selector focused before the keys are pressed
    extra: Callable[[Pilot[None]], Awaitable[None]] | None = field(default=None, compare=False)
    before: Callable[[Pilot[None]], Awaitable[None]] | None = field(default=None, compare=False)  # pre-keys
    unbuilt: str | None = None  # a network shown as not built in this version (pretend_unbuilt)

    def pretending(self) -> AbstractContextManager[None]:
        """What the scenario's picture needs around it: the ``unbuilt`` network hidden, or nothing."""
        return pretend_unbuilt(self.unbuilt) if self.unbuilt else nullcontext()


async def _wait_for_tree(pilot: Pilot[None]) -> None:
    tree = pilot.app.screen.query_one("#upload-tree")
    await pause_until(pilot, lambda: tree.root.children, tries=100)  # type: ignore[attr-defined]
    await pilot.pause()


async def _help_instagram(pilot: Pilot[None]) -> None:
    pilot.app.screen.show_topic("network:instagram")  # type: ignore[attr-defined]
    await pilot.pause()


async def _click_unlink(pilot: Pilot[None]) -> None:
    await pilot.click("#unlink")
    await pilot.pause()


async def _choose_picture(pilot: Pilot[None]) -> None:
    await _wait_for_tree(pilot)
    pilot.app.screen.choose(PICTURES / "beach.jpg")  # type: ignore[attr-defined]
    await _settle(pilot)


async def _schedule_in_words(pilot: Pilot[None]) -> None:
    await _wait_for_tree(pilot)
    pilot.app.screen.query_one("#upload-caption").text = "Low tide at the harbour"  # type: ignore[attr-defined]
    await _settle(pilot)
    pilot.app.screen.query_one("#upload-at").focus()
    await pilot.press(*"tomorrow 09:00")
    await _settle(pilot)


class StubLinkSession:
    """A link waiting for approval with a fixed address, so the Link window's picture is stable
    (a real session's URL carries a fresh state and PKCE challenge every time): it asks for the
    server, then shows the address and refuses any paste, as a forged answer would be refused."""

    def __init__(self) -> None:
        self.spec = catalog.get("mastodon")

    async def steps(self) -> AsyncIterator[Step]:
        from providers.auth.types import AuthorizationRequest, RedirectKind

        ask = AskInstance("Mastodon", example="mastodon.social")
        yield ask
        await ask.reply.wait()
        request = AuthorizationRequest(
            url="https://mastodon.example/oauth/authorize?response_type=code&client_id=demo-client"
            "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback&state=fixed-state-for-pictures"
            "&scope=profile+write%3Astatuses+write%3Amedia&code_challenge=fixed&code_challenge_method=S256",
            redirect_uri="http://127.0.0.1:8765/callback",
            redirect_kind=RedirectKind.LOOPBACK,
            listener_port=8765,
            expires_in=None,
        )
        yield ShowAddress("Mastodon", request=request, code_page=request, on_paste=self._refuse)
        await asyncio.Event().wait()

    @staticmethod
    def _refuse(pasted: str) -> None:
        from providers.errors import CallbackRejected

        raise CallbackRejected(
            "Mastodon (mastodon.example): this answer belongs to a different link request; refused."
        )

    async def cancel(self) -> None:
        return None


async def _settle(pilot: Pilot[None]) -> None:
    """Wait for the Upload screen's inspect / count workers (never the file tree's: it never ends)."""
    for _ in range(4):
        await pilot.pause()
        for worker in list(pilot.app.screen.workers):
            if worker.group in {"inspect", "count", "fix"}:
                await worker.wait()
    await pilot.pause()


async def _upload_needs_fix(pilot: Pilot[None]) -> None:
    """An Instagram account too, and a photo taller than Instagram's 4:5: a verdict with fixes."""
    with Store.open() as store:
        store.upsert_account("instagram", "17841", handle="alice.bakes", display_name="Alice's Bakery")
    screen = pilot.app.screen
    await screen._fill_targets()  # type: ignore[attr-defined]
    await _wait_for_tree(pilot)
    screen.choose(PICTURES / "tall.jpg")  # type: ignore[attr-defined]
    await _settle(pilot)


async def _stub_link(pilot: Pilot[None]) -> None:
    """Before the Link window opens: its session is the stub, and the app runs over SSH."""

    async def begin_link(*args: object, **kwargs: object) -> StubLinkSession:
        return StubLinkSession()

    pilot.app.ctx.begin_link = begin_link  # type: ignore[attr-defined]
    pilot.app.place = pilot.app.place.SSH  # type: ignore[attr-defined]


async def _link_waiting(pilot: Pilot[None]) -> None:
    def instance_step_shown() -> bool:
        steps = pilot.app.screen.query("#link-instance-step")
        return bool(steps) and steps.first().display

    await pause_until(pilot, instance_step_shown, tries=100)
    pilot.app.screen.query_one("#link-instance").value = "mastodon.example"  # type: ignore[attr-defined]
    await pilot.press("enter")
    await pilot.pause()
    await pilot.pause()


async def _link_credentials(pilot: Pilot[None]) -> None:
    await pilot.press("enter")  # the suggested server (bsky.social): nothing is sent before sign-in
    await pause_until(pilot, lambda: pilot.app.screen.query("#link-credentials Input"), tries=100)
    await pilot.pause()


async def _link_refused_paste(pilot: Pilot[None]) -> None:
    await _link_waiting(pilot)
    pilot.app.screen.query_one("#link-paste").value = "http://127.0.0.1:8765/callback?code=x&state=forged"  # type: ignore[attr-defined]
    await pilot.press("enter")
    await pilot.pause()


async def _link_qr(pilot: Pilot[None]) -> None:
    await _link_waiting(pilot)
    await pilot.click("#link-qr-toggle")
    await pilot.pause()


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("accounts_fresh", "Accounts on first start: nothing linked", seeded=False),
    Scenario("accounts_states", "Accounts with every card state"),
    Scenario("accounts_light", "Accounts in a light theme", theme="textual-light"),
    Scenario("accounts_narrow", "Accounts in an 80×24 terminal", size=(80, 24)),
    Scenario("details_linked", "A linked card's details", focus="#card-mastodon", press=("enter",)),
    Scenario("details_reconnect", "A card that needs reconnecting", focus="#card-bluesky", press=("enter",)),
    Scenario(
        "details_not_built",
        "A network this version cannot link yet",
        # A network not built here, or a stand-in made one for the picture (tests/support/unbuilt.py).
        focus=f"#card-{unbuilt_network(besides=SEEDED).id}",
        press=("d",),
        unbuilt=unbuilt_network(besides=SEEDED).id,
    ),
    Scenario(
        "details_needs_setup",
        "A card that needs set-up: its client id and secret typed in its details",
        focus="#card-pinterest",
        press=("enter",),
    ),
    Scenario("details_unavailable", "A network that is unavailable", focus="#card-foursquare", press=("d",)),
    Scenario(
        "unlink_confirm", "Unlink asks first", focus="#card-mastodon", press=("enter",), extra=_click_unlink
    ),
    Scenario("link_instance", "Link: which server?", seeded=False, focus="#card-mastodon", press=("enter",)),
    Scenario(
        "link_waiting",
        "Link over SSH: address, copy, paste box",
        seeded=False,
        focus="#card-mastodon",
        press=("enter",),
        extra=_link_waiting,
        before=_stub_link,
    ),
    Scenario(
        "link_qr",
        "Link over SSH in a smaller terminal: the QR code in place of the address",
        seeded=False,
        size=(100, 45),
        focus="#card-mastodon",
        press=("enter",),
        extra=_link_qr,
        before=_stub_link,
    ),
    Scenario(
        "link_credentials",
        "Link Bluesky: handle and app password",
        seeded=False,
        focus="#card-bluesky",
        press=("enter",),
        extra=_link_credentials,
    ),
    Scenario(
        "link_refused",
        "Link: a pasted answer that is not ours",
        seeded=False,
        focus="#card-mastodon",
        press=("enter",),
        extra=_link_refused_paste,
        before=_stub_link,
    ),
    Scenario(
        "upload_empty",
        "Upload before any account is linked",
        seeded=False,
        press=("u",),
        extra=_wait_for_tree,
    ),
    Scenario(
        "upload_accounts", "Upload with linked accounts and a file", press=("u",), extra=_choose_picture
    ),
    Scenario(
        "upload_fix",
        "Upload: Instagram would refuse this photo; one key crops or pads a copy",
        press=("u",),
        extra=_upload_needs_fix,
    ),
    Scenario(
        "upload_schedule",
        "Upload: a time in words; the button reads Schedule and says when, in local time",
        press=("u",),
        extra=_schedule_in_words,
    ),
    Scenario(
        "details_80x24",
        "A linked Page's details in an 80×24 terminal: the text scrolls, every button shows",
        size=(80, 24),
        focus="#card-facebook",
        press=("enter",),
    ),
    Scenario(
        "upload_80x24",
        "Upload in an 80×24 terminal: compact caption and buttons, Post now on screen",
        size=(80, 24),
        press=("u",),
        extra=_wait_for_tree,
    ),
    Scenario("posts_empty", "Posts with nothing yet", seeded=False, press=("p",)),
    Scenario("posts_queue", "Posts with a scheduled post", press=("p",)),
    Scenario("help", "Help: getting started", press=("h",)),
    Scenario("help_network", "Help: a network's guide", press=("h",), extra=_help_instagram),
)


def prepare(scenario: Scenario, home: Path) -> LinkdeckApp:
    """Seed ``home`` (already LINKDECK_HOME) and build the app for ``scenario``."""
    if scenario.seeded:
        write_config(home)
        with Store.open() as store:
            seed_accounts(store)
            seed_posts(store)
    app = LinkdeckApp(Context(start_dir=PICTURES, run_outbox=False))
    if scenario.theme:
        app.theme = scenario.theme
    return app


async def drive(scenario: Scenario, pilot: Pilot[None]) -> None:
    await pilot.pause()
    if scenario.before:
        await scenario.before(pilot)
    if scenario.focus:
        pilot.app.screen.query_one(scenario.focus).focus()
        await pilot.pause()
    for key in scenario.press:
        await pilot.press(key)
        await pilot.pause()
    if scenario.extra:
        await scenario.extra(pilot)
    # A focused text box blinks its cursor every half second: held steady (shown), so a picture
    # never depends on when it was taken.
    for box in pilot.app.screen.query("Input, TextArea"):
        box.cursor_blink = False  # type: ignore[attr-defined]
    await pilot.pause()
