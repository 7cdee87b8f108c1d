"""Videos through PyAV (FFmpeg's libraries, shipped inside the wheel).

PyAV is imported inside :func:`probe_video`, never at module import. Only container and stream
headers are read, plus the first video frame when needed for the display rotation (a phone's
portrait video is stored landscape with a rotation), which FFmpeg reports on decoded frames.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from providers.errors import MediaError
from providers.media.model import MediaInfo, MediaKind


def _rotation(container: Any, stream: Any) -> int:
    """Degrees the player turns the picture; 0 when the first frame can't be decoded."""
    try:
        for frame in container.decode(stream):
            return round(float(getattr(frame, "rotation", 0) or 0)) % 360
    except Exception:  # any decoder failure only means "no rotation known"
        return 0
    return 0


def _duration(container: Any, stream: Any) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        import av

        return float(container.duration) / av.time_base
    return None


def probe_video(path: Path, fmt: str, size: int) -> MediaInfo:
    """Container, codecs, duration, displayed size and frame rate of a video file."""
    try:
        import av
    except ImportError as exc:  # pragma: no cover - av is a runtime dependency
        raise MediaError(path, "unsupported", f"reading video needs PyAV ({exc})") from None
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.FFmpegError as exc:
        raise MediaError(
            path, "corrupt", f"it is not a readable {fmt.upper()} video ({exc.strerror})"
        ) from None
    with container:
        if not container.streams.video:
            if container.streams.audio:
                raise MediaError(path, "not_media", f"the {fmt.upper()} file has sound only, no video track")
            raise MediaError(
                path, "corrupt", f"the {fmt.upper()} has no readable video track (the file may be cut short)"
            )
        stream = container.streams.video[0]
        ctx = stream.codec_context
        width, height = int(ctx.width or 0), int(ctx.height or 0)
        if width <= 0 or height <= 0:
            raise MediaError(
                path, "corrupt", "its video track has no picture size (the file may be cut short)"
            )
        rate = stream.average_rate or stream.guessed_rate
        audio = container.streams.audio[0].codec_context.name if container.streams.audio else None
        duration = _duration(container, stream)
        rotation = _rotation(container, stream)
        if rotation in (90, 270):
            width, height = height, width
        return MediaInfo(
            path=path,
            kind=MediaKind.VIDEO,
            format=fmt,
            bytes=size,
            width=width,
            height=height,
            frames=int(stream.frames or 0),
            mode=str(ctx.pix_fmt or ""),
            container=str(container.format.name),
            codec=str(ctx.name),
            duration=duration,
            fps=float(rate) if rate else None,
            audio_codec=str(audio) if audio else None,
            rotation=rotation,
        )
