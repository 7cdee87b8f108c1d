"""Decoding a photo for a fix: the first frame, upright, in 8-bit sRGB, with its metadata.

Separate from the fixes so each fix reads as geometry only. Decoding happens only here (never in
``inspect``): the EXIF orientation is applied to the pixels and reset, 16-bit channels are scaled
(not clipped) to 8 bits, palettes become RGB(A), and an ICC profile other than sRGB (CMYK print
profiles, Display P3) is converted to sRGB with LittleCMS. Pillow is imported inside functions.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from providers.errors import MediaError
from providers.media.images import EXIF_GPS_IFD, EXIF_ORIENTATION, opened
from providers.media.probe import inspect

if TYPE_CHECKING:
    from PIL import Image

JPEG_QUALITY = 92
_EXIF_SUB_IFDS = (0x8769, 0xA005)  # Exif and Interop IFDs: loaded so they survive re-serialising


def is_srgb(icc: bytes) -> bool:
    from PIL import ImageCms

    try:
        description = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return True  # an unreadable profile: treat the pixels as sRGB rather than fail
    return "srgb" in description.lower().replace(" ", "")


def _to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Pixels in sRGB (RGB, RGBA or L), whatever the mode, bit depth and ICC profile were."""
    from PIL import ImageCms

    if im.mode in {"I;16", "I;16B", "I;16L", "I;16N", "I"}:
        im = im.convert("I").point(lambda v: v * (1 / 256)).convert("L")  # 16-bit → 8-bit, scaled
    elif im.mode == "F":
        im = im.convert("L")
    elif im.mode in {"P", "PA"}:
        im = im.convert("RGBA" if "transparency" in im.info or im.mode == "PA" else "RGB")
    elif im.mode == "1":
        im = im.convert("L")
    if icc and im.mode in {"RGB", "RGBA", "CMYK"} and (im.mode == "CMYK" or not is_srgb(icc)):
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            dst = ImageCms.createProfile("sRGB")
            out_mode = "RGBA" if im.mode == "RGBA" else "RGB"
            converted = ImageCms.profileToProfile(im, src, dst, outputMode=out_mode)
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: fall back to Pillow's plain conversion below
    if im.mode not in {"RGB", "RGBA", "L", "LA"}:
        im = im.convert("RGBA" if "A" in im.mode else "RGB")
    return im


class Loaded:
    """An upright, sRGB image plus the metadata a fix writes back."""

    def __init__(self, image: Image.Image, fmt: str, exif: Image.Exif, icc: bytes | None) -> None:
        self.image = image
        self.format = fmt
        self.exif = exif
        self.icc = icc  # kept only when the pixels are still in it (an sRGB profile)


def load(path: Path, *, fit_within: tuple[int, int] | None = None) -> Loaded:
    """Decode the first frame, upright and in sRGB. ``fit_within`` lets JPEG decode at a reduced
    scale (DCT scaling) when the fix will shrink it anyway."""
    from PIL import Image, ImageOps

    info = inspect(path)
    if info.kind.value != "image":
        raise MediaError(path, "unsupported", "only photos can be fixed by linkdeck, not videos")
    with opened(path, info.format) as im, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # damaged EXIF tags and large-image warnings: handled here
        try:
            if fit_within and info.format == "jpeg":
                w, h = fit_within if info.orientation < 5 else (fit_within[1], fit_within[0])
                im.draft(im.mode, (w, h))
            im.seek(0)
            im.load()
            icc = im.info.get("icc_profile")
            upright = ImageOps.exif_transpose(im) or im
        except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as exc:
            raise MediaError(path, "corrupt", f"its pixels can't be decoded ({exc})") from None
        exif = Image.Exif()
        raw = upright.info.get("exif") or im.info.get("exif")
        if isinstance(raw, bytes | bytearray) and raw:
            try:
                exif.load(bytes(raw))
                for tag in _EXIF_SUB_IFDS:
                    if tag in exif:
                        exif.get_ifd(tag)
                if EXIF_GPS_IFD in exif:
                    exif.get_ifd(EXIF_GPS_IFD)
            except (OSError, ValueError, SyntaxError, TypeError, KeyError):
                exif = Image.Exif()
        exif.pop(EXIF_ORIENTATION, None)
        image = _to_srgb(upright, icc if isinstance(icc, bytes) else None)
        keep_icc = icc if isinstance(icc, bytes) and image.mode != "CMYK" and is_srgb(icc) else None
        return Loaded(image, info.format, exif, keep_icc)


def flatten(im: Image.Image, colour: str = "white") -> Image.Image:
    """JPEG has no alpha: composite transparent pixels onto a colour."""
    from PIL import Image

    if im.mode in {"RGBA", "LA"}:
        background = Image.new("RGB", im.size, colour)
        background.paste(im.convert("RGBA"), mask=im.convert("RGBA").getchannel("A"))
        return background
    return im if im.mode in {"RGB", "L"} else im.convert("RGB")


def encode(loaded: Loaded, im: Image.Image, as_png: bool, quality: int = JPEG_QUALITY) -> bytes:
    buf = io.BytesIO()
    exif = loaded.exif.tobytes() if len(loaded.exif) else b""
    extra: dict[str, Any] = {}
    if loaded.icc:
        extra["icc_profile"] = loaded.icc
    if exif:
        extra["exif"] = exif
    if as_png:
        im.save(buf, "PNG", **extra)
    else:
        flatten(im).save(buf, "JPEG", quality=quality, **extra)
    return buf.getvalue()
