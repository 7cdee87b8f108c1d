"""What the three hosts of the emulated X share (:class:`World`, one per sandbox, keyed by its
clock), X's error shapes (:func:`problem`, :func:`invalid`), and :class:`XBase`: the bearer and
scope check and the ``x-rate-limit-*`` windows every API answer carries."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, Emulator, json_reply
from providers.emulation.grants import Clock, Issued
from providers.emulation.oauth1 import Access, Signed
from providers.networks.x.sandbox_oauth import (
    DEMO_CONSUMER_KEY,
    NOT_AUTHENTICATED,
    SCOPES,
    XOAuth,
    x_oauth1,
)

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
        self.oauth1 = x_oauth1(clock)
        self.pin_tokens: dict[str, Issued] = {}  # an OAuth 1.0a access token as the API sees it
        self.media: dict[str, Media] = {}
        self.tweets: list[Tweet] = []
        self.windows: dict[tuple[str, str], tuple[float, int]] = {}  # (user, route) → (reset, used)
        self._sequence = 0

    def next_id(self) -> str:
        """A snowflake-shaped id: milliseconds since X's epoch, shifted, plus a sequence."""
        self._sequence += 1
        return str(((int(self.clock.now() * 1000) - 1288834974657) << 22) + self._sequence)


_WORLDS: weakref.WeakKeyDictionary[Clock, World] = weakref.WeakKeyDictionary()


class XBase(Emulator):
    """An X host: the shared world, the signed-in check, the rate windows."""

    kind = "x"
    network = "X"

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.world = _WORLDS.setdefault(clock, World(clock))
        self.settings = self.world.settings

    # Sign-in -------------------------------------------------------------------------------------

    async def signed_in(self, call: Call, scope: str) -> Issued | web.Response:
        """The bearer token's grant, or for a request signed with OAuth 1.0a (the PIN route) its
        access token's, which holds the app's permissions (read and write: every scope)."""
        if call.request.headers.get("Authorization", "")[:6].lower() == "oauth ":
            checked = await self.world.oauth1.check(call)
            if not isinstance(checked, Signed) or checked.access is None:
                return json_reply(NOT_AUTHENTICATED, 401)
            issued: Issued | str = self._pin_grant(checked.access)
        else:
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

    def _pin_grant(self, access: Access) -> Issued:
        found = self.world.pin_tokens.get(access.token)
        if found is None:
            found = Issued(
                token=access.token,
                client_id=DEMO_CONSUMER_KEY,
                user_id=access.user.id,
                scopes=sorted(SCOPES),
                created_at=self.clock.now(),
                expires_at=None,  # OAuth 1.0a tokens do not expire
            )
            self.world.pin_tokens[access.token] = found
        return found

    def _user(self, issued: Issued) -> people.User:
        who = people.user_by_id(issued.user_id or "")
        assert who is not None
        return who

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
