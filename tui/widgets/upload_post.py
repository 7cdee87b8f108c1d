"""Upload's posting pane: why the post cannot go yet, Post now or a time to schedule it for, and a
progress row per delivery while it is sent (with Retry where retrying can help)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Static

from providers import catalog
from providers.errors import LinkdeckError
from providers.outbox.events import DeliveryEvent
from tui.messages import PostFinished, PostRequested
from tui.screens.base import LinkdeckPane
from tui.widgets.delivery_row import DeliveryRow

if TYPE_CHECKING:
    from providers.store import Account, Post


@dataclass(frozen=True)
class Draft:
    """What the screen's panes hold when Post is pressed: one post for ``accounts``."""

    accounts: list[Account]
    caption: str
    files: list[str]
    descriptions: list[str] | None  # alt text, one per file
    visibility: str
    caption_overrides: dict[str, str]  # catalog id → that network's own caption
    content_warning: str

    def what(self) -> str:
        """The post in a few words: its file and the start of its caption."""
        from pathlib import Path

        caption = " ".join(self.caption.split())
        quoted = f"“{caption[:40]}…”" if len(caption) > 40 else f"“{caption}”" if caption else ""
        return " with ".join(p for p in (", ".join(Path(f).name for f in self.files), quoted) if p)

    def where(self) -> str:
        return ", ".join(f"{catalog.get(a.network).name} {a.handle}" for a in self.accounts)


class PostPane(LinkdeckPane):
    """Posts :class:`PostRequested`; sends the draft it is then given (:meth:`publish`)."""

    def __init__(self) -> None:
        super().__init__(id="upload-post-pane")
        self._rows: dict[int, DeliveryRow] = {}  # delivery id → its progress row
        self._post: Post | None = None  # the post last sent from here, for Retry

    def compose(self) -> ComposeResult:
        yield Static("", id="upload-note", classes="muted")
        with Horizontal(id="upload-actions"):
            # The time first, so Tab reaches the button after it (the button reads what it set).
            yield Input(placeholder="now · in 2h · tomorrow 09:00", id="upload-at")
            yield Button("Post now", id="upload-post", variant="success", disabled=True)
        yield Static("", id="upload-when", classes="muted")
        yield VerticalScroll(id="upload-progress")

    def show_readiness(self, *, selected: bool, has_content: bool, media_ok: bool, captions_ok: bool) -> None:
        """Enable Post when it can go; otherwise say what stands in the way."""
        self.query_one("#upload-post", Button).disabled = not (
            selected and has_content and media_ok and captions_ok
        )
        note = self.query_one("#upload-note", Static)
        if not selected:
            note.update("Tick at least one account to post to.")
        elif not media_ok:
            note.update("Some networks would refuse this file: apply a fix above (Enter), or untick them.")
        elif not captions_ok:
            note.update("The caption is too long for a network: shorten it, or untick that network.")
        else:
            note.update("")

    @on(Input.Changed, "#upload-at")
    def _time_typed(self, event: Input.Changed) -> None:
        """The button says what it will do; the line under it, when that is in local time."""
        from providers.outbox.timing import parse_at, spoken

        event.stop()
        typed = event.value.strip()
        self.query_one("#upload-post", Button).label = "Schedule" if typed else "Post now"
        shown = ""
        if typed:
            try:
                shown = f"Schedules it for {spoken(parse_at(typed))}."
            except LinkdeckError as exc:
                shown = str(exc).removeprefix("--at ")
        self.query_one("#upload-when", Static).update(shown)

    @on(Button.Pressed, "#upload-post")
    def _post_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._request()

    @on(Input.Submitted, "#upload-at")
    def _time_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.query_one("#upload-post", Button).disabled:
            self.notify(str(self.query_one("#upload-note", Static).render()), severity="warning")
            return
        self._request()

    def _request(self) -> None:
        """Post now, or schedule for the time typed (refused with the reason if it is not one)."""
        from providers.outbox.timing import parse_at

        typed = self.query_one("#upload-at", Input).value.strip()
        if not typed:
            self.post_message(PostRequested(None))
            return
        try:
            when = parse_at(typed)
        except LinkdeckError as exc:
            self.notify(str(exc).removeprefix("--at "), title="When?", severity="error", timeout=8)
            return
        self.post_message(PostRequested(when))

    def clear(self) -> None:
        """Back to "Post now" with no time (the progress rows of the last post stay)."""
        self.query_one("#upload-at", Input).value = ""

    @work(exclusive=True, group="publish", exit_on_error=False)
    async def publish(self, draft: Draft, when: datetime | None) -> None:
        """Record the post and one delivery per account (before anything is sent), then send now
        with a progress row per delivery, or leave them for the scheduler."""
        from providers.outbox.runner import publish_now
        from providers.outbox.timing import spoken

        ctx = self.app.ctx
        self.query_one("#upload-post", Button).disabled = True
        post, deliveries = ctx.store.create_post_with_deliveries(
            draft.caption,
            draft.files,
            when,
            draft.accounts,
            descriptions=draft.descriptions,
            visibility=draft.visibility,
            caption_overrides=draft.caption_overrides,
            spoiler_text=draft.content_warning,
            sensitive=bool(draft.content_warning),
        )
        if when is not None:
            self.notify(
                f"{draft.what()} to {draft.where()}, {spoken(when)}. It is in Posts (p).",
                title="Scheduled",
                timeout=10,
            )
            self.post_message(PostFinished())
            return
        box = self.query_one("#upload-progress", VerticalScroll)
        await box.remove_children()
        names = {a.vault_key: f"{catalog.get(a.network).name} {a.handle}" for a in draft.accounts}
        self._rows = {d.id: DeliveryRow(d.id, names.get(d.account_key, d.network)) for d in deliveries}
        await box.mount_all(self._rows.values())
        self._post = post
        final = await publish_now(
            ctx.store, ctx.vault, post, draft.accounts, self._on_event, keeper=ctx.keeper
        )
        sent = sum(d.state == "sent" for d in final)
        self.notify(
            f"Sent to {sent} of {len(final)}.", title="Posted" if sent == len(final) else "Posted, partly"
        )
        self.post_message(PostFinished())

    def _on_event(self, event: DeliveryEvent) -> None:
        row = self._rows.get(event.delivery_id)
        if row is not None:
            row.show(event)

    @on(Button.Pressed, ".retry")
    def _retry(self, event: Button.Pressed) -> None:
        from providers.outbox.actions import retry

        event.stop()
        delivery_id = int((event.button.id or "retry-0").removeprefix("retry-"))
        store = self.app.ctx.store
        delivery = retry(store, delivery_id)
        account = store.account(delivery.account_id) if delivery.account_id else None
        if account is not None:
            self._resend(account)

    @work(group="publish", exit_on_error=False)
    async def _resend(self, account: Account) -> None:
        from providers.outbox.runner import publish_now

        if self._post is None:  # Retry buttons exist only on rows of a post sent from here
            return
        ctx = self.app.ctx
        await publish_now(ctx.store, ctx.vault, self._post, [account], self._on_event, keeper=ctx.keeper)
