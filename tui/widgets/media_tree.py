"""A directory tree that lists only folders and files linkdeck can publish."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.widgets import DirectoryTree

MEDIA_SUFFIXES = frozenset(
    {
        ".jpg",
        ".jpeg",
        ".png",
        ".gif",
        ".webp",
        ".heic",
        ".heif",
        ".avif",
        ".tif",
        ".tiff",
        ".bmp",
        ".mp4",
        ".mov",
        ".m4v",
        ".webm",
        ".mkv",
    }
)


def is_media(path: Path) -> bool:
    return path.suffix.lower() in MEDIA_SUFFIXES


class MediaTree(DirectoryTree):
    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [p for p in paths if not p.name.startswith(".") and (p.is_dir() or is_media(p))]
