"""The emulated YouTube Data API v3, one world for its hosts of a sandbox (www.googleapis.com,
youtube.googleapis.com). Google's sign-in (accounts.google.com, oauth2.googleapis.com,
www.google.com/device) is the sandbox's one :mod:`providers.emulation.google`, shared with the other
Google networks (listed in ``SHARED``): the tokens it issues are the ones checked here.

What it checks, in Google's error shape (``{"error": {"code", "message", "errors": [{"reason",
"domain", "message"}], "status"}}``):

- the bearer token (401 ``authError``) and its scopes: ``channels.list`` wants ``youtube.readonly``
  or ``youtube`` (403 ``insufficientPermissions``), an upload ``youtube.upload`` or ``youtube``;
- ``channels.list?part=snippet&mine=true``: the signed-in user's one channel (a Brand Account
  is another sign-in, chosen at the account chooser: the consent page's "Signed in as");
- the resumable upload (``POST /upload/youtube/v3/videos?uploadType=resumable&part=snippet,status``
  with the video resource as JSON): title required, ≤ 100 characters, description ≤ 5,000 bytes,
  neither with ``<`` or ``>`` (400 ``invalidTitle`` / ``invalidDescription``), privacyStatus one of
  public, unlisted, private; ``X-Upload-Content-Type`` video/* or application/octet-stream;
  ``videos.insert`` calls a day over ``uploads_per_day`` → 403 ``quotaExceeded``. The answer's
  ``Location`` is the session URL. ``PUT`` on it sends bytes (``Content-Range: bytes a-b/N`` from
  where the server is, or the whole file); a body cut short keeps what arrived (308 with
  ``Range: bytes=0-K``); the last byte creates the video (201 with it). ``PUT`` with
  ``Content-Range: bytes */N`` and no body asks where the upload is: 308 (+ ``Range`` once bytes
  arrived) or the video when done. Unknown sessions answer 404.
- ``playlistItems.list`` of the channel's uploads playlist (newest first), for the look-up after a
  crash; ``videos.list?id=``.

An unverified project's uploads are locked private (``verified_project`` false, the default here,
as for a new Google Cloud project): the video's privacyStatus is private whatever was asked.
Video bytes are counted, not kept.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, Emulator, Published, Routes, SandboxDemo, json_reply
from providers.emulation.google import (
    YOUTUBE_DESKTOP_CLIENT_ID,
    YOUTUBE_DESKTOP_CLIENT_SECRET,
    YT,
    GoogleSignIn,
    google_for,
)
from providers.emulation.grants import Clock, Issued

READ_SCOPES = frozenset({YT, f"{YT}.readonly", f"{YT}.force-ssl"})
UPLOAD_SCOPES = frozenset({YT, f"{YT}.upload", f"{YT}.force-ssl"})
PRIVACY = ("public", "unlisted", "private")
_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
_STATUS = re.compile(r"^bytes \*/(\d+)$")
DEFAULT_SETTINGS: dict[str, Any] = {"uploads_per_day": 100, "verified_project": False}


@dataclass
class Video:
    id: str
    channel_id: str
    title: str
    description: str
    privacy: str
    made_for_kids: bool | None
    published_at: float
    size: int
    host: str  # where it was uploaded (every Google host shares the world; each lists its own)


@dataclass
class Session:
    id: str
    channel_id: str
    resource: dict[str, Any]
    total: int | None  # X-Upload-Content-Length, or learnt from the first Content-Range
    received: int = 0
    digest: Any = field(default_factory=hashlib.sha256)
    video: Video | None = None


class World:
    """What YouTube's hosts of one sandbox share (and the sandbox's one Google sign-in)."""

    def __init__(self, clock: Clock) -> None:
        self.oauth = google_for(clock)
        self.videos: list[Video] = []
        self.sessions: dict[str, Session] = {}
        self.settings: dict[str, Any] = dict(DEFAULT_SETTINGS)
        self.inserts: list[float] = []  # when each videos.insert session was started


_worlds: weakref.WeakKeyDictionary[Clock, World] = weakref.WeakKeyDictionary()


def world_for(clock: Clock) -> World:
    found = _worlds.get(clock)
    if found is None:
        found = _worlds[clock] = World(clock)
    return found


def channel_of(user: people.User) -> str:
    return "UC" + hashlib.sha256(user.id.encode()).hexdigest()[:22]


def google_error(status: int, reason: str, message: str, domain: str = "youtube.video") -> web.Response:
    words = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}
    return json_reply(
        {
            "error": {
                "code": status,
                "message": message,
                "errors": [{"message": message, "domain": domain, "reason": reason}],
                "status": words.get(status, "UNKNOWN"),
            }
        },
        status,
    )


def rfc3339(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


class YouTubeServer(Emulator):
    kind = "youtube"
    network = "YouTube"

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.world = world_for(clock)
        self.settings = self.world.settings
        self.routes = Routes()
        self.routes.add("GET", "/youtube/v3/channels", self.channels)
        self.routes.add("GET", "/youtube/v3/playlistItems", self.playlist_items)
        self.routes.add("GET", "/youtube/v3/videos", self.videos_list)
        self.routes.add("POST", "/upload/youtube/v3/videos", self.start_upload)
        self.routes.add("PUT", "/upload/youtube/v3/videos", self.upload)
        self.routes.add("GET", "/avatar/{name}", self.avatar)

    async def handle(self, call: Call) -> web.StreamResponse:
        found = self.routes.find(call.method, call.path)
        if found is None:
            return google_error(404, "notFound", f"Not Found: {call.method} {call.path}", "global")
        handler, call.match = found
        return await handler(call)

    # The emulator protocol ----------------------------------------------------------------------

    def configure(self, values: dict[str, Any]) -> None:
        if "uploads_per_day" in values:
            self.settings["uploads_per_day"] = int(values["uploads_per_day"])
        if "verified_project" in values:
            self.settings["verified_project"] = bool(values["verified_project"])

    def published(self) -> list[Published]:
        return [
            Published(v.channel_id, f"{v.title}\n\n{v.description}" if v.description else v.title, 1)
            for v in self.world.videos
            if v.host == self.host
        ]

    def accepts(self, token: str) -> bool:
        return self.world.oauth.accepts(token)

    # Helpers ------------------------------------------------------------------------------------

    def _signed_in(self, call: Call, scopes: frozenset[str]) -> Issued | web.Response:
        issued = self.world.oauth.authenticate(call)
        if isinstance(issued, str):
            return google_error(
                401,
                "authError",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                "login cookie or other valid authentication credential.",
                "global",
            )
        if not scopes & set(issued.scopes):
            return google_error(
                403, "insufficientPermissions", "Request had insufficient authentication scopes.", "global"
            )
        return issued

    def _channel(self, call: Call, user: people.User) -> dict[str, Any]:
        channel_id = channel_of(user)
        return {
            "kind": "youtube#channel",
            "etag": hashlib.sha256(channel_id.encode()).hexdigest()[:27],
            "id": channel_id,
            "snippet": {
                "title": user.display_name,
                "description": user.note,
                "customUrl": f"@{user.username}",
                "thumbnails": {"default": {"url": f"{call.base}/avatar/{user.username}.png", "width": 88}},
            },
            "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": "UU" + channel_id[2:]}},
        }

    def _video_resource(self, video: Video) -> dict[str, Any]:
        return {
            "kind": "youtube#video",
            "etag": hashlib.sha256(video.id.encode()).hexdigest()[:27],
            "id": video.id,
            "snippet": {
                "publishedAt": rfc3339(video.published_at),
                "channelId": video.channel_id,
                "title": video.title,
                "description": video.description,
            },
            "status": {
                "uploadStatus": "uploaded",
                "privacyStatus": video.privacy,
                "license": "youtube",
                "embeddable": True,
                "publicStatsViewable": True,
                **({} if video.made_for_kids is None else {"selfDeclaredMadeForKids": video.made_for_kids}),
            },
        }

    # Channels, playlist items, videos -------------------------------------------------------------

    async def channels(self, call: Call) -> web.StreamResponse:
        issued = self._signed_in(call, READ_SCOPES)
        if isinstance(issued, web.Response):
            return issued
        if not call.text("part"):
            return google_error(400, "required", "Required parameter: part", "global")
        user = people.user_by_id(issued.user_id or "")
        wanted = call.text("id")
        items = []
        if user is not None and (call.text("mine") == "true" or wanted == channel_of(user)):
            items = [self._channel(call, user)]
        return json_reply(
            {"kind": "youtube#channelListResponse", "pageInfo": {"totalResults": len(items)}, "items": items}
        )

    async def playlist_items(self, call: Call) -> web.StreamResponse:
        issued = self._signed_in(call, READ_SCOPES)
        if isinstance(issued, web.Response):
            return issued
        playlist = call.text("playlistId") or ""
        try:
            limit = max(0, min(50, int(call.text("maxResults") or 5)))
        except ValueError:
            return google_error(400, "invalidParameter", "Invalid value for maxResults", "global")
        videos = [v for v in reversed(self.world.videos) if "UU" + v.channel_id[2:] == playlist]
        items = [
            {
                "kind": "youtube#playlistItem",
                "id": hashlib.sha256((playlist + v.id).encode()).hexdigest()[:32],
                "snippet": {
                    **self._video_resource(v)["snippet"],
                    "playlistId": playlist,
                    "resourceId": {"kind": "youtube#video", "videoId": v.id},
                },
            }
            for v in videos[:limit]
        ]
        if not playlist.startswith("UU"):
            return google_error(404, "playlistNotFound", "The playlist identified with the request's "
                                "playlistId parameter cannot be found.", "youtube.playlistItem")  # fmt: skip
        return json_reply({"kind": "youtube#playlistItemListResponse", "items": items})

    async def videos_list(self, call: Call) -> web.StreamResponse:
        issued = self._signed_in(call, READ_SCOPES)
        if isinstance(issued, web.Response):
            return issued
        wanted = set((call.text("id") or "").split(","))
        items = [self._video_resource(v) for v in self.world.videos if v.id in wanted]
        return json_reply({"kind": "youtube#videoListResponse", "items": items})

    async def avatar(self, call: Call) -> web.StreamResponse:
        name = call.match.get("name", "").removesuffix(".png")
        return web.Response(body=people.avatar_png(name), content_type="image/png")

    # The resumable upload -----------------------------------------------------------------------

    async def start_upload(self, call: Call) -> web.StreamResponse:
        if call.text("uploadType") != "resumable":
            return google_error(400, "badRequest", "linkdeck's emulation takes resumable uploads only.")
        issued = self._signed_in(call, UPLOAD_SCOPES)
        if isinstance(issued, web.Response):
            return issued
        user = people.user_by_id(issued.user_id or "")
        if user is None:
            return google_error(401, "youtubeSignupRequired", "The user has no YouTube channel.")
        problem = self._metadata_problem(call)
        if problem is not None:
            return problem
        kind = call.request.headers.get("X-Upload-Content-Type", "application/octet-stream")
        if not (kind.startswith("video/") or kind == "application/octet-stream"):
            return google_error(400, "invalidContentType", f"Media type '{kind}' is not supported.", "global")
        now = self.clock.now()
        day = [t for t in self.world.inserts if now - t < 86400]
        if len(day) >= int(self.settings["uploads_per_day"]):
            return google_error(
                403,
                "quotaExceeded",
                "The request cannot be completed because you have exceeded your quota.",
                "youtube.quota",
            )
        self.world.inserts = [*day, now]
        length = call.request.headers.get("X-Upload-Content-Length")
        session = Session(
            secrets.token_urlsafe(24),
            channel_of(user),
            {"snippet": call.params.get("snippet"), "status": call.params.get("status")},
            int(length) if length and length.isdigit() else None,
        )
        self.world.sessions[session.id] = session
        location = f"{call.base}/upload/youtube/v3/videos?uploadType=resumable&upload_id={session.id}"
        return web.Response(status=200, headers={"Location": location, "X-GUploader-UploadID": session.id})

    def _metadata_problem(self, call: Call) -> web.Response | None:
        snippet = call.params.get("snippet")
        status = call.params.get("status")
        snippet = snippet if isinstance(snippet, dict) else {}
        status = status if isinstance(status, dict) else {}
        title, description = snippet.get("title"), snippet.get("description", "")
        if not isinstance(title, str) or not title.strip():
            return google_error(
                400, "invalidTitle", "The request metadata does not specify a valid video title."
            )
        if len(title) > 100 or "<" in title or ">" in title:
            return google_error(400, "invalidTitle", "The request metadata specifies an invalid video title.")
        if (
            not isinstance(description, str)
            or len(description.encode()) > 5000
            or "<" in description
            or ">" in description
        ):
            return google_error(
                400, "invalidDescription", "The request metadata specifies an invalid video description."
            )
        if status.get("privacyStatus", "public") not in PRIVACY:
            return google_error(400, "invalidVideoMetadata", "The request metadata is invalid.")
        return None

    async def upload(self, call: Call) -> web.StreamResponse:
        session = self.world.sessions.get(call.text("upload_id") or "")
        if session is None:
            return google_error(404, "notFound", "The upload session was not found or has expired.", "global")
        if session.video is not None:
            return json_reply(self._video_resource(session.video), 200)
        content_range = call.request.headers.get("Content-Range", "").strip()
        asked = _STATUS.match(content_range)
        if asked:  # where is the upload?
            return self._incomplete(session)
        start = 0
        ranged = _RANGE.match(content_range)
        if ranged:
            start, _end, total = (int(x) for x in ranged.groups())
            session.total = session.total or total
        if start != session.received:
            return google_error(
                400, "badContent", f"Expected the upload to resume at byte {session.received}.", "global"
            )
        if session.total is None:
            declared = call.request.content_length
            session.total = declared if declared is not None else None
        async for chunk in call.stream():
            session.digest.update(chunk)
            session.received += len(chunk)
        if session.total is None or session.received < session.total:
            return self._incomplete(session)
        session.video = self._create(session)
        return json_reply(self._video_resource(session.video), 201)

    def _incomplete(self, session: Session) -> web.Response:
        headers = {"Range": f"bytes=0-{session.received - 1}"} if session.received else {}
        return web.Response(status=308, headers=headers)

    def _create(self, session: Session) -> Video:
        snippet = session.resource.get("snippet") or {}
        status = session.resource.get("status") or {}
        privacy = str(status.get("privacyStatus", "public"))
        if not self.settings["verified_project"]:
            privacy = "private"  # unverified projects' uploads are locked private
        kids = status.get("selfDeclaredMadeForKids")
        video = Video(
            id=secrets.token_urlsafe(8).replace("-", "x").replace("_", "y")[:11],
            channel_id=session.channel_id,
            title=str(snippet.get("title", "")),
            description=str(snippet.get("description", "")),
            privacy=privacy,
            made_for_kids=kids if isinstance(kids, bool) else None,
            published_at=self.clock.now(),
            size=session.received,
            host=self.host,
        )
        self.world.videos.append(video)
        return video


EMULATOR = YouTubeServer
HOSTS: tuple[str, ...] = ("www.googleapis.com", "youtube.googleapis.com")
SHARED = (GoogleSignIn,)  # Google's sign-in hosts, served once for every Google network
FIRST_LABELS: tuple[str, ...] = ()
CATCH_ALL = False
# The contract tests and the demo sign in with the emulation's Desktop client, as alice.
DEMO = SandboxDemo(
    host="www.googleapis.com",
    create_path="/upload/youtube/v3/videos",
    client_id=YOUTUBE_DESKTOP_CLIENT_ID,
    client_secret=YOUTUBE_DESKTOP_CLIENT_SECRET,
)
