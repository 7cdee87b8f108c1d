"""One delivery's progress while posting: network and account, a bar, then a link or a reason."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, ProgressBar, Static

from providers.outbox.events import DeliveryEvent


class DeliveryRow(Horizontal):
    DEFAULT_CSS = """
    DeliveryRow { height: auto; }
    DeliveryRow .who { width: 28; }
    DeliveryRow ProgressBar { width: 24; }
    DeliveryRow .status { width: 1fr; }
    DeliveryRow Button { min-width: 8; height: 1; border: none; }
    """

    def __init__(self, delivery_id: int, who: str) -> None:
        super().__init__(id=f"delivery-{delivery_id}", classes="delivery-row")
        self.delivery_id = delivery_id
        self.who = who

    def compose(self) -> ComposeResult:
        yield Static(self.who, classes="who")
        yield ProgressBar(total=None, show_eta=False, show_percentage=False)
        yield Static("queued", classes="status")
        yield Button("Retry", id=f"retry-{self.delivery_id}", classes="retry")

    def on_mount(self) -> None:
        self.query_one(Button).display = False

    def show(self, event: DeliveryEvent) -> None:
        bar = self.query_one(ProgressBar)
        status = self.query_one(".status", Static)
        self.query_one(Button).display = event.kind == "failed" and bool(event.retryable)
        if event.kind == "uploading" and event.total:
            bar.update(total=event.total, progress=event.sent)
            status.update(f"uploading file {event.file_index + 1} of {event.file_count}")
        elif event.kind == "sent":
            bar.update(total=1, progress=1)
            url = event.url or ""
            status.update(
                f"[$text-success]sent[/] [@click=app.open_link({url!r})]{escape(url)}[/]" if url else "sent"
            )
        elif event.kind in ("failed", "held", "unknown"):
            bar.update(total=1, progress=0)
            status.update(f"[$text-error]{event.kind}[/]: {escape(event.reason)}")
        elif event.kind == "retrying":
            status.update(escape(event.describe().split(": ", 1)[-1]))
        else:
            status.update(event.kind)
