"""Stand-ins the Bluesky publisher tests hand to it: a photo with an EXIF rotation, a delivery."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from providers import clock


def photo(path: Path) -> bytes:
    """A JPEG stored 64×48 with EXIF orientation 6: shown rotated, 48 wide and 64 high."""
    from PIL import Image

    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = image.getexif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def delivery(key: str = "d" * 32) -> Any:
    """What the publisher reads of a delivery: when it was made and its idempotency key."""
    return SimpleNamespace(created_at=clock.now(), idempotency_key=key)
