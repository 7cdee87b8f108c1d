"""Posts: the queue (scheduled, held) and history (sent, failed, unknown), with links."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, Tab, Tabs

from providers import catalog
from providers.store.models import DELIVERY_STATES
from tui.widgets.network_card import when

FILTERS: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("all", None),
    ("scheduled", ("scheduled", "due", "sending")),
    ("held", ("held",)),
    ("sent", ("sent",)),
    ("failed", ("failed",)),
    ("unknown", ("unknown",)),
)


class PostsScreen(Screen[None]):
    # Parsed when this screen is first opened, not at start-up.
    CSS_PATH = "../styles/posts.tcss"
    SUB_TITLE = "Posts"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Tabs(*[Tab(name.capitalize(), id=f"filter-{name}") for name, _ in FILTERS], id="posts-filter")
        yield Static(
            "No posts yet. Write one on Upload (press u), or use `linkdeck post` from a shell.",
            id="posts-empty",
            classes="empty-state",
        )
        yield DataTable(id="posts-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#posts-table", DataTable)
        table.add_columns("When", "Network", "Account", "State", "Caption", "Link or reason")
        self._states: tuple[str, ...] | None = None
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    @on(Tabs.TabActivated, "#posts-filter")
    def _filter(self, event: Tabs.TabActivated) -> None:
        name = (event.tab.id or "filter-all").removeprefix("filter-")
        self._states = dict(FILTERS)[name]
        self.reload()

    def reload(self) -> None:
        store = self.app.ctx.store  # type: ignore[attr-defined]
        counts = store.counts_by_state()
        tabs = self.query_one("#posts-filter", Tabs)
        for name, states in FILTERS:
            total = sum(counts.get(s, 0) for s in (states or DELIVERY_STATES))
            tabs.query_one(f"#filter-{name}", Tab).label = f"{name.capitalize()} {total}"
        deliveries = store.deliveries(getattr(self, "_states", None))
        table = self.query_one("#posts-table", DataTable)
        table.clear()
        accounts = {a.id: a for a in store.accounts()}
        for delivery in deliveries:
            post = store.post(delivery.post_id)
            account = accounts.get(delivery.account_id) if delivery.account_id else None
            caption = (post.caption if post else "").replace("\n", " ")
            moment = post.scheduled_at if post and post.scheduled_at else delivery.updated_at
            table.add_row(
                when(moment, time=True),
                catalog.get(delivery.network).name,
                account.handle if account else delivery.remote_id,
                delivery.state,
                caption[:40] + ("…" if len(caption) > 40 else ""),
                delivery.url or delivery.reason,
                key=str(delivery.id),
            )
        empty = sum(counts.values()) == 0
        self.query_one("#posts-empty").display = empty
        table.display = not empty
