"""A title and a body from one caption, for networks whose posts have both (a Reddit submission,
a YouTube video, a Pinterest pin).

linkdeck's post has one caption (and per-network overrides), so a network that needs a title takes
the caption's first non-empty line as the title and the lines after it as the body. A first line
longer than the network's title limit is cut at a word boundary and closed with an ellipsis, and
the whole first line is kept at the head of the body so nothing the person wrote is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

ELLIPSIS = "…"


@dataclass(frozen=True)
class Titled:
    title: str
    body: str
    shortened: bool  # the first line was longer than the limit


def shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, cut at a word boundary where one is near."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return text[:limit]
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space >= (limit * 2) // 3:  # a word boundary close to the limit; else cut mid-word
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def split_title(caption: str, limit: int) -> Titled:
    """The title (first non-empty line, at most ``limit`` characters) and the body after it."""
    lines = caption.strip().splitlines()
    first = lines[0].strip() if lines else ""
    rest = "\n".join(lines[1:]).strip()
    title = shorten(first, limit)
    if title == first:
        return Titled(title, rest, shortened=False)
    return Titled(title, f"{first}\n\n{rest}".strip(), shortened=True)
