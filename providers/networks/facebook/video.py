"""A Page video through Meta's Resumable Upload API, streamed from disk (shared/reference/
networks.md §1 "Publish"; developers.facebook.com/docs/video-api/guides/publishing):

1. ``POST /{app-id}/uploads`` {file_name, file_length, file_type} with the user token →
   ``{"id": "upload:…"}``, an upload session;
2. ``POST /upload:…`` with ``Authorization: OAuth {user token}`` and ``file_offset``, the file's
   bytes from that offset as the body (read in 256 KiB chunks in a worker thread, never the whole
   file in memory) → ``{"h": handle}``; when the connection drops, ``GET /upload:…`` says how far
   it got (``file_offset``) and the rest is sent from there (at most :data:`RESUMES` times);
3. ``POST graph-video.facebook.com/{page-id}/videos`` {description, fbuploader_video_file_chunk:
   handle} with the Page token → ``{"id": video id}``: the request that creates the post.

Facebook processes the video after that; linkdeck does not wait for ``status.video_status``
(said in the spec's notes).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from providers.errors import FileChanged, PublishError
from providers.failures import from_exception
from providers.networks.facebook.graph import bearer, graph_url

if TYPE_CHECKING:
    import httpx2

CHUNK_SIZE = 256 * 1024
RESUMES = 3
VIDEO_MIME = {"mp4": "video/mp4", "mov": "video/quicktime"}


class FileFrom:
    """``path`` from byte ``offset`` to its end, as a streamed request body."""

    def __init__(self, path: Path, offset: int, progress: Callable[[int, int], None] | None = None) -> None:
        self.path, self.offset, self.progress = path, offset, progress
        self.size = path.stat().st_size

    async def __aiter__(self) -> AsyncIterator[bytes]:
        handle = await asyncio.to_thread(open, self.path, "rb")
        try:
            if os.fstat(handle.fileno()).st_size != self.size:
                raise FileChanged(f"{self.path.name} changed size while it was being uploaded")
            await asyncio.to_thread(handle.seek, self.offset)
            sent = self.offset
            while sent < self.size:
                chunk = await asyncio.to_thread(handle.read, min(CHUNK_SIZE, self.size - sent))
                if not chunk:
                    raise FileChanged(f"{self.path.name} became shorter while it was being uploaded")
                sent += len(chunk)
                yield chunk
                del chunk
                if self.progress is not None:
                    self.progress(sent, self.size)
        finally:
            await asyncio.to_thread(handle.close)


class VideoUpload:
    """One video's upload session; ``refuse(response, what)`` words a failed answer."""

    def __init__(
        self,
        client: httpx2.AsyncClient,
        name: str,
        refuse: Callable[[httpx2.Response, str], PublishError],
    ) -> None:
        self.client, self.name, self.refuse = client, name, refuse
        self.proof: dict[str, str] = {}

    def _json(self, response: httpx2.Response, what: str) -> dict[str, Any]:
        if response.status_code != 200:
            raise self.refuse(response, what)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise PublishError("try_later", f"{self.name} answered {what} with something that is not JSON.")
        return body

    async def handle(
        self,
        app_id: str,
        user_token: str,
        proof: dict[str, str],
        path: Path,
        mime: str,
        progress: Callable[[int, int], None],
    ) -> str:
        """The uploaded file's handle, for ``fbuploader_video_file_chunk``; ``proof``: the user
        token's appsecret_proof parameter, if any."""
        self.proof = proof
        what = f"uploading {path.name}"
        size = path.stat().st_size
        params = {"file_name": path.name, "file_length": str(size), "file_type": mime, **proof}
        try:
            started = await self.client.post(
                graph_url(f"{app_id}/uploads"), params=params, headers=bearer(user_token)
            )
        except Exception as exc:
            raise from_exception(exc, self.name, what) from None
        session = self._json(started, what).get("id")
        if not isinstance(session, str) or not session.startswith("upload:"):
            raise PublishError("try_later", f"{self.name} started {what} without an upload session.")
        oauth = {"Authorization": f"OAuth {user_token}"}
        offset = 0
        for attempt in range(RESUMES + 1):
            headers = {**oauth, "file_offset": str(offset), "Content-Length": str(size - offset)}
            try:
                sent = await self.client.post(
                    graph_url(session),
                    params=proof,
                    content=FileFrom(path, offset, progress),
                    headers=headers,
                    timeout=600.0,
                )
            except FileChanged as exc:
                raise PublishError("fix_media", f"{self.name}: {exc}; nothing was published.") from None
            except Exception as exc:
                if attempt == RESUMES:
                    raise from_exception(exc, self.name, what) from None
                offset = await self._offset(session, oauth, what)
                continue
            found = self._json(sent, what).get("h")
            if isinstance(found, str) and found:
                return found
            offset = await self._offset(session, oauth, what)
        raise PublishError("try_later", f"{self.name} did not take all of {path.name}; linkdeck tries later.")

    async def _offset(self, session: str, oauth: dict[str, str], what: str) -> int:
        """How far the session got (``GET /upload:…`` → ``file_offset``)."""
        try:
            response = await self.client.get(graph_url(session), params=self.proof, headers=oauth)
        except Exception as exc:
            raise from_exception(exc, self.name, what) from None
        offset = self._json(response, what).get("file_offset")
        if not isinstance(offset, int) or offset < 0:
            raise PublishError("try_later", f"{self.name} did not say how much of the upload arrived.")
        return offset
