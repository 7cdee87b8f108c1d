"""Upload: choose a file, write a caption, pick where it goes.

This is the screen's real layout wired to the store (linked accounts, auto-share defaults). Media
verdicts, previews and publishing arrive with the media and publishing engines; until then the
screen says so instead of offering buttons that do nothing.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, DirectoryTree, Footer, Header, Input, Static, TextArea

from providers import catalog
from tui.widgets.avatar import halfblock
from tui.widgets.media_tree import MediaTree, is_media


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


class UploadScreen(Screen[None]):
    # Parsed when this screen is first opened, not at start-up.
    CSS_PATH = "../styles/upload.tcss"
    SUB_TITLE = "Upload"
    # Start on the file tree, not a text box, so the single-letter mode keys keep working; Esc
    # leaves a text box for the same reason.
    AUTO_FOCUS = "#upload-tree"
    BINDINGS = [Binding("escape", "leave_text", "Leave text box", show=False)]

    def __init__(self, start_dir: Path | None = None) -> None:
        super().__init__()
        self._start_dir = start_dir
        self.chosen: Path | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="upload"):
            with Vertical(id="upload-files", classes="upload-column"):
                yield Static("1 · Choose a photo or video", classes="section-title")
                yield Input(placeholder="Type or paste a path, then Enter", id="upload-path")
                start = self._start_dir or self.app.ctx.start_dir  # type: ignore[attr-defined]
                yield MediaTree(start, id="upload-tree")
            with Vertical(id="upload-media", classes="upload-column"):
                yield Static("2 · The file", classes="section-title")
                yield Static(
                    "No file chosen yet. Pick one on the left.", id="upload-facts", classes="empty-state"
                )
                yield Static("", id="upload-preview")
            with Vertical(id="upload-compose", classes="upload-column"):
                yield Static("3 · Caption and where it goes", classes="section-title")
                yield TextArea(id="upload-caption", soft_wrap=True, show_line_numbers=False)
                yield Static("", id="upload-count", classes="muted")
                yield VerticalScroll(id="upload-targets")
                yield Static(
                    "Checking media and posting arrive with the publishing engine.",
                    classes="muted",
                    id="upload-note",
                )
                yield Button("Post", id="upload-post", variant="success", disabled=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#upload-caption", TextArea).border_title = "Caption"
        self._count()

    async def on_screen_resume(self) -> None:
        # Also runs when the screen is first shown; accounts may have changed since last time.
        await self._fill_targets()

    async def _fill_targets(self) -> None:
        box = self.query_one("#upload-targets", VerticalScroll)
        await box.remove_children()
        accounts = [a for a in self.app.ctx.store.accounts() if a.state == "linked"]  # type: ignore[attr-defined]
        if not accounts:
            await box.mount(
                Static(
                    "No linked accounts yet. Press a to open Accounts and link one.",
                    classes="empty-state",
                    id="upload-no-accounts",
                )
            )
            return
        for account in accounts:
            name = catalog.get(account.network).name
            where = f" → {account.target_name}" if account.target_name else ""
            await box.mount(
                Checkbox(
                    f"{name}: {account.handle}{where}", value=account.auto_share, id=f"share-{account.id}"
                )
            )

    def action_leave_text(self) -> None:
        self.query_one("#upload-tree").focus()

    @on(DirectoryTree.FileSelected, "#upload-tree")
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.choose(event.path)

    @on(Input.Submitted, "#upload-path")
    def _path_entered(self, event: Input.Submitted) -> None:
        self.choose(Path(event.value).expanduser())

    def choose(self, path: Path) -> None:
        facts = self.query_one("#upload-facts", Static)
        if not path.is_file():
            facts.update(f"[b]Not a file:[/b] {path}")
            return
        if not is_media(path):
            facts.update(f"[b]{path.name}[/b] is not a photo or video linkdeck can publish.")
            return
        self.chosen = path
        facts.update(
            f"[b]{path.name}[/b]\n{human_size(path.stat().st_size)} · {path.suffix[1:].upper()}\n"
            f"in {self._shown_folder(path.parent)}"
        )
        self.query_one("#upload-preview", Static).update("")
        self._preview(path)

    def _shown_folder(self, folder: Path) -> str:
        start = self._start_dir or self.app.ctx.start_dir  # type: ignore[attr-defined]
        for base, label in ((start, start.name), (Path.home(), "~")):
            if folder.is_relative_to(base):
                rest = folder.relative_to(base)
                return label if rest == Path() else f"{label}/{rest}"
        return str(folder)

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def _preview(self, path: Path) -> None:
        # Pillow loads in this thread, never on the start-up path; a file it cannot read simply
        # gets no preview (its verdicts come from the media checks).
        preview = self.query_one("#upload-preview", Static)
        width = max(8, preview.size.width or 30)
        try:
            picture = halfblock(path, width, 12, crop=False)
        except Exception:
            picture = Text("(no preview for this file)", style="italic")
        self.app.call_from_thread(preview.update, picture)

    @on(TextArea.Changed, "#upload-caption")
    def _count(self) -> None:
        text = self.query_one("#upload-caption", TextArea).text
        self.query_one("#upload-count", Static).update(f"{len(text)} characters")
