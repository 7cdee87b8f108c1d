"""Per-network verdicts on the chosen file, one line each, with its fixes selectable by key."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from providers.media import Fix, Verdict


@dataclass
class FixChosen(Message):
    network: str
    fix: Fix


class VerdictList(OptionList):
    """``✓ Mastodon`` or ``✗ Instagram: <rule>`` followed by ``→ <fix>`` options (Enter applies)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._fixes: dict[str, tuple[str, Fix]] = {}

    def show(self, verdicts: list[tuple[str, Verdict]]) -> None:
        """``verdicts``: (network name, verdict) in display order."""
        self.clear_options()
        self._fixes.clear()
        options: list[Option] = []
        for name, verdict in verdicts:
            if verdict.ok:
                options.append(Option(Text.assemble(("✓ ", "bold green"), name), disabled=True))
            for problem in verdict.problems:
                options.append(Option(Text.assemble(("✗ ", "bold red"), problem.message), disabled=True))
            for advice in verdict.advice:
                options.append(Option(Text.assemble(("• ", "bold yellow"), advice.message), disabled=True))
            for index, fix in enumerate(verdict.fixes):
                key = f"{verdict.network}:{index}"
                self._fixes[key] = (verdict.network, fix)
                options.append(
                    Option(Text.assemble("   → ", (fix.label, "underline"), f"  ({name})"), id=key)
                )
        self.add_options(options)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = self._fixes.get(event.option.id or "")
        if chosen is not None:
            self.post_message(FixChosen(*chosen))
