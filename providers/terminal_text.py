"""Text from outside (a caption, a handle, a server's message) made safe to print in a terminal.

A caption may hold escape sequences: printed raw, ``\\x1b]52;…`` writes the reader's clipboard and
``\\x1b[2J`` clears their screen. Every control character is shown as its visible Control Pictures
symbol instead (ESC as ␛, NUL as ␀), so the text stays readable and nothing is obeyed.
"""

from __future__ import annotations

_DELETE = "\u2421"  # ␡
_C1 = "\ufffd"  # the C1 controls (U+0080–U+009F) have no pictures: the replacement character


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character replaced by a visible symbol (line breaks kept when
    ``keep_newlines``)."""
    return "".join(_shown(c, keep_newlines) for c in text)


def _shown(c: str, keep_newlines: bool) -> str:
    code = ord(c)
    if c == "\n" and keep_newlines:
        return c
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return _DELETE
    if 0x80 <= code <= 0x9F:
        return _C1
    return c
