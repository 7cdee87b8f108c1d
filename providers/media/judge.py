"""Verdicts: a file (or a whole post) against one network's rules from the catalog.

Every rule in :class:`~providers.spec.MediaLimits` is checked here and nowhere else, and
each broken rule becomes a :class:`Problem` with a stable code and a message that names the network
and the rule ("Bluesky photos must be at most 2 MB (this one is 5.1 MB)"), plus the :class:`Fix`
that would resolve it when linkdeck has one. Nothing here opens files: it works on MediaInfo.

Problem codes: ``image_not_allowed``, ``video_not_allowed``, ``format``, ``too_large_bytes``,
``aspect_ratio``, ``too_small``, ``too_wide``, ``too_many_pixels``, ``too_short``, ``too_long``,
``too_many_images``, ``too_many_videos``, ``mixed_media``, ``media_required``. Advice codes (not failures):
``location_metadata``, ``colour_mode``.
"""

from __future__ import annotations

from collections.abc import Sequence

from providers.media.model import Fix, MediaInfo, MediaKind, PostVerdict, Problem, Verdict
from providers.media.units import aspect_name, duration_name, megapixels, size_name, sizes_compared
from providers.spec import MediaLimits, NetworkSpec

# Rounding slack for aspect limits: 1080×1350 is exactly 4:5 and must pass.
_ASPECT_EPSILON = 1e-6


def _formats(names: Sequence[str]) -> str:
    upper = [n.upper() for n in names]
    return upper[0] if len(upper) == 1 else ", ".join(upper[:-1]) + " or " + upper[-1]


def _aspect_rule(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"between {aspect_name(lo)} and {aspect_name(hi)}"
    if hi is not None:
        return f"at most {aspect_name(hi)} (width to height)"
    return f"at least {aspect_name(lo or 0)} (width to height)"


def _outside(aspect: float, lo: float | None, hi: float | None) -> bool:
    return (lo is not None and aspect < lo - _ASPECT_EPSILON) or (
        hi is not None and aspect > hi + _ASPECT_EPSILON
    )


def _aspect_fixes(info: MediaInfo, lo: float | None, hi: float | None) -> list[Fix]:
    target = lo if lo is not None and info.aspect < lo else hi
    name = aspect_name(target or 1.0)
    params = {"aspect_min": lo, "aspect_max": hi}
    return [
        Fix("crop", {**params, "anchor": "center"}, f"Crop to {name} (centre)", "aspect_ratio"),
        Fix("pad", {**params, "colour": "white"}, f"Pad to {name} (white bars)", "aspect_ratio"),
    ]


def _image_problems(info: MediaInfo, spec: NetworkSpec) -> tuple[list[Problem], list[Fix]]:
    m, name = spec.media, spec.name
    problems: list[Problem] = []
    fixes: list[Fix] = []
    if not m.images:
        what = "posts can't carry photos or videos" if not m.videos else "takes videos only, not photos"
        return [Problem("image_not_allowed", f"{name} {what}")], []
    if info.format not in m.image_formats:
        problems.append(
            Problem(
                "format",
                f"{name} photos must be {_formats(m.image_formats)}; this one is {info.format.upper()}",
            )
        )
        if "jpeg" in m.image_formats:
            label = "Convert to JPEG" + (" (first frame only)" if info.animated else "")
            fixes.append(Fix("convert_to_jpeg", {}, label, "format"))
    if m.image_max_bytes is not None and info.bytes > m.image_max_bytes:
        actual, limit = sizes_compared(info.bytes, m.image_max_bytes)
        problems.append(
            Problem("too_large_bytes", f"{name} photos must be at most {limit} (this one is {actual})")
        )
        label = f"Recompress under {size_name(m.image_max_bytes)}" + (
            " (as a JPEG of the first frame)" if info.animated else ""
        )
        fixes.append(Fix("compress_under", {"max_bytes": m.image_max_bytes}, label, "too_large_bytes"))
    lo, hi = m.image_min_aspect, m.image_max_aspect
    if _outside(info.aspect, lo, hi):
        problems.append(
            Problem(
                "aspect_ratio",
                f"{name} photos must be {_aspect_rule(lo, hi)}; this one is {aspect_name(info.aspect)} "
                f"({info.width}×{info.height})",
            )
        )
        fixes.extend(_aspect_fixes(info, lo, hi))
    problems_fixes = _dimension_problems(info, m, name)
    problems.extend(problems_fixes[0])
    fixes.extend(problems_fixes[1])
    return problems, fixes


def _dimension_problems(info: MediaInfo, m: MediaLimits, name: str) -> tuple[list[Problem], list[Fix]]:
    problems: list[Problem] = []
    fixes: list[Fix] = []
    if m.image_min_width is not None and info.width < m.image_min_width:
        problems.append(
            Problem(
                "too_small",
                f"{name} photos must be at least {m.image_min_width:,} px wide; "
                f"this one is {info.width:,} px",
            )
        )
        fixes.append(
            Fix(
                "resize",
                {"min_width": m.image_min_width},
                f"Enlarge to {m.image_min_width:,} px wide",
                "too_small",
            )
        )
    if m.image_max_width is not None and info.width > m.image_max_width:
        problems.append(
            Problem(
                "too_wide",
                f"{name} photos must be at most {m.image_max_width:,} px wide; this one is {info.width:,} px",
            )
        )
        fixes.append(
            Fix(
                "resize",
                {"max_width": m.image_max_width},
                f"Resize to {m.image_max_width:,} px wide",
                "too_wide",
            )
        )
    if m.image_max_pixels is not None and info.pixels > m.image_max_pixels:
        problems.append(
            Problem(
                "too_many_pixels",
                f"{name} photos must be at most {megapixels(m.image_max_pixels)} "
                f"({m.image_max_pixels:,} pixels); this one is {megapixels(info.pixels)} "
                f"({info.width}×{info.height})",
            )
        )
        fixes.append(
            Fix(
                "resize",
                {"max_pixels": m.image_max_pixels},
                f"Resize to {megapixels(m.image_max_pixels)}",
                "too_many_pixels",
            )
        )
    return problems, fixes


def _image_advice(info: MediaInfo, spec: NetworkSpec) -> tuple[list[Problem], list[Fix]]:
    advice: list[Problem] = []
    fixes: list[Fix] = []
    if not spec.media.images:
        return advice, fixes
    if info.has_location_metadata:
        advice.append(
            Problem(
                "location_metadata",
                f"{info.name} holds the GPS position where it was taken; strip it before posting to "
                f"{spec.name} if the place should stay private",
            )
        )
        fixes.append(Fix("strip_location", {}, "Strip the GPS location", "location_metadata"))
    if info.mode == "CMYK":
        advice.append(
            Problem(
                "colour_mode",
                f"{info.name} is a CMYK (print) image; {spec.name} may show its colours wrong, so convert "
                "it to an sRGB JPEG",
            )
        )
        fixes.append(Fix("convert_to_jpeg", {}, "Convert to an sRGB JPEG", "colour_mode"))
    return advice, fixes


def _video_problems(info: MediaInfo, spec: NetworkSpec) -> list[Problem]:
    m, name = spec.media, spec.name
    if not m.videos:
        if not m.images:
            return [Problem("video_not_allowed", f"{name} posts can't carry photos or videos")]
        if m.limits_from_server:
            return [
                Problem("video_not_allowed", f"{name} takes photos only (unless your server enables video)")
            ]
        return [Problem("video_not_allowed", f"{name} posts can't carry video, only photos")]
    problems: list[Problem] = []
    if info.format not in m.video_formats:
        problems.append(
            Problem(
                "format",
                f"{name} videos must be {_formats(m.video_formats)}; this one is {info.format.upper()}",
            )
        )
    if m.video_max_bytes is not None and info.bytes > m.video_max_bytes:
        actual, limit = sizes_compared(info.bytes, m.video_max_bytes)
        problems.append(
            Problem("too_large_bytes", f"{name} videos must be at most {limit} (this one is {actual})")
        )
    if info.duration is not None:
        if m.video_min_seconds is not None and info.duration < m.video_min_seconds:
            problems.append(
                Problem(
                    "too_short",
                    f"{name} videos must be at least {duration_name(m.video_min_seconds)} long; "
                    f"this one is {duration_name(info.duration)}",
                )
            )
        if m.video_max_seconds is not None and info.duration > m.video_max_seconds:
            problems.append(
                Problem(
                    "too_long",
                    f"{name} videos must be at most {duration_name(m.video_max_seconds)} long; "
                    f"this one is {duration_name(info.duration)}",
                )
            )
    lo, hi = m.video_min_aspect, m.video_max_aspect
    if _outside(info.aspect, lo, hi):
        problems.append(
            Problem(
                "aspect_ratio",
                f"{name} videos must be {_aspect_rule(lo, hi)}; this one is {aspect_name(info.aspect)} "
                f"({info.width}×{info.height})",
            )
        )
    return problems


def judge(info: MediaInfo, spec: NetworkSpec) -> Verdict:
    """One file against one network's media rules (rules about the whole post: :func:`judge_post`)."""
    if info.kind is MediaKind.VIDEO:
        return Verdict(spec.id, problems=tuple(_video_problems(info, spec)))
    if info.kind is not MediaKind.IMAGE:
        return Verdict(
            spec.id,
            problems=(Problem("format", f"{spec.name} can't post {info.name}: not a photo or video"),),
        )
    problems, fixes = _image_problems(info, spec)
    advice, advice_fixes = _image_advice(info, spec)
    return Verdict(spec.id, problems=tuple(problems), fixes=tuple(fixes + advice_fixes), advice=tuple(advice))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def judge_post(infos: Sequence[MediaInfo], spec: NetworkSpec) -> PostVerdict:
    """A whole post's media: each file's verdict plus the rules about the set.

    Set rules land on the files that break them: with X's 4-photo limit, photos 5 and later get
    ``too_many_images``; with photos and a video where the network can't mix them, the videos get
    ``mixed_media``. A post with no media on a network that needs some gets ``media_required``.
    """
    m, name = spec.media, spec.name
    verdicts = [judge(info, spec) for info in infos]
    if not infos:
        if m.text_only:
            return PostVerdict(spec.id)
        needs = "a video" if not m.images else "a photo or video"
        return PostVerdict(spec.id, problems=(Problem("media_required", f"{name} posts need {needs}"),))
    images = [i for i, info in enumerate(infos) if info.kind is MediaKind.IMAGE]
    videos = [i for i, info in enumerate(infos) if info.kind is MediaKind.VIDEO]
    extra: dict[int, list[Problem]] = {}
    if m.images and len(images) > m.max_images:
        for position, index in enumerate(images, start=1):
            if position > m.max_images:
                extra.setdefault(index, []).append(
                    Problem(
                        "too_many_images",
                        f"{name} posts can have at most {_plural(m.max_images, 'photo')}; this post has "
                        f"{len(images)} (this is photo {position})",
                    )
                )
    if m.videos and m.max_videos is not None and len(videos) > m.max_videos:
        for position, index in enumerate(videos[m.max_videos :], start=m.max_videos + 1):
            extra.setdefault(index, []).append(
                Problem(
                    "too_many_videos",
                    f"{name} posts can have at most {_plural(m.max_videos, 'video')}; this post has "
                    f"{len(videos)} (this is video {position})",
                )
            )
    if images and videos and m.videos and m.images and not m.mixed_media:
        for index in videos:
            extra.setdefault(index, []).append(
                Problem(
                    "mixed_media",
                    f"{name} posts can't mix photos and video; this post has "
                    f"{_plural(len(images), 'photo')} and {_plural(len(videos), 'video')}",
                )
            )
    items = tuple(
        Verdict(v.network, problems=v.problems + tuple(extra.get(i, ())), fixes=v.fixes, advice=v.advice)
        for i, v in enumerate(verdicts)
    )
    return PostVerdict(spec.id, items=items)
