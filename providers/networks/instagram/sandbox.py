"""Instagram (Instagram Login) in the sandbox: ``www.instagram.com`` (the authorize and consent
page), ``api.instagram.com`` (the code exchange) and ``graph.instagram.com`` (the long-lived token,
its refresh, the account, containers, publishing, the quota), one emulated Instagram behind the
three hosts (they share one :class:`World` per sandbox clock). ``graph.facebook.com`` (the
Facebook Page route) is not served here.

Shaped like Meta's answers (recordings in tests/fixtures/recorded/instagram, networks.md §2,
networks-2026.md §0–2):

- the authorize page takes Meta's comma-separated ``scope``; the code exchange answers the short
  token ``{"access_token", "user_id", "permissions"}`` (1 hour); ``GET /access_token?grant_type=
  ig_exchange_token&client_secret&access_token`` and ``GET /refresh_access_token?grant_type=
  ig_refresh_token&access_token`` answer ``{"access_token", "token_type": "bearer", "expires_in":
  5184000}``; a refresh is refused for a token younger than 24 hours or expired, as Meta says;
- ``GET /v26.0/me?fields=user_id,username,name,account_type,profile_picture_url``; the
  ``account_type`` setting (BUSINESS, MEDIA_CREATOR, PERSONAL) plays a personal account;
- ``POST /v26.0/{ig-user-id}/media``: a container. ``image_url`` **is really fetched** (from the
  staging bucket in tests), as Meta does when the container is made: an address that cannot be
  fetched is 9004/2207052, bytes that are not a JPEG 2207005 (JPEG only: networks.md §2), over
  8 MB 2207004, an aspect outside 4:5–1.91:1 36003/2207009 (the reported payload). Carousel items
  take ``is_carousel_item=true``; the carousel ``media_type=CAROUSEL`` with 2–10 ``children``.
  ``media_type=REELS`` with ``video_url`` (a single video) and ``VIDEO`` carousel items are
  fetched too (an MP4/MOV ``ftyp`` box, at most 300 MB, else 2207026); ``media_type=STORIES``
  with ``image_url`` or ``video_url`` (fetched and checked the same way, any aspect: Instagram
  fits a Story to the screen) makes a Story, listed by ``GET /{ig-user-id}/stories``, not /media;
- ``GET /v26.0/{container}?fields=status_code,status``: IN_PROGRESS for ``processing_polls``
  reads, then FINISHED (or the ``container_status`` setting: ERROR with an error text, EXPIRED);
- ``POST /v26.0/{ig-user-id}/media_publish?creation_id``: refused (9007/2207027 "Media ID is not
  available") before FINISHED; a container is published once; past the quota 2207042;
- ``GET /v26.0/{ig-user-id}/media`` (newest first) and ``/content_publishing_limit?fields=
  quota_usage,config`` (``quota_total`` from the setting, 50 by default, over 86,400 s);
- every Graph answer carries ``X-App-Usage`` and ``X-Business-Use-Case-Usage``; the
  ``throttled_minutes`` setting plays a spent account budget (80002, the minutes in
  ``estimated_time_to_regain_access``); errors are Graph
  error documents ``{"error": {message, type, code, error_subcode, fbtrace_id}}``; a bad token is
  400 OAuthException 190, as the reported payload shows.

Wordings marked in the code as this emulator's own are unverified.
"""

from __future__ import annotations

import json
import secrets
import struct
import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from providers.emulation import people
from providers.emulation.framework import Call, Emulator, Published, Routes, SandboxDemo, json_reply
from providers.emulation.grants import App, Clock, Issued, OAuthPolicy
from providers.emulation.oauth import OAuthServer

VERSION = "v26.0"
GRAPH_HOST = "graph.instagram.com"
CLIENT_ID = "990000000000001"  # an Instagram app id is numeric
CLIENT_SECRET = "linkdeck-sandbox-instagram-secret"
SCOPES = frozenset(
    {
        "instagram_business_basic",
        "instagram_business_content_publish",
        "instagram_business_manage_comments",
        "instagram_business_manage_messages",
        "instagram_business_manage_insights",
    }
)
LONG_SECONDS = 60 * 24 * 3600
REFRESH_MIN_AGE = 24 * 3600
PHOTO_MAX = 8_000_000
VIDEO_MAX = 300_000_000  # Reels, networks.md §2 (Ayrshare en)
CAPTION_MAX = 2200
POLICY = OAuthPolicy(
    network="Instagram",
    known_scopes=SCOPES,
    default_scope="instagram_business_basic",
    require_pkce=False,
    access_seconds=3600,
    refresh_seconds=None,
)
DEFAULT_SETTINGS: dict[str, Any] = {
    "account_type": "BUSINESS",
    "processing_polls": 1,  # status reads answered IN_PROGRESS before FINISHED
    "container_status": None,  # None, "ERROR" or "EXPIRED": how containers end
    "container_error": "2207001",  # the subcode an ERROR container's status text names
    "quota_total": 50,
    # Minutes until the account's call budget comes back; above 0 every call on the account is
    # refused with Meta's Instagram throttling code 80002 (the wording is this emulator's).
    "throttled_minutes": 0,
    # The code exchange's answer: "flat" as recorded (python-facebook), or "data" as Meta's
    # Business Login page shows it, wrapped in a one-item data list.
    "token_shape": "flat",
}


@dataclass
class Container:
    id: str
    user: str
    kind: str  # IMAGE, VIDEO (a carousel item), REELS, CAROUSEL, STORIES
    caption: str
    children: list[str] = field(default_factory=list)
    carousel_item: bool = False
    polls: int = 0
    published: bool = False


@dataclass
class Media:
    id: str
    user: str
    kind: str  # IMAGE, VIDEO (a Reel), CAROUSEL_ALBUM
    caption: str
    items: int
    created: float
    shortcode: str
    story: bool = False


class InstagramOAuth(OAuthServer):
    """The strict OAuth server with Meta's differences: comma-separated scopes, the short token's
    shape, and the long-lived exchange and refresh (no refresh tokens: the token itself renews)."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(POLICY, clock)
        self.apps[CLIENT_ID] = App(
            "1",
            "linkdeck (sandbox)",
            None,
            CLIENT_ID,
            CLIENT_SECRET,
            ["http://127.0.0.1:8080/callback"],
            sorted(SCOPES),
            clock.now(),
        )

    def authorize(self, call: Call) -> web.Response:
        scope = call.text("scope")
        if scope is not None:  # Meta separates scopes with commas
            call.params["scope"] = " ".join(s for s in scope.replace(",", " ").split() if s)
        app = self.apps.get(call.text("client_id") or "")
        uri = call.text("redirect_uri") or ""
        parts = urlsplit(uri)
        loopback = parts.scheme == "http" and parts.hostname == "127.0.0.1" and parts.path == "/callback"
        if app is not None and uri not in app.redirect_uris and loopback and not parts.query:
            app.redirect_uris.append(uri)  # tests run on many ports; the registered one is 8080
        return super().authorize(call)

    def _token_body(self, issued: Issued) -> dict[str, Any]:
        user = people.user_by_id(issued.user_id or "")
        return {
            "access_token": issued.token,
            "user_id": int(ig_user_id(user.id if user else "0")),
            "permissions": list(issued.scopes),
        }

    def long_lived(self, issued: Issued) -> dict[str, Any]:
        app = self.apps[issued.client_id]
        fresh = self.issue(app, issued.user_id, issued.scopes, refresh=False)
        fresh.expires_at = fresh.created_at + LONG_SECONDS
        return {"access_token": fresh.token, "token_type": "bearer", "expires_in": LONG_SECONDS}


class World:
    """One sandbox's Instagram: sign-in, containers and published media."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.oauth = InstagramOAuth(clock)
        self.containers: dict[str, Container] = {}
        self.media: list[Media] = []  # oldest first
        self.settings: dict[str, Any] = dict(DEFAULT_SETTINGS)
        self.calls = 0


_worlds: weakref.WeakKeyDictionary[Clock, World] = weakref.WeakKeyDictionary()


def world_for(clock: Clock) -> World:
    if clock not in _worlds:
        _worlds[clock] = World(clock)
    return _worlds[clock]


def ig_user_id(user_id: str) -> str:
    """The demo user's Instagram professional account id (17841… as Meta's are)."""
    return f"178414{user_id[-10:]}"


def graph_error(
    status: int, message: str, code: int, subcode: int | None = None, kind: str = "OAuthException"
) -> web.Response:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
    return json_reply({"error": error}, status)


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG's first SOF marker; None when there is none."""
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        length = struct.unpack(">H", data[index + 2 : index + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + length
    return None


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


class InstagramServer(Emulator):
    kind = "instagram"
    network = "Instagram"

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.world = world_for(clock)
        self.settings = self.world.settings
        r = self.routes = Routes()
        v = f"/{VERSION}"
        r.add("GET", "/oauth/authorize", self.authorize)
        r.add("POST", "/oauth/authorize", self.decide)
        r.add("POST", "/oauth/access_token", self.code_exchange)
        r.add("GET", "/access_token", self.exchange)
        r.add("GET", "/refresh_access_token", self.refresh)
        r.add("GET", f"{v}/me", self.me)
        r.add("POST", f"{v}/{{user}}/media", self.create_container)
        r.add("GET", f"{v}/{{user}}/media", self.list_media)
        r.add("GET", f"{v}/{{user}}/stories", self.list_stories)
        r.add("POST", f"{v}/{{user}}/media_publish", self.publish)
        r.add("GET", f"{v}/{{user}}/content_publishing_limit", self.publishing_limit)
        r.add("GET", f"{v}/{{node}}", self.node)
        r.add("GET", "/avatars/{name}.png", self.avatar)

    # Emulator ------------------------------------------------------------------------------------

    def configure(self, values: dict[str, Any]) -> None:
        self.settings.update({k: v for k, v in values.items() if k in DEFAULT_SETTINGS})

    def accepts(self, token: str) -> bool:
        return self.world.oauth.accepts(token)

    def published(self) -> list[Published]:
        if self.host != GRAPH_HOST:  # the hosts share one world; posts are listed once
            return []
        return [Published(m.user, m.caption, m.items) for m in self.world.media]

    async def handle(self, call: Call) -> web.StreamResponse:
        found = self.routes.find(call.method, call.path)
        if found is None:
            return graph_error(
                400,
                "Unsupported request - method type: " + call.method.lower(),
                100,
                33,
                "GraphMethodException",
            )
        handler, call.match = found
        minutes = int(self.settings.get("throttled_minutes") or 0)
        if minutes and self.host == GRAPH_HOST and call.match.get("user"):
            answer: web.StreamResponse = graph_error(
                400,
                "There have been too many calls to this Instagram account. Wait a bit and try again.",
                80002,
            )
        else:
            answer = await handler(call)
        if self.host == GRAPH_HOST:
            self.usage(call, answer, minutes)
        return answer

    def usage(self, call: Call, answer: web.StreamResponse, minutes: int = 0) -> None:
        """Meta's rate-limit headers (percentages of the app's and the account's budgets)."""
        self.world.calls += 1
        share = 100 if minutes else min(100, self.world.calls)
        answer.headers["X-App-Usage"] = json.dumps(
            {"call_count": share, "total_cputime": share // 2, "total_time": share // 2}
        )
        user = call.match.get("user")
        if user:
            answer.headers["X-Business-Use-Case-Usage"] = json.dumps(
                {
                    user: [
                        {
                            "type": "instagram",
                            "call_count": share,
                            "total_cputime": share // 2,
                            "total_time": share // 2,
                            "estimated_time_to_regain_access": minutes,
                        }
                    ]
                }
            )

    # OAuth ---------------------------------------------------------------------------------------

    async def authorize(self, call: Call) -> web.Response:
        return self.world.oauth.authorize(call)

    async def decide(self, call: Call) -> web.Response:
        return self.world.oauth.decide(call)

    async def code_exchange(self, call: Call) -> web.Response:
        answer = self.world.oauth.token(call)
        if answer.status == 200:
            if self.settings.get("token_shape") == "data":
                return json_reply({"data": [json.loads(answer.text or "{}")]})
            return answer
        body = json.loads(answer.text or "{}")  # Meta's words for a refused code
        return json_reply(
            {
                "error_type": "OAuthException",
                "code": 400,
                "error_message": body.get("error_description", "Invalid authorization code"),
            },
            400,
        )

    def _token_in_query(self, call: Call) -> Issued | web.Response:
        issued = self.world.oauth.tokens.get(call.text("access_token") or "")
        now = self.clock.now()
        if issued is None or issued.revoked or (issued.expires_at is not None and issued.expires_at < now):
            return graph_error(400, "Invalid OAuth access token - Cannot parse access token", 190)
        return issued

    async def exchange(self, call: Call) -> web.Response:
        if call.text("grant_type") != "ig_exchange_token":
            return graph_error(400, "Unsupported grant_type", 100)
        app = self.world.oauth.apps.get(CLIENT_ID)
        secret = call.text("client_secret") or ""
        if app is None or not secrets.compare_digest(app.client_secret, secret):
            return graph_error(400, "Error validating client secret.", 1)
        issued = self._token_in_query(call)
        if not isinstance(issued, Issued):
            return issued
        return json_reply(self.world.oauth.long_lived(issued))

    async def refresh(self, call: Call) -> web.Response:
        if call.text("grant_type") != "ig_refresh_token":
            return graph_error(400, "Unsupported grant_type", 100)
        issued = self._token_in_query(call)
        if not isinstance(issued, Issued):
            return issued
        if self.clock.now() - issued.created_at < REFRESH_MIN_AGE:  # this emulator's wording
            return graph_error(400, "The access token must be at least 24 hours old to be refreshed", 190)
        body = self.world.oauth.long_lived(issued)
        issued.revoked = True
        return json_reply(body)

    # Graph ---------------------------------------------------------------------------------------

    def signed_in(self, call: Call) -> tuple[Issued, people.User] | web.Response:
        token = call.bearer() or call.text("access_token") or ""
        issued = self.world.oauth.tokens.get(token)
        now = self.clock.now()
        if issued is None or issued.revoked:
            return graph_error(400, "Invalid OAuth access token - Cannot parse access token", 190)
        if issued.expires_at is not None and issued.expires_at < now:
            return graph_error(400, "Error validating access token: Session has expired.", 190, 463)
        user = people.user_by_id(issued.user_id or "")
        if user is None:
            return graph_error(400, "Invalid OAuth access token - Cannot parse access token", 190)
        return issued, user

    def owner(self, call: Call, publishing: bool) -> tuple[Issued, people.User] | web.Response:
        signed = self.signed_in(call)
        if isinstance(signed, web.Response):
            return signed
        issued, user = signed
        if call.match.get("user") != ig_user_id(user.id):
            return graph_error(
                400,
                f"Unsupported post request. Object with ID '{call.match.get('user')}' does not exist, "
                "cannot be loaded due to missing permissions, or does not support this operation.",
                100,
                33,
                "GraphMethodException",
            )
        if publishing and "instagram_business_content_publish" not in issued.scopes:
            return graph_error(403, "(#10) Application does not have permission for this action", 10)
        if publishing and self.settings["account_type"] == "PERSONAL":  # this emulator's wording
            return graph_error(400, "(#10) The user is not an Instagram Business or Creator account", 10)
        return signed

    async def me(self, call: Call) -> web.Response:
        signed = self.signed_in(call)
        if isinstance(signed, web.Response):
            return signed
        _, user = signed
        wanted = set((call.text("fields") or "id").split(","))
        values: dict[str, Any] = {
            "id": f"2{user.id[-15:]}",  # the app-scoped id
            "user_id": ig_user_id(user.id),
            "username": user.username,
            "name": user.display_name,
            "account_type": self.settings["account_type"],
            "profile_picture_url": f"{call.base}/avatars/{user.username}.png",
            "media_count": len([m for m in self.world.media if m.user == user.id]),
        }
        return json_reply({k: v for k, v in values.items() if k in wanted or k == "id"})

    async def avatar(self, call: Call) -> web.Response:
        return web.Response(body=people.avatar_png(call.match["name"]), content_type="image/png")

    async def create_container(self, call: Call) -> web.Response:
        signed = self.owner(call, publishing=True)
        if isinstance(signed, web.Response):
            return signed
        _, user = signed
        kind = (call.text("media_type") or "IMAGE").upper()
        caption = call.text("caption") or ""
        if len(caption) > CAPTION_MAX:
            return graph_error(400, "The caption is too long.", 9004, 2207010)  # this emulator's wording
        if kind == "CAROUSEL":
            children = [c for c in (call.text("children") or "").split(",") if c]
            if not 2 <= len(children) <= 10:
                return graph_error(400, "A carousel needs 2 to 10 children.", 9004, 2207028)
            for child in children:
                item = self.world.containers.get(child)
                if item is None or item.user != user.id or not item.carousel_item:
                    return graph_error(400, f"Invalid child container {child}", 9004, 2207028)
            made = Container(self.new_id(), user.id, "CAROUSEL", caption, children)
        elif kind == "IMAGE":
            refused = await self.fetch_photo(call.text("image_url"))
            if refused is not None:
                return refused
            is_item = (call.text("is_carousel_item") or "").lower() == "true"
            made = Container(
                self.new_id(), user.id, "IMAGE", "" if is_item else caption, carousel_item=is_item
            )
        elif kind in ("REELS", "VIDEO"):
            is_item = (call.text("is_carousel_item") or "").lower() == "true"
            if (kind == "VIDEO") != is_item:  # this emulator's wording
                return graph_error(
                    400, "Single videos are published as REELS; VIDEO is for carousel items.", 100, 2207026
                )
            refused = await self.fetch_video(call.text("video_url"))
            if refused is not None:
                return refused
            made = Container(self.new_id(), user.id, kind, "" if is_item else caption, carousel_item=is_item)
        elif kind == "STORIES":
            photo, video = call.text("image_url"), call.text("video_url")
            if bool(photo) == bool(video):  # this emulator's wording
                return graph_error(400, "A story needs one image_url or one video_url.", 100)
            refused = await (self.fetch_photo(photo, story=True) if photo else self.fetch_video(video))
            if refused is not None:
                return refused
            made = Container(self.new_id(), user.id, kind, "")
        else:
            return graph_error(400, f"The media type {kind} is not emulated here.", 100)
        self.world.containers[made.id] = made
        return json_reply({"id": made.id})

    async def fetch_photo(self, url: str | None, *, story: bool = False) -> web.Response | None:
        """Fetch the photo as Meta does when the container is made; the refusal, or None. A
        Story's photo may have any aspect (Instagram fits it to the screen)."""
        if not url or not url.startswith(("https://", "http://")):
            return graph_error(400, "The image_url parameter is required.", 100)
        try:
            async with ClientSession(timeout=ClientTimeout(total=20)) as session, session.get(url) as answer:
                data = await answer.content.read(PHOTO_MAX + 1) if answer.status == 200 else b""
                status = answer.status
        except (ClientError, TimeoutError, ValueError):
            status, data = 0, b""
        if status != 200:
            return graph_error(400, "Media download has failed.", 9004, 2207052)
        if not data.startswith(b"\xff\xd8\xff"):
            return graph_error(400, "The image format is not supported.", 9004, 2207005)
        if len(data) > PHOTO_MAX:
            return graph_error(400, "The image is too large.", 9004, 2207004)
        size = jpeg_size(data)
        if size is None:
            return graph_error(400, "The image format is not supported.", 9004, 2207005)
        width, height = size
        if height == 0 or (not story and not 0.8 <= width / height <= 1.91):
            return graph_error(400, "The aspect ratio is not supported.", 36003, 2207009)  # reported
        return None

    async def fetch_video(self, url: str | None) -> web.Response | None:
        """Fetch the video as Meta does (streamed, only its size and first bytes kept)."""
        if not url or not url.startswith(("https://", "http://")):
            return graph_error(400, "The video_url parameter is required.", 100)
        head, size = b"", 0
        try:
            async with ClientSession(timeout=ClientTimeout(total=120)) as session, session.get(url) as answer:
                status = answer.status
                async for chunk in answer.content.iter_chunked(256 * 1024):
                    head = head or chunk[:64]
                    size += len(chunk)
                    if size > VIDEO_MAX:
                        return graph_error(400, "The video is too large.", 9004, 2207026)
        except (ClientError, TimeoutError, ValueError):
            status = 0
        if status != 200:
            return graph_error(400, "Media download has failed.", 9004, 2207052)
        if head[4:8] != b"ftyp":
            return graph_error(400, "The video format is not supported.", 9004, 2207026)
        return None

    def new_id(self) -> str:
        return str(17_900_000_000_000_000 + secrets.randbelow(10**15))

    async def node(self, call: Call) -> web.Response:
        """``GET /{container}?fields=status_code,status`` (or a published media's fields)."""
        signed = self.signed_in(call)
        if isinstance(signed, web.Response):
            return signed
        _, user = signed
        node = call.match["node"]
        container = self.world.containers.get(node)
        if container is not None and container.user == user.id:
            code = self.status_of(container)
            words = {
                "IN_PROGRESS": "In Progress: Media is still being processed.",
                "FINISHED": "Finished: Media has been uploaded and it is ready to be published.",
                "PUBLISHED": "Published: Media has been published.",
                "EXPIRED": "Expired: The container was not published within 24 hours.",
                "ERROR": f"Error: Media upload failed with error code {self.settings['container_error']}",
            }
            body = {"id": container.id, "status_code": code, "status": words[code]}
            wanted = set((call.text("fields") or "id").split(","))
            return json_reply({k: v for k, v in body.items() if k in wanted or k == "id"})
        for media in self.world.media:
            if media.id == node and media.user == user.id:
                return json_reply(self.media_json(media))
        return graph_error(
            400,
            f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due to "
            "missing permissions, or does not support this operation.",
            100,
            33,
            "GraphMethodException",
        )

    def status_of(self, container: Container, read: bool = True) -> str:
        if container.published:
            return "PUBLISHED"
        ending = self.settings.get("container_status")
        if container.kind == "CAROUSEL":
            states = [self.status_of(self.world.containers[c], read) for c in container.children]
            if "ERROR" in states or ending == "ERROR":
                return "ERROR"
            if "EXPIRED" in states or ending == "EXPIRED":
                return "EXPIRED"
            return "IN_PROGRESS" if "IN_PROGRESS" in states else "FINISHED"
        if container.polls < int(self.settings["processing_polls"]):
            if read:
                container.polls += 1
            return "IN_PROGRESS"
        return str(ending) if ending in ("ERROR", "EXPIRED") else "FINISHED"

    async def publish(self, call: Call) -> web.Response:
        signed = self.owner(call, publishing=True)
        if isinstance(signed, web.Response):
            return signed
        _, user = signed
        container = self.world.containers.get(call.text("creation_id") or "")
        if container is None or container.user != user.id or container.carousel_item:
            return graph_error(400, "Invalid parameter", 100, 2207006)
        if container.published:  # this emulator's wording
            return graph_error(400, "The media has already been published.", 9007, 2207006)
        status = self.status_of(container, read=False)
        if status == "EXPIRED":
            return graph_error(400, "The media container has expired.", 9007, 2207008)
        if status != "FINISHED":
            return graph_error(400, "Media ID is not available", 9007, 2207027)  # networks-2026.md §0.2
        if self.used(user.id) >= int(self.settings["quota_total"]):
            return graph_error(403, "Application request limit reached", 9, 2207042)
        container.published = True
        items = len(container.children) or 1
        kind = {"CAROUSEL": "CAROUSEL_ALBUM", "REELS": "VIDEO"}.get(container.kind, "IMAGE")
        story = container.kind == "STORIES"
        media = Media(
            self.new_id(),
            user.id,
            kind,
            container.caption,
            items,
            self.clock.now(),
            secrets.token_urlsafe(8),
            story=story,
        )
        self.world.media.append(media)
        return json_reply({"id": media.id})

    def used(self, user_id: str) -> int:
        since = self.clock.now() - 86400
        return len([m for m in self.world.media if m.user == user_id and m.created >= since])

    def media_json(self, media: Media) -> dict[str, Any]:
        user = people.user_by_id(media.user)
        link = (
            f"https://www.instagram.com/stories/{user.username if user else 'user'}/{media.id}/"
            if media.story
            else f"https://www.instagram.com/p/{media.shortcode}/"
        )
        return {
            "id": media.id,
            "caption": media.caption,
            "media_type": media.kind,
            "media_product_type": "STORY" if media.story else "FEED",
            "permalink": link,
            "timestamp": iso(media.created),
        }

    async def list_stories(self, call: Call) -> web.Response:
        """The account's stories of the last 24 hours, newest first."""
        return await self.list_media(call, stories=True)

    async def list_media(self, call: Call, stories: bool = False) -> web.Response:
        signed = self.owner(call, publishing=False)
        if isinstance(signed, web.Response):
            return signed
        _, user = signed
        since = self.clock.now() - 86400 if stories else 0.0
        mine = [
            self.media_json(m)
            for m in reversed(self.world.media)
            if m.user == user.id and m.story == stories and m.created >= since
        ]
        limit = max(1, min(100, int(call.text("limit") or 25)))
        return json_reply({"data": mine[:limit], "paging": {}})

    async def publishing_limit(self, call: Call) -> web.Response:
        signed = self.owner(call, publishing=False)
        if isinstance(signed, web.Response):
            return signed
        _, user = signed
        config = {"quota_total": int(self.settings["quota_total"]), "quota_duration": 86400}
        return json_reply({"data": [{"quota_usage": self.used(user.id), "config": config}]})


EMULATOR = InstagramServer
HOSTS: tuple[str, ...] = ("www.instagram.com", "api.instagram.com", GRAPH_HOST)
FIRST_LABELS: tuple[str, ...] = ()
CATCH_ALL = False
# The contract tests and the demo sign in with the sandbox's Instagram app as Alice (a Business
# account); faults are injected on media_publish, the request that makes the post.
DEMO = SandboxDemo(
    host=GRAPH_HOST,
    create_path=f"/{VERSION}/*/media_publish",
    client_id=CLIENT_ID,
    client_secret=CLIENT_SECRET,
)
