"""Caption counters: each network's own way of counting, for live counters and the ``check`` command.

The counting mode comes from the catalog (:class:`~providers.spec.CaptionCounting`):

- ``weighted`` (X): twitter-text's weighted length via ``twitter-text-parser``: most CJK and emoji
  count 2, every URL counts ``url_length`` (23) whatever its length (docs.x.com
  fundamentals/counting-characters).
- ``graphemes`` (Bluesky): user-perceived characters (extended grapheme clusters, so a family
  emoji joined by ZWJs is 1), plus the UTF-8 byte cap when the spec has ``max_bytes``
  (atproto lexicons/app/bsky/feed/post.json: 300 graphemes, 3,000 bytes).
- ``chars``: Unicode code points; URLs count ``url_length`` when the spec (or the instance, through
  ``limits``) sets one.
- ``utf8_bytes`` (YouTube descriptions): UTF-8 bytes.

Two networks count in a way the catalog's enum has no value for, so they are refined here (each
with its source; the catalog owner may want a field for it):

- Threads: "Emojis are counted as the number of UTF-8 bytes" (developers.facebook.com/docs/threads/
  posts, cited in providers/catalog/threads.py); other characters count 1.
- Mastodon: the server counts grapheme clusters, a URL as 23 and a remote mention ``@user@domain``
  as ``@user`` (mastodon/mastodon app/validators/status_length_validator.rb); an instance's own
  ``max_characters``/``characters_reserved_per_url`` come in through ``limits``.

twitter-text and ``regex`` are imported inside the functions (twitter-text compiles its patterns in
about 0.2 s on first use), never at module import.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from providers.media.model import Problem
from providers.spec import CaptionCounting, CaptionLimits, NetworkSpec

# Links as Mastodon and most servers count them: a scheme, then anything up to white space, minus
# trailing punctuation that ends a sentence rather than the link.
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}'\"»”’"
_REMOTE_MENTION = re.compile(r"(?<![\w/])@(\w+)@[\w.-]+\w", re.UNICODE)
_HASHTAG = re.compile(r"(?<![\w&/#])[#＃](\w*[^\W\d_]\w*)", re.UNICODE)


_UNITS = {
    CaptionCounting.CHARS: "characters",
    CaptionCounting.GRAPHEMES: "graphemes",
    CaptionCounting.WEIGHTED: "weighted characters",
    CaptionCounting.UTF8_BYTES: "bytes",
    CaptionCounting.MASTODON: "characters",
    CaptionCounting.EMOJI_BYTES: "characters",
}


@dataclass(frozen=True)
class CaptionCount:
    """One network's count of one caption; ``message`` is ready for a counter or the CLI."""

    network: str
    count: int
    limit: int | None
    unit: str
    ok: bool
    message: str
    problems: tuple[Problem, ...] = ()
    utf8_bytes: int = 0
    hashtags: int = 0

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else self.limit - self.count


def graphemes(text: str) -> int:
    """Extended grapheme clusters (UAX #29), as Bluesky and Mastodon count."""
    import regex

    return len(regex.findall(r"\X", text))


def urls(text: str) -> list[str]:
    """Links with a scheme, trailing sentence punctuation excluded."""
    return [m.group(0).rstrip(_URL_TRAILING) for m in _URL.finditer(text)]


def hashtags(text: str) -> list[str]:
    """``#tag`` words (not ``&#38;``, not URL fragments, not all digits)."""
    return [m.group(1) for m in _HASHTAG.finditer(text)]


def _with_urls_as(text: str, url_length: int) -> str:
    def replace(match: re.Match[str]) -> str:
        url = match.group(0)
        kept = url.rstrip(_URL_TRAILING)
        return "x" * url_length + url[len(kept) :]

    return _URL.sub(replace, text)


def _weighted(text: str, limit: int | None, url_length: int | None) -> int:
    from twitter_text import parse_tweet
    from twitter_text.config import config

    options = dict(config["defaults"])
    options["max_weighted_tweet_length"] = limit or options["max_weighted_tweet_length"]
    if url_length is not None:
        options["transformed_url_length"] = url_length
    return int(parse_tweet(text, options).weightedLength)


def _emoji_as_bytes(text: str) -> int:
    """Threads: a cluster holding a pictographic emoji counts its UTF-8 bytes, others count 1 each."""
    import regex

    total = 0
    for cluster in regex.findall(r"\X", text):
        if regex.search(r"\p{Extended_Pictographic}|\p{Regional_Indicator}", cluster):
            total += len(cluster.encode("utf-8"))
        else:
            total += len(cluster)
    return total


def _measure(text: str, spec: NetworkSpec, limits: CaptionLimits) -> tuple[int, str]:
    counting = limits.counting
    if counting is CaptionCounting.WEIGHTED:
        return _weighted(text, limits.max_length, limits.url_length), _UNITS[counting]
    if counting is CaptionCounting.UTF8_BYTES:
        return len(text.encode("utf-8")), _UNITS[counting]
    if limits.url_length is not None:
        text = _with_urls_as(text, limits.url_length)
    if counting is CaptionCounting.MASTODON:
        return graphemes(_REMOTE_MENTION.sub(r"@\1", text)), _UNITS[counting]
    if counting is CaptionCounting.GRAPHEMES:
        return graphemes(text), _UNITS[counting]
    if counting is CaptionCounting.EMOJI_BYTES:
        return _emoji_as_bytes(text), _UNITS[counting]
    return len(text), _UNITS[counting]


def _how(spec: NetworkSpec, limits: CaptionLimits) -> str:
    """The counting rule in words, for messages about a limit."""
    if limits.counting is CaptionCounting.WEIGHTED:
        return f" (emoji and CJK count 2, each link {limits.url_length or 23})"
    if limits.counting is CaptionCounting.EMOJI_BYTES:
        return " (each emoji counts as its size in UTF-8 bytes)"
    if limits.url_length is not None:
        return f" (each link counts {limits.url_length})"
    return ""


def effective_limits(
    spec: NetworkSpec, limits: CaptionLimits | Mapping[str, Any] | None = None
) -> CaptionLimits:
    """The spec's caption limits with an instance's values on top (a CaptionLimits or a dict of fields)."""
    if limits is None:
        return spec.caption
    if isinstance(limits, CaptionLimits):
        return limits
    return dataclasses.replace(spec.caption, **{k: v for k, v in limits.items() if v is not None})


def count(
    text: str,
    spec: NetworkSpec,
    *,
    limits: CaptionLimits | Mapping[str, Any] | None = None,
    has_media: bool = True,
) -> CaptionCount:
    """Count ``text`` the way ``spec``'s network does and say whether it fits.

    ``limits`` overrides the catalog (a Mastodon instance's ``max_characters`` and
    ``characters_reserved_per_url``: ``{"max_length": 5000, "url_length": 23}``). ``has_media``
    picks the caption limit or, where it differs (Telegram: 1,024 vs 4,096), the text-only one.
    """
    caption = effective_limits(spec, limits)
    name = spec.name
    limit = caption.max_length
    text_only = not has_media and caption.text_max_length is not None
    if text_only:
        limit = caption.text_max_length
    what = "messages" if text_only else ("captions" if has_media else "posts")
    measured, unit = _measure(text, spec, caption)
    size = len(text.encode("utf-8"))
    tags = len(hashtags(text))
    problems: list[Problem] = []
    if caption.required and not text.strip():
        needs = "a title" if caption.title_max_length else "text"
        problems.append(Problem("caption_required", f"{name} posts need {needs}; this caption is empty"))
    if limit is not None and measured > limit:
        problems.append(
            Problem(
                "caption_too_long",
                f"{name} {what} must be at most {limit:,} {unit}{_how(spec, caption)}; "
                f"this one is {measured:,} ({measured - limit:,} over)",
            )
        )
    if caption.max_bytes is not None and size > caption.max_bytes:
        problems.append(
            Problem(
                "caption_too_many_bytes",
                f"{name} {what} must be at most {caption.max_bytes:,} bytes of UTF-8; this one is {size:,}",
            )
        )
    if caption.max_hashtags is not None and tags > caption.max_hashtags:
        problems.append(
            Problem(
                "too_many_hashtags",
                f"{name} {what} can have at most {caption.max_hashtags} hashtags; this one has {tags}",
            )
        )
    if problems:
        message = "; ".join(p.message for p in problems)
    elif limit is None:
        message = f"{name}: {measured:,} {unit} (no limit known)"
    else:
        message = f"{name}: {measured:,} of {limit:,} {unit}"
    return CaptionCount(
        network=spec.id,
        count=measured,
        limit=limit,
        unit=unit,
        ok=not problems,
        message=message,
        problems=tuple(problems),
        utf8_bytes=size,
        hashtags=tags,
    )
