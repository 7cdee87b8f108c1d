"""The Link window's address view: the network's page to approve linkdeck on, wherever the app
runs (the address, open, copy, a QR code, a device code, the paste box, the port to forward over
SSH, a countdown)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Static

from providers.auth.types import RedirectKind
from providers.environment import Place
from providers.errors import LinkdeckError
from tui import prose
from tui.widgets.link_steps import StepView
from tui.widgets.qr import qr_text

if TYPE_CHECKING:
    from providers.linking.steps import ShowAddress

LEFT_MIN_WIDTH = 52  # the explanation, address and buttons need this much to stay readable


def explain(place: Place, network: str, opened: bool, hosted: bool = False) -> str:
    if hosted:  # the network's own page, read back from its API: nothing to paste
        where = "opened in your browser" if opened else "is at this address (or scan the QR code)"
        return f"{network}'s page {where}. Finish there; this finishes by itself."
    if opened and place is Place.WEB:
        return f"{network}'s page opened in a new tab of your browser. Approve linkdeck there."
    if opened:
        return f"{network}'s page opened in your browser. Approve linkdeck there; this finishes by itself."
    return (
        f"Open this address in your own browser (or scan the QR code), sign in to {network} and approve "
        "linkdeck. Your browser then lands on an address starting with http://127.0.0.1 — it may show an "
        "error page: copy that whole address and paste it below."
    )


class AddressView(StepView, Horizontal):
    """The network's page: the address (clickable), open, copy, a QR code, a device code, the
    paste box, the port to forward over SSH and a countdown."""

    def __init__(self) -> None:
        super().__init__(id="link-main", classes="link-step")
        self.step: ShowAddress | None = None
        self._deadline: float | None = None
        self._qr_fits = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="link-left"):
            yield Static("", id="link-explain")
            yield Static("", id="link-url", classes="details-url")
            yield Static("", id="link-oob", classes="muted")
            with Horizontal(classes="link-actions"):
                yield Button("Open in browser", id="link-open")
                yield Button("Copy address", id="link-copy")
                yield Button("QR code", id="link-qr-toggle")
            yield Static("", id="link-device", classes="link-device")
            yield Input(placeholder="Paste the final address or the code, then Enter", id="link-paste")
            yield Static("", id="link-error", classes="link-error")
            yield Static("", id="link-forward", classes="muted")
            yield Static("Starting…", id="link-status", classes="muted")
        with Vertical(id="link-qr-box"):
            yield Button("Back to the address", id="link-qr-back")
            yield Static("", id="link-qr")

    def on_mount(self) -> None:
        self.query_one("#link-qr-back").display = False

    def show(self, step: ShowAddress) -> None:
        self.step = step
        place = self.linkdeck.place
        request = step.request
        hosted = request is not None and request.redirect_kind is RedirectKind.HOSTED
        self.query_one("#link-explain", Static).update(
            explain(place, step.network, step.opened_browser, hosted)
        )
        self.query_one("#link-paste", Input).display = not hosted
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
            size = self.linkdeck.size
            self._qr_fits = size.width - 12 >= LEFT_MIN_WIDTH + width and size.height - 14 >= height
            self.query_one("#link-qr").display = self._qr_fits
            if step.code_page is not None:
                self.query_one("#link-oob", Static).update(
                    "No browser on this device? "
                    f"[@click=screen.open_oob]Let {step.network} show you a code[/] to paste here instead."
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
        device = self.query_one("#link-device", Static)
        device.display = step.device is not None
        if step.device is not None:
            device.update(
                f"Or enter the code [b]{step.device.user_code}[/b] at {step.device.verification_uri}"
            )
        self.query_one("#link-status", Static).update("Waiting for you to approve…")
        self.query_one("#link-paste", Input).focus()

    def status(self, text: str) -> None:
        self.query_one("#link-status", Static).update(text)

    def error(self, text: str) -> None:
        self.query_one("#link-error", Static).update(prose.text(text, "bold"))

    def _tick(self) -> None:
        if self._deadline is None:
            return
        left = max(0, int(self._deadline - time.monotonic()))
        self.status(f"Waiting for you to approve… {left // 60}:{left % 60:02d} left")

    @property
    def url(self) -> str | None:
        return self.step.request.url if self.step is not None and self.step.request is not None else None

    @property
    def code_page_url(self) -> str | None:
        page = self.step.code_page if self.step is not None else None
        return page.url if page is not None else None

    @on(Button.Pressed, "#link-open")
    def _open(self) -> None:
        if self.url:
            self.linkdeck.open_external(self.url)

    @on(Button.Pressed, "#link-copy")
    def _copy(self) -> None:
        if self.url:
            self.linkdeck.copy_to_clipboard(self.url)
            self.notify("The address is on your clipboard.", title="Copied")

    @on(Button.Pressed, "#link-qr-toggle")
    def _toggle_qr(self) -> None:
        qr = self.query_one("#link-qr")
        qr.display = not qr.display
        if not self._qr_fits:  # no room for both: the code takes the address's place
            self.query_one("#link-left").display = not qr.display
            if qr.display:
                back = self.query_one("#link-qr-back", Button)
                back.display = True
                back.focus()

    @on(Button.Pressed, "#link-qr-back")
    def _qr_back(self, event: Button.Pressed) -> None:
        event.button.display = False
        self._toggle_qr()

    @on(Input.Submitted, "#link-paste")
    def _pasted(self, event: Input.Submitted) -> None:
        if self.step is None or not event.value.strip():
            return
        try:
            self.step.paste(event.value)
        except LinkdeckError as exc:
            self.error(str(exc))
            return
        self.error("")
        event.input.value = ""
        self.status("Got it — finishing…")
