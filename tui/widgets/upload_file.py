"""Upload's file panes: the picker (a path box over a folder tree), and the chosen file's facts,
preview and alt text.

Inspecting a file and fixing a copy of it run in worker threads (Pillow and PyAV are slow to
import and to run), so moving around the tree never waits for them.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, DirectoryTree, Input, Static

from providers.errors import LinkdeckError
from providers.media import Fix, MediaInfo, MediaKind
from tui.messages import FileChosen, FileShown
from tui.widgets.avatar import halfblock
from tui.widgets.media_tree import MediaTree


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def describe(info: MediaInfo) -> str:
    size = f"{info.width}×{info.height}"
    if info.kind is MediaKind.VIDEO:
        seconds = f"{info.duration:.1f} s" if info.duration else "unknown length"
        return f"{info.format.upper()} video · {size} · {seconds} · {info.codec} · {human_size(info.bytes)}"
    frames = f" · {info.frames} frames" if info.animated else ""
    return f"{info.format.upper()} · {size} · {info.colour}{frames} · {human_size(info.bytes)}"


NO_FILE = "No file chosen yet: pick one on the left, or post text only."


class FilePicker(Vertical):
    """A path typed or pasted, or a file picked in the tree; either posts :class:`FileChosen`.

    In a served tab (``linkdeck serve``) the tree shows the server's disk, so a "From this browser"
    button also lets the user send a file from their own machine (:mod:`providers.uploads`)."""

    def __init__(self, start: Path) -> None:
        from providers.uploads import served_upload_url

        super().__init__(id="upload-picker")
        self._start = start
        self._upload_url = served_upload_url()
        self._waiting: str | None = None  # the capability of the browser upload being waited for

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Path, then Enter", id="upload-path")
        if self._upload_url is not None:
            yield Button("From this browser…", id="upload-from-browser", compact=True)
            yield Static("", id="upload-browser-status", classes="muted")
        yield MediaTree(self._start, id="upload-tree")

    @on(Button.Pressed, "#upload-from-browser")
    def _from_browser(self, event: Button.Pressed) -> None:
        event.stop()
        self._await_browser_file()

    @work(exclusive=True, group="browser-upload", exit_on_error=False)
    async def _await_browser_file(self) -> None:
        from providers import uploads

        self._withdraw()
        capability = uploads.offer()
        self._waiting = capability
        address = f"{self._upload_url}/{capability}"
        self.app.open_url(address)
        status = self.query_one("#upload-browser-status", Static)
        status.update(
            Text(f"Choose the file in the browser tab that opened, or open {address}", style="italic")
        )
        path = await uploads.receive(capability)
        self._waiting = None
        status.update(Text(f"Received {path.name} from the browser."))
        self.post_message(FileChosen(path))

    def _withdraw(self) -> None:
        if self._waiting is not None:
            from providers import uploads

            uploads.withdraw(self._waiting)
            self._waiting = None

    def on_unmount(self) -> None:
        self._withdraw()  # a file sent after Upload closed is refused, not kept for nobody

    @on(DirectoryTree.FileSelected, "#upload-tree")
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.post_message(FileChosen(event.path))

    @on(Input.Submitted, "#upload-path")
    def _path_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(FileChosen(Path(event.value).expanduser()))


class FileFacts(Vertical):
    """What the chosen file is, a preview of a photo, and its alt text; posts :class:`FileShown`."""

    def __init__(self) -> None:
        super().__init__(id="upload-file")
        self.original: Path | None = None  # what the user chose
        self.chosen: Path | None = None  # what would be posted: the original or a fixed copy
        self.info: MediaInfo | None = None

    def compose(self) -> ComposeResult:
        yield Static(NO_FILE, id="upload-facts")
        yield Static("", id="upload-preview")
        yield Input(placeholder="Alt text: describe the image for people who cannot see it", id="upload-alt")

    def on_mount(self) -> None:
        self.query_one("#upload-alt").display = False

    @property
    def alt_text(self) -> str:
        return self.query_one("#upload-alt", Input).value.strip()

    def choose(self, path: Path, *, fixed_from: Path | None = None) -> None:
        """Inspect ``path`` (in a thread) and show it; ``fixed_from`` when it is a fixed copy."""
        self.original = fixed_from or path
        if fixed_from is None:  # another file: the last one's alt text does not describe it
            self.query_one("#upload-alt", Input).value = ""
        self.query_one("#upload-facts", Static).update(Text(f"Reading {path.name}…", style="italic"))
        self._inspect(path, fixed_from)

    def clear(self) -> None:
        """No file chosen, as on arrival (after a post)."""
        self.workers.cancel_group(self, "inspect")
        self.original = None
        self.query_one("#upload-alt", Input).value = ""
        self._show_unreadable(NO_FILE, style="")

    def use_original(self) -> None:
        """Back from a fixed copy to the file the user chose."""
        if self.original is not None and self.chosen != self.original:
            self.choose(self.original)

    @work(thread=True, exclusive=True, group="inspect", exit_on_error=False)
    def _inspect(self, path: Path, fixed_from: Path | None) -> None:
        from providers.media import inspect

        try:
            info = inspect(path)
        except LinkdeckError as exc:
            self.app.call_from_thread(self._show_unreadable, str(exc))
            return
        preview: Text | None = None
        if info.kind is MediaKind.IMAGE:
            width = max(8, self.query_one("#upload-preview", Static).size.width or 30)
            try:
                preview = halfblock(path, width, 10, crop=False)
            except Exception:  # inspect() read its headers; a preview is a nicety
                preview = None
        self.app.call_from_thread(self._show_file, info, preview, fixed_from)

    def _show_unreadable(self, message: str, style: str = "bold red") -> None:
        self.info, self.chosen = None, None
        self.query_one("#upload-facts", Static).update(Text(message, style=style))
        self.query_one("#upload-preview", Static).update("")
        self.query_one("#upload-alt").display = False
        self.post_message(FileShown(None))

    def _show_file(self, info: MediaInfo, preview: Text | None, fixed_from: Path | None) -> None:
        self.info, self.chosen = info, info.path
        lines = [Text(info.name, style="bold"), Text(describe(info))]
        if fixed_from is not None:
            lines.append(
                Text(
                    f"A fixed copy of {fixed_from.name}; the original is untouched (o: use it).",
                    style="italic",
                )
            )
        self.query_one("#upload-facts", Static).update(Text("\n").join(lines))
        self.query_one("#upload-preview", Static).update(preview or "")
        self.query_one("#upload-alt").display = info.kind is MediaKind.IMAGE
        self.post_message(FileShown(info))

    def apply_fix(self, fix: Fix) -> None:
        """Fix a copy of the shown file (in a thread), then show the copy in its place."""
        if self.chosen is not None:
            self.notify(f"{fix.label}…", title="Fixing a copy")
            self._run_fix(self.chosen, fix)

    @work(thread=True, exclusive=True, group="fix", exit_on_error=False)
    def _run_fix(self, path: Path, fix: Fix) -> None:
        from providers.media import fixes

        try:
            fixed = fixes.apply(path, fix)
        except (LinkdeckError, ValueError, OSError) as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Fix failed", severity="error")
            return
        self.app.call_from_thread(self.choose, fixed, fixed_from=self.original or path)
