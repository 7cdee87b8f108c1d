"""The media engine's plain data: what a file is, what a network thinks of it, and how to fix it.

Everything here is a frozen dataclass with no third-party imports, so the TUI, the CLI and the
publishing engine can hold and pass these around (and turn them into JSON) without loading Pillow
or PyAV. Messages are written for the user: they name the file, the network and the rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class MediaKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class MediaInfo:
    """Facts about one file, read from its headers (pixel data is not decoded for photos).

    ``width``/``height`` are as displayed: after the EXIF orientation of a photo and the rotation of
    a video, so a portrait phone photo stored landscape reads as portrait.
    """

    path: Path
    kind: MediaKind
    format: str  # lower case: jpeg, png, gif, webp, heic, avif, bmp, tiff; mp4, mov, webm, mkv, avi…
    bytes: int
    width: int
    height: int
    frames: int = 1  # > 1 for an animated GIF/WebP; a video's frame count when its container says
    mode: str = ""  # Pillow's mode: RGB, RGBA, CMYK, L, P, I;16…; a video's pixel format (yuv420p)
    bits: int = 8  # bits per channel (16 for a 16-bit PNG)
    orientation: int = 1  # EXIF orientation (1-8) of a photo, already applied to width/height
    has_icc_profile: bool = False
    has_location_metadata: bool = False  # EXIF GPS (or XMP GPS) present
    # Video only.
    container: str = ""  # FFmpeg's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    codec: str = ""  # h264, hevc, vp9, av1…
    duration: float | None = None  # seconds
    fps: float | None = None
    audio_codec: str | None = None  # None: no audio track
    rotation: int = 0  # degrees a player turns the stored frames, already applied to width/height

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def aspect(self) -> float:
        """Width / height as displayed."""
        return self.width / self.height if self.height else 0.0

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def animated(self) -> bool:
        return self.kind is MediaKind.IMAGE and self.frames > 1

    @property
    def colour(self) -> str:
        """A short colour description for people: RGB, RGBA, CMYK, greyscale, palette, 16-bit…"""
        if self.kind is not MediaKind.IMAGE:
            return self.mode
        base = {"L": "greyscale", "LA": "greyscale+alpha", "P": "palette", "1": "black and white"}.get(
            self.mode, self.mode
        )
        if self.mode.startswith("I;16") or self.mode in {"I", "F"}:
            base = "greyscale"
        return f"{base} 16-bit" if self.bits == 16 else base

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file": self.name,
            "path": str(self.path),
            "kind": str(self.kind),
            "format": self.format,
            "bytes": self.bytes,
            "width": self.width,
            "height": self.height,
        }
        if self.kind is MediaKind.IMAGE:
            data |= {
                "frames": self.frames,
                "mode": self.mode,
                "bits": self.bits,
                "orientation": self.orientation,
                "has_icc_profile": self.has_icc_profile,
                "has_location_metadata": self.has_location_metadata,
            }
        else:
            data |= {
                "container": self.container,
                "codec": self.codec,
                "duration": self.duration,
                "fps": self.fps,
                "audio_codec": self.audio_codec,
                "rotation": self.rotation,
            }
        return data


@dataclass(frozen=True)
class Problem:
    """One broken rule. ``code`` is stable (tests, scripts, the UI's icons); ``message`` is for people."""

    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class Fix:
    """A one-key remedy: which function in :mod:`providers.media.fixes` to call, with what.

    ``apply(path, fix)`` in that module runs it. ``resolves`` is the problem code it answers.
    ``params`` holds only JSON-friendly values so the CLI can print it and the UI can store it.
    """

    function: str  # crop, pad, resize, convert_to_jpeg, compress_under, strip_location
    params: dict[str, Any]
    label: str  # "Crop to 4:5 (centre)"
    resolves: str

    def to_json(self) -> dict[str, Any]:
        return {
            "fix": self.function,
            "params": dict(self.params),
            "label": self.label,
            "resolves": self.resolves,
        }


@dataclass(frozen=True)
class Verdict:
    """What one network thinks of one file.

    ``problems`` are rules the file breaks (the network would refuse it); ``advice`` are things worth
    knowing that no rule forbids (location metadata, CMYK colours). ``fixes`` covers both, problems
    first, so a UI can offer one key per fix.
    """

    network: str  # catalog id
    problems: tuple[Problem, ...] = ()
    fixes: tuple[Fix, ...] = ()
    advice: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class PostVerdict:
    """What one network thinks of a whole post: each file's verdict plus the post's own rules.

    Rules about the set (too many photos, mixing photos and video) are put on the files that break
    them (the fifth photo for X) so every problem has a file; ``problems`` holds what has no file
    (a network that needs media, given none).
    """

    network: str
    items: tuple[Verdict, ...] = ()
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems and all(item.ok for item in self.items)
