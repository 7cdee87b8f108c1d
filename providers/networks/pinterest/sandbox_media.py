"""Video uploads in the emulated Pinterest: ``POST /v5/media`` registers one (a ``media_id``, the
S3 ``upload_url`` and signed ``upload_parameters``), the S3 form POST takes the file (every signed
field, ``file`` last, as S3 requires; no bearer token), and ``GET /v5/media/{id}`` says
``processing`` for ``processing_polls`` looks, then ``succeeded`` (``failed`` when the file is not
a video, as Pinterest does with a cover image uploaded instead: PZI PR #1802)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, json_reply
from providers.media.sniff import HEAD_BYTES, mime_type
from providers.networks.pinterest.sandbox_oauth import MediaUpload, PinterestState

UPLOAD_HOST = "pinterest-media-upload.s3-accelerate.amazonaws.com"
_SIGNING_KEY = b"linkdeck-sandbox-s3"


def invalid(message: str, status: int = 400, code: int = 1) -> web.Response:
    """Pinterest's error body, ``{"code", "message"}``."""
    return json_reply({"code": code, "message": message}, status)


class VideoMedia:
    """The media endpoints, mixed into the Pinterest emulator (which provides the rest)."""

    state: PinterestState
    settings: dict[str, Any]

    def signed_in(self, call: Call, *scopes: str) -> people.User | web.Response:
        raise NotImplementedError  # the emulator's bearer check

    def _signature(self, key: str) -> str:
        return hmac.new(_SIGNING_KEY, key.encode(), hashlib.sha256).hexdigest()

    async def register_media(self, call: Call) -> web.Response:
        who = self.signed_in(call, "pins:write")
        if isinstance(who, web.Response):
            return who
        if call.params.get("media_type") != "video":
            return invalid("media_type: must be video.")
        self.state.next_id += 1
        media_id = str(self.state.next_id)
        key = f"uploads/sandbox/{media_id}:video:{who.id}"
        media = MediaUpload(media_id, who.id, key, self._signature(key))
        self.state.media[media_id] = media
        parameters = {
            "Content-Type": "multipart/form-data",
            "key": key,
            "policy": base64.b64encode(f'{{"key":"{key}"}}'.encode()).decode(),
            "x-amz-algorithm": "AWS4-HMAC-SHA256",
            "x-amz-credential": "SANDBOX/20260101/us-east-1/s3/aws4_request",
            "x-amz-date": "20260101T000000Z",
            "x-amz-signature": media.signature,
        }
        return json_reply(
            {
                "media_id": media_id,
                "media_type": "video",
                "upload_url": f"https://{UPLOAD_HOST}/",
                "upload_parameters": parameters,
            },
            201,
        )

    async def get_media(self, call: Call) -> web.Response:
        who = self.signed_in(call, "pins:read")
        if isinstance(who, web.Response):
            return who
        media = self.state.media.get(call.match["media_id"])
        if media is None or media.owner != who.id:
            return invalid("Media not found.", 404, 404)
        if media.status == "processing":
            if media.polls_left <= 0:
                media.status = "succeeded"
            media.polls_left -= 1
        return json_reply({"media_id": media.id, "media_type": "video", "status": media.status})

    async def s3_upload(self, call: Call) -> web.Response:
        """The S3 form POST: every signed field, ``file`` last; 204 as S3 answers by default."""
        names = list(call.params)
        key = call.text("key") or ""
        media = next((m for m in self.state.media.values() if m.key == key), None)
        if media is None or call.text("x-amz-signature") != media.signature or not call.text("policy"):
            return web.Response(status=403, text="<Error><Code>AccessDenied</Code></Error>")
        if not names or names[-1] != "file":
            return web.Response(
                status=400,
                text="<Error><Code>InvalidArgument</Code><Message>The file must be the last field "
                "in the form.</Message></Error>",
            )
        upload = call.params["file"]
        data = upload.file.read() if hasattr(upload, "file") else b""
        media.size = len(data)
        is_video = (mime_type(data[:HEAD_BYTES]) or "").startswith("video/")
        media.status = "processing" if is_video else "failed"
        media.polls_left = int(self.settings["processing_polls"])
        return web.Response(status=204)
