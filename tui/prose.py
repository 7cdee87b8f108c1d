"""Engine messages made fit for the screen: they are plain text that marks commands and config
keys as Markdown code (`linkdeck doctor`, `[networks.x] port`). Shown raw, the backticks are
noise and Rich reads `[keyring]` as a markup tag and drops it; here brackets are escaped and code
spans become bold."""

from __future__ import annotations

import re

from rich.markup import escape
from rich.text import Text

_CODE = re.compile(r"`([^`\n]+)`")


def markup(message: str) -> str:
    """``message`` as Rich markup: everything literal, code spans bold, no backticks."""
    parts: list[str] = []
    last = 0
    for found in _CODE.finditer(message):
        parts.append(escape(message[last : found.start()]))
        parts.append(f"[b]{escape(found.group(1))}[/b]")
        last = found.end()
    parts.append(escape(message[last:]))
    return "".join(parts)


def text(message: str, style: str = "") -> Text:
    """``message`` as a Rich Text, code spans bold, for a Static or a label."""
    shown = Text.from_markup(markup(message))
    if style:
        shown.stylize(style)
    return shown
