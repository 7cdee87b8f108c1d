"""Publishing a video to YouTube: ``videos.insert`` as a resumable upload, streamed from the file.

1. ``POST …/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`` with the video
   resource (title = the caption's first line, cut to 100 characters; description = the rest,
   ≤ 5,000 bytes; privacy private; declared not made for kids) and ``X-Upload-Content-Length`` /
   ``-Type``. The answer's ``Location`` is the upload session.
2. ``PUT`` the bytes to the session, streamed in chunks (never the whole file in memory). When the
   connection drops or the server answers 5xx, ask the session where it is (``PUT`` with no body
   and ``Content-Range: bytes */N`` → 308 with ``Range: bytes=0-K``, or the video when it is
   complete) and send only the bytes after K. A few resumes per publish; past that, the outbox
   decides (the video may exist).

Recovery (``Recovery.LOOKUP``): the session URL lives only in this process (no store field holds
it), so after a crash it cannot be asked. Instead the channel's uploads playlist (1 quota unit; its
owner sees private videos there too: unverified against the real API) is searched for a video with
the same title and description uploaded since the send began. That can be fooled by an identical
video uploaded in the same minutes by hand; it never resends over a video it found.

``report.committing()`` is awaited before the session is started: from there on a lost answer may
mean a video exists (the last byte of the upload creates it), so nothing is resent blindly.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from providers.errors import FileChanged, PublishError
from providers.failures import Rule, classify, from_exception
from providers.interface import Publisher, PublishResult, Recovery, Reporter
from providers.networks.youtube.spec import DESCRIPTION_MAX_BYTES, TITLE_MAX_CHARS
from providers.publishing.titles import split_title

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import Token
    from providers.store import Account, Delivery, Post

log = logging.getLogger("linkdeck.networks.youtube")

CHUNK_SIZE = 256 * 1024
MAX_RESUMES = 5
LOOKUP_COUNT = 25  # the newest uploads looked at after a crash
LOOKUP_MARGIN = timedelta(minutes=10)  # clocks differ; the video cannot be older than the send
PRIVACY = "private"
_RANGE = re.compile(r"^bytes=0-(\d+)$")
WATCH = "https://www.youtube.com/watch?v="
MIME = {
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
    "avi": "video/x-msvideo",
}
QUOTA_ADVICE = (
    "YouTube's daily upload quota for your Google Cloud project is used up (100 uploads a day by "
    "default); it resets at midnight Pacific Time, or ask Google for more in the Cloud console."
)


class SessionGone(Exception):
    """The upload session is unknown or expired (404/410): no video was made from it."""


class YouTubePublisher(Publisher):
    recovery: ClassVar[Recovery] = Recovery.LOOKUP
    error_rules: ClassVar[Mapping[str, Rule]] = {
        "quotaExceeded": Rule("try_later", QUOTA_ADVICE, wait=6 * 3600.0),
        "uploadLimitExceeded": Rule(
            "try_later", "The channel reached YouTube's own upload limit for now; try again tomorrow.",
            wait=24 * 3600.0,
        ),
        "youtubeSignupRequired": Rule(
            "reconnect", "This Google account has no YouTube channel: create one, then link it again."
        ),
        "insufficientPermissions": Rule(
            "reconnect", "Link the account again to grant the upload permission."
        ),
        "authError": Rule("reconnect", "Reconnect the account."),
        "invalidTitle": Rule("fix_media", "Change the caption's first line (the title)."),
        "invalidDescription": Rule("fix_media", "Change the caption (the description)."),
        "invalidVideoMetadata": Rule("fix_media"),
        "mediaBodyRequired": Rule("fix_media"),
        "rateLimitExceeded": Rule("try_later", wait=60.0),
        "forbidden": Rule("refused"),
    }  # fmt: skip

    def profile_url(self, account: Account) -> str | None:
        channel = account.target_id or account.remote_id
        return f"https://studio.youtube.com/channel/{channel}/videos/upload" if channel else None

    def error_code(self, response: httpx2.Response) -> str | None:
        error = _error(response)
        errors = error.get("errors") if error else None
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            reason = errors[0].get("reason")
            return reason if isinstance(reason, str) else None
        return None

    def refused(
        self, response: httpx2.Response, name: str, what: str, *, committing: bool = False
    ) -> PublishError:
        error = _error(response)
        message = error.get("message") if error else None
        return classify(
            response,
            name,
            what,
            committing=committing,
            code=self.error_code(response),
            rules=self.error_rules,
            said=message if isinstance(message, str) else None,
        )

    # Publishing ---------------------------------------------------------------------------------

    def resource(self, post: Post, path: Path, name: str) -> dict[str, Any]:
        """The video resource: title, description, privacy, audience. PublishError (nothing sent)
        when YouTube would refuse the words."""
        titled = split_title(post.caption, TITLE_MAX_CHARS)
        title = titled.title or path.stem[:TITLE_MAX_CHARS]
        description = titled.body
        if any(ch in title + description for ch in "<>"):
            raise PublishError(
                "fix_media", f"{name} refuses < and > in a video's title and description; nothing was sent."
            )
        if len(description.encode("utf-8")) > DESCRIPTION_MAX_BYTES:
            raise PublishError(
                "fix_media",
                f"{name}: the description (the caption after its first line) is "
                f"{len(description.encode('utf-8')):,} bytes; YouTube takes at most "
                f"{DESCRIPTION_MAX_BYTES:,}. Nothing was sent.",
            )
        return {
            "snippet": {"title": title, "description": description},
            "status": {"privacyStatus": PRIVACY, "selfDeclaredMadeForKids": False},
        }

    async def publish(
        self,
        account: Account,
        post: Post,
        delivery: Delivery,
        token: Token,
        *,
        report: Reporter | None = None,
    ) -> PublishResult:
        name = self.name(account)
        videos = [Path(p) for p in post.media]
        if len(videos) != 1:
            raise PublishError("fix_media", f"{name} publishes one video per post; nothing was sent.")
        path = videos[0]
        resource = self.resource(post, path, name)
        size = path.stat().st_size
        mime = MIME.get(path.suffix.lower().lstrip("."), "application/octet-stream")
        auth = {"Authorization": f"Bearer {token.get('access_token', '')}"}
        if report is not None:
            await report.committing()
        session = await self._start(name, resource, size, mime, auth)

        def progress(sent: int) -> None:
            if report is not None:
                report.uploading(0, 1, sent, size)

        video = await self._send(name, session, path, size, mime, auth, progress)
        video_id = video.get("id")
        if not isinstance(video_id, str) or not video_id:
            raise PublishError(
                "try_later", f"{name} finished the upload without a video id.", maybe_published=True
            )
        return PublishResult(video_id, WATCH + video_id)

    async def _start(
        self, name: str, resource: dict[str, Any], size: int, mime: str, auth: dict[str, str]
    ) -> str:
        url = str(self.spec.endpoints.upload)
        what = "starting the video upload"
        try:
            response = await self.client.post(
                url,
                params={"uploadType": "resumable", "part": "snippet,status"},
                json=resource,
                headers={**auth, "X-Upload-Content-Length": str(size), "X-Upload-Content-Type": mime},
            )
        except Exception as exc:
            raise from_exception(exc, name, what, committing=True) from None
        location = response.headers.get("Location")
        if response.status_code != 200 or not location:
            raise self.refused(response, name, what, committing=True)
        return location

    async def _send(
        self,
        name: str,
        session: str,
        path: Path,
        size: int,
        mime: str,
        auth: dict[str, str],
        progress: Callable[[int], None],
    ) -> dict[str, Any]:
        """Upload from where the session is until it holds the whole file; the video resource."""
        import httpx2

        what = f"uploading {path.name}"
        offset, resumes = 0, 0
        while True:
            headers = {**auth, "Content-Type": mime, "Content-Length": str(size - offset)}
            if size:
                headers["Content-Range"] = f"bytes {offset}-{size - 1}/{size}"
            response: httpx2.Response | None = None
            try:
                response = await self.client.put(
                    session, content=_file_from(path, offset, size, progress), headers=headers
                )
            except FileChanged as exc:
                raise PublishError("fix_media", f"{name}: {exc}; nothing was published.") from None
            except httpx2.TransportError as exc:
                if resumes >= MAX_RESUMES:
                    raise from_exception(exc, name, what, committing=True) from None
                log.info("%s: the upload connection dropped (%s)", name, type(exc).__name__)
            status = response.status_code if response is not None else None
            if response is not None and status in (200, 201):
                return _json(response)
            if status in (404, 410):
                raise _expired(name)
            if response is not None and status != 308 and (status or 0) < 500:
                raise self.refused(response, name, what, committing=True)
            resumes += 1  # a drop, a 5xx, or a 308 short of the whole file: ask, then go on
            if resumes > MAX_RESUMES:
                if response is not None and status == 308:  # incomplete: no video was made
                    raise PublishError(
                        "try_later", f"{name}: the upload stayed incomplete after {MAX_RESUMES} "
                        "resumes; nothing was published, linkdeck sends it again later.",
                    )  # fmt: skip
                assert response is not None
                raise self.refused(response, name, what, committing=True)
            if resumes > 1:
                await asyncio.sleep(min(2.0**resumes, 30.0))
            found: int | dict[str, Any]
            if response is not None and status == 308:
                found = _offset(response)
            else:
                try:
                    found = await self._where(name, session, size, auth)
                except SessionGone:
                    raise _expired(name) from None
            if isinstance(found, dict):
                return found
            log.info("%s: resuming the upload at byte %d of %d", name, found, size)
            offset = found

    async def _where(self, name: str, session: str, size: int, auth: dict[str, str]) -> int | dict[str, Any]:
        """Ask the session how much arrived: the next byte to send, or the video when complete."""
        what = "asking YouTube how much of the upload arrived"
        try:
            response = await self.client.put(
                session,
                content=b"",
                headers={**auth, "Content-Range": f"bytes */{size}", "Content-Length": "0"},
            )
        except Exception as exc:
            raise from_exception(exc, name, what, committing=True) from None
        if response.status_code in (200, 201):
            return _json(response)
        if response.status_code == 308:
            return _offset(response)
        if response.status_code in (404, 410):
            raise SessionGone()
        raise self.refused(response, name, what, committing=True)

    # After a crash ------------------------------------------------------------------------------

    async def lookup(
        self, account: Account, post: Post, delivery: Delivery, token: Token
    ) -> PublishResult | None:
        """A video on the channel with this post's title and description, uploaded since the send
        began; None when there is none. Raises PublishError when YouTube cannot be asked."""
        name = self.name(account)
        channel = account.target_id or account.remote_id
        if not post.media:
            return None
        resource = self.resource(post, Path(post.media[0]), name)
        title, description = resource["snippet"]["title"], resource["snippet"]["description"]
        since = (delivery.committed_at or delivery.created_at) - LOOKUP_MARGIN
        api = str(self.spec.endpoints.api_base)
        auth = {"Authorization": f"Bearer {token.get('access_token', '')}"}
        what = "looking for the video on the channel"
        try:
            response = await self.client.get(
                f"{api}/playlistItems",
                params={"part": "snippet", "playlistId": "UU" + channel[2:], "maxResults": str(LOOKUP_COUNT)},
                headers=auth,
            )
        except Exception as exc:
            raise from_exception(exc, name, what) from None
        if response.status_code != 200:
            raise self.refused(response, name, what)
        for item in _json(response).get("items") or []:
            snippet = item.get("snippet") if isinstance(item, dict) else None
            if not isinstance(snippet, dict):
                continue
            found = snippet.get("resourceId")
            video_id = found.get("videoId") if isinstance(found, dict) else None
            published = _moment(snippet.get("publishedAt"))
            if (
                isinstance(video_id, str)
                and snippet.get("title") == title
                and (snippet.get("description") or "") == description
                and published is not None
                and published >= since
            ):
                return PublishResult(video_id, WATCH + video_id)
        return None


async def _file_from(
    path: Path, offset: int, size: int, progress: Callable[[int], None]
) -> AsyncIterator[bytes]:
    """The file's bytes from ``offset`` in chunks, read in a worker thread; FileChanged when it
    is not the size it had when the upload began."""
    handle = await asyncio.to_thread(open, path, "rb")
    try:
        await asyncio.to_thread(handle.seek, offset)
        sent = offset
        progress(sent)
        while sent < size:
            chunk = await asyncio.to_thread(handle.read, min(CHUNK_SIZE, size - sent))
            if not chunk:
                raise FileChanged(f"{path.name} became shorter while it was being uploaded")
            sent += len(chunk)
            yield chunk
            progress(sent)
    finally:
        await asyncio.to_thread(handle.close)


def _expired(name: str) -> PublishError:
    return PublishError(
        "try_later",
        f"{name}: the upload session expired before the video was complete; nothing was published, "
        "linkdeck sends it again later.",
    )


def _offset(response: httpx2.Response) -> int:
    """The next byte to send, from a 308's ``Range: bytes=0-K`` (none yet: 0)."""
    found = _RANGE.match(response.headers.get("Range", "").strip())
    return int(found.group(1)) + 1 if found else 0


def _json(response: httpx2.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error(response: httpx2.Response) -> dict[str, Any] | None:
    error = _json(response).get("error")
    return error if isinstance(error, dict) else None


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


PUBLISHER = YouTubePublisher
