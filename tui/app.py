"""The linkdeck app: four modes (Accounts, Upload, Posts, Help) around one shared engine context."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from providers.environment import Place, where
from providers.http import sandbox_url
from tui.context import Context
from tui.messages import OutboxUnavailable, ScheduledPostProblem, ScheduledPostSent
from tui.screens.accounts import AccountsScreen

if TYPE_CHECKING:
    from providers.brokers import Route
    from providers.store import Account


def _upload() -> Screen[None]:
    from tui.screens.upload import UploadScreen  # not on the start-up path

    return UploadScreen()  # reads its start folder from the app's context


def _posts() -> Screen[None]:
    from tui.screens.posts import PostsScreen

    return PostsScreen()


def _help() -> Screen[None]:
    from tui.screens.help import HelpScreen

    return HelpScreen()


class LinkdeckApp(App[None]):
    TITLE = "linkdeck"
    CSS_PATH = ["styles/app.tcss", "styles/accounts.tcss", "styles/dialogs.tcss"]
    MODES = {"accounts": AccountsScreen, "upload": _upload, "posts": _posts, "help": _help}
    DEFAULT_MODE = "accounts"
    BINDINGS = [
        Binding("a", "switch_mode('accounts')", "Accounts"),
        Binding("u", "switch_mode('upload')", "Upload"),
        Binding("p", "switch_mode('posts')", "Posts"),
        Binding("h", "switch_mode('help')", "Help"),
        Binding("question_mark", "switch_mode('help')", "Help", show=False, key_display="?"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, ctx: Context | None = None) -> None:
        super().__init__()
        self.ctx = ctx or Context()
        self.place = where()
        # Against the sandbox (`linkdeck demo`, LINKDECK_SANDBOX_URL) every screen's header says
        # so, and a word at start says what it means: nothing real is reached.
        self.sandbox = sandbox_url()
        if self.sandbox:
            self.title = f"{self.TITLE} · SANDBOX"
        # Under `linkdeck serve`, networks send the browser back to the served page, which relays
        # the answer to this process (providers.auth.relay).
        self.relay_uri = os.environ.get("LINKDECK_RELAY_URL") if self.place is Place.WEB else None
        theme = os.environ.get("LINKDECK_THEME") or self.ctx.settings.theme
        # An unknown theme is not worth refusing to start over: the default one, and a word why.
        self.keyring_problem = ""  # why secrets cannot be kept, once the start-up check has run
        self.theme_problem = ""
        if theme in self.available_themes:
            self.theme = theme
        elif theme:
            self.theme_problem = (
                f"There is no theme {theme!r} (config.toml or LINKDECK_THEME): using {self.theme}."
            )

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        # Textual's own (themes among them), then linkdeck's (tui.commands).
        from tui.commands import commands

        yield from super().get_system_commands(screen)
        yield from commands(self)

    def start_link(
        self,
        network_id: str,
        instance: str | None = None,
        via: Route | None = None,
        *,
        brand: str | None = None,
    ) -> None:
        """Open the Link window (``via``: through that broker); the cards refresh when it closes
        (linked or not). ``brand``: the brand a new account goes into (the one chosen on the
        screen linking it)."""
        from providers import catalog, linking
        from providers.errors import LinkdeckError
        from tui.dialogs.link import LinkScreen

        if via is not None and via.refused:  # offered by the broker, but not here: say why
            self.notify(via.refused, title=via.label, severity="warning", timeout=12)
            return
        try:
            linking.check_linkable(via.broker.id if via else network_id, self.ctx.settings)
        except LinkdeckError as exc:
            self.notify(str(exc), title="Link", severity="warning", timeout=8)
            return
        if self.keyring_problem:  # the token could not be kept: refuse before the sign-in, not after
            name = catalog.get(network_id).name
            self.notify(self.keyring_problem, title=f"Link {name}", severity="error", timeout=20)
            return
        # Screens showing accounts refresh themselves when this window closes (on_screen_resume).
        self.push_screen(LinkScreen(network_id, instance, via, brand=brand), self._linked)

    def _linked(self, account: Account | None) -> None:
        """After a link: what the account's network already has in its post history (Ayrshare's)
        goes into Posts, once (providers.history), in the background."""
        from providers.history import has_history

        if account is not None and has_history(account.network):
            # exit_on_error off: a history that cannot be read never ends the app (it is a nicety).
            self.run_worker(
                self._import_history(account.network),
                group="import-history",
                exclusive=True,
                exit_on_error=False,
            )

    async def _import_history(self, network_id: str) -> None:
        from providers.history import import_history

        report = await import_history(self.ctx.store, self.ctx.vault, network_id)
        if report.imported or report.problems:
            self.notify(
                report.summary(),
                title="Post history",
                severity="warning" if report.problems else "information",
            )

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification here carries engine text (or a URL), never intended markup: show it
        literally, with its `code` spans bold (tui.prose)."""
        from tui.prose import markup as as_markup

        shown = as_markup(message) if markup else message
        super().notify(shown, title=as_markup(title), severity=severity, timeout=timeout, markup=True)

    def open_external(self, url: str) -> None:
        """Open ``url`` in the user's browser, or show and copy it where that would misfire."""
        if self.place in (Place.LOCAL, Place.WEB):
            self.open_url(url)
            self.notify(url, title="Opened in your browser")
        else:
            self.copy_to_clipboard(url)
            self.notify(f"{url}\n(copied; open it in your own browser)", title="No browser here", timeout=10)

    def action_open_link(self, url: str) -> None:
        self.open_external(url)

    def on_mount(self) -> None:
        if self.sandbox:
            self.notify(
                f"Every network here is the built-in sandbox at {self.sandbox}: "
                "accounts and posts are pretend, nothing reaches a real network.",
                title="Sandbox",
                timeout=10,
            )
        if self.theme_problem:
            self.notify(self.theme_problem, title="Theme", severity="warning", timeout=10)
        self._check_keyring()
        if self.ctx.run_outbox:
            # After the first frame: recover what a crash left "sending", then send due posts.
            self.set_timer(1.0, self._run_outbox)

    @work(thread=True, group="keyring", exit_on_error=False)
    def _check_keyring(self) -> None:
        """Say once, at start-up, that no keyring can keep secrets, and the exact fix (as doctor
        does); in a thread, as the keyring's D-Bus backend may be slow to answer."""
        from providers.errors import KeyringUnavailable, SecretKeyError

        try:
            self.ctx.vault.check()
        except KeyringUnavailable as exc:
            title = "Team secrets cannot be opened" if isinstance(exc, SecretKeyError) else "No keyring"
            self.call_from_thread(self._warn_keyring, str(exc), title)

    def _warn_keyring(self, problem: str, title: str = "No keyring") -> None:
        if not self.keyring_problem:
            self.keyring_problem = problem
            self.notify(problem, title=title, severity="warning", timeout=30)

    @work(exclusive=True, group="outbox", exit_on_error=False)
    async def _run_outbox(self) -> None:
        from tui.outbox_runner import keep_sending

        await keep_sending(self.ctx, self.post_message)

    @on(ScheduledPostSent)
    def _scheduled_post_sent(self, message: ScheduledPostSent) -> None:
        event = message.event
        self.notify(
            f"{event.network_name} {event.account}: {event.url or 'sent'}", title="Scheduled post sent"
        )

    @on(ScheduledPostProblem)
    def _scheduled_post_problem(self, message: ScheduledPostProblem) -> None:
        event = message.event
        self.notify(event.describe(), title=f"Scheduled post {event.kind}", severity="warning", timeout=10)

    @on(OutboxUnavailable)
    def _outbox_unavailable(self, message: OutboxUnavailable) -> None:
        if message.keyring:  # the start-up warning's subject: said once, there
            self._warn_keyring(message.reason)
            return
        self.notify(message.reason, title="Scheduled posts", severity="warning", timeout=10)

    def on_unmount(self) -> None:
        self.ctx.close()
