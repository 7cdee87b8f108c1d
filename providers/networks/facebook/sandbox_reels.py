"""The emulated Facebook's Reels: ``POST /{page}/video_reels`` (``upload_phase`` start, then
finish), the bytes at ``rupload.facebook.com/video-upload/{version}/{video-id}``, and the video's
``status`` read at ``GET /{video-id}?fields=status``. Routed by :mod:`.sandbox`.

Strict where a client could get the order or the headers wrong (the flow of Meta's Reels
Publishing guide; the rupload refusal's ``debug_info`` shape as a Postiz-like client met it,
trypost PR #32, May 2026):

- every phase only with the Page's own token (a user token → #200);
- the bytes only after ``start`` for that video, with ``Authorization: OAuth {page token}``,
  ``offset`` (where the upload is) and ``file_size`` (the same for every part) headers;
  a missing or wrong one → ``{"debug_info": {"type": "ParameterValidationError", …}}``, HTTP 400;
- ``finish`` only once every byte has arrived, with ``video_state`` (PUBLISHED, DRAFT or
  SCHEDULED) → else (#100); a video under 3 or over 90 seconds, or one that is not a readable
  video, → (#100) naming the rule (those exact codes: not verified here);
- a part that ends before ``file_size`` answers ``{"success": false}`` (what a real rupload
  answers then: not verified); what came is kept, and the status's
  ``uploading_phase.bytes_transferred`` says where to go on from;
- after ``finish`` the status moves one step per read: processing, then ready (publishing
  complete); a DRAFT never leaves the Page's drafts (not listed as published).

Only the first :data:`KEPT_BYTES` of a Reel are kept (enough to read a test clip's length); a
larger one is taken on its size alone.
"""

from __future__ import annotations

import io

from aiohttp import web

from providers.emulation.framework import Call, Emulator, json_reply
from providers.emulation.grants import Issued
from providers.networks.facebook.sandbox_auth import graph_error_reply
from providers.networks.facebook.sandbox_world import FeedPost, Reel, World

KEPT_BYTES = 64 * 1024 * 1024
MIN_SECONDS, MAX_SECONDS = 3.0, 90.0
STATES = ("PUBLISHED", "DRAFT", "SCHEDULED")


def rupload_error(message: str) -> web.Response:
    return json_reply({"debug_info": {"type": "ParameterValidationError", "message": message}}, 400)


def seconds_of(data: bytes) -> float | None:
    """The clip's length, read with PyAV from memory; None when it is not a readable video."""
    import av

    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.video:
                return None
            stream = container.streams.video[0]
            if stream.duration is not None and stream.time_base is not None:
                return float(stream.duration * stream.time_base)
            return float(container.duration) / av.time_base if container.duration else None
    except (av.FFmpegError, ValueError):
        return None


class FacebookReels(Emulator):
    """The Reels routes of the emulated Facebook's Graph and rupload hosts."""

    world: World

    def _reel_caller(self, call: Call, issued: Issued, page: str | None) -> web.Response | None:
        if page != call.match["page"] or "pages_manage_posts" not in issued.scopes:
            return graph_error_reply(
                403, "(#200) Publishing a reel requires the Page's token with pages_manage_posts", 200
            )
        return None

    async def video_reels(self, call: Call, issued: Issued, page: str | None) -> web.Response:
        refused = self._reel_caller(call, issued, page)
        if refused is not None:
            return refused
        phase = call.text("upload_phase")
        if phase == "start":
            video_id = str(next(self.world.numbers))
            self.world.reels[video_id] = Reel(video_id, call.match["page"])
            version = call.match["version"]
            url = f"https://rupload.facebook.com/video-upload/{version}/{video_id}"
            return json_reply({"video_id": video_id, "upload_url": url})
        if phase == "finish":
            return self._finish(call)
        return graph_error_reply(400, "(#100) upload_phase must be one of start, transfer, finish", 100)

    def _finish(self, call: Call) -> web.Response:
        reel = self.world.reels.get(call.text("video_id") or "")
        if reel is None or reel.page != call.match["page"]:
            return graph_error_reply(400, "(#100) video_id is not a reel started on this Page", 100)
        if reel.finished is not None:
            return graph_error_reply(400, "(#100) This reel has already been finished", 100)
        if reel.size is None or reel.received < reel.size:
            return graph_error_reply(
                400, "(#100) The video has not been uploaded: upload it before upload_phase=finish", 100
            )
        state = call.text("video_state")
        if state not in STATES:
            return graph_error_reply(400, "(#100) video_state must be PUBLISHED, DRAFT or SCHEDULED", 100)
        if len(reel.data) == reel.size:  # the whole clip is at hand: judge its length
            seconds = seconds_of(bytes(reel.data))
            if seconds is None:
                return graph_error_reply(400, "(#100) The uploaded file is not a video", 100)
            if not MIN_SECONDS <= seconds <= MAX_SECONDS:
                return graph_error_reply(
                    400, f"(#100) Reels must be 3 to 90 seconds long; this video is {seconds:.1f} s", 100
                )
        reel.finished, reel.data = state, bytearray()
        if state == "PUBLISHED":
            post = FeedPost(
                f"{reel.page}_{next(self.world.numbers)}",
                reel.page,
                call.text("description") or "",
                None,
                [],
                self.clock.now(),
            )
            post.video = reel.id
            self.world.posts.append(post)
        return json_reply({"success": True})

    async def rupload(self, call: Call, issued: Issued, page: str | None) -> web.Response:
        reel = self.world.reels.get(call.match["video"])
        if reel is None or page != reel.page:
            return rupload_error("Invalid video id, or a token that is not its Page's")
        if not call.request.headers.get("Authorization", "").startswith("OAuth "):
            return rupload_error("HeaderValuePredicate: Header Authorization must be OAuth {token}")
        offset, size = call.request.headers.get("offset", ""), call.request.headers.get("file_size", "")
        if not offset.isdigit():
            return rupload_error("HeaderValuePredicate: Header Offset not convertable to unsigned long")
        if not size.isdigit() or int(size) <= 0 or (reel.size is not None and int(size) != reel.size):
            return rupload_error("HeaderValuePredicate: Header file_size not convertable to unsigned long")
        if reel.finished is not None:
            return rupload_error("The upload of this video is finished")
        reel.size = int(size)
        if int(offset) != reel.received:
            return rupload_error(f"Offset must be {reel.received}")
        async for chunk in call.stream():
            take = chunk[: reel.size - reel.received]
            if len(reel.data) + len(take) <= KEPT_BYTES:
                reel.data += take
            reel.received += len(take)
        # A body cut short (a dropped connection) is kept as far as it came; the client reads
        # uploading_phase.bytes_transferred and sends the rest from there.
        return json_reply({"success": reel.received == reel.size})

    def reel_status(self, reel: Reel) -> web.Response:
        uploaded = reel.size is not None and reel.received >= reel.size
        uploading = {
            "status": "complete" if uploaded else ("in_progress" if reel.received else "not_started"),
            "bytes_transferred": reel.received,
        }
        processing, publishing, video = (
            "not_started",
            "not_started",
            "upload_complete" if uploaded else "uploading",
        )
        if reel.finished is not None:
            reel.reads += 1
            done = reel.reads > 1
            processing = "complete" if done else "in_progress"
            video = "ready" if done else "processing"
            publishing = "complete" if done and reel.finished == "PUBLISHED" else "not_started"
        status = {
            "video_status": video,
            "uploading_phase": uploading,
            "processing_phase": {"status": processing},
            "publishing_phase": {"status": publishing},
        }
        return json_reply({"id": reel.id, "status": status})
