"""X's v2 media routes in the sandbox: one-shot ``POST /2/media/upload`` (multipart raw bytes or
JSON base64), ``initialize`` → ``{id}/append`` (multipart or JSON base64, ``segment_index`` 0–999;
only sizes are kept, so a 200 MB video costs no memory here) → ``{id}/finalize`` (every byte
announced must have come) → ``GET ?command=STATUS`` (pending → in_progress → succeeded after
``processing_seconds``, with ``check_after_secs``); ``POST /2/media/metadata`` (alt text ≤ 1,000
characters)."""

from __future__ import annotations

import base64
import binascii
import math
from typing import Any

from aiohttp import web

from providers.emulation.framework import Call, json_reply
from providers.emulation.grants import Issued
from providers.media.sniff import HEAD_BYTES
from providers.media.sniff import mime_type as sniff_mime
from providers.networks.x.sandbox_world import CATEGORIES, TYPES, Media, XBase, invalid


class XMedia(XBase):
    async def _bytes_of(self, call: Call) -> tuple[int, bytes] | web.Response:
        """The ``media`` parameter: (size, first bytes) of a multipart file or JSON base64."""
        media = call.params.get("media")
        if isinstance(media, list):
            media = media[0] if media else None
        if isinstance(media, str):
            try:
                data = base64.b64decode(media, validate=True)
            except (binascii.Error, ValueError):
                return invalid("The media parameter is not valid base64.", "media", "<media>")
            return len(data), data[:HEAD_BYTES]
        handle = getattr(media, "file", None)
        if handle is None:
            return invalid("The `media` parameter can not be empty.", "media", "")
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(0)
        head = handle.read(HEAD_BYTES)
        return size, head

    async def upload(self, call: Call) -> web.Response:
        """One-shot upload (photos; and GIF/video where small), multipart or JSON base64."""
        issued = await self.signed_in(call, "media.write")
        if isinstance(issued, web.Response):
            return issued
        if call.text("command"):
            return invalid(
                "The command parameter is deprecated: use /2/media/upload/initialize, "
                "/{id}/append and /{id}/finalize.",
                "command",
                call.text("command"),
            )
        category = call.text("media_category") or ""
        if category not in CATEGORIES:
            return _bad_category(category)
        got = await self._bytes_of(call)
        if isinstance(got, web.Response):
            return got
        size, head = got
        mime = sniff_mime(head) or "application/octet-stream"
        refused = self._media_problem(category, mime, size)
        if refused is not None:
            return refused
        media = Media(self.world.next_id(), issued.user_id or "", category, mime, size, {0: size})
        media.finalized_at = self.clock.now() - float(self.settings["processing_seconds"])
        self.world.media[media.id] = media
        data: dict[str, Any] = {
            "id": media.id,
            "media_key": media.key,
            "size": size,
            "expires_after_secs": 86400,
        }
        if mime.startswith("image/"):
            data["image"] = {"image_type": mime}
        return self._limited(json_reply({"data": data}), issued, "media/upload", 500)

    def _media_problem(self, category: str, mime: str, size: int) -> web.Response | None:
        if mime not in TYPES[category]:
            return invalid(f"media type {mime} is not allowed for {category}", "media_type", mime)
        if size > CATEGORIES[category]:
            return invalid(
                f"total_bytes {size} exceeds the maximum of {CATEGORIES[category]} for {category}",
                "total_bytes",
                size,
            )
        return None

    async def initialize(self, call: Call) -> web.Response:
        issued = await self.signed_in(call, "media.write")
        if isinstance(issued, web.Response):
            return issued
        category = call.text("media_category") or "tweet_image"
        mime = call.text("media_type") or ""
        try:
            total = int(call.params.get("total_bytes") or 0)
        except (TypeError, ValueError):
            total = 0
        if category not in CATEGORIES:
            return _bad_category(category)
        if total <= 0:
            return invalid("total_bytes must be a positive number", "total_bytes", total)
        refused = self._media_problem(category, mime, total)
        if refused is not None:
            return refused
        media = Media(self.world.next_id(), issued.user_id or "", category, mime, total)
        self.world.media[media.id] = media
        body = {"data": {"id": media.id, "media_key": media.key, "expires_after_secs": 86400}}
        return self._limited(json_reply(body), issued, "media/chunked", 1875)

    async def _own_media(self, call: Call, media_id: str) -> tuple[Issued, Media] | web.Response:
        """The signed-in user (media.write) and their media ``media_id``, or the refusal."""
        issued = await self.signed_in(call, "media.write")
        if isinstance(issued, web.Response):
            return issued
        media = self.world.media.get(media_id)
        if media is None or media.user_id != issued.user_id:
            return invalid(f"The media_id [{media_id}] is not valid.", "id", media_id)
        return issued, media

    async def append(self, call: Call) -> web.Response:
        found = await self._own_media(call, call.match["id"])
        if isinstance(found, web.Response):
            return found
        issued, media = found
        try:
            index = int(call.text("segment_index") or "")
        except ValueError:
            index = -1
        if not 0 <= index <= 999:
            return invalid(
                "segment_index must be between 0 and 999", "segment_index", call.text("segment_index")
            )
        if media.finalized_at is not None:
            return invalid("This media was already finalized.", "id", media.id)
        got = await self._bytes_of(call)
        if isinstance(got, web.Response):
            return got
        media.received[index] = got[0]
        if sum(media.received.values()) > media.total:
            return invalid("More bytes were appended than total_bytes announced.", "media", media.id)
        body = {"data": {"expires_at": int(self.clock.now()) + 86400}}
        return self._limited(json_reply(body), issued, "media/chunked", 1875)

    async def finalize(self, call: Call) -> web.Response:
        found = await self._own_media(call, call.match["id"])
        if isinstance(found, web.Response):
            return found
        issued, media = found
        indexes = sorted(media.received)
        if indexes != list(range(len(indexes))) or sum(media.received.values()) != media.total:
            return invalid(
                f"Segments do not add up to the file size: got {sum(media.received.values())} of "
                f"{media.total} bytes in segments {indexes}.",
                "id",
                media.id,
            )
        if media.finalized_at is None:
            media.finalized_at = self.clock.now()
        return self._limited(json_reply({"data": self._media_data(media)}), issued, "media/chunked", 1875)

    def _media_data(self, media: Media) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": media.id,
            "media_key": media.key,
            "size": media.total,
            "expires_after_secs": 86400,
        }
        if media.category in ("tweet_video", "tweet_gif", "amplify_video"):
            data["processing_info"] = self._processing(media)
        return data

    def _processing(self, media: Media) -> dict[str, Any]:
        assert media.finalized_at is not None
        needed = float(self.settings["processing_seconds"])
        elapsed = self.clock.now() - media.finalized_at
        if elapsed >= needed:
            return {"state": "succeeded", "progress_percent": 100}
        state = "pending" if elapsed < needed / 2 else "in_progress"
        percent = int(100 * elapsed / needed) if needed else 100
        after = max(1, math.ceil(min(float(self.settings["check_after_secs"]), needed - elapsed)))
        return {"state": state, "check_after_secs": after, "progress_percent": percent}

    async def status(self, call: Call) -> web.Response:
        if call.text("command") != "STATUS":
            return invalid("command must be STATUS", "command", call.text("command"))
        found = await self._own_media(call, call.text("media_id") or "")
        if isinstance(found, web.Response):
            return found
        issued, media = found
        if media.finalized_at is None:
            return invalid("This media has not been finalized.", "media_id", media.id)
        return self._limited(json_reply({"data": self._media_data(media)}), issued, "media/status", 1000)

    async def metadata(self, call: Call) -> web.Response:
        found = await self._own_media(call, call.text("id") or "")
        if isinstance(found, web.Response):
            return found
        issued, media = found
        meta = call.params.get("metadata")
        alt = meta.get("alt_text") if isinstance(meta, dict) else None
        text = alt.get("text") if isinstance(alt, dict) else None
        if not isinstance(text, str) or len(text) > 1000:
            return invalid(
                "alt_text.text must be a string of at most 1000 characters", "metadata", "alt_text"
            )
        media.alt_text = text
        body = {"data": {"id": media.id, "associated_metadata": {"alt_text": {"text": text}}}}
        return self._limited(json_reply(body), issued, "media/metadata", 500)


def _bad_category(category: str) -> web.Response:
    said = f"media_category [{category}] is not one of {sorted(CATEGORIES)}"
    return invalid(said, "media_category", category)
