"""A QR code drawn with half-block characters, so a phone can scan the link from any terminal."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

DARK, LIGHT = "#000000", "#ffffff"


def qr_text(data: str, *, border: int = 2) -> Text:
    """Two QR modules per character cell (upper and lower half), black on white with a quiet zone."""
    import segno  # only when a QR code is really shown

    code = segno.make(data, error="l", boost_error=False)
    size = len(code.matrix)
    span = size + 2 * border

    def dark(row: int, col: int) -> bool:
        r, c = row - border, col - border
        return 0 <= r < size and 0 <= c < size and bool(code.matrix[r][c])

    lines = []
    for row in range(0, span, 2):
        line = Text(no_wrap=True)
        for col in range(span):
            top = DARK if dark(row, col) else LIGHT
            bottom = DARK if dark(row + 1, col) else LIGHT
            line.append("▀", Style(color=top, bgcolor=bottom))
        lines.append(line)
    return Text("\n").join(lines)
