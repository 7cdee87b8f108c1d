"""Fixes that change what the picture shows: ``crop`` and ``pad`` to an allowed aspect, ``resize``
to fit (or reach) a width and a pixel count.

Each writes a NEW file through :mod:`.output` and returns its path; the original is never
touched. A PNG stays PNG (lossless, keeps transparency) and every other format becomes JPEG (an
animation keeps its first frame only). The output is turned upright per its EXIF orientation and
converted to sRGB (:mod:`providers.media.pixels`).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from providers.media.fixes.output import save
from providers.media.pixels import load
from providers.media.probe import inspect

ANCHORS = ("center", "top", "bottom", "left", "right")


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
    return save(source, "crop", params, loaded, im, out_dir)


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
    return save(source, "pad", params, loaded, im, out_dir)


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
    return save(source, "resize", params, loaded, im, out_dir)
