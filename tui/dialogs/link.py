"""The Link window: everything needed to approve linkdeck on the network's own page, wherever the
app runs. It opens the browser only where that helps (a local desktop or the user's served tab); it
always shows the address (clickable), a QR code, copy, and a box for pasting the final address or a
code; a countdown and cancel. After approval it says which account was linked.

It renders the link session's steps (providers.linking.steps), each with its view from
tui.widgets.link_steps; it has no branch per network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Static

from providers import catalog
from providers.environment import Place
from providers.errors import LinkdeckError
from providers.linking.steps import (
    AskFields,
    AskInstance,
    ChooseTarget,
    Failed,
    Linked,
    ShowAddress,
    ShowDeviceCode,
    Step,
    Working,
)
from providers.store import Account
from tui.screens.base import LinkdeckModal
from tui.widgets.link_address import AddressView
from tui.widgets.link_steps import ChooseView, CredentialsView, DeviceView, InstanceView

if TYPE_CHECKING:
    from providers.brokers import Route
    from providers.linking import LinkSession

View = TypeVar("View", bound=Widget)


class LinkScreen(LinkdeckModal[Account | None]):
    """Runs one link from start to finish; dismisses with the linked Account, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        network_id: str,
        instance: str | None = None,
        via: Route | None = None,
        *,
        brand: str | None = None,
    ) -> None:
        super().__init__(classes="dialog")
        self.spec = catalog.get(network_id)
        self.instance = instance
        # Through a broker (a card's "Link via …"): the broker's sign-in, the network already chosen.
        self.via = via
        self.brand = brand
        self.title_text = f"Link {self.spec.name}"
        if via is not None:
            self.title_text = f"Link {self.spec.name} via {via.broker.name}"
            self.spec = via.broker
        self.session: LinkSession | None = None
        self._shown: Widget | None = None
        # Dismissed (linked, failed to start, or cancelled): the session's last step changes nothing.
        self._over = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box link-box"):
            yield Static(self.title_text, classes="dialog-title")
            yield InstanceView()
            yield CredentialsView()
            yield AddressView()
            yield DeviceView()
            yield ChooseView()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="link-cancel")

    def on_mount(self) -> None:
        for view in self.query(".link-step"):
            view.display = False
        self.begin()

    @work(exclusive=True, group="link", exit_on_error=False)
    async def begin(self) -> None:
        app = self.app
        ctx = app.ctx
        may_open = app.place in (Place.LOCAL, Place.WEB)
        try:
            session = await ctx.begin_link(
                self.spec.id,
                settings=ctx.settings,
                store=ctx.store,
                vault=ctx.vault,
                instance=self.instance,
                open_browser=app.open_url if may_open else None,
                relay_uri=app.relay_uri,
                **({"brand": self.brand} if self.brand else {}),  # only when one is chosen
                **({"preset": self.via.preset} if self.via else {}),
            )
        except LinkdeckError as exc:
            self.notify(str(exc), title=f"Link {self.spec.name}", severity="warning", timeout=10)
            self.dismiss(None)
            return
        self.session = session
        async for step in session.steps():
            await self.show_step(step)

    async def show_step(self, step: Step) -> None:
        if self._over:
            return
        if isinstance(step, AskInstance):
            self._switch(InstanceView).show(step)
        elif isinstance(step, AskFields):
            from tui.demo import sandbox_answers

            await self._switch(CredentialsView).show(step, sandbox_answers(self.spec.id))
        elif isinstance(step, ShowAddress):
            self._switch(AddressView).show(step)
        elif isinstance(step, ShowDeviceCode):
            self._switch(DeviceView).show(step)
        elif isinstance(step, ChooseTarget):
            self._switch(ChooseView).show(step)
        elif isinstance(step, Working):
            self._working(step.text)
        elif isinstance(step, Linked):
            self._linked(step)
        elif isinstance(step, Failed):
            self._failed(step)

    def _switch(self, kind: type[View]) -> View:
        """Show the view of ``kind`` (once per step kind), hiding the others."""
        view = self.query_one(kind)
        if self._shown is not view:
            for other in self.query(".link-step"):
                other.display = other is view
            self._shown = view
        return view

    def _working(self, text: str) -> None:
        if isinstance(self._shown, CredentialsView):
            self._shown.working(text)
        elif isinstance(self._shown, AddressView):
            self._shown.status(text)

    def _linked(self, step: Linked) -> None:
        self._over = True
        account = step.account
        assert account is not None
        name = f"{account.handle}" + (f" ({account.display_name})" if account.display_name else "")
        released = f" {step.released_text}" if step.released_text else ""
        self.notify(
            f"Linked {name}.{released} Not you? Unlink it, sign out of {self.spec.name} in your browser, "
            "and link again.",
            title=f"{self.spec.name} linked",
            timeout=12,
        )
        self.dismiss(account)

    def _failed(self, step: Failed) -> None:
        message = step.message
        # Said once: in the window when it stays open (a toast would repeat it, over its Cancel),
        # as a notification when the window closes.
        if isinstance(self._shown, AddressView):
            self._shown.status("")
            self._shown.error(message)
        elif isinstance(self._shown, CredentialsView):
            self._shown.working(message)
        else:
            self.notify(message, title=f"{self.spec.name}: not linked", severity="error", timeout=10)
        if self._shown is None or isinstance(self._shown, InstanceView):
            self._over = True
            self.dismiss(None)

    def action_open_link(self) -> None:
        url = self.query_one(AddressView).url
        if url:
            self.app.open_external(url)

    def action_open_oob(self) -> None:
        url = self.query_one(AddressView).code_page_url
        if url:
            self.app.open_external(url)

    @on(Button.Pressed, "#link-cancel")
    async def action_cancel(self) -> None:
        if self._over:
            return
        self._over = True
        if self.session is not None:
            await self.session.cancel()
        self.dismiss(None)
