"""Small pictures drawn with text: an account's avatar in half-block cells, else its initials.

Pillow is imported only when a picture file is really drawn (in a worker thread), so it never slows
start-up; half-blocks render the same in a terminal, under textual-serve and in SVG snapshots.
"""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from rich.text import Text

WIDTH, HEIGHT = 6, 3  # cells; a 6×6 pixel picture in half-blocks


def initials(name: str) -> str:
    words = [w for w in name.replace("@", " ").replace(".", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def initials_block(name: str, colour: str) -> Text:
    label = initials(name).center(WIDTH)
    blank = " " * WIDTH
    style = Style(bgcolor=colour, color="white", bold=True)
    return Text("\n").join([Text(blank, style), Text(label, style), Text(blank, style)])


def halfblock(path: Path, width: int = WIDTH, height: int = HEIGHT, *, crop: bool = True) -> Text:
    """Render ``path`` in at most ``width``×``height`` cells of '▀' (top pixel fg, bottom pixel bg):
    cropped to fill the box (avatars) or shrunk to fit inside it, keeping its shape (previews)."""
    from PIL import Image, ImageOps

    with Image.open(path) as opened:
        image = ImageOps.exif_transpose(opened).convert("RGB")
        box = (width, height * 2)
        image = ImageOps.fit(image, box) if crop else ImageOps.contain(image, box)
    pixels = image.load()
    assert pixels is not None
    lines = []
    for row in range(image.height // 2):
        line = Text()
        for col in range(image.width):
            top, bottom = pixels[col, row * 2], pixels[col, row * 2 + 1]
            line.append("▀", Style(color=f"rgb{top}", bgcolor=f"rgb{bottom}"))
        lines.append(line)
    return Text("\n").join(lines)
