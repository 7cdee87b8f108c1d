"""The media engine: inspect a photo or video, judge it against each network, fix what fails.

    info = inspect("photo.heic")                  # MediaInfo, or MediaError (never a traceback)
    verdict = judge(info, catalog.get("instagram"))   # Verdict: ok, problems, fixes, advice
    post = judge_post([info, ...], spec)          # PostVerdict: per-file verdicts + post rules
    new_path = fixes.apply(info.path, verdict.fixes[0])   # a NEW file; the original is untouched

Importing this package loads no imaging library: Pillow, pillow-heif and PyAV are imported inside
the functions that need them, so the TUI can import it on its start-up path.
"""

from __future__ import annotations

from providers.errors import MediaError
from providers.media.judge import judge, judge_post
from providers.media.model import Fix, MediaInfo, MediaKind, PostVerdict, Problem, Verdict
from providers.media.probe import inspect

__all__ = [
    "Fix",
    "MediaError",
    "MediaInfo",
    "MediaKind",
    "PostVerdict",
    "Problem",
    "Verdict",
    "inspect",
    "judge",
    "judge_post",
]
