"""What a file is, from its first bytes, and whether it is complete, from its structure.

The file name's extension is not trusted (a text file renamed ``.jpg`` is common): the format comes
from magic numbers. Completeness is checked from the container structure (a JPEG's end-of-image
marker after its scan, a PNG's IEND chunk, a RIFF size), which finds truncated uploads without
decoding any pixels, so a 50 MP photo is judged in milliseconds.
"""

from __future__ import annotations

import mmap
from pathlib import Path

from providers.media.model import MediaKind

HEAD_BYTES = 64

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"mif2"}
_AVIF_BRANDS = {b"avif", b"avis"}


def sniff(head: bytes) -> tuple[MediaKind, str]:
    """(kind, format) from the first bytes of a file; ``(UNKNOWN, "")`` when nothing matches."""
    if head.startswith(b"\xff\xd8\xff"):
        return MediaKind.IMAGE, "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaKind.IMAGE, "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return MediaKind.IMAGE, "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return MediaKind.IMAGE, "webp"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return MediaKind.VIDEO, "avi"
    if head[:2] == b"BM" and len(head) >= 26:
        return MediaKind.IMAGE, "bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return MediaKind.IMAGE, "tiff"
    if head[4:8] == b"ftyp":
        return _iso_bmff(head)
    if head[:4] == b"\x1a\x45\xdf\xa3":  # EBML: Matroska or WebM (the doc type says which)
        return MediaKind.VIDEO, "webm" if b"webm" in head else "mkv"
    return MediaKind.UNKNOWN, ""


MIME_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "bmp": "image/bmp",
    "tiff": "image/tiff",
    "heic": "image/heic",
    "avif": "image/avif",
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "3gp": "video/3gpp",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
    "avi": "video/x-msvideo",
}


def mime_type(head: bytes) -> str | None:
    """The MIME type an upload should declare, from its first bytes (pass at least HEAD_BYTES);
    publishers and the sandbox use this rather than trusting a file name."""
    return MIME_TYPES.get(sniff(head)[1])


def _iso_bmff(head: bytes) -> tuple[MediaKind, str]:
    """HEIC/AVIF photos and MP4/MOV videos share the ISO box format; the brands tell them apart."""
    size = int.from_bytes(head[:4], "big")
    major = head[8:12]
    brands = {major} | {head[i : i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
    if major in _AVIF_BRANDS:
        return MediaKind.IMAGE, "avif"
    if major in _HEIF_BRANDS or (brands & _HEIF_BRANDS and not brands & {b"isom", b"mp41", b"mp42"}):
        return MediaKind.IMAGE, "heic"
    if major == b"qt  ":
        return MediaKind.VIDEO, "mov"
    if major in (b"M4V ", b"M4VH", b"M4VP"):
        return MediaKind.VIDEO, "m4v"
    if major.startswith(b"3g"):
        return MediaKind.VIDEO, "3gp"
    return MediaKind.VIDEO, "mp4"


def describe_unknown(head: bytes) -> str:
    """A hint for a file that is not media: people recognise 'text' or 'a PDF' more than 'unknown'."""
    if head.startswith(b"%PDF"):
        return "it is a PDF document"
    if head.startswith(b"PK\x03\x04"):
        return "it is a ZIP archive (or an Office document)"
    if head.lstrip().startswith((b"<!DOCTYPE html", b"<html", b"<HTML")):
        return "it is a web page"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "its contents match no photo or video format"
    return "it looks like text"


def truncation(path: Path, fmt: str, size: int) -> str | None:
    """Why the file is incomplete, or None when its structure is whole (or the check doesn't apply)."""
    if fmt == "jpeg":
        return _jpeg_truncation(path, size)
    if fmt == "png":
        return _png_truncation(path, size)
    if fmt in {"webp", "avi"}:
        return _riff_truncation(path, size)
    return None  # GIF: Pillow reads every frame's blocks to count frames and fails on a cut file


def _jpeg_truncation(path: Path, size: int) -> str | None:
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        sos = _jpeg_first_scan(data)
        if sos is None:
            return "its JPEG header is incomplete (no image data found)"
        # Entropy-coded data never contains FF D9 (0xFF is stuffed as FF 00), so the end-of-image
        # marker after the first scan is the image's own, not an embedded thumbnail's.
        if data.rfind(b"\xff\xd9", sos) < 0:
            return "the JPEG stops before its end-of-image marker (the file is cut short)"
    return None


def _jpeg_first_scan(data: mmap.mmap) -> int | None:
    """Offset of the first start-of-scan segment, walking the marker segments from the start."""
    pos, size = 2, len(data)
    while pos + 4 <= size:
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker == 0xDA:
            return pos + 2 + length if pos + 2 + length <= size else None
        pos += 2 + length
    return None


def _png_truncation(path: Path, size: int) -> str | None:
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data.rfind(b"IEND") < 0:
            return "the PNG has no end chunk (the file is cut short)"
    return None


def _riff_truncation(path: Path, size: int) -> str | None:
    with path.open("rb") as f:
        head = f.read(12)
    declared = int.from_bytes(head[4:8], "little") + 8
    if size < declared:
        return f"the file is cut short ({size:,} of {declared:,} bytes)"
    return None
