"""The start screen: a responsive grid with one card per network. Once a second brand exists, a
brand chooser above the grid (Tab reaches it, or press b) shows the cards as if the chosen
brand's accounts were the only ones."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.widgets import Footer, Header, Select, Static

from providers import overview
from tui.messages import CardSelected
from tui.screens.base import LinkdeckScreen
from tui.widgets.brand_select import BrandSelect
from tui.widgets.network_card import NetworkCard

CARD_MIN_WIDTH = 32
QUOTA_FRESH_SECONDS = 60.0  # coming back to the grid asks again only for figures older than this
QUOTA_FORCED = 0.0  # r (refresh) asks for every figure
CARD_HEIGHT = 7  # a grid row (accounts.tcss: NetworkCard height and grid-rows)


class AccountsScreen(LinkdeckScreen[None]):
    SUB_TITLE = "Accounts"
    BINDINGS = [
        Binding("enter", "open_card", "Link / details", show=True),
        Binding("d", "details", "Details"),
        Binding("v", "link_via", "Link via broker"),  # a broker's route to the focused network
        # Priority: where the grid overflows (80×24), the scroll container would take the arrows
        # to scroll instead; moving the focus scrolls the card into view anyway.
        Binding("left", "move(-1, 0)", "Left", show=False, priority=True),
        Binding("right", "move(1, 0)", "Right", show=False, priority=True),
        Binding("up", "move(0, -1)", "Up", show=False, priority=True),
        Binding("down", "move(0, 1)", "Down", show=False, priority=True),
        Binding("r", "refresh_cards", "Refresh", show=False),
        Binding("b", "choose_brand", "Brand"),  # shown only once there are brands (check_action)
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="accounts-summary")
        yield BrandSelect(id="accounts-brand")
        with VerticalScroll(id="accounts-scroll"):
            with Grid(id="cards"):
                for card in self._cards():
                    yield NetworkCard(card)
        yield Static(id="accounts-more")
        yield Footer()

    def _cards(self) -> list[overview.Card]:
        ctx = self.app.ctx
        brand_id = self.query_one(BrandSelect).brand_id if self.is_mounted else None
        return overview.cards(ctx.settings, ctx.store, ctx.now(), self._stored_secrets, brand_id=brand_id)

    _stored_secrets: frozenset[str] = frozenset()

    def on_mount(self) -> None:
        # The keyring (D-Bus, ~90 ms of imports) is asked only once the first frame is up.
        self.set_timer(0.5, self._check_stored_secrets)
        self.query_one(BrandSelect).show_brands(self.app.ctx.store.brands())
        self.set_timer(0.5, self._read_quotas)
        self._update_summary()
        first = self.query(NetworkCard).first()
        first.focus()
        self.watch(self.query_one("#accounts-scroll", VerticalScroll), "scroll_y", self._update_more)

    def on_resize(self) -> None:
        grid = self.query_one("#cards", Grid)
        columns = max(1, (self.size.width - 2) // CARD_MIN_WIDTH)
        grid.styles.grid_size_columns = columns
        self.call_after_refresh(self._update_more)

    @property
    def _columns(self) -> int:
        return max(1, (self.size.width - 2) // CARD_MIN_WIDTH)

    def _update_summary(self) -> None:
        cards = [c.card for c in self.query(NetworkCard) if c.card is not None]
        linked = sum(c.state is overview.CardState.LINKED for c in cards)
        attention = sum(c.state is overview.CardState.RECONNECT for c in cards)
        parts = [f"{linked} of {len(cards)} networks linked"]
        if attention:
            parts.append(f"{attention} need reconnecting")
        if linked == 0:
            parts.append("press Enter on a card to link it")
        self.query_one("#accounts-summary", Static).update(" · ".join(parts))

    def _update_more(self) -> None:
        """Say how many cards are below the visible ones, so a small terminal shows there are more."""
        scroll = self.query_one("#accounts-scroll", VerticalScroll)
        count = len(self.query(NetworkCard))
        # Rows reached by the bottom edge count as seen (a row cut in half shows it is there).
        bottom = scroll.scroll_y + scroll.size.height
        seen_rows = -(-int(bottom) // CARD_HEIGHT)
        below = 0 if scroll.scroll_y >= scroll.max_scroll_y else max(0, count - seen_rows * self._columns)
        more = self.query_one("#accounts-more", Static)
        more.display = below > 0
        more.update(f"▼ {below} more below — scroll, or move down with the arrow keys")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "move":
            # In the brand chooser (and its open list) the arrows are the chooser's own.
            focused = self.focused
            return focused is None or not any(
                isinstance(n, BrandSelect) for n in (focused, *focused.ancestors)
            )
        if action == "choose_brand":
            return self.query_one(BrandSelect).display
        return True

    def action_choose_brand(self) -> None:
        chooser = self.query_one(BrandSelect)
        chooser.focus()
        chooser.expanded = True

    @on(Select.Changed, "#accounts-brand")
    def _brand_chosen(self) -> None:
        self.refresh_cards()

    def action_move(self, dx: int, dy: int) -> None:
        cards = list(self.query(NetworkCard))
        focused = self.focused
        index = cards.index(focused) if isinstance(focused, NetworkCard) else 0
        target = index + dx + dy * self._columns
        if 0 <= target < len(cards):
            cards[target].focus()
            cards[target].scroll_visible()

    def _focused_card(self) -> NetworkCard | None:
        return self.focused if isinstance(self.focused, NetworkCard) else None

    def action_open_card(self) -> None:
        card = self._focused_card()
        if card is not None:
            self.post_message(CardSelected(card.network_id))

    def action_details(self) -> None:
        card = self._focused_card()
        if card is not None and card.card is not None:
            self._show_details(card.card)

    def action_link_via(self) -> None:
        """The focused network's link through a broker (Ayrshare's linking page, say): the first
        broker whose key is set up; a card with none says what it needs."""
        card = self._focused_card()
        if card is None or card.card is None:
            return
        routes = card.card.routes
        if not routes:
            self.notify(
                f"{card.card.spec.name} has no broker route set up here: a broker that offers it needs "
                "its API key first (its card's Enter API key).",
                title="Link via broker",
                severity="warning",
            )
            return
        self.app.start_link(card.card.spec.id, via=routes[0])

    @on(CardSelected)
    def _card_selected(self, event: CardSelected) -> None:
        card = self.query_one(f"#card-{event.network_id}", NetworkCard).card
        if card is None:
            return
        if card.state is overview.CardState.NOT_LINKED:
            self.app.start_link(card.spec.id, brand=self.query_one(BrandSelect).brand_name)
        else:
            self._show_details(card)

    def _show_details(self, card: overview.Card) -> None:
        from tui.dialogs.card_details import CardDetails

        brand = self.query_one(BrandSelect).brand_name
        self.app.push_screen(CardDetails(card, brand=brand), self._details_closed)

    def _details_closed(self, saved: bool | None) -> None:
        if saved:  # set up there: the keyring may now hold the network's secret, so ask it again
            self._check_stored_secrets()

    @work(thread=True, exclusive=True, group="secrets", exit_on_error=False)
    def _check_stored_secrets(self) -> None:
        # Asking the keyring (D-Bus) can take a moment, so it happens after the first frame.
        from providers.errors import KeyringUnavailable

        vault = self.app.ctx.vault
        found = set()
        for spec in overview.secret_networks():
            try:
                if vault.get_client_secret(spec.id):
                    found.add(spec.id)
            except KeyringUnavailable:
                return
        if found:
            self._stored_secrets = frozenset(found)
            self.app.call_from_thread(self.refresh_cards)

    def action_refresh_cards(self) -> None:
        self.refresh_cards()
        self._read_quotas(QUOTA_FORCED)

    def refresh_cards(self) -> None:
        self.query_one(BrandSelect).show_brands(self.app.ctx.store.brands())
        self.refresh_bindings()  # "b Brand" in the footer comes and goes with the chooser
        for card in self._cards():
            self.query_one(f"#card-{card.spec.id}", NetworkCard).card = card
        self._update_summary()

    @work(thread=True, exclusive=True, group="quotas", exit_on_error=False)
    def _read_quotas(self, unless_newer_than: float = QUOTA_FRESH_SECONDS) -> None:
        """Each linked account's posting quota from its network (Instagram, Threads), in a worker:
        it waits on the keyring and the network. The cards show it once read."""
        import asyncio

        from providers.quotas import refresh_all

        ctx = self.app.ctx
        try:  # its own event loop, in this thread
            found = asyncio.run(
                refresh_all(store=ctx.store, vault=ctx.vault, unless_newer_than=unless_newer_than)
            )
        except Exception:  # a card's figure: the cards stay as they are
            return
        if found:
            self.app.call_from_thread(self.refresh_cards)

    def on_screen_resume(self) -> None:
        # Coming back from a dialog or another mode: the store may have changed underneath.
        if self.is_mounted and self.query(NetworkCard):
            self.refresh_cards()
            self._check_stored_secrets()  # an API key may have been stored in a dialog
            self._read_quotas()  # a link or a post since: its quota (a minute-old one is kept)
