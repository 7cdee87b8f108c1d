"""Instagram's "Also share to Facebook Page" in its account details (providers.sharing): a choice
among the linked Facebook Pages, or off; and, in a Facebook card's details, which network's posts
its Page also gets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, Select, Static

from providers import catalog, sharing
from providers.errors import LinkdeckError

if TYPE_CHECKING:
    from textual import getters

    from providers.settings import Settings
    from tui.app import LinkdeckApp


class ShareToRow(Horizontal):
    """``network``'s Page choice; the choice goes to config.toml as ``linkdeck config set``
    writes it, and Upload ticks the Page with Instagram from then on."""

    if TYPE_CHECKING:  # self.app is linkdeck's (tui.screens.base says why this way)
        app = getters.app(LinkdeckApp)

    def __init__(self, network: str) -> None:
        super().__init__(classes="details-row", id="share-to-row")
        self.network = network

    def compose(self) -> ComposeResult:
        ctx = self.app.ctx
        pages = sharing.pages(ctx.store.accounts())
        yield Label("Also share to Facebook Page ", classes="switch-label")
        if not pages:
            yield Static("none linked: link Facebook to choose a Page", id="share-to-none")
            return
        options = [("Off", sharing.OFF), *((str(a.target_name), str(a.target_id)) for a in pages)]
        current = sharing.page_for(ctx.settings, self.network)
        value = current if current in {a.target_id for a in pages} else sharing.OFF
        yield Select(options, value=value, allow_blank=False, id="share-to")

    @on(Select.Changed, "#share-to")
    def _chosen(self, event: Select.Changed) -> None:
        event.stop()
        if str(event.value) != (sharing.page_for(self.app.ctx.settings, self.network) or sharing.OFF):
            self._write(str(event.value))

    @work(thread=True, exclusive=True, group="share-to", exit_on_error=False)
    def _write(self, value: str) -> None:
        from providers.config_write import set_network_value

        try:
            set_network_value(self.network, sharing.KEY, value)
        except LinkdeckError as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Share to Facebook", severity="error")
            return
        self.app.call_from_thread(self._written, value)

    def _written(self, value: str) -> None:
        self.app.ctx.reload_settings()
        name = catalog.get(self.network).name
        if value == sharing.OFF:
            self.notify(f"{name} posts are no longer shared to Facebook.", title="Share to Facebook")
            return
        linked = sharing.pages(self.app.ctx.store.accounts())
        page = next((a.target_name for a in linked if a.target_id == value), value)
        self.notify(f"{name} posts also go to Facebook ({page}).", title="Share to Facebook")


def shared_from(page_id: str | None, settings: Settings) -> str | None:
    """A Facebook details line: which networks' posts this Page also gets (None: none)."""
    if not page_id:
        return None
    names = [catalog.get(n).name for n in sharing.SHARES_FROM if sharing.page_for(settings, n) == page_id]
    if not names:
        return None
    return f"Also gets {' and '.join(names)}'s posts (set in {names[0]}'s details)."
