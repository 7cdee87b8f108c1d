"""``inspect(path)``: what a file is, read from headers, or a MediaError that says what is wrong.

The format comes from the file's first bytes (never its extension), completeness from its
structure; photos go to Pillow, videos to PyAV. Every failure, whatever library raised it, ends as
a :class:`MediaError` naming the file and the problem, so no caller ever shows a traceback.
"""

from __future__ import annotations

import os
import stat as stat_module
from pathlib import Path

from providers.errors import MediaError
from providers.media.model import MediaInfo, MediaKind
from providers.media.sniff import HEAD_BYTES, describe_unknown, sniff, truncation


def _special_kind(mode: int) -> str | None:
    """What a path that is not a regular file is, in words (None: a regular file)."""
    kinds = (
        (stat_module.S_ISDIR, "a folder"),
        (stat_module.S_ISFIFO, "a FIFO (named pipe)"),
        (stat_module.S_ISCHR, "a character device"),
        (stat_module.S_ISBLK, "a block device"),
        (stat_module.S_ISSOCK, "a socket"),
    )
    return next((words for test, words in kinds if test(mode)), None)


def _read_head(path: Path) -> tuple[bytes, int]:
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise MediaError(path, "not_found", "no such file") from None
    except OSError as exc:
        raise MediaError(path, "unreadable", f"can't be read ({exc.strerror or exc})") from None
    kind = _special_kind(stat.st_mode)
    if kind:  # never opened: reading a FIFO blocks, /dev/zero never ends
        raise MediaError(path, "unreadable", f"is {kind}, not a photo or video file")
    if stat.st_size == 0:
        raise MediaError(path, "empty", "the file is empty (0 bytes)")
    try:
        with path.open("rb") as f:
            return f.read(HEAD_BYTES), stat.st_size
    except OSError as exc:
        raise MediaError(path, "unreadable", f"can't be read ({exc.strerror or exc})") from None


def inspect(path: str | os.PathLike[str]) -> MediaInfo:
    """Facts about a photo or video without decoding its pixels; raises :class:`MediaError`."""
    path = Path(path)
    head, size = _read_head(path)
    kind, fmt = sniff(head)
    if kind is MediaKind.UNKNOWN:
        raise MediaError(path, "not_media", f"not a photo or video: {describe_unknown(head)}")
    try:
        # The header first: a decompression bomb is reported as one even though it has no pixels.
        if kind is MediaKind.IMAGE:
            from providers.media.images import probe_image

            info = probe_image(path, fmt, size, head)
        else:
            from providers.media.video import probe_video

            info = probe_video(path, fmt, size)
        problem = truncation(path, fmt, size)
    except MediaError:
        raise
    except Exception as exc:  # a decoder library failing in a way it doesn't document
        raise MediaError(
            path, "corrupt", f"its {fmt.upper()} data is damaged ({type(exc).__name__}: {exc})"
        ) from None
    if problem:
        raise MediaError(path, "truncated", problem)
    return info
