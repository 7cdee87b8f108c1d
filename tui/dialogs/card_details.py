"""A network's details: who is linked, and what can be done about it."""

from __future__ import annotations

from datetime import timedelta

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Markdown, Select, Static, Switch

from providers import clock, sharing
from providers.errors import LinkdeckError
from providers.instances import settings_url_for
from providers.networks import can_link
from providers.overview import Card, CardState, needs_setup
from providers.spec import AuthKind
from tui.dialogs.confirm import Confirm
from tui.screens.base import LinkdeckModal
from tui.widgets.network_card import days, when
from tui.widgets.share_to import ShareToRow, shared_from


class CardDetails(LinkdeckModal[bool | None]):
    """Dismissed with True when the network's set-up was saved here (the cards then look again)."""

    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(self, card: Card, *, brand: str | None = None) -> None:
        super().__init__(classes="dialog")
        self.card = card
        self.brand = brand  # the brand chosen on Accounts: a new link from here goes into it
        spec, account = card.spec, card.account
        self.setting_up = card.state is CardState.NEEDS_SETUP
        # A card that needs set-up opens the developer portal where the app is made; the others,
        # the network's page of connected apps, where access is revoked.
        revoke = settings_url_for(spec, account.instance if account else None) or ""
        self.page_url = (spec.developer_url or revoke) if self.setting_up else revoke
        self._saved = False

    def compose(self) -> ComposeResult:
        card, spec = self.card, self.card.spec
        with Vertical(classes="dialog-box details-box"):
            yield Static(f"{spec.name} — {card.label}", classes=f"dialog-title -{card.state.value}")
            with VerticalScroll(classes="details-body"):
                yield Markdown(self._describe(), id="details-text")
                account = card.account
                if account is not None:
                    with Horizontal(classes="details-row"):
                        yield Label("Share automatically from Upload ", classes="switch-label")
                        yield Switch(value=account.auto_share, id="auto-share")
                    if spec.id in sharing.SHARES_FROM:
                        yield ShareToRow(spec.id)
                    yield from self._brand_row(account.brand_id)
                if self.setting_up and spec.capabilities.needs_developer_app:
                    yield from self._setup_form()  # an API key has its own button (Enter API key)
                url = self.page_url
                if url and self.setting_up:
                    yield Static(f"Developer portal: {url}", id="developer-url", classes="details-url")
                elif url:
                    yield Static(f"Revocation page: {url}", id="revoke-url", classes="details-url")
            with Horizontal(classes="dialog-buttons"):
                if card.state in (CardState.NOT_LINKED, CardState.NEEDS_SETUP):
                    yield Button("Link", id="link", variant="success")
                if card.state in (CardState.LINKED, CardState.RECONNECT):
                    yield Button(
                        "Reconnect",
                        id="reconnect",
                        variant="warning" if card.state is CardState.RECONNECT else "default",
                    )
                    if any(t.value != "profile" for t in spec.targets):
                        yield Button("Change target", id="target")
                    yield Button("Unlink", id="unlink", variant="error")
                for route in card.routes:  # beside the direct route: through a broker
                    yield Button(route.label, id=f"via-{route.broker.id}", classes="link-via")
                if spec.auth is AuthKind.API_KEY:
                    yield Button("Enter API key", id="api-key")
                if url:
                    yield Button("Open page", id="open-settings")
                    yield Button("Copy URL", id="copy-settings")
                yield Button("Close", id="close")

    def _brand_row(self, brand_id: int | None) -> ComposeResult:
        """Which brand the account is in, to move it: only once there are several brands."""
        brands = self.app.ctx.store.brands()
        if len(brands) < 2 or brand_id is None:
            return
        with Horizontal(classes="details-row"):
            yield Label("Brand ", classes="switch-label")
            options = [(brand.name, brand.id) for brand in brands]
            yield Select(options, value=brand_id, allow_blank=False, compact=True, id="account-brand")

    def _setup_form(self) -> ComposeResult:
        """The client id (into config.toml) and the secret (into the keyring), typed here."""
        spec = self.card.spec
        with Vertical(id="setup-form", classes="details-row"):
            current = self.app.ctx.settings.network(spec.id).client_id or ""
            yield Input(current, placeholder="Client id", id="setup-client-id")
            if spec.capabilities.needs_client_secret:
                secret = "Client secret (kept in the keyring)"
                yield Input(password=True, placeholder=secret, id="setup-secret")
            yield Button("Save and check", id="setup-save", variant="primary")
            yield Static("", id="setup-result")

    def _describe(self) -> str:
        card, spec = self.card, self.card.spec
        lines: list[str] = []
        if card.accounts:
            for account in card.accounts:
                lines.append(f"**{account.handle}** — {account.display_name}")
                lines.append("")
                facts = []
                if account.instance:
                    facts.append(f"server {account.instance}")
                if account.target_name:
                    facts.append(f"posts go to {account.target_kind}: {account.target_name}")
                if account.expires_at:
                    left = (
                        ""
                        if card.days_left is None  # the network does not warn before its tokens end
                        else f" ({days(int((account.expires_at - clock.now()) / timedelta(days=1)))} left)"
                    )
                    facts.append(f"token expires {when(account.expires_at)}{left}")
                facts.append(f"linked {when(account.linked_at)}")
                if card.via(account):
                    facts.append(f"via {card.via(account)}")
                lines.append("; ".join(facts))
                shared = (
                    shared_from(account.target_id, self.app.ctx.settings) if spec.id == sharing.TO else None
                )
                if shared:
                    lines += ["", shared]
                lines.append("")
            if card.state is CardState.RECONNECT:
                lines.append(f"**Reconnect needed:** {card.reason}. Scheduled posts are held until then.")
        elif card.state is CardState.NOT_LINKED:
            lines.append(spec.summary)
        else:
            lines.append(f"**{card.label.capitalize()}:** {card.reason}")
        for route in card.routes:
            said = route.refused or f"{route.label} links {spec.name} on {route.broker.name}'s own page."
            lines += [f"**{route.label}:** {said}", ""]
        lines.extend(f"- {note}" for note in spec.notes)
        if card.state is CardState.NOT_BUILT:
            lines += ["", f"What {spec.name} allows, and how linking it will work, is on its Help page."]
        # A legacy network linkdeck can link: how the few who still have the access set it up.
        legacy = card.state is CardState.UNAVAILABLE and spec.availability == "legacy" and can_link(spec.id)
        if (card.state is CardState.NEEDS_SETUP or legacy) and spec.setup_guide:
            lines.extend(["", "## Set-up", "", spec.setup_guide])
        return "\n".join(lines)

    def on_mount(self) -> None:
        boxes = self.query(Input)
        (boxes.first() if boxes else self.query(Button).first()).focus()

    def _typed(self, selector: str) -> str | None:
        """What is typed in the box ``selector`` (None when this network has no such box)."""
        found = self.query(selector).results(Input)
        return next((box.value.strip() for box in found), None)

    @on(Button.Pressed, "#setup-save")
    @on(Input.Submitted, "#setup-form Input")
    def _save_pressed(self) -> None:
        client_id = self._typed("#setup-client-id")
        if client_id == "":
            self.query_one("#setup-result", Static).update("Enter the client id first.")
            return
        self._save(client_id, self._typed("#setup-secret") or "")

    @work(thread=True, exclusive=True, group="setup", exit_on_error=False)
    def _save(self, client_id: str | None, secret: str) -> None:
        """Write what was typed (the keyring may take a moment: in a thread), then check again."""
        from providers.config_write import set_network_value

        spec, ctx = self.card.spec, self.app.ctx
        try:
            if client_id is not None:
                set_network_value(spec.id, "client_id", client_id)
            if secret:
                ctx.vault.set_client_secret(spec.id, secret)
            stored = frozenset({spec.id}) if secret or ctx.vault.get_client_secret(spec.id) else frozenset()
        except LinkdeckError as exc:
            self.app.call_from_thread(self._show_result, str(exc))
            return
        self.app.call_from_thread(self._checked, stored)

    def _checked(self, stored: frozenset[str]) -> None:
        spec = self.card.spec
        self._saved = True
        self.app.ctx.reload_settings()
        reason = needs_setup(spec, self.app.ctx.settings, stored)
        if reason:
            self._show_result(f"Saved. {reason}")
            return
        self.notify(f"{spec.name} is set up: link it now (Enter on its card).", title="Set up")
        self.dismiss(True)

    def _show_result(self, text: str) -> None:
        from tui import prose

        self.query_one("#setup-result", Static).update(prose.text(text))

    @on(Switch.Changed, "#auto-share")
    def _auto_share(self, event: Switch.Changed) -> None:
        account = self.card.account
        if account is not None:
            self.app.ctx.store.set_auto_share(account.id, event.value)

    @on(Select.Changed, "#account-brand")
    def _move_to_brand(self, event: Select.Changed) -> None:
        account = self.card.account
        if account is None or not isinstance(event.value, int) or event.value == account.brand_id:
            return
        moved = self.app.ctx.store.set_account_brand(account.id, event.value)
        self.notify(f"{moved.handle} is now in the brand {moved.brand!r}.", title="Moved")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(self._saved or None)

    @on(Button.Pressed, "#link")
    @on(Button.Pressed, "#reconnect")
    def _link(self) -> None:
        account = self.card.account
        through = self.card.via(account) if account else ""
        if account is not None and through:  # reconnected the way it was linked: through the broker
            route = next((r for r in self.card.routes if r.broker.id == account.network), None)
            if route is not None:
                self.app.start_link(self.card.spec.id, via=route, brand=self.brand)
                return
        self.app.start_link(self.card.spec.id, brand=self.brand)

    @on(Button.Pressed, ".link-via")
    def _link_via(self, event: Button.Pressed) -> None:
        broker = (event.button.id or "").removeprefix("via-")
        route = next(r for r in self.card.routes if r.broker.id == broker)
        self.dismiss(None)
        self.app.start_link(self.card.spec.id, via=route)

    @on(Button.Pressed, "#api-key")
    def _api_key(self) -> None:
        """The network's API key into the keyring (as ``linkdeck config set-secret`` does), then link."""
        from tui.dialogs.ask import AskText

        spec = self.card.spec

        def store(value: str | None) -> None:
            if not value:
                return
            from providers.errors import LinkdeckError

            try:
                self.app.ctx.vault.set_client_secret(spec.id, value)
            except LinkdeckError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify(f"{spec.name}'s API key is in your keyring.", title="Stored")
            self.dismiss(None)
            self.app.start_link(spec.id, brand=self.brand)

        self.app.push_screen(
            AskText(f"{spec.name} API key", "Kept in your keyring only; never shown again.", password=True),
            store,
        )

    @on(Button.Pressed, "#target")
    def _target(self) -> None:
        from providers.errors import LinkdeckError
        from providers.linking import choose_target

        account = self.card.account
        try:
            choose_target(self.card.spec.id, account.id if account else 0)
        except LinkdeckError as exc:
            self.notify(str(exc), severity="warning")

    @on(Button.Pressed, "#open-settings")
    def _open_settings(self) -> None:
        self.app.open_external(self._settings_url())

    @on(Button.Pressed, "#copy-settings")
    def _copy_settings(self) -> None:
        url = self._settings_url()
        self.app.copy_to_clipboard(url)
        self.notify(f"Copied {url}", title="Copied")

    def _settings_url(self) -> str:
        return self.page_url

    @on(Button.Pressed, "#unlink")
    @work(exclusive=True, group="unlink")
    async def _unlink(self) -> None:
        from providers import unlinking

        account = self.card.account
        if account is None:
            return
        ctx = self.app.ctx
        plan = unlinking.plan(ctx.store, account)
        confirmed = await self.app.push_screen_wait(
            Confirm(
                f"Unlink {account.handle} from {self.card.spec.name}?",
                plan.explain(),
                yes_label="Unlink",
                danger=True,
            )
        )
        if not confirmed:
            return
        try:
            result = await unlinking.unlink(ctx.store, ctx.vault, account)
        except unlinking.TokenUnreadable as exc:  # as `linkdeck unlink` without --forget
            forget = await self.app.push_screen_wait(
                Confirm("The token cannot be read", str(exc), yes_label="Forget here", danger=True)
            )
            if not forget:
                return
            result = await unlinking.unlink(ctx.store, ctx.vault, account, forget=True)
        title = "forgotten here, not revoked" if result.forgotten_only else "unlinked"
        self.notify(result.summary(), title=f"{self.card.spec.name} {title}", timeout=None)
        self.dismiss(None)
