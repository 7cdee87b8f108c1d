"""One network's card on the Accounts grid: avatar, who is linked, where posts go, expiry."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from providers.overview import Card, CardState
from tui.messages import CardSelected
from tui.widgets.avatar import Avatar

STATE_CLASSES = {state: f"-{state.value.replace('_', '-')}" for state in CardState}
# A mark per state, coloured from the theme (brand colours can be unreadable on dark themes).
STATE_MARKS = {
    CardState.LINKED: "[$text-success]●[/]",
    CardState.RECONNECT: "[$text-warning]▲[/]",
    CardState.NOT_LINKED: "[$text-muted]○[/]",
    CardState.NEEDS_SETUP: "[$text-warning]◌[/]",
    CardState.UNAVAILABLE: "[$text-error]⊘[/]",
}


def when(moment: datetime | None, *, time: bool = False) -> str:
    """A date (and time) in the user's local time zone; the store keeps UTC."""
    if moment is None:
        return ""
    return moment.astimezone().strftime("%-d %b %Y %H:%M" if time else "%-d %b %Y")


def describe(card: Card) -> Text:
    account = card.account
    # Names and handles are cut with an ellipsis rather than wrapped mid-word.
    text = Text(overflow="ellipsis", no_wrap=account is not None)
    if account is None:
        text.append(card.spec.summary if card.state is CardState.NOT_LINKED else card.reason)
        return text
    text.append(account.handle, style="bold")
    if account.display_name and account.display_name != account.handle:
        text.append(f"\n{account.display_name}")
    if account.target_name:
        text.append(f"\n→ {account.target_kind or 'target'}: {account.target_name}", style="italic")
    if len(card.accounts) > 1:
        text.append(f"\n+{len(card.accounts) - 1} more")
    if card.state is CardState.RECONNECT:
        text.append(f"\n{card.reason}", style="italic")
    elif account.expires_at:
        text.append(f"\nexpires {when(account.expires_at)}", style="bold" if card.expiring_soon else "dim")
    return text


class NetworkCard(Widget, can_focus=True):
    """A focusable card; Enter or a click posts :class:`CardSelected`."""

    card: reactive[Card | None] = reactive(None, layout=False)

    def __init__(self, card: Card) -> None:
        super().__init__(id=f"card-{card.spec.id}", classes="network-card")
        self.set_reactive(NetworkCard.card, card)
        self._apply_state_class(card)

    @property
    def network_id(self) -> str:
        assert self.card is not None
        return self.card.spec.id

    def compose(self) -> ComposeResult:
        assert self.card is not None
        account = self.card.account
        yield Avatar(
            account.display_name or account.handle if account else self.card.spec.name,
            self.card.spec.brand_color,
            account.avatar_path if account else None,
            classes="card-avatar",
        )
        yield Static(describe(self.card), classes="card-body")

    def watch_card(self, card: Card | None) -> None:
        if card is None or not self.is_mounted:
            return
        self._apply_state_class(card)
        account = card.account
        self.query_one(Avatar).show(
            account.display_name or account.handle if account else card.spec.name,
            card.spec.brand_color,
            account.avatar_path if account else None,
        )
        self.query_one(".card-body", Static).update(describe(card))

    def _apply_state_class(self, card: Card) -> None:
        for state, css_class in STATE_CLASSES.items():
            self.set_class(state is card.state, css_class)
        self.set_class(card.expiring_soon, "-expiring")
        self.border_title = f"{STATE_MARKS[card.state]} [b]{card.spec.name}[/b]"
        self.border_subtitle = card.label + (" · expires soon" if card.expiring_soon else "")

    def on_click(self) -> None:
        self.post_message(CardSelected(self.network_id))
