"""Fixes that change how the picture is stored: ``convert_to_jpeg`` (an sRGB 8-bit JPEG from HEIC,
WebP, PNG, CMYK, 16-bit…), ``compress_under`` a number of bytes, and ``strip_location`` (the GPS
position out of EXIF and XMP).

Each writes a NEW file through :mod:`.output` and returns its path; the original is never
touched. ``convert_to_jpeg`` and ``compress_under`` always write a baseline sRGB JPEG.
``strip_location`` on a JPEG is lossless (only the metadata segments are rewritten); any other
format is saved as the geometry fixes save it (a PNG stays PNG, the rest becomes JPEG). Other
EXIF (camera, date) is kept.
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from providers.errors import MediaError
from providers.media.fixes.output import cached, output_path, save, write_atomically
from providers.media.images import EXIF_GPS_IFD
from providers.media.pixels import Loaded, encode, flatten, load
from providers.media.probe import inspect

if TYPE_CHECKING:
    from PIL import Image


def convert_to_jpeg(path: str | os.PathLike[str], *, out_dir: Path | None = None) -> Path:
    """An sRGB 8-bit JPEG of the (first frame of the) photo: from HEIC, WebP, PNG, CMYK, 16-bit…"""
    source = Path(path)
    loaded = load(source)
    return save(source, "convert_to_jpeg", {}, loaded, loaded.image, out_dir, keep_png=False)


def compress_under(path: str | os.PathLike[str], max_bytes: int, *, out_dir: Path | None = None) -> Path:
    """A JPEG of at most ``max_bytes``: the best quality that fits, then smaller sizes if none does.

    A source already under the limit is copied unchanged (still a new file).
    """
    from PIL import Image

    source = Path(path)
    params = {"max_bytes": max_bytes}
    if max_bytes < 10_000:
        raise ValueError(f"max_bytes must be at least 10,000, not {max_bytes:,}")
    info = inspect(source)
    if info.bytes <= max_bytes:
        target = output_path(source, "compress_under", params, source.suffix.lstrip(".") or "jpg", out_dir)
        shutil.copyfile(source, target)
        return target
    if (hit := cached(source, "compress_under", params, "jpg", out_dir)) is not None:
        return hit
    loaded = load(source)
    im = flatten(loaded.image)
    for _ in range(8):
        data = _best_quality(loaded, im, max_bytes)
        if data is not None:
            target = output_path(source, "compress_under", params, "jpg", out_dir)
            return write_atomically(target, data)
        smallest = len(encode(loaded, im, False, quality=_MIN_QUALITY))
        scale = min(0.9, math.sqrt(max_bytes / smallest) * 0.95)
        size = (max(1, int(im.width * scale)), max(1, int(im.height * scale)))
        im = im.resize(size, Image.Resampling.LANCZOS)
    raise MediaError(source, "unsupported", f"could not be compressed under {max_bytes:,} bytes")


_MIN_QUALITY = 60


def _best_quality(loaded: Loaded, im: Image.Image, max_bytes: int) -> bytes | None:
    """Binary search on JPEG quality (60-95): the largest encoding that fits, or None."""
    lo, hi, best = _MIN_QUALITY, 95, None
    while lo <= hi:
        quality = (lo + hi) // 2
        data = encode(loaded, im, False, quality=quality)
        if len(data) <= max_bytes:
            best, lo = data, quality + 1
        else:
            hi = quality - 1
    return best


def strip_location(path: str | os.PathLike[str], *, out_dir: Path | None = None) -> Path:
    """A copy without the GPS position (EXIF GPS and XMP that mentions GPS); JPEG pixels untouched."""
    source = Path(path)
    info = inspect(source)
    if info.format == "jpeg":
        from providers.media.jpegmeta import without_location

        target = output_path(source, "strip_location", {}, "jpg", out_dir)
        data = without_location(source.read_bytes())
        return write_atomically(target, data)
    loaded = load(source)
    loaded.exif.pop(EXIF_GPS_IFD, None)
    return save(source, "strip_location", {}, loaded, loaded.image, out_dir)
