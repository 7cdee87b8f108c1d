"""Upload: choose a file, see what each network thinks of it, fix it with one key, write a caption
with each network's own counter, pick where it goes.

The screen lays out its panes (tui/widgets/upload_*.py) and wires them: a pane posts a message
(tui/messages.py) when something changed, and the screen tells the panes that depend on it. The
slow work (reading and fixing files, counting captions, sending) runs in the panes' workers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import getters, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Static

from providers import catalog
from tui.messages import (
    CaptionCounted,
    CaptionEdited,
    FileChosen,
    FileShown,
    FixChosen,
    OwnCaptionRequested,
    PostFinished,
    PostRequested,
    TargetsChanged,
)
from tui.screens.base import LinkdeckScreen
from tui.widgets.upload_caption import CaptionPane
from tui.widgets.upload_file import FileFacts, FilePicker
from tui.widgets.upload_post import Draft, PostPane
from tui.widgets.upload_targets import TargetsPane
from tui.widgets.verdicts import VerdictList

if TYPE_CHECKING:
    from providers.media import MediaInfo, Verdict
    from providers.spec import NetworkSpec
    from providers.store import Account


class UploadScreen(LinkdeckScreen[None]):
    # Parsed when this screen is first opened, not at start-up.
    CSS_PATH = "../styles/upload.tcss"
    SUB_TITLE = "Upload"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]  # -short: compact caption and buttons
    # Start in the path box: what a newcomer types on arrival is a path, never a mode key ("p" is
    # Posts elsewhere). Esc leaves a text box for the tree, where the single-letter keys work.
    AUTO_FOCUS = "#upload-path"
    BINDINGS = [
        Binding("escape", "leave_text", "Leave text box", show=False),
        Binding("o", "use_original", "Use original", show=False),
    ]

    _file_facts = getters.query_one(FileFacts)
    _verdict_list = getters.query_one(VerdictList)
    _caption_pane = getters.query_one(CaptionPane)
    _targets_pane = getters.query_one(TargetsPane)
    _post_pane = getters.query_one(PostPane)

    def __init__(self, start_dir: Path | None = None) -> None:
        super().__init__()
        self._start_dir = start_dir

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="upload"):
            with Vertical(id="upload-files", classes="upload-column"):
                yield Static("1 · Choose a photo or video", classes="section-title")
                yield FilePicker(self._start_dir or self.app.ctx.start_dir)
            with Vertical(id="upload-media", classes="upload-column"):
                yield Static("2 · The file and each network's verdict", classes="section-title")
                yield FileFacts()
                yield VerdictList(id="upload-verdicts")
            # Scrolls in a short terminal, so Post is always reachable.
            with VerticalScroll(id="upload-compose", classes="upload-column"):
                yield Static("3 · Caption and where it goes", classes="section-title")
                yield CaptionPane()
                yield TargetsPane()
                yield PostPane()
        yield Footer()

    def on_mount(self) -> None:
        self._verdict_list.display = False

    async def on_screen_resume(self) -> None:
        # Also runs when the screen is first shown; accounts may have changed since last time.
        await self._fill_targets()
        self._refresh_checks()

    # What the panes hold, for the screen and for tests ----------------------------------------

    @property
    def info(self) -> MediaInfo | None:
        return self._file_facts.info

    @property
    def chosen(self) -> Path | None:
        return self._file_facts.chosen

    @property
    def verdicts(self) -> dict[str, Verdict]:
        return self._verdict_list.verdicts

    def choose(self, path: Path, *, fixed_from: Path | None = None) -> None:
        """Inspect ``path`` (in a thread) and show it; ``fixed_from`` when it is a fixed copy."""
        self._file_facts.choose(path, fixed_from=fixed_from)

    async def _fill_targets(self) -> None:
        store = self.app.ctx.store
        await self._targets_pane.fill([a for a in store.accounts() if a.state == "linked"], store.brands())

    def selected_accounts(self) -> list[Account]:
        ids = self._targets_pane.ticked_ids()
        return [a for a in self.app.ctx.store.accounts() if a.id in ids]

    def _selected_specs(self) -> list[NetworkSpec]:
        """The ticked accounts' networks, a Story's limits in place of the feed's where "As a
        Story" is ticked and the network has Stories."""
        from dataclasses import replace

        story = self._targets_pane.story
        seen: dict[str, NetworkSpec] = {}
        for account in self.selected_accounts():
            spec = catalog.get(account.network)
            if story and spec.story_media is not None:
                spec = replace(spec, media=spec.story_media)
            seen.setdefault(account.network, spec)
        return list(seen.values())

    # Wiring --------------------------------------------------------------------------------------

    @on(TargetsChanged)
    def _refresh_checks(self) -> None:
        self._judge()
        self._count()
        options = {option for spec in self._selected_specs() for option in spec.post_options}
        self._targets_pane.show_post_options(options)

    def action_leave_text(self) -> None:
        self.query_one("#upload-tree").focus()

    def action_use_original(self) -> None:
        self._file_facts.use_original()

    @on(FileChosen)
    def _file_chosen(self, event: FileChosen) -> None:
        self.choose(event.path)

    @on(FileShown)
    def _file_shown(self, event: FileShown) -> None:
        if event.info is not None:
            self._refresh_checks()
            return
        # Unreadable: only the verdicts are hidden; the counters, and the last file's verdicts that
        # the Post button goes by, stay as they were.
        self._verdict_list.display = False
        self._update_post_button()

    @on(FixChosen)
    def _fix_chosen(self, event: FixChosen) -> None:
        self._file_facts.apply_fix(event.fix)

    def _judge(self) -> None:
        self._verdict_list.judge(self.info, self._selected_specs())
        self._update_post_button()

    @on(CaptionEdited)
    def _count(self) -> None:
        self._caption_pane.count(self._selected_specs(), self.info is not None)

    @on(OwnCaptionRequested)
    def _own_caption(self) -> None:
        self._caption_pane.edit_own_caption(self._selected_specs())

    @on(PostFinished)
    def _clear_form(self) -> None:
        """After a post (sent or scheduled) the form is empty again: no stale file, alt text,
        caption, content warning or time to send twice by mistake."""
        self._file_facts.clear()
        self._caption_pane.clear()
        self._targets_pane.clear_warning()
        self._post_pane.clear()
        self._update_post_button()

    @on(CaptionCounted)
    def _update_post_button(self) -> None:
        self._post_pane.show_readiness(
            selected=bool(self._selected_specs()),
            has_content=self.info is not None or bool(self._caption_pane.text.strip()),
            media_ok=all(v.ok for v in self.verdicts.values()),
            captions_ok=self._caption_pane.captions_ok,
        )

    @on(PostRequested)
    def _post_requested(self, event: PostRequested) -> None:
        from providers.interface import as_story

        accounts = self.selected_accounts()
        if self._targets_pane.story:  # a Story delivery where the network has Stories
            accounts = [as_story(a) if catalog.get(a.network).story_media else a for a in accounts]
        files = [str(self.chosen)] if self.chosen is not None else []
        alt = self._file_facts.alt_text
        draft = Draft(
            accounts=accounts,
            caption=self._caption_pane.text,
            files=files,
            descriptions=[alt] if files and alt else None,
            visibility=self._targets_pane.visibility,
            caption_overrides=self._caption_pane.overrides_for({a.network for a in accounts}),
            content_warning=self._targets_pane.content_warning,
        )
        self._post_pane.publish(draft, event.when)
