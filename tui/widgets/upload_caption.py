"""Upload's caption pane: the shared caption, each ticked network's own counter, and captions of
their own for some networks (shorter for X, hashtags for Instagram…).

Counting runs in a worker thread: X's counting rules take a moment to load the first time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static, TextArea

from providers import catalog
from tui.messages import CaptionCounted, CaptionEdited, OwnCaptionRequested

if TYPE_CHECKING:
    from providers.spec import NetworkSpec


class CaptionPane(Vertical):
    """Counts on request (:meth:`count`); posts :class:`CaptionEdited` as the person types."""

    def __init__(self) -> None:
        super().__init__(id="upload-caption-pane")
        self.overrides: dict[str, str] = {}  # catalog id → that network's own caption
        self.captions_ok = True  # every ticked network takes its caption, as last counted

    def compose(self) -> ComposeResult:
        yield TextArea(id="upload-caption", soft_wrap=True, show_line_numbers=False)
        yield Static("", id="upload-count")
        with Horizontal(id="upload-override-row"):
            yield Button("Own caption for a network…", id="upload-override")
            yield Static("", id="upload-overrides", classes="muted")

    def on_mount(self) -> None:
        self.query_one("#upload-caption", TextArea).border_title = "Caption"

    @property
    def text(self) -> str:
        """The shared caption, as typed."""
        return self.query_one("#upload-caption", TextArea).text

    def overrides_for(self, networks: set[str]) -> dict[str, str]:
        """The captions of their own for ``networks`` (catalog ids); the others get the shared one."""
        return {k: v for k, v in self.overrides.items() if k in networks}

    def clear(self) -> None:
        """No caption, shared or own (after a post)."""
        self.overrides = {}
        self.query_one("#upload-overrides", Static).update("")
        self.query_one("#upload-caption", TextArea).text = ""  # posts CaptionEdited: counted again

    @on(TextArea.Changed, "#upload-caption")
    def _edited(self, event: TextArea.Changed) -> None:
        event.stop()
        self.post_message(CaptionEdited())

    def count(self, specs: list[NetworkSpec], has_media: bool) -> None:
        """Count the caption (or a network's own) the way each of ``specs`` does, in a thread."""
        self._count_in_thread(self.text, specs, has_media)

    @work(thread=True, exclusive=True, group="count", exit_on_error=False)
    def _count_in_thread(self, text: str, specs: list[NetworkSpec], has_media: bool) -> None:
        from providers.captions import count

        counts = [count(self.overrides.get(spec.id, text), spec, has_media=has_media) for spec in specs]
        line = Text()
        for index, result in enumerate(counts):
            if index:
                line.append("  ·  ")
            limit = f"/{result.limit:,}" if result.limit else ""
            line.append(
                f"{catalog.get(result.network).name} {result.count:,}{limit}",
                style="" if result.ok else "bold red",
            )
        problems = [p.message for r in counts for p in r.problems]
        body = (
            Text("\n").join([line, *[Text(p, style="red") for p in problems]])
            if counts
            else Text(f"{len(text):,} characters", style="dim")
        )
        self.app.call_from_thread(self._show_counts, body, all(c.ok for c in counts))

    def _show_counts(self, body: Text, ok: bool) -> None:
        self.query_one("#upload-count", Static).update(body)
        self.captions_ok = ok
        self.post_message(CaptionCounted())

    @on(Button.Pressed, "#upload-override")
    def _own_caption_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(OwnCaptionRequested())  # the screen knows which networks are ticked

    @work(exclusive=True, group="ask", exit_on_error=False)
    async def edit_own_caption(self, specs: list[NetworkSpec]) -> None:
        """Ask which of ``specs`` gets a caption of its own (if more than one), then for that caption."""
        from tui.dialogs.ask import AskChoice, AskText

        if not specs:
            self.notify("Tick an account first.", severity="warning")
            return
        choices = [(s.id, s.name + (" (has its own)" if s.id in self.overrides else "")) for s in specs]
        network = (
            specs[0].id
            if len(specs) == 1
            else await self.app.push_screen_wait(AskChoice("Which network gets its own caption?", choices))
        )
        if not network:
            return
        shared = self.text
        text = await self.app.push_screen_wait(
            AskText(
                f"Caption for {catalog.get(network).name} only",
                "Leave it empty to use the shared caption again.",
                value=self.overrides.get(network, shared),
            )
        )
        if text is None or text == shared:
            self.overrides.pop(network, None)
        else:
            self.overrides[network] = text
        names = ", ".join(catalog.get(n).name for n in self.overrides)
        self.query_one("#upload-overrides", Static).update(f"Own caption: {names}" if names else "")
        self.post_message(CaptionEdited())
