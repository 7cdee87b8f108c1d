"""One network's card on the Accounts grid: avatar, who is linked, where posts go, expiry."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.text import Text
from textual import work
from textual.reactive import reactive
from textual.widget import Widget

from providers.interface import Quota
from providers.overview import Card, CardState
from tui import prose
from tui.messages import CardSelected
from tui.widgets.avatar import WIDTH as AVATAR_WIDTH
from tui.widgets.avatar import halfblock, initials_block

STATE_CLASSES = {state: f"-{state.value.replace('_', '-')}" for state in CardState}
# A mark per state, coloured from the theme (brand colours can be unreadable on dark themes).
STATE_MARKS = {
    CardState.LINKED: "[$text-success]●[/]",
    CardState.RECONNECT: "[$text-warning]▲[/]",
    CardState.NOT_LINKED: "[$text-muted]○[/]",
    CardState.NEEDS_SETUP: "[$text-warning]◌[/]",
    CardState.NOT_BUILT: "[$text-muted]·[/]",
    CardState.UNAVAILABLE: "[$text-error]⊘[/]",
}


def when(moment: datetime | None, *, time: bool = False) -> str:
    """A date (and time) in the user's local time zone; the store keeps UTC."""
    if moment is None:
        return ""
    return moment.astimezone().strftime("%-d %b %Y %H:%M" if time else "%-d %b %Y")


def days(count: int) -> str:
    return "less than a day" if count < 1 else f"{count} day{'s' if count != 1 else ''}"


def quota_text(quota: Quota) -> str:
    """ "posts left: 12/50", of the network's moving day (short: a card's text is ~22 columns
    wide); a window other than a day is named."""
    hours = quota.window_seconds // 3600
    return f"posts left: {quota.left}/{quota.total}" + ("" if hours == 24 else f" ({hours} h)")


def describe(card: Card) -> Text:
    account = card.account
    # Names and handles are cut with an ellipsis rather than wrapped mid-word.
    text = Text(overflow="ellipsis", no_wrap=account is not None)
    if account is None:
        # What the network is, where nothing needs doing here; the reason where something does.
        # The state itself is on the border, and the full reason in details.
        text.append(prose.text(card.reason if card.state is CardState.NEEDS_SETUP else card.spec.summary))
        return text
    text.append(account.handle, style="bold")
    if account.display_name and account.display_name != account.handle:
        text.append(f"\n{account.display_name}")
    if card.via(account):  # this network linked through a broker: its target is this network
        text.append(f"\nvia {card.via(account)}", style="italic")
    elif account.target_name:
        text.append(f"\n→ {account.target_kind or 'target'}: {account.target_name}", style="italic")
    if len(card.accounts) > 1:
        text.append(f"\n+{len(card.accounts) - 1} more")
    if card.state is CardState.RECONNECT:
        text.append(prose.text(f"\n{card.reason}", "italic"))
    elif account.expires_at:
        left = "" if card.days_left is None else f" · {days(card.days_left)} left"
        text.append(
            f"\nexpires {when(account.expires_at)}{left}", style="bold" if card.expiring_soon else "dim"
        )
    if card.quota is not None and card.state is CardState.LINKED:
        text.append(f"\n{quota_text(card.quota)}", style="bold" if card.quota.left == 0 else "")
    return text


def fit(body: Text, width: int, rows: int, console: Console) -> list[Text]:
    """``body`` wrapped to ``width``: all of it when it fits in ``rows``, else its leading
    sentences that do, else as much as fits with an ellipsis."""
    lines = list(body.wrap(console, width))
    if rows <= 0 or len(lines) <= rows:
        return lines
    plain = body.plain
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s|$)", plain)]
    for end in reversed(ends):
        shorter = list(Text(plain[:end], style=body.style).wrap(console, width))
        if len(shorter) <= rows:
            return shorter
    kept = lines[:rows]
    last = kept[-1]
    last.truncate(max(1, width - 1))
    last.rstrip()
    last.append("…")
    return kept


class NetworkCard(Widget, can_focus=True):
    """A focusable card; Enter or a click posts :class:`CardSelected`.

    One widget per card, drawn by ``render`` (avatar and text side by side): the grid shows every
    network at start-up, and fewer widgets means a faster first frame.
    """

    card: reactive[Card | None] = reactive(None, layout=False)

    def __init__(self, card: Card) -> None:
        super().__init__(id=f"card-{card.spec.id}", classes="network-card")
        self.set_reactive(NetworkCard.card, card)
        self._apply_state_class(card)
        self._picture: Text | None = None  # the account's avatar once loaded
        self._picture_path: str | None = None

    @property
    def network_id(self) -> str:
        assert self.card is not None
        return self.card.spec.id

    def on_mount(self) -> None:
        self._load_picture()

    def watch_card(self, card: Card | None) -> None:
        if card is not None:
            self._apply_state_class(card)
            if self.is_mounted:
                self._load_picture()

    def _apply_state_class(self, card: Card) -> None:
        for state, css_class in STATE_CLASSES.items():
            self.set_class(state is card.state, css_class)
        self.set_class(card.expiring_soon, "-expiring")
        self.border_title = f"{STATE_MARKS[card.state]} [b]{card.spec.name}[/b]"
        through = card.via(card.account) if card.account else ""
        label = f"{card.label} via {through}" if through else card.label
        self.border_subtitle = label + (" · expires soon" if card.expiring_soon else "")

    def _load_picture(self) -> None:
        account = self.card.account if self.card else None
        path = account.avatar_path if account else None
        if path != self._picture_path:
            self._picture_path, self._picture = path, None
            if path:
                self._read_picture(path)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _read_picture(self, path: str) -> None:
        try:
            picture = halfblock(Path(path))
        except Exception:  # a broken cached file keeps the initials; it is only a picture
            return
        self.app.call_from_thread(self._show_picture, path, picture)

    def _show_picture(self, path: str, picture: Text) -> None:
        if path == self._picture_path:
            self._picture = picture
            self.refresh()

    def render(self) -> Text:
        card = self.card
        assert card is not None
        account = card.account
        name = (account.display_name or account.handle) if account else card.spec.name
        picture = (self._picture or initials_block(name, card.spec.brand_color)).split()
        width = max(1, self.content_size.width - AVATAR_WIDTH - 1)
        body = describe(card)
        if account is not None:  # names and handles are cut with an ellipsis, one per line
            lines = list(body.split())
            for line in lines:
                line.truncate(width, overflow="ellipsis")
        else:  # a description wraps, and never stops mid-sentence without saying so
            lines = fit(body, width, self.content_size.height, self.app.console)
        height = max(len(picture), len(lines), self.content_size.height)
        blank = Text(" " * AVATAR_WIDTH)
        rows = []
        for index in range(height):
            row = (picture[index] if index < len(picture) else blank).copy()
            row.append(" ")
            if index < len(lines):
                row.append_text(lines[index])
            rows.append(row)
        return Text("\n").join(rows)

    def card_text(self) -> Text:
        assert self.card is not None
        return describe(self.card)

    def on_click(self) -> None:
        self.post_message(CardSelected(self.network_id))
