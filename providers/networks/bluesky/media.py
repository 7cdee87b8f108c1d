"""The pieces of a Bluesky post record that come from the user's files and caption: the local
checks (caption 300 graphemes / 3,000 bytes; media kind, count and size per the catalog), each
file's MIME type (sniffed from its bytes, never the extension) and displayed size for
``aspectRatio``, the ``embed`` (images with alt text, or one video) and the record key.

Why the displayed size: the app lays an image out before it loads, from ``aspectRatio``; it must
be the size *as shown*, after the EXIF orientation (a phone portrait stored landscape with
orientation 6 is taller than wide) or a video's rotation.

Why a fixed record key: :func:`tid_for` derives the TID from the delivery's creation time and
idempotency key, so every attempt at one delivery writes the same ``at://`` URI and an earlier
attempt that landed is found instead of posting twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from providers.errors import PublishError
from providers.failures import from_exception
from providers.media.sniff import HEAD_BYTES, mime_type
from providers.networks.bluesky.xrpc import NAME

if TYPE_CHECKING:
    from providers.spec import NetworkSpec

IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
VIDEO_TYPES = ("video/mp4",)
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Blob:
    data: bytes
    mime: str
    size: tuple[int, int] | None  # displayed width, height


def tid_for(when: datetime, key: str) -> str:
    """A record key (TID: 13 base32-sortable characters of microseconds << 10 | clock id) fixed
    by the delivery's creation time and idempotency key, so every retry uses the same rkey."""
    micros = int(when.timestamp() * 1_000_000) & ((1 << 53) - 1)
    clock = int.from_bytes(hashlib.sha256(key.encode()).digest()[:2], "big") & 0x3FF
    number, out = (micros << 10) | clock, ""
    for _ in range(13):
        out = _TID_ALPHABET[number & 31] + out
        number >>= 5
    return out


def check_caption(text: str, spec: NetworkSpec) -> None:
    import regex

    count, size = len(regex.findall(r"\X", text)), len(text.encode("utf-8"))
    most, most_bytes = spec.caption.max_length, spec.caption.max_bytes
    if most is not None and count > most:
        raise PublishError(
            "fix_media",
            f"{NAME} allows at most {most} graphemes per post; this caption has {count}. Shorten it.",
        )
    if most_bytes is not None and size > most_bytes:
        raise PublishError(
            "fix_media",
            f"{NAME} allows at most {most_bytes:,} bytes of text per post; this caption has {size:,}.",
        )


def displayed_size(path: Path, mime: str) -> tuple[int, int] | None:
    """Width and height as shown: after EXIF orientation (photos) or rotation (videos)."""
    try:
        if mime in IMAGE_TYPES:
            from PIL import Image

            with Image.open(path) as im:
                width, height = im.size
                orientation = im.getexif().get(0x0112, 1)
            return (height, width) if orientation in (5, 6, 7, 8) else (width, height)
        import av

        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            width, height = stream.codec_context.width, stream.codec_context.height
            rotation = abs(int(getattr(stream, "rotation", 0) or 0)) % 180
        return (height, width) if rotation == 90 else (width, height)
    except Exception:  # the field is optional: no aspect ratio is better than no post
        return None


def load_media(paths: list[str], spec: NetworkSpec) -> list[Blob]:
    """Read every file and check it against Bluesky's media rules; nothing is uploaded."""
    media, blobs = spec.media, []
    for raw in paths:
        path = Path(raw)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise from_exception(exc, NAME, f"reading {path.name}") from None
        mime = mime_type(data[:HEAD_BYTES])
        if mime is None or (mime not in IMAGE_TYPES and mime not in VIDEO_TYPES):
            raise PublishError(
                "fix_media", f"{path.name}: {NAME} takes JPEG, PNG, GIF, WebP images or MP4 video."
            )
        limit = media.image_max_bytes if mime in IMAGE_TYPES else media.video_max_bytes
        if limit is not None and len(data) > limit:
            kind = "image" if mime in IMAGE_TYPES else "video"
            raise PublishError(
                "fix_media",
                f"{path.name}: {NAME} takes {kind}s up to {limit:,} bytes; this one is {len(data):,}. "
                "Use the compress fix to make it smaller, then post again.",
            )
        blobs.append(Blob(data, mime, displayed_size(path, mime)))
    if any(b.mime in VIDEO_TYPES for b in blobs) and len(blobs) > 1:
        raise PublishError(
            "fix_media", f"{NAME} posts hold one video, or up to {media.max_images} images, not both."
        )
    if len(blobs) > media.max_images:
        raise PublishError(
            "fix_media", f"{NAME} allows up to {media.max_images} images per post; {len(blobs)} given."
        )
    return blobs


def embed(blobs: list[Blob], uploaded: list[Any], alts: list[str]) -> dict[str, Any]:
    def aspect(blob: Blob) -> dict[str, dict[str, int]]:
        return {"aspectRatio": {"width": blob.size[0], "height": blob.size[1]}} if blob.size else {}

    alt = [alts[i] if i < len(alts) else "" for i in range(len(blobs))]
    if blobs[0].mime in VIDEO_TYPES:
        return {"$type": "app.bsky.embed.video", "video": uploaded[0], "alt": alt[0], **aspect(blobs[0])}
    images = [{"image": ref, "alt": alt[i], **aspect(blobs[i])} for i, ref in enumerate(uploaded)]
    return {"$type": "app.bsky.embed.images", "images": images}
