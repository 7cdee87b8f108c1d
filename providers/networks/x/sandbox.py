"""X in the sandbox: ``x.com`` (the authorize page), ``api.x.com`` (OAuth token/revoke and API
v2) and ``pbs.twimg.com`` (avatars), one emulated X behind the three hosts (they share one
:class:`World` per sandbox, keyed by the sandbox's clock).

Shaped like the real API for X's own Python SDK (xdk 0.10.6, tests/test_fidelity_x.py) and the
recorded answers (tests/fixtures/recorded/x_twitter):

- OAuth 2.0 with PKCE for a public client: :mod:`.sandbox_oauth`;
- ``GET /2/users/me`` (``user.fields``: profile_image_url, subscription_type, …), ``GET
  /2/users/{id}/tweets`` (newest first, ``start_time``, ``max_results`` 5–100, ``tweet.fields``);
- media: one-shot ``POST /2/media/upload`` (multipart raw bytes or JSON base64), ``initialize`` →
  ``{id}/append`` (multipart or JSON base64, ``segment_index`` 0–999; only sizes are kept, so a
  200 MB video costs no memory here) → ``{id}/finalize`` (every byte announced must have come) →
  ``GET ?command=STATUS`` (pending → in_progress → succeeded after ``processing_seconds``, with
  ``check_after_secs``); ``POST /2/media/metadata`` (alt text ≤ 1,000 characters);
- ``POST /2/tweets``: text weighted by twitter-text (280, or 25,000 for a subscriber: the
  ``subscription_type`` setting), ≤ 4 photos or 1 GIF or 1 video, each this user's and processed;
  the same text twice in a row is the recorded 403 duplicate; the answer's text carries a t.co
  link for media, as X's does;
- errors as X words them: problem JSON ``{"title", "detail", "type", "status"}`` and ``{"errors":
  [...]}`` for invalid requests; ``x-rate-limit-limit/remaining/reset`` on every API answer
  (``POST /2/tweets`` 100 per 15 minutes per user; 429 past it); settings ``credits`` (posts left
  before the 402 CreditsDepleted problem; -1: unlimited) and ``enrolled`` (false: the 403
  client-forbidden problem of an app outside a Project).
"""

from __future__ import annotations

import base64
import binascii
import math
import weakref
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, Emulator, Published, Routes, SandboxDemo, json_reply
from providers.emulation.grants import Clock, Issued
from providers.media.sniff import HEAD_BYTES
from providers.media.sniff import mime_type as sniff_mime
from providers.networks.x.sandbox_oauth import DEMO_CLIENT_ID, XOAuth

PROBLEMS = "https://api.twitter.com/2/problems/"
API_HOST = "api.x.com"
WINDOW = 15 * 60
DEFAULT_SETTINGS: dict[str, Any] = {
    "posts_per_window": 100,
    "max_weighted": 280,
    "subscriber_max_weighted": 25_000,
    "subscription_type": "None",
    "processing_seconds": 1.0,
    "check_after_secs": 1,
    "credits": -1,
    "enrolled": True,
    "exact_redirect": False,
}
CATEGORIES = {
    "tweet_image": 5 * 1024 * 1024,
    "tweet_gif": 15 * 1024 * 1024,
    "tweet_video": 512 * 1024 * 1024,
    "amplify_video": 512 * 1024 * 1024,
}
TYPES = {
    "tweet_image": ("image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp", "image/tiff"),
    "tweet_gif": ("image/gif",),
    "tweet_video": ("video/mp4", "video/quicktime", "video/webm", "video/mp2t"),
    "amplify_video": ("video/mp4", "video/quicktime"),
}


def problem(status: int, title: str, detail: str, kind: str = "about:blank", **extra: Any) -> web.Response:
    body = {"title": title, "detail": detail, "type": kind, "status": status, **extra}
    return json_reply(body, status)


def invalid(message: str, parameter: str, value: Any) -> web.Response:
    """The ``invalid-request`` problem X gives for a parameter it refuses."""
    return json_reply(
        {
            "errors": [{"parameters": {parameter: [str(value)]}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": f"{PROBLEMS}invalid-request",
        },
        400,
    )


@dataclass
class Media:
    id: str
    user_id: str
    category: str
    mime: str
    total: int
    received: dict[int, int] = field(default_factory=dict)  # segment index → bytes
    finalized_at: float | None = None
    alt_text: str = ""

    @property
    def key(self) -> str:
        prefix = {"tweet_image": 3, "tweet_gif": 16}.get(self.category, 7)  # X's media_key types
        return f"{prefix}_{self.id}"


@dataclass
class Tweet:
    id: str
    user_id: str
    text: str
    media_ids: list[str]
    created_at: float


class World:
    """Everything the three hosts share: the authorization server, media, posts, rate windows."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.settings: dict[str, Any] = dict(DEFAULT_SETTINGS)
        self.oauth = XOAuth(clock)
        self.media: dict[str, Media] = {}
        self.tweets: list[Tweet] = []
        self.windows: dict[tuple[str, str], tuple[float, int]] = {}  # (user, route) → (reset, used)
        self._sequence = 0

    def next_id(self) -> str:
        """A snowflake-shaped id: milliseconds since X's epoch, shifted, plus a sequence."""
        self._sequence += 1
        return str(((int(self.clock.now() * 1000) - 1288834974657) << 22) + self._sequence)


_WORLDS: weakref.WeakKeyDictionary[Clock, World] = weakref.WeakKeyDictionary()


class XServer(Emulator):
    kind = "x"
    network = "X"

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.world = _WORLDS.setdefault(clock, World(clock))
        self.settings = self.world.settings
        r = self.routes = Routes()
        r.add("GET", "/i/oauth2/authorize", self.authorize)
        r.add("POST", "/i/oauth2/authorize", self.decide)
        r.add("POST", "/oauth/authorize", self.decide)  # where the consent form posts
        r.add("POST", "/2/oauth2/token", self.token)
        r.add("POST", "/2/oauth2/revoke", self.revoke)
        r.add("GET", "/2/users/me", self.me)
        r.add("GET", "/2/users/{id}/tweets", self.user_tweets)
        r.add("POST", "/2/media/upload", self.upload)
        r.add("GET", "/2/media/upload", self.status)
        r.add("POST", "/2/media/upload/initialize", self.initialize)
        r.add("POST", "/2/media/upload/{id}/append", self.append)
        r.add("POST", "/2/media/upload/{id}/finalize", self.finalize)
        r.add("POST", "/2/media/metadata", self.metadata)
        r.add("POST", "/2/tweets", self.create)
        r.add("GET", "/profile_images/{id}/{file}", self.avatar)

    # Emulator ------------------------------------------------------------------------------------

    def configure(self, values: dict[str, Any]) -> None:
        self.settings.update({k: v for k, v in values.items() if k in DEFAULT_SETTINGS})
        self.world.oauth.exact_redirect = bool(self.settings["exact_redirect"])

    def accepts(self, token: str) -> bool:
        return self.world.oauth.accepts(token)

    def published(self) -> list[Published]:
        """The posts, listed once: by the API host (the other two hosts share the same world)."""
        if self.host != API_HOST:
            return []
        return [Published(t.user_id, t.text, len(t.media_ids)) for t in self.world.tweets]

    async def handle(self, call: Call) -> web.StreamResponse:
        found = self.routes.find(call.method, call.path)
        if found is None:
            return problem(404, "Not Found Error", f"Could not find the path {call.path}.")
        handler, call.match = found
        return await handler(call)

    # OAuth ---------------------------------------------------------------------------------------

    async def authorize(self, call: Call) -> web.Response:
        return self.world.oauth.authorize(call)

    async def decide(self, call: Call) -> web.Response:
        return self.world.oauth.decide(call)

    async def token(self, call: Call) -> web.Response:
        return self.world.oauth.token(call)

    async def revoke(self, call: Call) -> web.Response:
        return self.world.oauth.revoke(call)

    def signed_in(self, call: Call, scope: str) -> Issued | web.Response:
        issued = self.world.oauth.authenticate(call)
        if isinstance(issued, str):
            return problem(401, "Unauthorized", "Unauthorized")
        if not self.settings["enrolled"]:
            return json_reply(
                {
                    "client_id": issued.client_id,
                    "detail": "When authenticating requests to the Twitter API v2 endpoints, you must "
                    "use keys and tokens from a Twitter developer App that is attached to a Project. "
                    "You can create a project via the developer portal.",
                    "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
                    "title": "Client Forbidden",
                    "required_enrollment": "Appropriate Level of API Access",
                    "reason": "client-not-enrolled",
                    "type": f"{PROBLEMS}client-forbidden",
                },
                403,
            )
        if scope not in issued.scopes:
            return problem(403, "Forbidden", "Forbidden")
        return issued

    # Users ---------------------------------------------------------------------------------------

    def _user(self, issued: Issued) -> people.User:
        who = people.user_by_id(issued.user_id or "")
        assert who is not None
        return who

    async def me(self, call: Call) -> web.Response:
        issued = self.signed_in(call, "users.read")
        if isinstance(issued, web.Response):
            return issued
        who = self._user(issued)
        data: dict[str, Any] = {"id": who.id, "name": who.display_name, "username": who.username}
        wanted = set((call.text("user.fields") or "").split(","))
        if "profile_image_url" in wanted:
            root = call.base.rsplit("/", 1)[0] if call.prefix else call.base
            data["profile_image_url"] = (
                f"{root}/pbs.twimg.com/profile_images/{who.id}/{who.username}_normal.png"
            )
        if "subscription_type" in wanted:
            data["subscription_type"] = self.settings["subscription_type"]
        if "description" in wanted:
            data["description"] = who.note
        return self._limited(json_reply({"data": data}), issued, "users/me", 75)

    async def avatar(self, call: Call) -> web.StreamResponse:
        name = call.match["file"].removesuffix("_normal.png")
        if people.user(name) is None or not call.match["file"].endswith("_normal.png"):
            return web.Response(status=404)
        return web.Response(body=people.avatar_png(name), content_type="image/png")

    async def user_tweets(self, call: Call) -> web.Response:
        issued = self.signed_in(call, "tweet.read")
        if isinstance(issued, web.Response):
            return issued
        try:
            count = int(call.text("max_results") or 10)
        except ValueError:
            count = 0
        if not 5 <= count <= 100:
            return invalid(
                f"The `max_results` query parameter value [{call.text('max_results')}] "
                "is not between 5 and 100",
                "max_results",
                call.text("max_results"),
            )
        since = _epoch(call.text("start_time"))
        mine = [
            t
            for t in reversed(self.world.tweets)
            if t.user_id == call.match["id"] and (since is None or t.created_at >= since)
        ][:count]
        with_time = "created_at" in (call.text("tweet.fields") or "").split(",")
        data = [
            {
                "id": t.id,
                "text": self._shown_text(t),
                "edit_history_tweet_ids": [t.id],
                **({"created_at": _iso(t.created_at)} if with_time else {}),
            }
            for t in mine
        ]
        meta: dict[str, Any] = {"result_count": len(data)}
        if data:
            meta.update(newest_id=data[0]["id"], oldest_id=data[-1]["id"])
        body = {"data": data, "meta": meta} if data else {"meta": meta}
        return self._limited(json_reply(body), issued, "users/tweets", 900)

    # Media ---------------------------------------------------------------------------------------

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
        issued = self.signed_in(call, "media.write")
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
        issued = self.signed_in(call, "media.write")
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

    def _own_media(self, call: Call, media_id: str) -> tuple[Issued, Media] | web.Response:
        """The signed-in user (media.write) and their media ``media_id``, or the refusal."""
        issued = self.signed_in(call, "media.write")
        if isinstance(issued, web.Response):
            return issued
        media = self.world.media.get(media_id)
        if media is None or media.user_id != issued.user_id:
            return invalid(f"The media_id [{media_id}] is not valid.", "id", media_id)
        return issued, media

    async def append(self, call: Call) -> web.Response:
        found = self._own_media(call, call.match["id"])
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
        found = self._own_media(call, call.match["id"])
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
        found = self._own_media(call, call.text("media_id") or "")
        if isinstance(found, web.Response):
            return found
        issued, media = found
        if media.finalized_at is None:
            return invalid("This media has not been finalized.", "media_id", media.id)
        return self._limited(json_reply({"data": self._media_data(media)}), issued, "media/status", 1000)

    async def metadata(self, call: Call) -> web.Response:
        found = self._own_media(call, call.text("id") or "")
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

    # Posts ---------------------------------------------------------------------------------------

    async def create(self, call: Call) -> web.Response:
        issued = self.signed_in(call, "tweet.write")
        if isinstance(issued, web.Response):
            return issued
        if call.request.content_type != "application/json":
            return problem(415, "Unsupported Media Type", "Content-Type must be application/json.")
        window = self._window(issued, "tweets")
        if window[1] >= int(self.settings["posts_per_window"]):
            return self._limited(problem(429, "Too Many Requests", "Too Many Requests"), issued, "tweets", 0)
        text = call.params.get("text")
        media = call.params.get("media")
        media_ids = media.get("media_ids") if isinstance(media, dict) else None
        if media is not None and (not isinstance(media_ids, list) or not media_ids):
            return invalid("media.media_ids must name at least one media id", "media.media_ids", media_ids)
        ids = [str(i) for i in media_ids or []]
        if not isinstance(text, str) or (not text.strip() and not ids):
            return invalid("Post text or media is required.", "text", text)
        refused = self._text_problem(text) or self._media_refusal(issued, ids)
        if refused is not None:
            return self._limited(refused, issued, "tweets", 100)
        credits = int(self.settings["credits"])
        if credits == 0:
            return problem(
                402,
                "CreditsDepleted",
                "Your enrolled account does not have any credits to fulfill this request.",
                f"{PROBLEMS}credits",
            )
        last = next((t for t in reversed(self.world.tweets) if t.user_id == issued.user_id), None)
        if last is not None and last.text == text and text.strip():
            duplicate = "You are not allowed to create a Tweet with duplicate content."
            return self._limited(problem(403, "Forbidden", duplicate), issued, "tweets", 100)
        if credits > 0:
            self.settings["credits"] = credits - 1
        tweet = Tweet(self.world.next_id(), issued.user_id or "", text, ids, self.clock.now())
        self.world.tweets.append(tweet)
        self._count(issued, "tweets")
        body = {
            "data": {"id": tweet.id, "text": self._shown_text(tweet), "edit_history_tweet_ids": [tweet.id]}
        }
        return self._limited(json_reply(body, 201), issued, "tweets", 100)

    def _text_problem(self, text: str) -> web.Response | None:
        from twitter_text import parse_tweet

        subscribed = str(self.settings["subscription_type"]) not in ("", "None")
        limit = int(self.settings["subscriber_max_weighted" if subscribed else "max_weighted"])
        weighted = int(parse_tweet(text).weightedLength)
        if weighted > limit:
            return invalid(
                f"Your Post text is too long. (weighted length {weighted} over {limit})", "text", "…"
            )
        return None

    def _media_refusal(self, issued: Issued, ids: list[str]) -> web.Response | None:
        found = []
        for media_id in ids:
            media = self.world.media.get(media_id)
            if media is None or media.user_id != issued.user_id:
                return invalid("Your media IDs are invalid.", "media.media_ids", media_id)
            if media.finalized_at is None or self._processing(media).get("state") != "succeeded":
                return invalid("Your media is still processing.", "media.media_ids", media_id)
            found.append(media)
        if len(found) > 4:
            return invalid("Your media IDs are invalid: a post holds at most 4.", "media.media_ids", ids)
        if any(m.category != "tweet_image" for m in found) and len(found) > 1:
            return invalid("A post may hold up to 4 photos, or 1 GIF, or 1 video.", "media.media_ids", ids)
        return None

    def _shown_text(self, tweet: Tweet) -> str:
        if not tweet.media_ids:
            return tweet.text
        link = f"https://t.co/{base64.urlsafe_b64encode(tweet.id.encode()).decode()[:10]}"
        return f"{tweet.text} {link}".strip()

    # Rate limits ---------------------------------------------------------------------------------

    def _window(self, issued: Issued, route: str) -> tuple[float, int]:
        key = (issued.user_id or "", route)
        reset, used = self.world.windows.get(key, (0.0, 0))
        if reset <= self.clock.now():
            reset, used = self.clock.now() + WINDOW, 0
            self.world.windows[key] = (reset, used)
        return reset, used

    def _count(self, issued: Issued, route: str) -> None:
        reset, used = self._window(issued, route)
        self.world.windows[(issued.user_id or "", route)] = (reset, used + 1)

    def _limited(self, response: web.Response, issued: Issued, route: str, limit: int) -> web.Response:
        if route == "tweets":
            limit = int(self.settings["posts_per_window"])
        else:
            self._count(issued, route)
        reset, used = self._window(issued, route)
        response.headers["x-rate-limit-limit"] = str(limit)
        response.headers["x-rate-limit-remaining"] = str(max(0, limit - used))
        response.headers["x-rate-limit-reset"] = str(int(reset))
        return response


def _bad_category(category: str) -> web.Response:
    said = f"media_category [{category}] is not one of {sorted(CATEGORIES)}"
    return invalid(said, "media_category", category)


def _epoch(value: str | None) -> float | None:
    from datetime import datetime

    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _iso(moment: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


EMULATOR = XServer
HOSTS = ("x.com", API_HOST, "pbs.twimg.com")
FIRST_LABELS: tuple[str, ...] = ()
CATCH_ALL = False
# The contract tests and the demo link Alice with the sandbox's public Native App client.
DEMO = SandboxDemo(host=API_HOST, create_path="/2/tweets", client_id=DEMO_CLIENT_ID)
