"""A server's own limits on top of the catalog's: the ``configuration`` of a Mastodon-style
instance document (``/api/v2/instance``; Pixelfed answers the same shape) applied to a spec.

Why: Mastodon and Pixelfed limits differ per server (a Pixelfed admin sets the album size and
caption length, a Mastodon fork may allow 5,000 characters), and the catalog only knows the
defaults. The media engine and caption counters judge against the spec this returns, so what a
server would refuse is refused before anything is uploaded. Unknown or missing values keep the
catalog's.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from providers.spec import NetworkSpec

# MIME types in ``supported_mime_types`` → the media engine's format names.
IMAGE_TYPES = {
    "image/jpeg": "jpeg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heic",
    "image/avif": "avif",
}
VIDEO_TYPES = {"video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm"}
SIZE_FIELDS = (
    ("image_size_limit", "image_max_bytes"),
    ("video_size_limit", "video_max_bytes"),
    ("image_matrix_limit", "image_max_pixels"),
)


def _positive(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _table(configuration: dict[str, Any], key: str) -> dict[str, Any]:
    value = configuration.get(key)
    return value if isinstance(value, dict) else {}


def apply_instance_limits(spec: NetworkSpec, configuration: dict[str, Any]) -> NetworkSpec:
    """``spec`` with the instance's ``configuration`` on top (whether a post may be text only
    stays the spec's: instance documents do not say)."""
    statuses, media = _table(configuration, "statuses"), _table(configuration, "media_attachments")
    caption: dict[str, Any] = {}
    if length := _positive(statuses.get("max_characters")):
        caption["max_length"] = length
    if url_length := _positive(statuses.get("characters_reserved_per_url")):
        caption["url_length"] = url_length
    limits: dict[str, Any] = {}
    if attachments := _positive(statuses.get("max_media_attachments")):
        limits["max_images"] = attachments
    if described := _positive(media.get("description_limit")):
        limits["alt_text_max_length"] = described
    for key, field in SIZE_FIELDS:
        if size := _positive(media.get(key)):
            limits[field] = size
    types = media.get("supported_mime_types")
    if isinstance(types, list) and types:
        images = tuple(dict.fromkeys(IMAGE_TYPES[t] for t in types if t in IMAGE_TYPES))
        videos = tuple(dict.fromkeys(VIDEO_TYPES[t] for t in types if t in VIDEO_TYPES))
        if images:
            limits["image_formats"] = images
        limits["videos"] = bool(videos)  # Pixelfed lists video types only when video is enabled
        if videos:
            limits["video_formats"] = videos
    return dataclasses.replace(
        spec,
        caption=dataclasses.replace(spec.caption, **caption),
        media=dataclasses.replace(spec.media, **limits),
    )
