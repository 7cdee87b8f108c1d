"""Small typed questions: a line of text, or one choice from a list."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option


class AskText(ModalScreen[str | None]):
    """A title, a hint and one line of input; Enter answers, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, title: str, hint: str, placeholder: str = "", value: str = "", *, password: bool = False
    ) -> None:
        super().__init__(classes="dialog")
        self._title, self._hint, self._placeholder, self._value = title, hint, placeholder, value
        self._password = password  # a secret: masked as it is typed

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self._title, classes="dialog-title")
            yield Static(self._hint, classes="muted")
            yield Input(
                value=self._value, placeholder=self._placeholder, id="ask-text", password=self._password
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="ask-cancel")
                yield Button("OK", id="ask-ok", variant="primary")

    @on(Input.Submitted, "#ask-text")
    @on(Button.Pressed, "#ask-ok")
    def _ok(self) -> None:
        self.dismiss(self.query_one("#ask-text", Input).value.strip() or None)

    @on(Button.Pressed, "#ask-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class AskChoice(ModalScreen[str | None]):
    """Pick one of ``choices`` ((id, label) pairs); dismisses with the id, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]]) -> None:
        super().__init__(classes="dialog")
        self._title, self._choices = title, choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self._title, classes="dialog-title")
            yield OptionList(*[Option(label, id=key) for key, label in self._choices], id="ask-choices")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="ask-cancel")

    @on(OptionList.OptionSelected, "#ask-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    @on(Button.Pressed, "#ask-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
