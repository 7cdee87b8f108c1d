"""The emulated Reddit's media uploads: the lease ``POST /api/media/asset.json`` hands out, and the
S3 buckets it points at (``reddit-uploaded-media`` for photos and video posters,
``reddit-uploaded-video`` for videos), as PRAW 8.0.3 (``praw/models/media.py``) leases and posts.

The lease answers ``args.action`` (``//<bucket>``) and ``args.fields`` (the S3 POST form, ``key``
and ``content-type`` among them) plus ``asset`` (id, websocket). The bucket takes the form with
the file last; a key that was not leased, or a ``content-type`` other than the leased one, is S3's
403 ``AccessDenied``; a file over the size limit (:data:`MEDIA_SETTINGS`, changeable with
``POST /__sandbox__/instance``) is 400 ``EntityTooLarge`` with ``ProposedSize`` and
``MaxSizeAllowed``, which PRAW turns into ``TooLargeMediaException``; success is 201 with S3's
``PostResponse``.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, json_reply
from providers.networks.reddit.sandbox_oauth import Asset, World

IMAGES = "reddit-uploaded-media.s3-accelerate.amazonaws.com"
VIDEOS = "reddit-uploaded-video.s3-accelerate.amazonaws.com"
MEDIA_SETTINGS: dict[str, Any] = {
    "image_max_bytes": 20 * 1024 * 1024,
    "video_max_bytes": 1024 * 1024 * 1024,
}
MIMES = {"image/jpeg", "image/png", "image/gif", "video/mp4", "video/quicktime"}


def s3_error(status: int, code: str, message: str, **extra: Any) -> web.Response:
    parts = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in extra.items())
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{escape(message)}</Message>{parts}"
        f"<RequestId>{secrets.token_hex(8).upper()}</RequestId></Error>"
    )
    return web.Response(text=text, status=status, content_type="application/xml")


def lease_reply(world: World, who: people.User, filepath: str | None, mime: str | None) -> web.Response:
    if not filepath or mime not in MIMES:
        return json_reply({"message": "Bad Request", "error": 400}, 400)
    asset_id = secrets.token_hex(6)
    key = f"{'rte_videos' if mime.startswith('video/') else 'rte_images'}/{asset_id}"
    world.assets[key] = Asset(key, who.id, mime)
    bucket = VIDEOS if mime.startswith("video/") else IMAGES
    fields = [
        ("acl", "private"), ("key", key), ("X-Amz-Credential", "SANDBOX/s3/aws4_request"),
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Date", "20261125T120000Z"),
        ("success_action_status", "201"), ("content-type", mime),
        ("x-amz-storage-class", "STANDARD"), ("x-amz-meta-ext", mime.split("/")[1]),
        ("policy", secrets.token_urlsafe(24)), ("X-Amz-Signature", secrets.token_hex(32)),
    ]  # fmt: skip
    return json_reply(
        {
            "args": {"action": f"//{bucket}", "fields": [{"name": n, "value": v} for n, v in fields]},
            "asset": {
                "asset_id": asset_id,
                "processing_state": "incomplete",
                "payload": {"filepath": filepath},
                "websocket_url": f"wss://ws-sandbox.wss.redditmedia.com/{key}?m=sandbox",
            },
        }
    )


def bucket_reply(world: World, host: str, call: Call) -> web.Response:
    asset = world.assets.get(call.text("key") or "")
    handle = getattr(call.params.get("file"), "file", None)
    if asset is None or call.text("content-type") != asset.mime or handle is None:
        return s3_error(403, "AccessDenied", "Invalid according to Policy: Policy Condition failed")
    handle.seek(0, 2)
    size = handle.tell()
    limit = int(world.settings["video_max_bytes" if asset.mime.startswith("video/") else "image_max_bytes"])
    if size > limit:
        return s3_error(
            400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size",
            ProposedSize=size, MaxSizeAllowed=limit,
        )  # fmt: skip
    asset.size = size
    location = f"https://{host}/{asset.key}"
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<PostResponse><Location>{escape(location)}</Location><Bucket>{host.split('.')[0]}</Bucket>"
        f'<Key>{escape(asset.key)}</Key><ETag>"{secrets.token_hex(16)}"</ETag></PostResponse>'
    )
    return web.Response(text=text, status=201, content_type="application/xml")


def uploaded(world: World, url: str | None, who: people.User, prefix: str) -> Asset | None:
    """The upload behind ``url`` when this user made it, it arrived, and its type fits ``prefix``."""
    parts = urlsplit(url or "")
    asset = world.assets.get(parts.path.lstrip("/"))
    if parts.netloc not in (IMAGES, VIDEOS) or asset is None or asset.size is None:
        return None
    return asset if asset.user_id == who.id and asset.mime.startswith(prefix) else None
