"""Posts: the queue (scheduled, held) and history (sent, failed, unknown), with links, reasons and
what can be done: retry, cancel, reschedule, move a held post to another account, open the post."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static, Tab, Tabs

from providers import catalog
from providers.errors import LinkdeckError
from providers.outbox.queue import QueueEntry
from providers.store.models import AccountState, DeliveryState
from tui.prose import text
from tui.screens.base import LinkdeckScreen
from tui.widgets.network_card import when

_S = DeliveryState
# Each tab and the states it lists ("scheduled" covers everything still on its way out).
FILTERS: tuple[tuple[str, tuple[DeliveryState, ...] | None], ...] = (
    ("all", None),
    ("scheduled", (_S.SCHEDULED, _S.DUE, _S.SENDING)),
    ("held", (_S.HELD,)),
    ("sent", (_S.SENT,)),
    ("failed", (_S.FAILED,)),
    ("unknown", (_S.UNKNOWN,)),
)


class PostsScreen(LinkdeckScreen[None]):
    # Parsed when this screen is first opened, not at start-up.
    CSS_PATH = "../styles/posts.tcss"
    SUB_TITLE = "Posts"
    BINDINGS = [
        Binding("enter", "open_post", "Open"),
        Binding("r", "retry", "Retry"),
        Binding("x", "cancel", "Cancel post"),
        Binding("s", "reschedule", "Reschedule"),
        Binding("m", "move", "Move held"),
        Binding("i", "import_history", "Import history"),
        Binding("f5", "reload", "Reload", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Tabs(*[Tab(name.capitalize(), id=f"filter-{name}") for name, _ in FILTERS], id="posts-filter")
        yield Static(
            text("No posts yet. Write one on Upload (press u), or use `linkdeck post` from a shell."),
            id="posts-empty",
            classes="empty-state",
        )
        yield DataTable(id="posts-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="posts-detail", classes="muted")
        yield Footer()

    # How often the open screen asks the store whether any delivery changed (a worker in another
    # process, the app's own runner): a cheap stamp, and the rows are read again only when it moved.
    POLL_SECONDS = 1.0

    def on_mount(self) -> None:
        table = self.query_one("#posts-table", DataTable)
        table.add_columns("When", "Network", "Account", "State", "Caption", "Link or reason")
        self._states: tuple[DeliveryState, ...] | None = None
        self._entries: dict[str, QueueEntry] = {}
        self._stamp: tuple[int, ...] = ()
        self.reload()
        self.set_interval(self.POLL_SECONDS, self._poll)

    def _poll(self) -> None:
        if self.is_current and self.app.ctx.store.deliveries_stamp() != self._stamp:
            self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    @on(Tabs.TabActivated, "#posts-filter")
    def _filter(self, event: Tabs.TabActivated) -> None:
        name = (event.tab.id or "filter-all").removeprefix("filter-")
        self._states = dict(FILTERS)[name]
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    def reload(self) -> None:
        from providers.outbox.queue import entries

        store = self.app.ctx.store
        self._stamp = store.deliveries_stamp()
        counts = store.counts_by_state()
        tabs = self.query_one("#posts-filter", Tabs)
        for name, states in FILTERS:
            total = sum(counts.get(s, 0) for s in (states or DeliveryState))
            tabs.query_one(f"#filter-{name}", Tab).label = f"{name.capitalize()} {total}"
        table = self.query_one("#posts-table", DataTable)
        chosen = self._current()  # kept across a reload, so a live update never moves the cursor
        table.clear()
        self._entries = {}
        for entry in entries(store, getattr(self, "_states", None)):
            d = entry.delivery
            caption = (entry.post.caption if entry.post else "").replace("\n", " ")
            state = "unknown — check" if d.state == _S.UNKNOWN and d.check_needed else d.state
            key = str(d.id)
            self._entries[key] = entry
            # A post from a network's own history (Ayrshare's), not sent by linkdeck: said so.
            imported = entry.post is not None and bool(entry.post.origin)
            table.add_row(
                when(entry.when, time=True),
                f"{entry.network_name}, imported" if imported else entry.network_name,
                entry.account,
                state,
                caption[:40] + ("…" if len(caption) > 40 else ""),
                d.url or d.reason,
                key=key,
            )
        if chosen is not None and str(chosen.delivery.id) in self._entries:
            table.move_cursor(row=table.get_row_index(str(chosen.delivery.id)))
        empty = sum(counts.values()) == 0
        self.query_one("#posts-empty").display = empty
        table.display = not empty
        self._show_detail()

    def _current(self) -> QueueEntry | None:
        table = self.query_one("#posts-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._entries.get(key or "")

    @on(DataTable.RowHighlighted, "#posts-table")
    def _show_detail(self) -> None:
        entry = self._current()
        detail = self.query_one("#posts-detail", Static)
        if entry is None:
            detail.update("")
            return
        d = entry.delivery
        hints = {
            _S.HELD: "sent once its account is linked again; m moves it to another account, x cancels it",
            _S.FAILED: "r tries again"
            if d.retryable
            else "retrying cannot help: fix the post and post it again",
            _S.UNKNOWN: (
                "look at the account's page: if the post is not there, r sends it (with the same key)"
            ),
            _S.SCHEDULED: "s gives it another time; x cancels it",
            _S.SENT: "Enter opens the post",
        }
        what = f"{d.state}: {d.reason or d.url}" if (d.reason or d.url) else d.state
        detail.update(f"{what}  ·  {hints.get(d.state, '')}")

    def _act(self, action: str, *args: object) -> None:
        from providers.outbox import actions

        entry = self._current()
        if entry is None:
            return
        try:
            getattr(actions, action)(self.app.ctx.store, *(args or (entry.delivery.id,)))
        except (LinkdeckError, ValueError) as exc:
            self.notify(str(exc), severity="warning")
        self.reload()

    @work(exclusive=True, group="import-history", exit_on_error=False)
    async def action_import_history(self) -> None:
        """The linked accounts' own post histories (Ayrshare's) into this list, once each."""
        from providers.history import import_history

        ctx = self.app.ctx
        report = await import_history(ctx.store, ctx.vault)
        self.notify(
            report.summary(),
            title="Import history",
            severity="warning" if report.problems else "information",
            timeout=10,
        )
        self.reload()

    def action_open_post(self) -> None:
        entry = self._current()
        if entry is not None and entry.delivery.url:
            self.app.open_external(entry.delivery.url)

    def action_retry(self) -> None:
        self._act("retry")

    def action_cancel(self) -> None:
        self._act("cancel")

    @work(exclusive=True, group="ask")
    async def action_reschedule(self) -> None:
        from providers.outbox.timing import parse_at
        from tui.dialogs.ask import AskText

        entry = self._current()
        if entry is None or entry.post is None:
            return
        answer = await self.app.push_screen_wait(
            AskText(
                "Reschedule",
                "A new time with its UTC offset, e.g. 2026-12-01T09:00+01:00",
                "2026-12-01T09:00+01:00",
            )
        )
        if not answer:
            return
        try:
            self._act("reschedule", entry.post.id, parse_at(answer))
        except LinkdeckError as exc:
            self.notify(str(exc), title="Reschedule", severity="error")

    @work(exclusive=True, group="ask")
    async def action_move(self) -> None:
        from tui.dialogs.ask import AskChoice

        entry = self._current()
        if entry is None or entry.delivery.state != _S.HELD:
            self.notify("Only held posts can move to another account.", severity="warning")
            return
        accounts = [a for a in self.app.ctx.store.accounts() if a.state == AccountState.LINKED]
        choices = [(str(a.id), f"{catalog.get(a.network).name}: {a.handle}") for a in accounts]
        if not choices:
            self.notify("No linked account to move it to. Link one on Accounts (a).", severity="warning")
            return
        picked = await self.app.push_screen_wait(
            AskChoice("Send this held post with which account?", choices)
        )
        if picked:
            self._act("move_held", entry.delivery.id, int(picked))
