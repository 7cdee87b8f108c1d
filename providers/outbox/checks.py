"""Refuse what a network would reject before anything is sent: the media engine's verdicts and
each network's caption counter, with the account's own server limits where it has them.

Used twice: by ``linkdeck post`` (and the Upload screen) before a post is recorded, and by the
runner right before a delivery's upload, because a scheduled post's files can change or vanish
and an instance can lower its limits in the meantime.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from providers.media import MediaInfo
    from providers.spec import NetworkSpec


@dataclass(frozen=True)
class CheckProblem:
    network: str  # catalog id
    code: str  # the media engine's or caption counter's stable code
    message: str  # names the network and the rule
    file: str | None = None  # the file it is about; None for the caption or the whole post

    def to_json(self) -> dict[str, str | None]:
        return {"network": self.network, "file": self.file, "code": self.code, "message": self.message}


def inspect_all(paths: Sequence[str]) -> list[MediaInfo]:
    """Every file's facts; raises MediaError (unreadable input, exit 2) for the first bad one."""
    from providers.media import inspect

    return [inspect(path) for path in paths]


def problems(
    spec: NetworkSpec,
    infos: Sequence[MediaInfo],
    caption: str,
    spoiler_text: str = "",
    descriptions: Sequence[str] = (),
) -> list[CheckProblem]:
    """What ``spec``'s network would refuse in this post (empty: nothing). ``descriptions``: the
    alt text of each file, in order."""
    from providers.captions import count
    from providers.media import judge_post

    verdict = judge_post(list(infos), spec)
    found = [CheckProblem(spec.id, p.code, p.message) for p in verdict.problems]
    for info, item in zip(infos, verdict.items, strict=True):
        found += [CheckProblem(spec.id, p.code, p.message, info.name) for p in item.problems]
    limit = spec.media.alt_text_max_length
    for info, description in zip(infos, descriptions, strict=False):
        if limit is not None and len(description) > limit:
            message = (
                f"{spec.name}: the alt text of {info.name} is {len(description):,} characters; "
                f"{spec.name} allows at most {limit:,}"
            )
            found.append(CheckProblem(spec.id, "alt_text_too_long", message, info.name))
    # Mastodon counts the content warning towards the limit (StatusLengthValidator).
    text = f"{spoiler_text}{caption}" if spoiler_text else caption
    if text or not infos:
        counted = count(text, spec, has_media=bool(infos))
        found += [CheckProblem(spec.id, p.code, p.message) for p in counted.problems]
    return found
