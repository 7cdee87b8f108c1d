"""Where fixed files go and how they are written; every fix in this package saves through here.

Where: ``paths.cache_dir()/fixed/`` (under ``LINKDECK_HOME`` in tests), named
``<stem>.linkdeck-<fix>-<digest>.<ext>``. The digest covers the source's path, size and mtime and
the fix's parameters, so applying the same fix twice reuses the first result, and a changed source
gets a new file. Writing beside the user's photos was rejected: the folder may be read-only (a
camera card, a mounted share) and it would litter their library. Pass ``out_dir`` to choose.

How: through a temporary file in the same folder, so a crash never leaves half a photo; a PNG
stays PNG when the fix allows it (lossless, keeps transparency), anything else becomes JPEG.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from providers.media.pixels import Loaded, encode

if TYPE_CHECKING:
    from PIL import Image


def fixed_dir() -> Path:
    from providers import paths

    path = paths.cache_dir() / "fixed"
    path.mkdir(parents=True, exist_ok=True)
    return path


def output_path(source: Path, fix: str, params: dict[str, Any], ext: str, out_dir: Path | None) -> Path:
    """The file this fix of this source (as it is now) writes; its folder is created."""
    stat = source.stat()
    key = f"{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{fix}|{sorted(params.items())}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    stem = source.name.split(".linkdeck-")[0].rsplit(".", 1)[0] or "media"
    folder = out_dir if out_dir is not None else fixed_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{stem}.linkdeck-{fix.replace('_', '-')}-{digest}.{ext}"


def write_atomically(target: Path, data: bytes) -> Path:
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


def save(
    source: Path,
    fix: str,
    params: dict[str, Any],
    loaded: Loaded,
    im: Image.Image,
    out_dir: Path | None,
    *,
    keep_png: bool = True,
) -> Path:
    """Encode ``im`` (as PNG when ``keep_png`` and the source is one, else as JPEG) and write it."""
    as_png = keep_png and loaded.format == "png"
    target = output_path(source, fix, params, "png" if as_png else "jpg", out_dir)
    data = encode(loaded, im, as_png)
    return write_atomically(target, data)


def cached(source: Path, fix: str, params: dict[str, Any], ext: str, out_dir: Path | None) -> Path | None:
    """The file an earlier run of the same fix wrote, if it is still there."""
    target = output_path(source, fix, params, ext, out_dir)
    return target if target.exists() else None
