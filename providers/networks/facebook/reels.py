"""A Facebook Reel: a vertical video published through the Page's ``/{page-id}/video_reels``.

Why a vertical video goes this way and never to ``/videos``: a vertical video sent to a Page's
``/videos`` lands as a draft ("Your reel is ready — share it…"), not as a post
(shared/reference/networks-2026.md §1a "Reels", after Postiz PR #1740). So the media's shape
decides, with nothing for the person to mark: a video at least as tall as :data:`VERTICAL`
(taller than 3:5) is a Reel, everything else a Page video (:mod:`.video`).

The Reel's limits, checked before anything is sent (:func:`reel_problem`), are those of Meta's
Reels Publishing API guide (developers.facebook.com/docs/video-api/guides/reels-publishing,
updated 2026-07-30, read in the docs corpus): aspect 9:16; at least 540 × 960 pixels (1080 × 1920
recommended); 3 to 90 seconds; at most 30 Reels published through the API per Page in 24 hours
(not counted here: Facebook's refusal is mapped instead).

The flow, with the Page's token (:class:`ReelUpload`):

1. ``POST graph.facebook.com/{page-id}/video_reels`` {upload_phase: start} → ``{video_id,
   upload_url}`` (``rupload.facebook.com/video-upload/{version}/{video-id}``);
2. ``POST {upload_url}`` with ``Authorization: OAuth {page token}``, ``offset`` and ``file_size``
   headers, the bytes from ``offset`` streamed from disk (:class:`.video.FileFrom`); when the
   connection drops, ``GET /{video-id}?fields=status`` says how far it got
   (``uploading_phase.bytes_transferred``) and the rest goes from there;
3. ``POST /{page-id}/video_reels`` {upload_phase: finish, video_id, video_state: PUBLISHED,
   description}: the request that creates the post;
4. ``GET /{video-id}?fields=status`` with a growing wait until ``video_status`` is ``ready``
   (``processing_phase`` ``error`` → the video is the problem).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from providers.errors import FileChanged, PublishError
from providers.failures import from_exception
from providers.networks.facebook.graph import bearer, graph_url
from providers.networks.facebook.video import RESUMES, FileFrom

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import Token
    from providers.interface import PublishResult, Reporter
    from providers.media.model import MediaInfo
    from providers.store import Post

log = logging.getLogger("linkdeck.networks.facebook")

VERTICAL = 0.6  # width / height at or under which a video is vertical, so a Reel (3:5 = 0.6)
REEL_ASPECT = 9 / 16
ASPECT_TOLERANCE = 0.02  # 0.5425–0.5825: a 9:16 video a few pixels off (720 × 1278) still counts
MIN_WIDTH, MIN_HEIGHT = 540, 960
MIN_SECONDS, MAX_SECONDS = 3.0, 90.0
# Waits between status reads after finishing (seconds); about four minutes in all.
POLL_DELAYS: tuple[float, ...] = (0.5, 1, 2, 4, 8, 15, 30, 30, 30, 30, 30, 60)


def reel_url(video_id: str) -> str:
    return f"https://www.facebook.com/reel/{video_id}"


def is_reel(info: MediaInfo) -> bool:
    """A vertical video: Facebook's Reel, whatever the person calls it."""
    from providers.media.model import MediaKind

    return info.kind is MediaKind.VIDEO and info.height > 0 and info.aspect <= VERTICAL


def reel_problem(info: MediaInfo, name: str) -> str | None:
    """Why Facebook would refuse this vertical video as a Reel (None when it would not)."""
    from providers.media.units import duration_name

    lead = f"{name}: {info.name} is a vertical video, which Facebook posts as a Reel"
    if abs(info.aspect - REEL_ASPECT) > ASPECT_TOLERANCE:
        return (
            f"{lead}, and Reels are 9:16 (this one is {info.width} × {info.height}); crop it to "
            "9:16, or to a landscape or square shape to post it as a Page video."
        )
    if info.width < MIN_WIDTH or info.height < MIN_HEIGHT:
        return (
            f"{lead}, and Reels are at least {MIN_WIDTH} × {MIN_HEIGHT} pixels (this one is "
            f"{info.width} × {info.height}); export it at 1080 × 1920."
        )
    if info.duration is not None and not MIN_SECONDS <= info.duration <= MAX_SECONDS:
        return (
            f"{lead}, and Reels last {duration_name(MIN_SECONDS)} to {duration_name(MAX_SECONDS)} "
            f"(this one is {duration_name(info.duration)}); trim it."
        )
    return None


class ReelUpload:
    """One Reel's three phases and the wait for it; ``refuse(response, what)`` words a failed
    Graph answer."""

    def __init__(
        self,
        client: httpx2.AsyncClient,
        name: str,
        refuse: Callable[[httpx2.Response, str, bool], PublishError],
        poll_delays: tuple[float, ...] = POLL_DELAYS,
    ) -> None:
        self.client, self.name, self.refuse, self.poll_delays = client, name, refuse, poll_delays

    async def _send(
        self, method: str, url: str, what: str, *, committing: bool = False, **kw: Any
    ) -> dict[str, Any]:
        try:
            response = await self.client.request(method, url, timeout=600.0, **kw)
        except FileChanged as exc:
            raise PublishError("fix_media", f"{self.name}: {exc}; nothing was published.") from None
        except Exception as exc:
            raise from_exception(exc, self.name, what, committing=committing) from None
        if response.status_code != 200:
            raise self.refuse(response, what, committing)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise PublishError(
                "try_later",
                f"{self.name} answered {what} with something that is not JSON.",
                maybe_published=committing,
            )
        return body

    async def start(self, page: str, page_token: str, proof: dict[str, str]) -> tuple[str, str]:
        """Phase 1: the Reel's video id and the address its bytes go to."""
        body = await self._send(
            "POST",
            graph_url(f"{page}/video_reels"),
            "starting the Reel's upload",
            data={"upload_phase": "start"},
            params=proof,
            headers=bearer(page_token),
        )
        video_id, upload_url = body.get("video_id"), body.get("upload_url")
        if not isinstance(video_id, str | int) or not isinstance(upload_url, str) or not upload_url:
            raise PublishError("try_later", f"{self.name} started the Reel without an upload address.")
        return str(video_id), upload_url

    async def upload(
        self,
        video_id: str,
        upload_url: str,
        page_token: str,
        proof: dict[str, str],
        path: Path,
        progress: Callable[[int, int], None],
    ) -> None:
        """Phase 2: the file's bytes, streamed, resumed from the offset Facebook reports."""
        what, size, offset = f"uploading {path.name}", path.stat().st_size, 0
        for attempt in range(RESUMES + 1):
            headers = {
                "Authorization": f"OAuth {page_token}",
                "offset": str(offset),
                "file_size": str(size),
                "Content-Length": str(size - offset),
            }
            try:
                body = await self._send(
                    "POST",
                    upload_url,
                    what,
                    content=FileFrom(path, offset, progress),
                    headers=headers,
                    params=proof,
                )
            except PublishError as exc:
                if attempt == RESUMES or exc.kind not in ("try_later",) or exc.status is not None:
                    raise
                offset = await self._transferred(video_id, page_token, proof, what)
                continue
            if body.get("success") is True:
                return
            offset = await self._transferred(video_id, page_token, proof, what)
        raise PublishError("try_later", f"{self.name} did not take all of {path.name}; linkdeck tries later.")

    async def status(
        self, video_id: str, page_token: str, proof: dict[str, str], what: str
    ) -> dict[str, Any]:
        body = await self._send(
            "GET",
            graph_url(video_id),
            what,
            params={"fields": "status", **proof},
            headers=bearer(page_token),
        )
        status = body.get("status")
        return status if isinstance(status, dict) else {}

    async def _transferred(self, video_id: str, page_token: str, proof: dict[str, str], what: str) -> int:
        phase = (await self.status(video_id, page_token, proof, what)).get("uploading_phase")
        sent = phase.get("bytes_transferred") if isinstance(phase, dict) else None
        if not isinstance(sent, int) or sent < 0:
            raise PublishError("try_later", f"{self.name} did not say how much of the Reel arrived.")
        return sent

    async def finish(
        self, page: str, page_token: str, proof: dict[str, str], video_id: str, description: str
    ) -> None:
        """Phase 3, the request that publishes: ``video_state=PUBLISHED``, or it stays a draft."""
        data = {
            "upload_phase": "finish",
            "video_id": video_id,
            "video_state": "PUBLISHED",
            "description": description,
        }
        body = await self._send(
            "POST",
            graph_url(f"{page}/video_reels"),
            "publishing the Reel",
            committing=True,
            data=data,
            params=proof,
            headers=bearer(page_token),
        )
        if body.get("success") is not True:
            raise PublishError(
                "try_later",
                f"{self.name} did not confirm the Reel; linkdeck looks before sending again.",
                maybe_published=True,
            )

    async def wait_until_ready(self, video_id: str, page_token: str, proof: dict[str, str]) -> bool:
        """Read the status with a growing wait until ``ready`` (True); False when Facebook is still
        processing after every wait (the Reel is published; it shows once processed)."""
        what = "checking the Reel"
        for delay in (0.0, *self.poll_delays):
            if delay:
                await asyncio.sleep(delay)
            status = await self.status(video_id, page_token, proof, what)
            processing = status.get("processing_phase")
            if status.get("video_status") == "error" or (
                isinstance(processing, dict) and processing.get("status") == "error"
            ):
                raise PublishError("fix_media", self.processing_failed(processing))
            if status.get("video_status") == "ready":
                return True
        log.info("Facebook Reel %s still processing after the last status read", video_id)
        return False

    def processing_failed(self, processing: object) -> str:
        """Facebook's words for a Reel it could not process (the video itself is the problem)."""
        errors = processing.get("errors") if isinstance(processing, dict) else None
        said = [e.get("message") for e in errors or [] if isinstance(e, dict)]
        words = "; ".join(str(s).rstrip(". ") for s in said if s)
        return (
            f"{self.name} could not process the Reel"
            + (f" ({words})" if words else "")
            + ": export it again as MP4 (H.264, AAC), 9:16, 3 to 90 seconds."
        )


async def is_vertical(path: Path, name: str) -> bool:
    """Whether the video at ``path`` goes as a Reel; a vertical one Facebook would refuse as a
    Reel is refused here, before anything is sent."""
    from providers.errors import MediaError
    from providers.media.probe import inspect

    try:
        info = await asyncio.to_thread(inspect, path)
    except MediaError as exc:
        raise PublishError("fix_media", f"{name}: {exc.message}; nothing was published.") from None
    if not is_reel(info):
        return False
    problem = reel_problem(info, name)
    if problem is not None:
        raise PublishError("fix_media", f"{problem} Nothing was published.")
    return True


async def publish_reel(
    upload: ReelUpload,
    page: str,
    page_token: str,
    token: Token,
    path: Path,
    post: Post,
    report: Reporter | None,
) -> PublishResult:
    """Start, upload, finish (the committing request) and wait for Facebook to process it."""
    from providers.interface import PublishResult
    from providers.networks.facebook.graph import proof_for

    proof = proof_for(token, page)

    def progress(sent: int, total: int) -> None:
        if report is not None:
            report.uploading(0, 1, sent, total)

    video_id, upload_url = await upload.start(page, page_token, proof)
    await upload.upload(video_id, upload_url, page_token, proof, path, progress)
    if report is not None:
        await report.committing()
    await upload.finish(page, page_token, proof, video_id, post.caption)
    if report is not None:
        report.processing(0, 1)
    await upload.wait_until_ready(video_id, page_token, proof)
    return PublishResult(video_id, reel_url(video_id))
