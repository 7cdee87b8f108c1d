"""Upload's targets pane: where the post goes (one tick box per linked account), the options
some networks take (visibility, a content warning), and linking another account from here.

Once a second brand exists a brand chooser heads the pane: choosing a brand lists only its
accounts, every one ticked (a brand's post goes to all of its accounts unless some are
unticked); "All brands" lists every account again, ticked as each one's auto-share says."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Select, Static

from providers import catalog, sharing
from tui.messages import TargetsChanged
from tui.screens.base import LinkdeckPane
from tui.widgets.brand_select import BrandSelect

if TYPE_CHECKING:
    from providers.store import Account, Brand

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
        self._accounts: list[Account] = []  # every linked account, whichever brand is chosen
        self._shown: dict[int, Account] = {}  # the accounts shown, by store id

    def compose(self) -> ComposeResult:
        yield BrandSelect(id="upload-brand")
        with Horizontal(id="upload-options"):
            yield Select(VISIBILITIES, value="public", allow_blank=False, id="upload-visibility")
            yield Input(placeholder="Content warning (optional)", id="upload-cw")
            story = Checkbox("As a Story (one photo or video)", id="upload-story")
            story.display = False  # offered once an account whose network has Stories is ticked
            yield story
        yield VerticalScroll(id="upload-targets")
        yield Button("Link another account…", id="upload-link")

    async def fill(self, accounts: list[Account], brands: list[Brand]) -> None:
        """One tick box per account in ``accounts`` (those of the chosen brand, when one is),
        keeping the ticks already given."""
        self._accounts = accounts
        self.query_one(BrandSelect).show_brands(brands)
        await self._show(fresh=False)

    @on(Select.Changed, "#upload-brand")
    async def _brand_chosen(self, event: Select.Changed) -> None:
        event.stop()
        await self._show(fresh=True)
        self.post_message(TargetsChanged())

    async def _show(self, *, fresh: bool) -> None:
        """The tick boxes for the chosen brand's accounts. ``fresh`` (a brand was just chosen):
        ticks as the choice says rather than as they were."""
        brand_id = self.query_one(BrandSelect).brand_id
        accounts = [a for a in self._accounts if brand_id is None or a.brand_id == brand_id]
        box = self.query_one("#upload-targets", VerticalScroll)
        previous = {} if fresh else {c.id: c.value for c in box.query(Checkbox)}
        await box.remove_children()
        if not accounts and brand_id is not None:
            await box.mount(
                Static("This brand has no linked accounts.", classes="empty-state", id="upload-no-accounts")
            )
            return
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
        self._shown = {account.id: account for account in accounts}
        # A brand just chosen ticks all of its accounts; otherwise each account's auto-share.
        ticks = {
            f"share-{a.id}": previous.get(f"share-{a.id}", a.auto_share if brand_id is None else True)
            for a in accounts
        }
        for account in accounts:
            if account.network == linked_here:  # linking from Upload turns sharing on
                ticks[f"share-{account.id}"] = True
            page = sharing.shared_to(account, self.app.ctx.settings, accounts)
            if page is not None and ticks[f"share-{account.id}"] and f"share-{page.id}" not in previous:
                ticks[f"share-{page.id}"] = True  # Instagram ticked brings its Page along
        for account in accounts:
            name = catalog.get(account.network).name
            where = f" → {account.target_name}" if account.target_name else ""
            key = f"share-{account.id}"
            await box.mount(Checkbox(f"{name}: {account.handle}{where}", value=ticks[key], id=key))

    def ticked_ids(self) -> set[int]:
        """The store ids of the ticked accounts."""
        ticks = self.query_one("#upload-targets", VerticalScroll).query(Checkbox)
        return {int((c.id or "share-0").removeprefix("share-")) for c in ticks if c.value}

    @on(Checkbox.Changed)
    def _ticked(self, event: Checkbox.Changed) -> None:
        """Ticking Instagram ticks the Facebook Page it shares to (its Share to Facebook, in one
        step); the Page can still be unticked for this post."""
        event.stop()
        box_id = event.checkbox.id or ""
        account = self._shown.get(int(box_id.removeprefix("share-"))) if box_id.startswith("share-") else None
        if event.value and account is not None:
            page = sharing.shared_to(account, self.app.ctx.settings, self._shown.values())
            if page is not None:
                self.query_one(f"#share-{page.id}", Checkbox).value = True
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
            # Into the brand chosen here; the screen fills this pane again when the Link window closes.
            self.app.start_link(network, brand=self.query_one(BrandSelect).brand_name)
