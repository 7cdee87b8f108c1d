"""Upload's targets pane: where the post goes (one tick box per linked account), the options
some networks take (visibility, a content warning), and linking another account from here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Select, Static

from providers import catalog
from tui.messages import TargetsChanged
from tui.screens.base import LinkdeckPane

if TYPE_CHECKING:
    from providers.store import Account

VISIBILITIES = [
    ("Public", "public"),
    ("Unlisted", "unlisted"),
    ("Followers only", "private"),
    ("Mentioned only", "direct"),
]


class TargetsPane(LinkdeckPane):
    """Posts :class:`TargetsChanged` when an account is ticked or unticked."""

    def __init__(self) -> None:
        super().__init__(id="upload-targets-pane")
        self._linked_here: str | None = None  # a network linked from this pane: share to it

    def compose(self) -> ComposeResult:
        with Horizontal(id="upload-options"):
            yield Select(VISIBILITIES, value="public", allow_blank=False, id="upload-visibility")
            yield Input(placeholder="Content warning (optional)", id="upload-cw")
            story = Checkbox("As a Story (one photo or video)", id="upload-story")
            story.display = False  # offered once an account whose network has Stories is ticked
            yield story
        yield VerticalScroll(id="upload-targets")
        yield Button("Link another account…", id="upload-link")

    async def fill(self, accounts: list[Account]) -> None:
        """One tick box per account in ``accounts``, keeping the ticks already given."""
        box = self.query_one("#upload-targets", VerticalScroll)
        previous = {c.id: c.value for c in box.query(Checkbox)}
        await box.remove_children()
        if not accounts:
            await box.mount(
                Static(
                    "No linked accounts yet. Press a to open Accounts and link one.",
                    classes="empty-state",
                    id="upload-no-accounts",
                )
            )
            return
        linked_here, self._linked_here = self._linked_here, None
        for account in accounts:
            name = catalog.get(account.network).name
            where = f" → {account.target_name}" if account.target_name else ""
            key = f"share-{account.id}"
            if account.network == linked_here:  # linking from Upload turns sharing on
                previous[key] = True
            await box.mount(
                Checkbox(
                    f"{name}: {account.handle}{where}", value=previous.get(key, account.auto_share), id=key
                )
            )

    def ticked_ids(self) -> set[int]:
        """The store ids of the ticked accounts."""
        ticks = self.query_one("#upload-targets", VerticalScroll).query(Checkbox)
        return {int((c.id or "share-0").removeprefix("share-")) for c in ticks if c.value}

    @on(Checkbox.Changed)
    def _ticked(self, event: Checkbox.Changed) -> None:
        event.stop()
        self.post_message(TargetsChanged())

    def show_post_options(self, options: set[str]) -> None:
        """Offer visibility and a content warning only when a ticked network's API takes them."""
        self.query_one("#upload-visibility").display = "visibility" in options
        self.query_one("#upload-cw").display = "content_warning" in options
        self.query_one("#upload-story").display = "story" in options

    @property
    def story(self) -> bool:
        """ "As a Story" is offered and ticked."""
        box = self.query_one("#upload-story", Checkbox)
        return bool(box.display and box.value)

    @property
    def visibility(self) -> str:
        return str(self.query_one("#upload-visibility", Select).value)

    @property
    def content_warning(self) -> str:
        return self.query_one("#upload-cw", Input).value.strip()

    def clear_warning(self) -> None:
        """After a post: no content warning, and the next post goes to the feed again."""
        self.query_one("#upload-cw", Input).value = ""
        self.query_one("#upload-story", Checkbox).value = False

    @on(Button.Pressed, "#upload-link")
    @work(exclusive=True, group="ask", exit_on_error=False)
    async def _link_from_here(self) -> None:
        from providers import overview
        from tui.dialogs.ask import AskChoice

        ctx = self.app.ctx
        cards = overview.cards(ctx.settings, ctx.store, ctx.now())
        choices = [(c.spec.id, c.spec.name) for c in cards if c.state is overview.CardState.NOT_LINKED]
        if not choices:
            self.notify("Every network that can be linked here is linked; see Accounts (a).")
            return
        network = await self.app.push_screen_wait(AskChoice("Link which network?", choices))
        if network:
            self._linked_here = network
            self.app.start_link(network)  # the screen fills this pane again when the Link window closes
