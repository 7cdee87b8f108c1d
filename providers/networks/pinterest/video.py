"""Video Pins: ``POST /v5/media`` registers the upload, the file goes to the returned
``upload_url`` as an S3 form POST (every ``upload_parameters`` field, then ``file``, streamed from
disk, without linkdeck's token: the form's policy is Pinterest's signature), ``GET /v5/media/{id}``
is polled until ``succeeded``, and the Pin names the media as ``video_id`` with the video's first
frame as its cover (never the cover in the upload: PZI PR #1802 in networks-2026.md §9).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from providers.errors import PublishError
from providers.failures import from_exception

if TYPE_CHECKING:
    import httpx2

    from providers.interface import Reporter

Send = Callable[..., Awaitable[dict[str, Any]]]

# Seconds between two looks at a video Pinterest is processing; then it is tried again later.
POLL_DELAYS: tuple[float, ...] = (1, 2, 3, 5, 5, 10, 10, 15, 15, 30, 30, 30, 30, 30, 30, 60, 60, 60)


class VideoUpload:
    """One video's way to a media id, through the publisher's client and its ``send`` (a call
    whose refusal is already the outbox's error)."""

    def __init__(
        self,
        client: httpx2.AsyncClient,
        api: str,
        send: Send,
        auth: dict[str, str],
        name: str,
        report: Reporter | None,
    ) -> None:
        self.client, self.api, self.send = client, api, send
        self.auth, self.name, self.report = auth, name, report

    async def run(self, path: Path, mime: str) -> str:
        """Register, upload (S3 form POST, streamed) and wait for Pinterest to process the video;
        its media id."""
        from providers.publishing.multipart import StreamedMultipart

        registered = await self.send(
            "POST",
            f"{self.api}/media",
            "registering the video",
            self.name,
            json={"media_type": "video"},
            headers=self.auth,
        )
        media_id, upload_url = registered.get("media_id"), registered.get("upload_url")
        parameters = registered.get("upload_parameters")
        if not isinstance(media_id, str | int) or not isinstance(upload_url, str) or not upload_url:
            raise PublishError("try_later", f"{self.name} registered the video without an upload address.")
        fields = (
            [(str(k), str(v)) for k, v in (parameters or {}).items()] if isinstance(parameters, dict) else []
        )
        what = f"uploading {path.name}"
        report = self.report
        form = StreamedMultipart(
            fields,
            "file",
            path,
            content_type=mime,
            progress=(lambda sent, total: report.uploading(0, 1, sent, total))
            if report is not None
            else None,
        )
        try:  # the upload host is Pinterest's S3 bucket: the form's policy signs it, not our token
            response = await self.client.post(upload_url, content=form, headers=form.headers, timeout=None)
        except Exception as exc:
            raise from_exception(exc, self.name, what) from None
        if not 200 <= response.status_code < 300:
            raise upload_refused(response, self.name, what)
        await self._processed(str(media_id))
        return str(media_id)

    async def _processed(self, media_id: str) -> None:
        url, what = f"{self.api}/media/{media_id}", "checking the video's processing"
        for delay in (0.0, *POLL_DELAYS):
            if delay:
                await asyncio.sleep(delay)
            status = (await self.send("GET", url, what, self.name, headers=self.auth)).get("status")
            if status == "succeeded":
                return
            if status == "failed":
                raise PublishError(
                    "fix_media",
                    f"{self.name} could not process the video (media status failed). Check it plays, "
                    "is MP4, MOV or M4V, and lasts 4 s to 15 min, then post again.",
                )
            if self.report is not None:
                self.report.processing(0, 1)
        raise PublishError(
            "try_later", f"{self.name} is still processing the video; linkdeck tries the Pin again later."
        )


async def video_source(path: Path, media_id: str) -> dict[str, Any]:
    """The Pin's ``media_source`` for an uploaded video: its first frame as the cover, or the
    key frame at 0 s when the frame can't be decoded here."""
    import base64

    from providers.networks.pinterest.media import first_frame_jpeg

    source: dict[str, Any] = {"source_type": "video_id", "media_id": media_id}
    cover = await asyncio.to_thread(first_frame_jpeg, path)
    if cover is None:
        source["cover_image_key_frame_time"] = 0
    else:
        source["cover_image_content_type"] = "image/jpeg"
        source["cover_image_data"] = base64.b64encode(cover).decode("ascii")
    return source


def upload_refused(response: httpx2.Response, name: str, what: str) -> PublishError:
    """A refused S3 form upload: its XML ``Code`` named. Not the sign-in's fault (the form is
    signed by Pinterest, not by linkdeck's token), so a 403 is tried again with a new upload
    address rather than asking to reconnect; 5xx and 429 are the usual "later"."""
    from providers.failures import classify

    found = re.search(r"<Code>([^<]{1,64})</Code>", response.text)
    code = found.group(1) if found else f"HTTP {response.status_code}"
    if response.status_code >= 500 or response.status_code in (408, 429):
        return classify(response, name, what, said=code)
    return PublishError(
        "try_later",
        f"{name}'s upload storage refused {what} ({code}); linkdeck registers the video again "
        "and retries later.",
        status=response.status_code,
    )
