"""Lossless JPEG metadata surgery: drop the GPS position without re-encoding a single pixel.

A JPEG is a run of marker segments before its compressed scan. Removing location means rewriting
the EXIF segment (APP1 ``Exif``) without its GPS IFD and dropping XMP packets that mention GPS;
every other byte, the scan included, is copied as is, so the photo's quality is unchanged.
"""

from __future__ import annotations

_EXIF = b"Exif\x00\x00"
_XMP = b"http://ns.adobe.com/xap/1.0/\x00"
_GPS_IFD = 0x8825
_SUB_IFDS = (0x8769, 0xA005)


def _exif_without_gps(payload: bytes) -> bytes | None:
    """The APP1 payload re-serialised without GPS, or None to drop the segment if unreadable."""
    from PIL import Image

    exif = Image.Exif()
    try:
        exif.load(payload)
        for tag in _SUB_IFDS:
            if tag in exif:
                exif.get_ifd(tag)
        exif.pop(_GPS_IFD, None)
        data = exif.tobytes()
    except (OSError, ValueError, SyntaxError, TypeError, KeyError, IndexError):
        return None
    if not data.startswith(_EXIF):
        data = _EXIF + data
    return data if len(data) + 2 <= 0xFFFF else None


def without_location(jpeg: bytes) -> bytes:
    """The same JPEG minus its location metadata (the bytes are the input's when there is none)."""
    out = bytearray(jpeg[:2])
    pos, size = 2, len(jpeg)
    while pos + 4 <= size:
        if jpeg[pos] != 0xFF:
            break
        marker = jpeg[pos + 1]
        if marker == 0xFF:
            out.append(0xFF)
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):
            out += jpeg[pos : pos + 2]
            pos += 2
            continue
        if marker == 0xDA:  # start of scan: the rest is pixels and the end marker
            break
        length = int.from_bytes(jpeg[pos + 2 : pos + 4], "big")
        payload = jpeg[pos + 4 : pos + 2 + length]
        if marker == 0xE1 and payload.startswith(_EXIF):
            rewritten = _exif_without_gps(payload)
            if rewritten is not None:
                out += b"\xff\xe1" + (len(rewritten) + 2).to_bytes(2, "big") + rewritten
        elif marker == 0xE1 and payload.startswith(_XMP) and b"GPS" in payload:
            pass  # an XMP packet with a position: dropped whole
        else:
            out += jpeg[pos : pos + 2 + length]
        pos += 2 + length
    out += jpeg[pos:]
    return bytes(out)
