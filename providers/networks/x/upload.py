"""X's v2 media routes, streamed from disk (networks-2026.md §4a; XD changelog 2025-04-30):

- a photo: one-shot ``POST /2/media/upload`` (multipart ``media`` + ``media_category=tweet_image``);
- a GIF or a video: ``POST /2/media/upload/initialize`` {media_type, total_bytes, media_category}
  → ``POST /2/media/upload/{id}/append`` (multipart ``segment_index`` + ``media``, one
  :data:`SEGMENT_BYTES` range of the file each, streamed in 256 KiB pieces: memory stays bounded
  whatever the file's size) → ``POST /2/media/upload/{id}/finalize`` → while
  ``processing_info.state`` is pending or in_progress, ``GET /2/media/upload?command=STATUS&
  media_id=…`` after ``processing_info.check_after_secs``;
- alt text: ``POST /2/media/metadata`` {id, metadata: {alt_text: {text}}} once the media is ready.

A segment index runs 0–999 (XO), so segments grow past 4 MiB only for files over 4 GB, which X
refuses anyway (512 MB video).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from providers.errors import PublishError
from providers.failures import from_exception
from providers.publishing.multipart import StreamedMultipart

if TYPE_CHECKING:
    import httpx2

    from providers.interface import Reporter

SEGMENT_BYTES = 4 * 1024 * 1024
MAX_SEGMENTS = 1000
PROCESSING_LIMIT = 600.0  # seconds a video may take to process before linkdeck tries again later
ALT_TEXT_MAX = 1000
MIME = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
}


Refuse = Callable[["httpx2.Response", str], PublishError]


class Uploader:
    """The uploads of one post: ``client`` with the bearer ``headers`` or the OAuth 1.0a ``auth``
    (the PIN route signs each request), failures named by ``refuse``."""

    def __init__(
        self,
        client: httpx2.AsyncClient,
        api: str,
        headers: dict[str, str],
        refuse: Refuse,
        name: str,
        auth: Any = None,
    ) -> None:
        self.client, self.api, self.headers, self.refuse, self.name = client, api, headers, refuse, name
        self.auth = auth
        self.sleep = asyncio.sleep

    def _signed(self) -> dict[str, Any]:
        return {} if self.auth is None else {"auth": self.auth}

    async def _call(self, method: str, path: str, what: str, **kw: Any) -> dict[str, Any]:
        headers = {**self.headers, **kw.pop("headers", {})}
        try:
            response = await self.client.request(
                method, f"{self.api}{path}", headers=headers, timeout=300.0, **self._signed(), **kw
            )
        except Exception as exc:
            raise from_exception(exc, self.name, what) from None
        if response.status_code not in (200, 201, 202, 204):
            raise self.refuse(response, what)
        if response.status_code == 204 or not response.content:
            return {}
        try:
            body = response.json()
        except ValueError:
            raise PublishError("try_later", f"{self.name} answered {what} with something not JSON.") from None
        data = body.get("data") if isinstance(body, dict) else None
        if data is None and isinstance(body, dict) and "id" in body:
            data = body  # one-shot answers were also seen unwrapped (python-twitter's recording)
        if not isinstance(data, dict):
            raise PublishError("try_later", f"{self.name} answered {what} without its data.")
        return data

    async def one_shot(self, path: Path, mime: str, progress: Callable[[int, int], None] | None) -> str:
        body = StreamedMultipart(
            [("media_category", "tweet_image")], "media", path, content_type=mime, progress=progress
        )
        data = await self._call(
            "POST", "/2/media/upload", f"uploading {path.name}", content=body, headers=body.headers
        )
        return _media_id(data, self.name, path)

    async def chunked(
        self,
        path: Path,
        mime: str,
        category: str,
        index: int,
        count: int,
        report: Reporter | None,
    ) -> str:
        what = f"uploading {path.name}"
        total = path.stat().st_size
        start = {"media_type": mime, "total_bytes": total, "media_category": category}
        media_id = _media_id(
            await self._call("POST", "/2/media/upload/initialize", what, json=start), self.name, path
        )
        segment = max(SEGMENT_BYTES, -(-total // MAX_SEGMENTS))
        offset, number = 0, 0
        while offset < total:
            length = min(segment, total - offset)
            done = offset

            def progress(sent: int, _: int, done: int = done) -> None:
                if report is not None:
                    report.uploading(index, count, done + sent, total)

            fields = [("segment_index", str(number))]
            body = StreamedMultipart(fields, "media", path, progress=progress, offset=offset, length=length)
            await self._call(
                "POST", f"/2/media/upload/{media_id}/append", what, content=body, headers=body.headers
            )
            offset, number = offset + length, number + 1
        if os.stat(path).st_size != total:
            raise PublishError("fix_media", f"{self.name}: {path.name} changed while it was being uploaded.")
        data = await self._call("POST", f"/2/media/upload/{media_id}/finalize", f"finishing {path.name}")
        await self._until_processed(media_id, data, path, index, count, report)
        return media_id

    async def _until_processed(
        self,
        media_id: str,
        data: dict[str, Any],
        path: Path,
        index: int,
        count: int,
        report: Reporter | None,
    ) -> None:
        waited = 0.0
        while True:
            info = data.get("processing_info")
            state = info.get("state") if isinstance(info, dict) else "succeeded"
            if state == "succeeded":
                return
            if state == "failed":
                error = info.get("error") if isinstance(info, dict) else None
                said = error.get("message") if isinstance(error, dict) else None
                reason = f": {said}" if isinstance(said, str) and said else ""
                raise PublishError(
                    "fix_media", f"{self.name} could not process {path.name}{reason}. Nothing was published."
                )
            if waited >= PROCESSING_LIMIT:
                raise PublishError(
                    "try_later", f"{self.name} was still processing {path.name} after {waited:.0f} s."
                )
            if report is not None:
                report.processing(index, count)
            after = info.get("check_after_secs") if isinstance(info, dict) else None
            delay = float(after) if isinstance(after, int | float) and after >= 0 else 5.0
            await self.sleep(delay)
            waited += max(delay, 1.0)
            params = {"command": "STATUS", "media_id": media_id}
            data = await self._call("GET", "/2/media/upload", f"processing {path.name}", params=params)

    async def alt_text(self, media_id: str, text: str, label: str) -> None:
        body = {"id": media_id, "metadata": {"alt_text": {"text": text}}}
        await self._call("POST", "/2/media/metadata", f"adding the alt text of {label}", json=body)


def _media_id(data: dict[str, Any], name: str, path: Path) -> str:
    media_id = data.get("id")
    if not isinstance(media_id, str) or not media_id:
        raise PublishError("try_later", f"{name} answered the upload of {path.name} without a media id.")
    return media_id
