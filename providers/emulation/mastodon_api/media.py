"""The Mastodon-API emulator's media: ``POST /api/v2/media`` (and v1) answers 200 for a photo and
202 for video and GIF, which ``GET /api/v1/media/:id`` then answers 206 (still processing) a few
times before 200; the uploaded files are served back under ``/system/media_attachments/files/``.

As strict as Mastodon 4.4 (app/models/media_attachment.rb): the type is sniffed from the bytes,
never taken from the request, and must be in the instance's ``supported_mime_types``; sizes are
checked against ``image_size_limit`` (a GIF counts as an image) or ``video_size_limit``, and the
alt text against ``description_limit``.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import replace

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, error_reply, json_reply
from providers.emulation.mastodon_api.base import MastodonApiBase
from providers.emulation.mastodon_api.post_entities import KEEP_MEDIA_BYTES, MediaRecord, media_attachment
from providers.media.sniff import HEAD_BYTES
from providers.media.sniff import mime_type as sniff_mime  # the real type, never the declared one


class MediaEndpoints(MastodonApiBase):
    media_scopes: tuple[str, ...] = ("write", "write:media")

    def media_problem(self, mime: str | None, size: int, description: str | None) -> str | None:
        s = self.settings
        if mime is None or mime not in s["supported_mime_types"]:
            return "Validation failed: File content type is invalid, File file type is invalid"
        limit = int(
            s["image_size_limit"]
            if mime.startswith("image/") and mime != "image/gif"
            else s["video_size_limit"]
        )
        if mime == "image/gif":
            limit = int(s["image_size_limit"])
        if size > limit:
            return f"Validation failed: File file size must be less than {limit // (1024 * 1024)} MB"
        if description is not None and len(description) > int(s["description_limit"]):
            return (
                f"Validation failed: Description is too long (maximum is {s['description_limit']} characters)"
            )
        return None

    async def upload_media(self, call: Call) -> web.Response:
        who = self.signed_in(call, self.media_scopes)
        if isinstance(who, web.Response):
            return who
        upload = call.params.get("file")
        if isinstance(upload, list):
            upload = upload[0] if upload else None
        if not isinstance(upload, web.FileField):
            return self.invalid("Validation failed: File can't be blank", "file")
        handle = upload.file
        handle.seek(0, io.SEEK_END)
        size = handle.tell()
        handle.seek(0)
        head = handle.read(HEAD_BYTES)
        mime = sniff_mime(head)
        description = call.text("description")
        problem = self.media_problem(mime, size, description)
        if problem or mime is None:
            return self.invalid(problem or "Validation failed: File content type is invalid", "file")
        handle.seek(0)
        digest, kept = hashlib.sha256(), bytearray() if size <= KEEP_MEDIA_BYTES else None
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
            if kept is not None:
                kept += chunk
        kind = (
            "image"
            if mime.startswith("image/") and mime != "image/gif"
            else ("gifv" if mime == "image/gif" else "video")
        )
        width, height = _image_size(bytes(kept)) if kept is not None and kind == "image" else (None, None)
        record = MediaRecord(
            id=self.next_id(),
            user_id=who.id,
            kind=kind,
            mime=mime,
            filename=_safe_name(upload.filename or "file", mime),
            size=size,
            sha256=digest.hexdigest(),
            description=description or None,
            created_at=self.clock.now(),
            data=bytes(kept) if kept is not None else None,
            polls_left=0 if kind == "image" else int(self.settings["media_processing_polls"]),
            width=width,
            height=height,
        )
        self.media[record.id] = record
        body = media_attachment(call.base, record)
        return json_reply(body, 202 if record.processing else 200)

    def owned_media(self, call: Call, who: people.User) -> MediaRecord | None:
        record = self.media.get(call.match["id"])
        return record if record is not None and record.user_id == who.id else None

    async def get_media(self, call: Call) -> web.Response:
        who = self.signed_in(call, self.media_scopes)
        if isinstance(who, web.Response):
            return who
        record = self.owned_media(call, who)
        if record is None:
            return error_reply(404, "Record not found")
        if record.processing:
            record.polls_left -= 1
            return json_reply(media_attachment(call.base, replace(record, polls_left=1)), 206)
        return json_reply(media_attachment(call.base, record))

    async def media_file(self, call: Call) -> web.StreamResponse:
        record = self.media.get(call.match["id"])
        if (
            record is None
            or record.processing
            or record.data is None
            or call.match["file"] != record.filename
        ):
            return self.not_found(call)
        return web.Response(body=record.data, content_type=record.mime)


def _safe_name(filename: str, mime: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]", "", filename.rsplit(".", 1)[0])[:40] or "file"
    extension = {"image/jpeg": "jpg", "video/quicktime": "mov"}.get(mime, mime.split("/")[1])
    return f"{stem}.{extension}"


def _image_size(data: bytes) -> tuple[int | None, int | None]:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            return im.width, im.height
    except Exception:  # a file Pillow cannot read keeps no dimensions, as Mastodon's meta would
        return None, None
