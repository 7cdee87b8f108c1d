"""Upload: choose a file, see what each network thinks of it, fix it with one key, write a caption
with each network's own counter, pick where it goes.

Inspection, verdicts, fixes and caption counting run in worker threads (Pillow, PyAV and X's
counting rules are slow to import and to run), so typing and moving around never wait for them.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, DirectoryTree, Footer, Header, Input, Select, Static, TextArea

from providers import catalog
from providers.errors import LinkdeckError
from providers.media import MediaInfo, MediaKind, Verdict
from providers.outbox.events import DeliveryEvent
from tui.screens.base import LinkdeckScreen
from tui.widgets.avatar import halfblock
from tui.widgets.delivery_row import DeliveryRow
from tui.widgets.media_tree import MediaTree
from tui.widgets.verdicts import FixChosen, VerdictList

VISIBILITIES = [
    ("Public", "public"),
    ("Unlisted", "unlisted"),
    ("Followers only", "private"),
    ("Mentioned only", "direct"),
]


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


class UploadScreen(LinkdeckScreen[None]):
    # Parsed when this screen is first opened, not at start-up.
    CSS_PATH = "../styles/upload.tcss"
    SUB_TITLE = "Upload"
    # Start on the file tree, not a text box, so the single-letter mode keys keep working; Esc
    # leaves a text box for the same reason.
    AUTO_FOCUS = "#upload-tree"
    BINDINGS = [
        Binding("escape", "leave_text", "Leave text box", show=False),
        Binding("o", "use_original", "Use original", show=False),
    ]

    def __init__(self, start_dir: Path | None = None) -> None:
        super().__init__()
        self._start_dir = start_dir
        self.original: Path | None = None  # what the user chose
        self.chosen: Path | None = None  # what would be posted: the original or a fixed copy
        self.info: MediaInfo | None = None
        self.verdicts: dict[str, Verdict] = {}
        self.overrides: dict[str, str] = {}  # catalog id → that network's own caption
        self._linked_here: str | None = None  # a network linked from this screen: share to it

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="upload"):
            with Vertical(id="upload-files", classes="upload-column"):
                yield Static("1 · Choose a photo or video", classes="section-title")
                yield Input(placeholder="Type or paste a path, then Enter", id="upload-path")
                start = self._start_dir or self.app.ctx.start_dir
                yield MediaTree(start, id="upload-tree")
            with Vertical(id="upload-media", classes="upload-column"):
                yield Static("2 · The file and each network's verdict", classes="section-title")
                yield Static(
                    "No file chosen yet: pick one on the left, or post text only.", id="upload-facts"
                )
                yield Static("", id="upload-preview")
                yield Input(
                    placeholder="Alt text: describe the image for people who cannot see it", id="upload-alt"
                )
                yield VerdictList(id="upload-verdicts")
            with Vertical(id="upload-compose", classes="upload-column"):
                yield Static("3 · Caption and where it goes", classes="section-title")
                yield TextArea(id="upload-caption", soft_wrap=True, show_line_numbers=False)
                yield Static("", id="upload-count")
                with Horizontal(id="upload-override-row"):
                    yield Button("Own caption for a network…", id="upload-override")
                    yield Static("", id="upload-overrides", classes="muted")
                with Horizontal(id="upload-options"):
                    yield Select(VISIBILITIES, value="public", allow_blank=False, id="upload-visibility")
                    yield Input(placeholder="Content warning (optional)", id="upload-cw")
                yield VerticalScroll(id="upload-targets")
                yield Button("Link another account…", id="upload-link")
                yield Static("", id="upload-note", classes="muted")
                with Horizontal(id="upload-actions"):
                    yield Button("Post now", id="upload-post", variant="success", disabled=True)
                    yield Input(placeholder="or at: 2026-12-01T09:00+01:00", id="upload-at")
                yield VerticalScroll(id="upload-progress")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#upload-caption", TextArea).border_title = "Caption"
        self.query_one("#upload-alt").display = False
        self.query_one("#upload-verdicts").display = False

    async def on_screen_resume(self) -> None:
        # Also runs when the screen is first shown; accounts may have changed since last time.
        await self._fill_targets()
        self._refresh_checks()

    # Where it goes -----------------------------------------------------------------------------

    async def _fill_targets(self) -> None:
        box = self.query_one("#upload-targets", VerticalScroll)
        previous = {c.id: c.value for c in box.query(Checkbox)}
        await box.remove_children()
        accounts = [a for a in self.app.ctx.store.accounts() if a.state == "linked"]
        if not accounts:
            await box.mount(
                Static(
                    "No linked accounts yet. Press a to open Accounts and link one.",
                    classes="empty-state",
                    id="upload-no-accounts",
                )
            )
            return
        linked_here, self._linked_here = self._linked_here, None
        for account in accounts:
            name = catalog.get(account.network).name
            where = f" → {account.target_name}" if account.target_name else ""
            key = f"share-{account.id}"
            if account.network == linked_here:  # linking from Upload turns sharing on
                previous[key] = True
            await box.mount(
                Checkbox(
                    f"{name}: {account.handle}{where}", value=previous.get(key, account.auto_share), id=key
                )
            )

    def selected_accounts(self) -> list[object]:
        ids = {int((c.id or "share-0").removeprefix("share-")) for c in self.query(Checkbox) if c.value}
        return [a for a in self.app.ctx.store.accounts() if a.id in ids]

    def _selected_specs(self) -> list[catalog.NetworkSpec]:
        seen: dict[str, catalog.NetworkSpec] = {}
        for account in self.selected_accounts():
            seen.setdefault(account.network, catalog.get(account.network))
        return list(seen.values())

    @on(Checkbox.Changed)
    def _share_changed(self) -> None:
        self._refresh_checks()

    def _refresh_checks(self) -> None:
        self._judge()
        self._count()
        # Visibility and a content warning, for the networks whose API takes them.
        options = {option for spec in self._selected_specs() for option in spec.post_options}
        self.query_one("#upload-visibility").display = "visibility" in options
        self.query_one("#upload-cw").display = "content_warning" in options

    # The file -----------------------------------------------------------------------------------

    def action_leave_text(self) -> None:
        self.query_one("#upload-tree").focus()

    @on(DirectoryTree.FileSelected, "#upload-tree")
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.choose(event.path)

    @on(Input.Submitted, "#upload-path")
    def _path_entered(self, event: Input.Submitted) -> None:
        self.choose(Path(event.value).expanduser())

    def choose(self, path: Path, *, fixed_from: Path | None = None) -> None:
        """Inspect ``path`` (in a thread) and show it; ``fixed_from`` when it is a fixed copy."""
        self.original = fixed_from or path
        self.query_one("#upload-facts", Static).update(Text(f"Reading {path.name}…", style="italic"))
        self._inspect(path, fixed_from)

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

    def _show_unreadable(self, message: str) -> None:
        self.info, self.chosen = None, None
        self.query_one("#upload-facts", Static).update(Text(message, style="bold red"))
        self.query_one("#upload-preview", Static).update("")
        self.query_one("#upload-alt").display = False
        self.query_one("#upload-verdicts").display = False
        self._update_post_button()

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
        self._refresh_checks()

    def action_use_original(self) -> None:
        if self.original is not None and self.chosen != self.original:
            self.choose(self.original)

    # Verdicts and fixes -------------------------------------------------------------------------

    def _judge(self) -> None:
        verdicts = self.query_one("#upload-verdicts", VerdictList)
        specs = self._selected_specs()
        if self.info is None or not specs:
            verdicts.display = False
            self.verdicts = {}
            self._update_post_button()
            return
        from providers.media import judge

        self.verdicts = {spec.id: judge(self.info, spec) for spec in specs}  # rules only: fast
        verdicts.show([(catalog.get(n).name, v) for n, v in self.verdicts.items()])
        verdicts.display = True
        self._update_post_button()

    @on(FixChosen)
    def _apply_fix(self, event: FixChosen) -> None:
        if self.chosen is not None:
            self.notify(f"{event.fix.label}…", title="Fixing a copy")
            self._run_fix(self.chosen, event)

    @work(thread=True, exclusive=True, group="fix", exit_on_error=False)
    def _run_fix(self, path: Path, event: FixChosen) -> None:
        from providers.media import fixes

        try:
            fixed = fixes.apply(path, event.fix)
        except (LinkdeckError, ValueError, OSError) as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Fix failed", severity="error")
            return
        self.app.call_from_thread(self.choose, fixed, fixed_from=self.original or path)

    # Caption ------------------------------------------------------------------------------------

    @on(TextArea.Changed, "#upload-caption")
    def _caption_changed(self) -> None:
        self._count()

    def _count(self) -> None:
        text = self.query_one("#upload-caption", TextArea).text
        self._count_in_thread(text, self._selected_specs(), self.info is not None)

    @work(thread=True, exclusive=True, group="count", exit_on_error=False)
    def _count_in_thread(self, text: str, specs: list[catalog.NetworkSpec], has_media: bool) -> None:
        # X's counting rules take a moment to load the first time: never on the UI thread.
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
        self._captions_ok = ok
        self._update_post_button()

    @on(Button.Pressed, "#upload-link")
    @work(exclusive=True, group="ask", exit_on_error=False)
    async def _link_from_here(self) -> None:
        from providers import overview
        from tui.dialogs.ask import AskChoice

        ctx = self.app.ctx
        cards = overview.cards(ctx.settings, ctx.store, ctx.now())
        choices = [(c.spec.id, c.spec.name) for c in cards if c.state is overview.CardState.NOT_LINKED]
        if not choices:
            self.notify("Every network that can be linked here is linked; see Accounts (a).")
            return
        network = await self.app.push_screen_wait(AskChoice("Link which network?", choices))
        if network:
            self._linked_here = network
            self.app.start_link(network)

    @on(Button.Pressed, "#upload-override")
    @work(exclusive=True, group="ask", exit_on_error=False)
    async def _edit_override(self) -> None:
        """A caption of its own for one network (shorter for X, hashtags for Instagram…)."""
        from tui.dialogs.ask import AskChoice, AskText

        specs = self._selected_specs()
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
        shared = self.query_one("#upload-caption", TextArea).text
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
        self._count()

    # Posting ------------------------------------------------------------------------------------

    _captions_ok = True

    @on(Button.Pressed, "#upload-post")
    def _post_now(self) -> None:
        self._publish(None)

    @on(Input.Submitted, "#upload-at")
    def _schedule(self, event: Input.Submitted) -> None:
        from providers.outbox.timing import parse_at

        if self.query_one("#upload-post", Button).disabled:
            self.notify(str(self.query_one("#upload-note", Static).render()), severity="warning")
            return
        try:
            when = parse_at(event.value)
        except LinkdeckError as exc:
            self.notify(str(exc), title="When?", severity="error", timeout=8)
            return
        self._publish(when)

    @work(exclusive=True, group="publish", exit_on_error=False)
    async def _publish(self, when: datetime | None) -> None:
        """Record the post and one delivery per ticked account (before anything is sent), then send
        now with a progress row per delivery, or leave them for the scheduler."""
        from providers.outbox.runner import publish_now
        from providers.outbox.timing import local

        ctx = self.app.ctx
        accounts = self.selected_accounts()
        caption = self.query_one("#upload-caption", TextArea).text
        files = [str(self.chosen)] if self.chosen is not None else []
        alt = self.query_one("#upload-alt", Input).value.strip()
        self.query_one("#upload-post", Button).disabled = True
        warning = self.query_one("#upload-cw", Input).value.strip()
        post, deliveries = ctx.store.create_post_with_deliveries(
            caption,
            files,
            when,
            accounts,
            descriptions=[alt] if files and alt else None,
            visibility=str(self.query_one("#upload-visibility", Select).value),
            caption_overrides={k: v for k, v in self.overrides.items() if k in {a.network for a in accounts}},
            spoiler_text=warning,
            sensitive=bool(warning),
        )
        if when is not None:
            self.notify(
                f"For {local(when):%a %-d %b %H:%M}, to {len(deliveries)} account(s). See Posts (p).",
                title="Scheduled",
            )
            self.query_one("#upload-at", Input).value = ""
            self._update_post_button()
            return
        box = self.query_one("#upload-progress", VerticalScroll)
        await box.remove_children()
        names = {a.vault_key: f"{catalog.get(a.network).name} {a.handle}" for a in accounts}
        self._rows = {d.id: DeliveryRow(d.id, names.get(d.account_key, d.network)) for d in deliveries}
        await box.mount_all(self._rows.values())
        self._post = post
        final = await publish_now(ctx.store, ctx.vault, post, accounts, self._on_event, keeper=ctx.keeper)
        sent = sum(d.state == "sent" for d in final)
        self.notify(
            f"Sent to {sent} of {len(final)}.", title="Posted" if sent == len(final) else "Posted, partly"
        )
        self._update_post_button()

    def _on_event(self, event: DeliveryEvent) -> None:
        row = getattr(self, "_rows", {}).get(event.delivery_id)
        if row is not None:
            row.show(event)

    @on(Button.Pressed, ".retry")
    async def _retry(self, event: Button.Pressed) -> None:
        from providers.outbox.actions import retry

        delivery_id = int((event.button.id or "retry-0").removeprefix("retry-"))
        ctx = self.app.ctx
        delivery = retry(ctx.store, delivery_id)
        account = ctx.store.account(delivery.account_id) if delivery.account_id else None
        if account is not None:
            self._resend(account)

    @work(group="publish", exit_on_error=False)
    async def _resend(self, account: object) -> None:
        from providers.outbox.runner import publish_now

        ctx = self.app.ctx
        await publish_now(ctx.store, ctx.vault, self._post, [account], self._on_event, keeper=ctx.keeper)

    def _update_post_button(self) -> None:
        button = self.query_one("#upload-post", Button)
        note = self.query_one("#upload-note", Static)
        selected = bool(self._selected_specs())
        text = self.query_one("#upload-caption", TextArea).text.strip()
        media_ok = all(v.ok for v in self.verdicts.values())
        button.disabled = not (
            selected and (self.info is not None or text) and media_ok and self._captions_ok
        )
        if not selected:
            note.update("Tick at least one account to post to.")
        elif not media_ok:
            note.update("Some networks would refuse this file: apply a fix above (Enter), or untick them.")
        elif not self._captions_ok:
            note.update("The caption is too long for a network: shorten it, or untick that network.")
        else:
            note.update("")
