"""Per-network verdicts on the chosen file, one line each, with its fixes selectable by key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from providers.media import Fix, MediaInfo, Verdict
from tui.messages import FixChosen

if TYPE_CHECKING:
    from providers.spec import NetworkSpec


class VerdictList(OptionList):
    """``✓ Mastodon`` or ``✗ Instagram: <rule>`` followed by ``→ <fix>`` options (Enter applies)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._fixes: dict[str, tuple[str, Fix]] = {}
        self.verdicts: dict[str, Verdict] = {}  # catalog id → what that network thinks of the file

    def judge(self, info: MediaInfo | None, specs: list[NetworkSpec]) -> None:
        """Judge ``info`` for each network in ``specs`` and show it; hidden without a file or a network."""
        if info is None or not specs:
            self.display = False
            self.verdicts = {}
            return
        from providers.media import judge

        self.verdicts = {spec.id: judge(info, spec) for spec in specs}  # rules only: fast
        self.show([(spec.name, self.verdicts[spec.id]) for spec in specs])
        self.display = True

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
