"""Fixes: each one writes a NEW file and returns its path; the original is never touched.

Where fixed files go: ``paths.cache_dir()/fixed/`` (under ``LINKDECK_HOME`` in tests), named
``<stem>.linkdeck-<fix>-<digest>.<ext>``. The digest covers the source's path, size and mtime and
the fix's parameters, so applying the same fix twice reuses the first result, and a changed source
gets a new file. Writing beside the user's photos was rejected: the folder may be read-only (a
camera card, a mounted share) and it would litter their library. Pass ``out_dir`` to choose.

Output format: ``convert_to_jpeg`` and ``compress_under`` always write a baseline sRGB JPEG.
``crop``, ``pad``, ``resize`` and ``strip_location`` keep a PNG as PNG (lossless, keeps
transparency) and write every other format as JPEG (an animation keeps its first frame only).
``strip_location`` on a JPEG is lossless: only the metadata segments are rewritten.

Every output honours the EXIF orientation (pixels are turned upright and the tag reset to 1) and
is converted to sRGB when the source has another ICC profile (a CMYK print profile, Display P3).
Other EXIF (camera, date) is kept; the GPS position is kept unless ``strip_location`` is asked for.
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from providers.errors import MediaError
from providers.media.images import EXIF_GPS_IFD
from providers.media.model import Fix, Verdict
from providers.media.pixels import Loaded, encode, flatten, load
from providers.media.probe import inspect

if TYPE_CHECKING:
    from PIL import Image

ANCHORS = ("center", "top", "bottom", "left", "right")
# The order fixes are applied in by apply_all: format first, then geometry, then size in bytes.
STAGES = ("convert_to_jpeg", "strip_location", "crop", "pad", "resize", "compress_under")


def fixed_dir() -> Path:
    from providers import paths

    path = paths.cache_dir() / "fixed"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _output_path(source: Path, fix: str, params: dict[str, Any], ext: str, out_dir: Path | None) -> Path:
    stat = source.stat()
    key = f"{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{fix}|{sorted(params.items())}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    stem = source.name.split(".linkdeck-")[0].rsplit(".", 1)[0] or "media"
    folder = out_dir if out_dir is not None else fixed_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{stem}.linkdeck-{fix.replace('_', '-')}-{digest}.{ext}"


def _write_atomically(target: Path, data: bytes) -> Path:
    """Write through a temporary file in the same folder, so a crash never leaves half a photo."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _save(
    source: Path,
    fix: str,
    params: dict[str, Any],
    loaded: Loaded,
    im: Image.Image,
    out_dir: Path | None,
    *,
    keep_png: bool = True,
) -> Path:
    as_png = keep_png and loaded.format == "png"
    target = _output_path(source, fix, params, "png" if as_png else "jpg", out_dir)
    data = encode(loaded, im, as_png)
    return _write_atomically(target, data)


def _cached(source: Path, fix: str, params: dict[str, Any], ext: str, out_dir: Path | None) -> Path | None:
    target = _output_path(source, fix, params, ext, out_dir)
    return target if target.exists() else None


# --- the fixes --------------------------------------------------------------------------------


def _target_aspect(aspect: float, aspect_min: float | None, aspect_max: float | None) -> float | None:
    if aspect_min is not None and aspect < aspect_min:
        return aspect_min
    if aspect_max is not None and aspect > aspect_max:
        return aspect_max
    return None


def crop(
    path: str | os.PathLike[str],
    aspect_min: float | None = None,
    aspect_max: float | None = None,
    anchor: str = "center",
    *,
    out_dir: Path | None = None,
) -> Path:
    """Cut the photo to the nearest allowed aspect (width / height), keeping the ``anchor`` side.

    Too tall → rows are removed (anchor top/bottom/center); too wide → columns (left/right/center).
    Sizes round inward, so the result is always inside the range.
    """
    source = Path(path)
    if anchor not in ANCHORS:
        raise ValueError(f"anchor must be one of {', '.join(ANCHORS)}, not {anchor!r}")
    params = {"aspect_min": aspect_min, "aspect_max": aspect_max, "anchor": anchor}
    loaded = load(source)
    im = loaded.image
    w, h = im.size
    target = _target_aspect(w / h, aspect_min, aspect_max)
    if target is not None:
        if w / h < target:  # too tall: keep the full width
            new_h = max(1, math.floor(w / target))
            top = {"top": 0, "bottom": h - new_h}.get(anchor, (h - new_h) // 2)
            im = im.crop((0, top, w, top + new_h))
        else:  # too wide: keep the full height
            new_w = max(1, math.floor(h * target))
            left = {"left": 0, "right": w - new_w}.get(anchor, (w - new_w) // 2)
            im = im.crop((left, 0, left + new_w, h))
    return _save(source, "crop", params, loaded, im, out_dir)


def pad(
    path: str | os.PathLike[str],
    aspect_min: float | None = None,
    aspect_max: float | None = None,
    colour: str = "white",
    *,
    out_dir: Path | None = None,
) -> Path:
    """Add bars (``colour``: a name or #rrggbb) to reach the nearest allowed aspect; nothing is cut."""
    from PIL import Image, ImageColor

    source = Path(path)
    try:
        ImageColor.getrgb(colour)
    except ValueError:
        raise ValueError(f"colour must be a colour name or #rrggbb, not {colour!r}") from None
    params = {"aspect_min": aspect_min, "aspect_max": aspect_max, "colour": colour}
    loaded = load(source)
    im = loaded.image
    w, h = im.size
    target = _target_aspect(w / h, aspect_min, aspect_max)
    if target is not None:
        # Too tall: widen; too wide: heighten.
        size = (math.ceil(h * target), h) if w / h < target else (w, math.ceil(w / target))
        mode = "RGBA" if im.mode in {"RGBA", "LA"} else "RGB"
        canvas = Image.new(mode, size, colour)
        canvas.paste(im.convert(mode), ((size[0] - w) // 2, (size[1] - h) // 2))
        im = canvas
    return _save(source, "pad", params, loaded, im, out_dir)


def _resized_size(
    w: int, h: int, max_width: int | None, max_pixels: int | None, min_width: int | None
) -> tuple[int, int]:
    scale = 1.0
    if max_width is not None and w > max_width:
        scale = min(scale, max_width / w)
    if max_pixels is not None and w * h > max_pixels:
        scale = min(scale, math.sqrt(max_pixels / (w * h)))
    if min_width is not None and w < min_width and scale == 1.0:
        scale = min_width / w
    new_w, new_h = max(1, math.floor(w * scale)), max(1, math.floor(h * scale))
    if min_width is not None and scale > 1:
        new_w = max(new_w, min_width)
    while max_pixels is not None and new_w * new_h > max_pixels:
        new_w, new_h = new_w - 1, max(1, math.floor((new_w - 1) * h / w))
    return new_w, new_h


def resize(
    path: str | os.PathLike[str],
    max_width: int | None = None,
    max_pixels: int | None = None,
    min_width: int | None = None,
    *,
    out_dir: Path | None = None,
) -> Path:
    """Scale the photo (aspect kept) to fit ``max_width`` and ``max_pixels``, or up to ``min_width``."""
    from PIL import Image

    source = Path(path)
    params = {"max_width": max_width, "max_pixels": max_pixels, "min_width": min_width}
    info = inspect(source)
    size = _resized_size(info.width, info.height, max_width, max_pixels, min_width)
    loaded = load(source, fit_within=size)
    im = loaded.image
    if im.size != size:
        im = im.resize(size, Image.Resampling.LANCZOS)
    return _save(source, "resize", params, loaded, im, out_dir)


def convert_to_jpeg(path: str | os.PathLike[str], *, out_dir: Path | None = None) -> Path:
    """An sRGB 8-bit JPEG of the (first frame of the) photo: from HEIC, WebP, PNG, CMYK, 16-bit…"""
    source = Path(path)
    loaded = load(source)
    return _save(source, "convert_to_jpeg", {}, loaded, loaded.image, out_dir, keep_png=False)


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
        target = _output_path(source, "compress_under", params, source.suffix.lstrip(".") or "jpg", out_dir)
        shutil.copyfile(source, target)
        return target
    if (hit := _cached(source, "compress_under", params, "jpg", out_dir)) is not None:
        return hit
    loaded = load(source)
    im = flatten(loaded.image)
    for _ in range(8):
        data = _best_quality(loaded, im, max_bytes)
        if data is not None:
            target = _output_path(source, "compress_under", params, "jpg", out_dir)
            return _write_atomically(target, data)
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

        target = _output_path(source, "strip_location", {}, "jpg", out_dir)
        data = without_location(source.read_bytes())
        return _write_atomically(target, data)
    loaded = load(source)
    loaded.exif.pop(EXIF_GPS_IFD, None)
    return _save(source, "strip_location", {}, loaded, loaded.image, out_dir)


# --- applying fixes from a verdict --------------------------------------------------------------

FUNCTIONS: dict[str, Callable[..., Path]] = {
    "crop": crop,
    "pad": pad,
    "resize": resize,
    "convert_to_jpeg": convert_to_jpeg,
    "compress_under": compress_under,
    "strip_location": strip_location,
}


def apply(path: str | os.PathLike[str], fix: Fix, *, out_dir: Path | None = None) -> Path:
    """Run one :class:`Fix` from a verdict; returns the new file."""
    try:
        function = FUNCTIONS[fix.function]
    except KeyError:
        raise ValueError(f"unknown fix {fix.function!r}; known: {', '.join(FUNCTIONS)}") from None
    return function(Path(path), **fix.params, out_dir=out_dir)


def plan(verdict: Verdict, *, include_advice: bool = False) -> tuple[Fix, ...]:
    """One fix per problem (the first offered: crop before pad), in the order they should run."""
    wanted = {p.code for p in verdict.problems}
    if include_advice:
        wanted |= {a.code for a in verdict.advice}
    chosen: dict[str, Fix] = {}
    for fix in verdict.fixes:
        if fix.resolves in wanted and fix.resolves not in chosen:
            chosen[fix.resolves] = fix
    unique: dict[tuple[str, str], Fix] = {}
    for fix in chosen.values():
        unique.setdefault((fix.function, repr(sorted(fix.params.items()))), fix)
    return tuple(sorted(unique.values(), key=lambda f: STAGES.index(f.function)))


def apply_all(path: str | os.PathLike[str], fixes: Iterable[Fix], *, out_dir: Path | None = None) -> Path:
    """Run several fixes in sequence, each on the previous one's output; returns the last file.

    Pass :func:`plan`'s result. Intermediate files stay in the fixed folder (they are cached).
    """
    current = Path(path)
    ordered: Sequence[Fix] = sorted(fixes, key=lambda f: STAGES.index(f.function))
    for fix in ordered:
        current = apply(current, fix, out_dir=out_dir)
    return current
