"""The Link window: everything needed to approve linkdeck on the network's own page, wherever the
app runs. It opens the browser only where that helps (a local desktop or the user's served tab); it
always shows the address (clickable), a QR code, copy, and a box for pasting the final address or a
code; a countdown and cancel. After approval it says which account was linked."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from providers import catalog
from providers.environment import Place
from providers.errors import LinkdeckError
from tui.widgets.qr import qr_text

if TYPE_CHECKING:
    from providers.linking import LinkResult, LinkSession
    from providers.store import Account, Target


def explain(place: Place, network: str, opened: bool) -> str:
    if opened and place is Place.WEB:
        return f"{network}'s page opened in a new tab of your browser. Approve linkdeck there."
    if opened:
        return f"{network}'s page opened in your browser. Approve linkdeck there; this finishes by itself."
    return (
        f"Open this address in your own browser (or scan the QR code), sign in to {network} and approve "
        "linkdeck. Your browser then lands on an address starting with http://127.0.0.1 — it may show an "
        "error page: copy that whole address and paste it below."
    )


LEFT_MIN_WIDTH = 52  # the explanation, address and buttons need this much to stay readable


class LinkScreen(ModalScreen["Account | None"]):
    """Runs one link from start to finish; dismisses with the linked Account, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, network_id: str, instance: str | None = None) -> None:
        super().__init__(classes="dialog")
        self.spec = catalog.get(network_id)
        self.instance = instance
        self.session: LinkSession | None = None
        self._deadline: float | None = None
        self._picked: asyncio.Future[int] | None = None
        self._qr_fits = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box link-box"):
            yield Static(f"Link {self.spec.name}", classes="dialog-title")
            with Vertical(id="link-instance-step", classes="link-step"):
                yield Label(f"Which {self.spec.name} server is your account on?")
                yield Input(placeholder="e.g. mastodon.social", id="link-instance")
                yield Static("", id="link-recent", classes="muted")
                yield Static("", id="link-instance-error", classes="link-error")
            with Vertical(id="link-credentials-step", classes="link-step"):
                yield Static("", id="link-credentials-hint")
                yield Vertical(id="link-credentials")
                yield Static("", id="link-credentials-error", classes="link-error")
                yield Button("Sign in", id="link-sign-in", variant="success")
            with Horizontal(id="link-main", classes="link-step"):
                with VerticalScroll(id="link-left"):
                    yield Static("", id="link-explain")
                    yield Static("", id="link-url", classes="details-url")
                    yield Static("", id="link-oob", classes="muted")
                    with Horizontal(classes="link-actions"):
                        yield Button("Open in browser", id="link-open")
                        yield Button("Copy address", id="link-copy")
                        yield Button("QR code", id="link-qr-toggle")
                    yield Static("", id="link-device", classes="link-device")
                    yield Input(
                        placeholder="Paste the final address or the code, then Enter", id="link-paste"
                    )
                    yield Static("", id="link-error", classes="link-error")
                    yield Static("", id="link-forward", classes="muted")
                    yield Static("Starting…", id="link-status", classes="muted")
                with Vertical(id="link-qr-box"):
                    yield Button("Back to the address", id="link-qr-back")
                    yield Static("", id="link-qr")
            with Vertical(id="link-choose-step", classes="link-step"):
                yield Label("", id="link-choose-label")
                yield OptionList(id="link-choices")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="link-cancel")

    def on_mount(self) -> None:
        needs_instance = self.spec.capabilities.per_instance and not self.instance
        default = self.app.ctx.settings.network(self.spec.id).base_url  # type: ignore[attr-defined]
        if needs_instance and default:
            self.instance, needs_instance = default, False
        self.query_one("#link-instance-step").display = needs_instance
        self.query_one("#link-main").display = False
        self.query_one("#link-choose-step").display = False
        self.query_one("#link-credentials-step").display = False
        self.query_one("#link-qr-back").display = False
        if needs_instance:
            field = self.query_one("#link-instance", Input)
            recent = self.app.ctx.store.recent_instances(self.spec.id)  # type: ignore[attr-defined]
            if recent:
                field.value = recent[0].removeprefix("https://")
                self.query_one("#link-recent", Static).update(
                    "Used before: " + ", ".join(r.removeprefix("https://") for r in recent)
                )
            elif self.spec.default_instance:  # most accounts live there: Enter is enough
                field.value = self.spec.default_instance.removeprefix("https://")
            field.focus()
        else:
            self.begin()

    @on(Input.Submitted, "#link-instance")
    def _instance_given(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            return
        if "://" not in value:
            value = f"https://{value}"
        self.instance = value
        self.query_one("#link-instance-step").display = False
        self.begin()

    @work(exclusive=True, group="link", exit_on_error=False)
    async def begin(self) -> None:
        ctx = self.app.ctx  # type: ignore[attr-defined]
        place = self.app.place  # type: ignore[attr-defined]
        may_open = place in (Place.LOCAL, Place.WEB)
        status = self.query_one("#link-status", Static)
        try:
            session = await ctx.begin_link(
                self.spec.id,
                settings=ctx.settings,
                store=ctx.store,
                vault=ctx.vault,
                instance=self.instance,
                open_browser=self.app.open_url if may_open else None,
                relay_uri=getattr(self.app, "relay_uri", None),
            )
        except LinkdeckError as exc:
            self._fail_to_start(str(exc))
            return
        self.session = session
        if getattr(session, "fields", ()):
            await self._ask_credentials(session)
        else:
            self._show_request(session, place)  # under `serve`, the session itself awaits the relay
        try:
            status.update("Waiting for you to approve…")
            result = await session.finish()
        except LinkdeckError as exc:
            status.update("")
            self.query_one("#link-error", Static).update(Text(str(exc), style="bold"))
            self.notify(str(exc), title=f"{self.spec.name}: not linked", severity="error", timeout=10)
            return
        await self._done(session, result)

    async def _ask_credentials(self, session: LinkSession) -> None:
        """Networks linked with typed credentials (a Bluesky app password, a Telegram bot token)."""
        from textual.widgets import Input as TextInput

        self.query_one("#link-credentials-step").display = True
        hints = [f.hint for f in session.fields if getattr(f, "hint", "")]
        self.query_one("#link-credentials-hint", Static).update("\n".join(hints))
        box = self.query_one("#link-credentials", Vertical)
        await box.mount_all(
            TextInput(placeholder=field.label, password=field.secret, id=f"cred-{field.name}")
            for field in session.fields
        )
        box.query(TextInput).first().focus()

    @on(Input.Submitted, "#link-credentials Input")
    def _credential_entered(self, event: Input.Submitted) -> None:
        inputs = list(self.query("#link-credentials Input").results(Input))
        index = inputs.index(event.input)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
        else:
            self._sign_in()

    @on(Button.Pressed, "#link-sign-in")
    @work(exclusive=True, group="sign-in", exit_on_error=False)
    async def _sign_in(self) -> None:
        session = self.session
        if session is None:
            return
        values = {
            (i.id or "").removeprefix("cred-"): i.value
            for i in self.query("#link-credentials Input").results(Input)
        }
        error = self.query_one("#link-credentials-error", Static)
        error.update("Signing in…")
        try:
            await session.submit_credentials(values)
        except LinkdeckError as exc:
            error.update(Text(str(exc), style="bold"))
            return
        error.update("")
        if session.request is not None:  # the network asked for its browser sign-in instead
            self.query_one("#link-credentials-step").display = False
            self._show_request(session, self.app.place)  # type: ignore[attr-defined]

    def _fail_to_start(self, message: str) -> None:
        if (
            self.spec.capabilities.per_instance
            and self.query_one("#link-instance-step").display is False
            and not self.query_one("#link-main").display
        ):
            step = self.query_one("#link-instance-step")
            step.display = self.spec.capabilities.per_instance
            self.query_one("#link-instance-error", Static).update(message)
        self.notify(message, title=f"Link {self.spec.name}", severity="warning", timeout=10)
        if not self.spec.capabilities.per_instance:
            self.dismiss(None)

    def _show_request(self, session: LinkSession, place: Place) -> None:
        request, device, opened = session.request, session.device, session.opened_browser
        self.query_one("#link-main").display = True
        self.query_one("#link-explain", Static).update(explain(place, self.spec.name, opened))
        if request is not None:
            url = request.url
            # An action link, not an OSC 8 hyperlink: it goes through open_external, which never
            # launches a browser on a remote host.
            self.query_one("#link-url", Static).update(f"[@click=screen.open_link]{escape(url)}[/]")
            qr = qr_text(url)
            self.query_one("#link-qr", Static).update(qr)
            # Side by side when both fit; otherwise the QR button swaps the address for the code.
            lines = qr.split()
            width, height = max(line.cell_len for line in lines), len(lines)
            self._qr_fits = (
                self.app.size.width - 12 >= LEFT_MIN_WIDTH + width and self.app.size.height - 14 >= height
            )
            self.query_one("#link-qr").display = self._qr_fits
            oob = getattr(session, "oob_request", None)
            if oob is not None:
                self.query_one("#link-oob", Static).update(
                    "No browser on this device? "
                    f"[@click=screen.open_oob]Let {self.spec.name} show you a code[/] to paste here instead."
                )
            if request.listener_port and place is Place.SSH:
                port = request.listener_port
                self.query_one("#link-forward", Static).update(
                    "Or forward the port and it finishes by itself: "
                    f"ssh -L {port}:127.0.0.1:{port} <this host>"
                )
            if request.expires_in:
                self._deadline = time.monotonic() + request.expires_in
                self.set_interval(1, self._tick)
        device_box = self.query_one("#link-device", Static)
        device_box.display = device is not None
        if device is not None:
            device_box.update(f"Or enter the code [b]{device.user_code}[/b] at {device.verification_uri}")
        self.query_one("#link-paste", Input).focus()

    def _tick(self) -> None:
        if self._deadline is None:
            return
        left = max(0, int(self._deadline - time.monotonic()))
        self.query_one("#link-status", Static).update(
            f"Waiting for you to approve… {left // 60}:{left % 60:02d} left"
        )

    def action_open_link(self) -> None:
        request = getattr(self.session, "request", None)
        if request is not None:
            self.app.open_external(request.url)  # type: ignore[attr-defined]

    @on(Button.Pressed, "#link-open")
    def _open(self) -> None:
        self.action_open_link()

    @on(Button.Pressed, "#link-copy")
    def _copy(self) -> None:
        request = getattr(self.session, "request", None)
        if request is not None:
            self.app.copy_to_clipboard(request.url)
            self.notify("The address is on your clipboard.", title="Copied")

    def action_open_oob(self) -> None:
        oob = getattr(self.session, "oob_request", None)
        if oob is not None:
            self.app.open_external(oob.url)  # type: ignore[attr-defined]

    @on(Button.Pressed, "#link-qr-toggle")
    def _toggle_qr(self) -> None:
        qr = self.query_one("#link-qr")
        qr.display = not qr.display
        if not self._qr_fits:  # no room for both: the code takes the address's place
            self.query_one("#link-left").display = not qr.display
            if qr.display:
                self.query_one("#link-qr-back", Button).display = True
                self.query_one("#link-qr-back", Button).focus()

    @on(Button.Pressed, "#link-qr-back")
    def _qr_back(self, event: Button.Pressed) -> None:
        event.button.display = False
        self._toggle_qr()

    @on(Input.Submitted, "#link-paste")
    def _pasted(self, event: Input.Submitted) -> None:
        error = self.query_one("#link-error", Static)
        if self.session is None or not event.value.strip():
            return
        try:
            self.session.submit(event.value)
        except LinkdeckError as exc:
            error.update(Text(str(exc), style="bold"))
            return
        error.update("")
        event.input.value = ""
        self.query_one("#link-status", Static).update("Got it — finishing…")

    async def _done(self, session: LinkSession, result: LinkResult) -> None:
        account = result.account
        choices = list(result.choices)
        if len(choices) > 1:
            account = await self._choose(session, result, choices)
        name = f"{account.handle}" + (f" ({account.display_name})" if account.display_name else "")
        self.notify(
            f"Linked {name}. Not you? Unlink it, sign out of {self.spec.name} in your browser, "
            "and link again.",
            title=f"{self.spec.name} linked",
            timeout=12,
        )
        self.dismiss(account)

    async def _choose(self, session: LinkSession, result: LinkResult, choices: list[Target]) -> Account:
        self.query_one("#link-main").display = False
        step = self.query_one("#link-choose-step")
        step.display = True
        self.query_one("#link-choose-label", Label).update(f"Where should {self.spec.name} posts go?")
        options = self.query_one("#link-choices", OptionList)
        options.clear_options()
        options.add_options([Option(f"{c.kind}: {c.name}", id=str(i)) for i, c in enumerate(choices)])
        options.focus()
        self._picked = asyncio.get_running_loop().create_future()
        index = await self._picked
        return await session.choose(result, choices[index])

    @on(OptionList.OptionSelected, "#link-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if self._picked is not None and not self._picked.done():
            self._picked.set_result(int(event.option.id or 0))

    @on(Button.Pressed, "#link-cancel")
    async def action_cancel(self) -> None:
        if self.session is not None:
            await self.session.cancel()
        self.dismiss(None)
