"""Photos through Pillow: facts from headers only, and a guarded open for the fixes.

Pillow (and pillow-heif for HEIC) is imported inside these functions, never when the module is
imported, so nothing on the TUI's start-up path pays for it. ``Image.open`` reads only the header;
pixels are decoded by the fixes, never by :func:`probe_image`. Pillow's own decompression-bomb
guard is kept at its error threshold and turned into a :class:`MediaError`; its warning (between
89 and 179 MP) is silenced, because large panoramas are legitimate and only decoded on request.
"""

from __future__ import annotations

import importlib
import re
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from providers.errors import MediaError
from providers.media.model import MediaInfo, MediaKind
from providers.media.units import megapixels

if TYPE_CHECKING:
    from PIL import Image

# Pillow's DecompressionBombError threshold (2 × its default MAX_IMAGE_PIXELS): larger than any
# camera or phone panorama linkdeck expects, far below what would exhaust memory when decoded.
MAX_PIXELS = 178_956_970

_PIL_NAMES = {
    "jpeg": "JPEG",
    "png": "PNG",
    "gif": "GIF",
    "webp": "WEBP",
    "bmp": "BMP",
    "tiff": "TIFF",
    "heic": "HEIF",
    "avif": "AVIF",
}
_PLUGINS = {
    "jpeg": "JpegImagePlugin",
    "png": "PngImagePlugin",
    "gif": "GifImagePlugin",
    "webp": "WebPImagePlugin",
    "bmp": "BmpImagePlugin",
    "tiff": "TiffImagePlugin",
    "avif": "AvifImagePlugin",
}
EXIF_ORIENTATION = 0x0112
EXIF_GPS_IFD = 0x8825
_BOMB_SIZE = re.compile(r"\((\d+) pixels\)")


def _register(fmt: str) -> None:
    """Load only the one Pillow plugin this format needs (Image.init() would load all of them)."""
    if fmt == "heic" or (fmt == "avif" and not _pillow_has_avif()):
        import pillow_heif

        pillow_heif.register_heif_opener()
        return
    importlib.import_module(f"PIL.{_PLUGINS[fmt]}")


def _pillow_has_avif() -> bool:
    from PIL import features

    return bool(features.check("avif"))


def _bomb(path: Path, pixels: int | None) -> MediaError:
    claimed = f"{megapixels(pixels)} ({pixels:,} pixels)" if pixels else "more pixels than is safe"
    return MediaError(
        path,
        "decompression_bomb",
        f"it claims to be {claimed}, over the {megapixels(MAX_PIXELS)} that linkdeck will open "
        "(a possible decompression bomb); nothing was decoded",
    )


@contextmanager
def opened(path: Path, fmt: str) -> Iterator[Image.Image]:
    """``Image.open`` with the bomb guard and every Pillow failure turned into a MediaError."""
    from PIL import Image, UnidentifiedImageError

    if fmt not in _PIL_NAMES:
        raise MediaError(path, "unsupported", f"{fmt.upper()} photos can't be read by linkdeck")
    try:
        _register(fmt)
    except ImportError as exc:
        raise MediaError(
            path, "unsupported", f"reading {fmt.upper()} needs a missing library ({exc})"
        ) from None
    with warnings.catch_warnings():
        # DecompressionBombWarning (89-179 MP) and damaged-metadata UserWarnings: the size is
        # checked below, and a damaged tag is not worth a line of noise on the user's terminal.
        warnings.simplefilter("ignore")
        try:
            im = Image.open(path, formats=[_PIL_NAMES[fmt]])
        except Image.DecompressionBombError as exc:
            found = _BOMB_SIZE.search(str(exc))
            raise _bomb(path, int(found.group(1)) if found else None) from None
        except UnidentifiedImageError:
            raise MediaError(path, "corrupt", f"it is not a readable {fmt.upper()} image") from None
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError) as exc:
            raise MediaError(path, "corrupt", f"its {fmt.upper()} header is damaged ({exc})") from None
    with im:
        if im.width * im.height > MAX_PIXELS:
            raise _bomb(path, im.width * im.height)
        if im.width <= 0 or im.height <= 0:
            raise MediaError(path, "corrupt", f"its {fmt.upper()} header says it is {im.width}×{im.height}")
        yield im


def exif_of(im: Image.Image, fmt: str) -> Image.Exif:
    """The EXIF block without decoding pixels.

    For JPEG, TIFF and HEIC it is read with the header. Pillow's PNG ``getexif`` loads the whole
    image when the eXIf chunk comes after the pixels, so for other formats only what the header
    already holds is used.
    """
    from PIL import Image

    if fmt in {"jpeg", "tiff", "heic", "avif"}:
        return im.getexif()
    exif = Image.Exif()
    raw = im.info.get("exif")
    if isinstance(raw, bytes | bytearray) and raw:
        exif.load(bytes(raw))
    return exif


def _has_gps(exif: Image.Exif, info: Mapping[Any, Any]) -> bool:
    try:
        gps = exif.get_ifd(EXIF_GPS_IFD)
    except (KeyError, ValueError, TypeError, OSError):
        gps = {}
    if any(tag != 0 for tag in gps):  # tag 0 is GPSVersionID alone, no position
        return True
    xmp = info.get("xmp") or info.get("XML:com.adobe.xmp") or b""
    if isinstance(xmp, str):
        xmp = xmp.encode("utf-8", "replace")
    return isinstance(xmp, bytes) and b"GPSLatitude" in xmp


def _frames(path: Path, im: Image.Image) -> int:
    try:
        return int(getattr(im, "n_frames", 1))
    except (OSError, EOFError, ValueError, SyntaxError, IndexError) as exc:
        raise MediaError(path, "truncated", f"an animation frame is missing or damaged ({exc})") from None


def claimed_size(fmt: str, head: bytes) -> tuple[int, int] | None:
    """The size a PNG or GIF header claims, read before Pillow (which wants more than a header)."""
    if fmt == "png" and len(head) >= 24 and head[12:16] == b"IHDR":
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    if fmt == "gif" and len(head) >= 10:
        return int.from_bytes(head[6:8], "little"), int.from_bytes(head[8:10], "little")
    return None


def probe_image(path: Path, fmt: str, size: int, head: bytes) -> MediaInfo:
    """Facts about a photo from its header (and, for animations, its frame headers)."""
    claimed = claimed_size(fmt, head)
    if claimed and claimed[0] * claimed[1] > MAX_PIXELS:
        raise _bomb(path, claimed[0] * claimed[1])
    with opened(path, fmt) as im:
        width, height = im.size
        frames = _frames(path, im)
        mode = im.mode
        bits = 16 if mode.startswith("I;16") or (fmt == "png" and len(head) > 24 and head[24] == 16) else 8
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Pillow warns about damaged EXIF tags; we skip them
                exif = exif_of(im, fmt)
                raw_orientation = exif.get(EXIF_ORIENTATION, 1)
                has_gps = _has_gps(exif, im.info)
        except (OSError, ValueError, SyntaxError, TypeError, KeyError, IndexError):
            raw_orientation, has_gps = 1, False  # damaged EXIF: the photo itself is still readable
        orientation = raw_orientation if isinstance(raw_orientation, int) and 1 <= raw_orientation <= 8 else 1
        if orientation in (5, 6, 7, 8):  # rotated a quarter turn: displayed portrait/landscape swap
            width, height = height, width
        original = im.info.get("original_orientation")
        if fmt in {"heic", "avif"} and isinstance(original, int) and 1 <= original <= 8:
            orientation = original  # pillow-heif already turned the size upright and reset the tag
        return MediaInfo(
            path=path,
            kind=MediaKind.IMAGE,
            format=fmt,
            bytes=size,
            width=width,
            height=height,
            frames=frames,
            mode=mode,
            bits=bits,
            orientation=orientation,
            has_icc_profile=bool(im.info.get("icc_profile")),
            has_location_metadata=has_gps,
        )
