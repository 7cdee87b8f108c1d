"""The emulated Facebook's media and posting routes: ``POST /{page}/photos`` (the bytes kept),
``POST /{page}/feed``, the Resumable Upload API (``/{app-id}/uploads``, ``/upload:{id}``) and
``graph-video.facebook.com``'s ``POST /{page}/videos``. Routed by :mod:`.sandbox`, which also
says what they check."""

from __future__ import annotations

import json

from aiohttp import web

from providers.emulation.framework import Call, Emulator, json_reply
from providers.emulation.grants import Issued
from providers.networks.facebook.sandbox_auth import graph_error_reply
from providers.networks.facebook.sandbox_world import (
    INJECTED,
    PHOTO_MAX_BYTES,
    FeedPost,
    Photo,
    Upload,
    World,
    sniff,
)


class FacebookMedia(Emulator):
    """Photos, uploads, videos and feed posts of one host of the emulated Facebook."""

    world: World

    # Graph: photos and the feed ----------------------------------------------------------------------

    def _as_page(self, call: Call, issued: Issued, page: str | None) -> web.Response | None:
        """Graph's answer when the caller may not post as ``{page}`` (else None)."""
        wanted = call.match["page"]
        if page != wanted:
            return graph_error_reply(
                403,
                "(#200) If posting to a page, requires both pages_read_engagement and "
                "pages_manage_posts as an admin with sufficient administrative permission",
                200,
            )
        if "pages_manage_posts" not in issued.scopes:
            return graph_error_reply(403, "(#200) Requires pages_manage_posts permission", 200)
        return None

    def _posting_refused(self, call: Call, issued: Issued, page: str | None) -> web.Response | None:
        """A post's refusal: not as the Page, or the next injected error (``fail_next_posts``)."""
        refused = self._as_page(call, issued, page)
        failing = self.settings.get("fail_next_posts") or []
        if refused is None and failing:
            message, code, subcode = INJECTED.get(failing.pop(0), INJECTED["too_fast"])
            return graph_error_reply(400, message, code, subcode)
        return refused

    async def upload_photo(self, call: Call, issued: Issued, page: str | None) -> web.Response:
        refused = self._as_page(call, issued, page)
        if refused is not None:
            return refused
        source = call.params.get("source")
        data = source.file.read() if isinstance(source, web.FileField) else None
        if not data:
            return graph_error_reply(400, "(#324) Requires upload file", 324)
        mime = sniff(data)
        if mime is None or len(data) > PHOTO_MAX_BYTES:
            return graph_error_reply(400, INJECTED["photo"][0], 100, 1366046)
        photo_id = str(next(self.world.numbers))
        published = (call.text("published") or "true").lower() != "false"
        self.world.photos[photo_id] = Photo(photo_id, call.match["page"], data, mime, published)
        if published:
            return json_reply({"id": photo_id, "post_id": f"{call.match['page']}_{photo_id}"})
        return json_reply({"id": photo_id})

    async def create_post(self, call: Call, issued: Issued, page: str | None) -> web.Response:
        refused = self._posting_refused(call, issued, page)
        if refused is not None:
            return refused
        message = call.text("message") or ""
        attached = call.params.get("attached_media")
        if isinstance(attached, str):
            try:
                attached = json.loads(attached)
            except ValueError:
                return graph_error_reply(400, "(#100) attached_media must be an array", 100)
        ids: list[str] = []
        for item in attached if isinstance(attached, list) else []:
            item = json.loads(item) if isinstance(item, str) else item
            photo = self.world.photos.get(str(item.get("media_fbid"))) if isinstance(item, dict) else None
            if photo is None or photo.page != call.match["page"] or photo.published:
                return graph_error_reply(
                    400, "(#100) Invalid attached_media: the photo is not this Page's unpublished photo", 100
                )
            ids.append(photo.id)
        if not message.strip() and not ids and not call.text("link"):
            return graph_error_reply(400, "(#100) Missing message or attachment", 100)
        for photo_id in ids:
            self.world.photos[photo_id].published = True
        post_id = f"{call.match['page']}_{next(self.world.numbers)}"
        self.world.posts.append(
            FeedPost(post_id, call.match["page"], message, call.text("link"), ids, self.clock.now())
        )
        return json_reply({"id": post_id})

    # Graph: the Resumable Upload API and Page videos ----------------------------------------------

    async def start_upload(self, call: Call, issued: Issued, page: str | None) -> web.Response:
        if page is not None or call.match["app"] != issued.client_id:
            return graph_error_reply(
                400, "(#100) The upload must be started by the app with a user token", 100
            )
        length = call.text("file_length") or ""
        if not length.isdigit() or int(length) <= 0 or not call.text("file_name"):
            return graph_error_reply(400, "(#100) file_name and a positive file_length are required", 100)
        mime = call.text("file_type") or ""
        if mime not in ("video/mp4", "video/quicktime", "image/jpeg", "image/png", "application/pdf"):
            return graph_error_reply(400, f"(#100) file_type {mime!r} is not supported", 100)
        session = f"{next(self.world.numbers)}"
        self.world.uploads[session] = Upload(
            session, issued.client_id, issued.user_id or "", int(length), mime
        )
        return json_reply({"id": f"upload:{session}"})

    def _session(self, call: Call, issued: Issued, page: str | None) -> Upload | web.Response:
        found = self.world.uploads.get(call.match["session"])
        if found is None or page is not None or found.user != issued.user_id:
            return graph_error_reply(400, "(#100) Invalid upload session", 100)
        if not call.request.headers.get("Authorization", "").startswith("OAuth "):
            return graph_error_reply(400, "(#100) Upload sessions take Authorization: OAuth {token}", 100)
        return found

    async def upload_offset(self, call: Call, issued: Issued, page: str | None) -> web.Response:
        found = self._session(call, issued, page)
        if isinstance(found, web.Response):
            return found
        return json_reply({"id": f"upload:{found.id}", "file_offset": found.offset})

    async def upload_bytes(self, call: Call, issued: Issued, page: str | None) -> web.Response:
        found = self._session(call, issued, page)
        if isinstance(found, web.Response):
            return found
        offset = call.request.headers.get("file_offset", "")
        if offset != str(found.offset):
            return graph_error_reply(400, f"(#100) file_offset must be {found.offset}", 100, 1363037)
        async for chunk in call.stream():
            take = chunk[: found.length - found.offset]
            found.digest.update(take)
            found.offset += len(take)
        if found.offset < found.length:
            return json_reply({"id": f"upload:{found.id}", "file_offset": found.offset})
        found.handle = found.handle or f"4:{found.id}:{found.digest.hexdigest()[:16]}"
        return json_reply({"h": found.handle})

    async def create_video(self, call: Call, issued: Issued, page: str | None) -> web.Response:
        refused = self._posting_refused(call, issued, page)
        if refused is not None:
            return refused
        handle = call.text("fbuploader_video_file_chunk") or ""
        upload = next((u for u in self.world.uploads.values() if u.handle == handle), None)
        if (
            upload is None
            or upload.used
            or upload.offset < upload.length
            or not upload.mime.startswith("video/")
        ):
            return graph_error_reply(
                400, "(#100) The video file handle is invalid or incomplete", 100, 1363019
            )
        upload.used = True
        video_id = str(next(self.world.numbers))
        message = call.text("description") or ""
        post = FeedPost(
            f"{call.match['page']}_{next(self.world.numbers)}",
            call.match["page"],
            message,
            None,
            [],
            self.clock.now(),
        )
        post.video = video_id
        self.world.posts.append(post)
        return json_reply({"id": video_id})
