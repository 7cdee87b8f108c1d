"""Bluesky rich-text facets: links, mentions and hashtags with UTF-8 byte offsets.

Why this exists: a Bluesky post's text is plain; links, mentions and tags only work when the
record carries ``facets`` (lexicon ``app.bsky.richtext.facet``), each naming a byte range
``[byteStart, byteEnd)`` of the text *encoded as UTF-8* — not characters, not graphemes. An emoji
is 4 bytes, a CJK character 3, a combining accent 2; getting this wrong makes the app highlight the
wrong span or drop the facet. Detection follows the official client's rules (bluesky-social/atproto
``packages/api/src/rich-text/detection.ts``):

- mention: ``@handle`` after the start, white space or ``(``; the handle must be a domain name.
  It becomes a ``#mention`` facet only if the handle resolves to a DID (unknown handles stay text).
- link: ``http(s)://…`` or a bare ``domain.tld/…`` (then ``https://`` is assumed) after the start,
  white space or ``(``; trailing ``.,;:!?`` and an unbalanced ``)`` are not part of it.
- tag: ``#word`` after the start or white space, not only digits, at most 64 characters, trailing
  punctuation stripped; ``#`` or the full-width ``＃``.

Public API::

    detect(text) -> list[Span]                        # kind, start/end byte, value
    await build_facets(text, resolve_handle) -> list[dict]   # ready for the record
    byte_offset(text, char_index) -> int
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

MENTION = "app.bsky.richtext.facet#mention"
LINK = "app.bsky.richtext.facet#link"
TAG = "app.bsky.richtext.facet#tag"
MAX_TAG_LENGTH = 64

# Common generic TLDs for bare-domain links; any two-letter (country) TLD also counts. The official
# client checks a full TLD list; this keeps "file.txt" and "e.g." from becoming links.
_GENERIC_TLDS = frozenset(
    (  # noqa: SIM905
        "com net org edu gov mil int info biz name pro app dev io ai social blog news online site "
        "website tech xyz art design page link live media network studio world cloud digital email "
        "shop store systems academy club today zone space fun top one global codes tools land"
    ).split()
)
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_MENTION = rf"(?:^|(?<=[\s(]))@(?P<handle>{_LABEL}(?:\.{_LABEL})+)"
_LINK = (
    r"(?:^|(?<=[\s(]))(?P<url>https?://\S+|"
    r"(?P<domain>[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+)(?:[/?#]\S*)?)"
)
_INVISIBLE = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
_TAG = (
    rf"(?:^|(?<=\s))[#＃](?P<tag>(?!\ufe0f)[^\s{_INVISIBLE}]*[^\d\s\p{{P}}{_INVISIBLE}]+[^\s{_INVISIBLE}]*)"
)


@dataclass(frozen=True)
class Span:
    """One detected facet before resolution: ``kind`` is mention, link or tag; ``value`` is the
    handle (mention), the full URI (link) or the tag without ``#`` (tag)."""

    kind: str
    start: int  # UTF-8 byte offset, inclusive
    end: int  # UTF-8 byte offset, exclusive
    value: str


def byte_offset(text: str, char_index: int) -> int:
    """The UTF-8 byte offset of the code point at ``char_index``."""
    return len(text[:char_index].encode("utf-8"))


def _trim_link(url: str) -> str:
    """Drop sentence punctuation after a link, and a ``)`` that closes a parenthesis opened before
    the link rather than inside it."""
    while url and url[-1] in ".,;:!?\"'":
        url = url[:-1]
    if url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1]
    return url


def _valid_domain(domain: str) -> bool:
    tld = domain.rsplit(".", 1)[-1].lower()
    return tld.isalpha() and (len(tld) == 2 or tld in _GENERIC_TLDS)


def detect(text: str) -> list[Span]:
    """Mentions, links and tags in ``text``, in text order, with byte offsets (no network calls)."""
    import regex

    spans: list[Span] = []
    for found in regex.finditer(_MENTION, text):
        handle = found["handle"]
        if not _valid_domain(handle) and not handle.endswith(".test"):
            continue
        start = found.start()
        spans.append(
            Span("mention", byte_offset(text, start), byte_offset(text, found.end()), handle.lower())
        )
    for found in regex.finditer(_LINK, text, flags=regex.IGNORECASE):
        raw = _trim_link(found["url"])
        if found["domain"] is not None:
            domain = found["domain"]
            if not _valid_domain(domain) or "@" in raw:
                continue
            uri = f"https://{raw}"
        else:
            if len(raw) <= len("https://"):
                continue
            uri = raw
        start = found.start("url")
        spans.append(Span("link", byte_offset(text, start), byte_offset(text, start + len(raw)), uri))
    for found in regex.finditer(_TAG, text):
        tag = regex.sub(r"\p{P}+$", "", found["tag"])
        if not tag or len(tag) > MAX_TAG_LENGTH:
            continue
        start = found.start()  # the "#" is part of the highlighted span
        end = found.start("tag") + len(tag)
        spans.append(Span("tag", byte_offset(text, start), byte_offset(text, end), tag))
    spans.sort(key=lambda s: s.start)
    return _without_overlaps(spans)


def _without_overlaps(spans: list[Span]) -> list[Span]:
    """Facets must not overlap; the first (leftmost, then longest) wins — a URL's ``#fragment`` is
    not also a tag, and a mention inside a link is not a mention."""
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if kept and span.start < kept[-1].end:
            continue
        kept.append(span)
    return kept


async def build_facets(
    text: str, resolve_handle: Callable[[str], Awaitable[str | None]]
) -> list[dict[str, Any]]:
    """The record's ``facets``: every link and tag, and each mention whose handle
    ``resolve_handle`` turns into a DID (None: left as plain text, as the official app does)."""
    facets: list[dict[str, Any]] = []
    for span in detect(text):
        if span.kind == "mention":
            did = await resolve_handle(span.value)
            if not did:
                continue
            feature: dict[str, Any] = {"$type": MENTION, "did": did}
        elif span.kind == "link":
            feature = {"$type": LINK, "uri": span.value}
        else:
            feature = {"$type": TAG, "tag": span.value}
        facets.append({"index": {"byteStart": span.start, "byteEnd": span.end}, "features": [feature]})
    return facets
