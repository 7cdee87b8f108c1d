"""The Link window's step views: one small widget per kind of link step (providers.linking.steps).

Each view is composed once, hidden, and shown with :meth:`show` when its step arrives; it answers
the step itself (the step carries the engine's reply), so the window only routes steps to views.
No view knows a network: everything it shows comes from the step. The address view, the biggest,
is in :mod:`tui.widgets.link_address`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui import prose

if TYPE_CHECKING:
    from collections.abc import Mapping

    from providers.linking.steps import AskFields, AskInstance, ChooseTarget, ShowDeviceCode
    from tui.app import LinkdeckApp


class StepView:
    """What every view shares: the linkdeck app, typed."""

    @property
    def linkdeck(self) -> LinkdeckApp:
        return cast("LinkdeckApp", cast(Any, self).app)


class InstanceView(StepView, Vertical):
    """Which server the account is on."""

    def __init__(self) -> None:
        super().__init__(id="link-instance-step", classes="link-step")
        self.step: AskInstance | None = None

    def compose(self) -> ComposeResult:
        yield Label("", id="link-instance-label")
        yield Input(id="link-instance")
        yield Static("", id="link-recent", classes="muted")
        yield Static("", id="link-instance-error", classes="link-error")

    def show(self, step: AskInstance) -> None:
        self.step = step
        self.query_one("#link-instance-label", Label).update(
            f"Which {step.network} server is your account on?"
        )
        field = self.query_one("#link-instance", Input)
        field.placeholder = f"e.g. {step.example}"
        field.value = step.prefill
        self.query_one("#link-recent", Static).update(
            "Used before: " + ", ".join(step.recent) if step.recent else ""
        )
        self.query_one("#link-instance-error", Static).update(prose.text(step.error))
        field.focus()

    @on(Input.Submitted, "#link-instance")
    def _given(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if self.step is not None and (value or not self.step.required):
            self.step.answer(value)


class CredentialsView(StepView, Vertical):
    """Typed credentials: one input per field, secret ones masked."""

    def __init__(self) -> None:
        super().__init__(id="link-credentials-step", classes="link-step")
        self.step: AskFields | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="link-credentials-hint")
        yield Vertical(id="link-credentials")
        yield Static("", id="link-credentials-error", classes="link-error")
        yield Button("Sign in", id="link-sign-in", variant="success")

    async def show(self, step: AskFields, sandbox: Mapping[str, str] | None = None) -> None:
        """``sandbox``: what the sandbox's demo account answers, by field name (shown to type)."""
        first_time = self.step is None
        self.step = step
        hints = [f"{f.label}: {f.hint}" for f in step.fields if f.hint]  # each hint names its field
        demo = [f"{f.label} {sandbox[f.name]}" for f in step.fields if sandbox and f.name in sandbox]
        if demo:
            hints.append("Sandbox demo account: " + " · ".join(demo))
        self.query_one("#link-credentials-hint", Static).update("\n".join(hints))
        self.query_one("#link-credentials-error", Static).update(prose.text(step.error, "bold"))
        # Credentials sign in; plain answers after the sign-in (a venue, a subreddit) go on.
        self.query_one("#link-sign-in", Button).label = (
            "Sign in" if any(f.secret for f in step.fields) else "Continue"
        )
        if first_time:
            box = self.query_one("#link-credentials", Vertical)
            await box.mount_all(
                Input(placeholder=field.label, password=field.secret, id=f"cred-{field.name}")
                for field in step.fields
            )
            box.query(Input).first().focus()

    def working(self, text: str) -> None:
        self.query_one("#link-credentials-error", Static).update(prose.text(text))

    @on(Input.Submitted, "#link-credentials Input")
    def _entered(self, event: Input.Submitted) -> None:
        inputs = list(self.query("#link-credentials Input").results(Input))
        index = inputs.index(event.input)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
        else:
            self._sign_in()

    @on(Button.Pressed, "#link-sign-in")
    def _sign_in(self) -> None:
        if self.step is None:
            return
        values = {
            (i.id or "").removeprefix("cred-"): i.value
            for i in self.query("#link-credentials Input").results(Input)
        }
        self.working("Signing in…")
        self.step.answer(values)


class DeviceView(StepView, Vertical):
    """A device code to type on the network's device page (no address to open here)."""

    def __init__(self) -> None:
        super().__init__(id="link-device-step", classes="link-step")

    def compose(self) -> ComposeResult:
        yield Static("", id="link-device-code", classes="link-device")
        yield Static("Waiting for you to approve…", id="link-device-status", classes="muted")

    def show(self, step: ShowDeviceCode) -> None:
        code = step.code
        if code is None:
            return
        self.query_one("#link-device-code", Static).update(
            f"On any device, open [@click=app.open_link({code.verification_uri!r})]"
            f"{escape(code.verification_uri)}[/] and enter the code [b]{code.user_code}[/b]."
        )


class ChooseView(StepView, Vertical):
    """Where the account's posts go, when the sign-in gave several places (Pages, boards)."""

    def __init__(self) -> None:
        super().__init__(id="link-choose-step", classes="link-step")
        self.step: ChooseTarget | None = None

    def compose(self) -> ComposeResult:
        yield Label("", id="link-choose-label")
        yield OptionList(id="link-choices")

    def show(self, step: ChooseTarget) -> None:
        self.step = step
        self.query_one("#link-choose-label", Label).update(f"Where should {step.network} posts go?")
        options = self.query_one("#link-choices", OptionList)
        options.clear_options()
        options.add_options([Option(f"{c.kind}: {c.name}", id=str(i)) for i, c in enumerate(step.choices)])
        options.highlighted = 0  # Enter takes the first at once, as the arrows would start there
        options.focus()

    @on(OptionList.OptionSelected, "#link-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if self.step is not None and not self.step.reply.given:
            self.step.choose(int(event.option.id or 0))
