"""The emulated Tumblr's memory, shared by its two hosts (``www.tumblr.com`` and
``api.tumblr.com``) within one sandbox: its OAuth 2 server, the demo users' blogs, the posts, and
the counters behind the rate limits and daily limits (facts and sources in :mod:`.sandbox` and
:mod:`.sandbox_npf`).

Why a world per sandbox clock: the sandbox makes one emulator per host, but a code issued on
www.tumblr.com is exchanged on api.tumblr.com, so both must see the same ledger; every host of
one sandbox shares its :class:`~providers.emulation.grants.Clock`, which keys the world here
(weakly, so a stopped sandbox's Tumblr goes with it).
"""

from __future__ import annotations

import secrets
import weakref
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from providers.emulation.framework import Call
from providers.emulation.grants import App, Clock, Issued, OAuthPolicy
from providers.emulation.oauth import OAuthServer
from providers.networks.tumblr.sandbox_npf import Blog, PostRecord, Refusal, demo_blogs

DAY = 24 * 3600
WWW, API = "www.tumblr.com", "api.tumblr.com"
DEMO_CLIENT_ID = "sandbox-tumblr-consumer-key"
DEMO_CLIENT_SECRET = "sandbox-tumblr-secret-key"  # a sandbox value, known to every demo
DEFAULT_SETTINGS: dict[str, int] = {
    "calls_per_hour": 1000,
    "calls_per_day": 5000,
    "posts_per_day": 250,
    "images_per_day": 250,
    "videos_per_day": 20,
    "queue_max": 1000,
}


class TumblrOAuth(OAuthServer):
    consent_path = "/oauth2/authorize"

    def issue(self, app: App, user_id: str | None, scopes: list[str], refresh: bool = True) -> Issued:
        return super().issue(app, user_id, scopes, refresh=refresh and "offline_access" in scopes)

    def _token_body(self, issued: Issued) -> dict[str, Any]:
        body: dict[str, Any] = {
            "access_token": issued.token,
            "expires_in": int((issued.expires_at or issued.created_at) - issued.created_at),
            "id_token": False,
        }
        if issued.refresh:
            body["refresh_token"] = issued.refresh
        body.update(scope=" ".join(issued.scopes), token_type="bearer")
        return body

    def _refresh_grant(self, call: Call) -> web.Response:
        answer = super()._refresh_grant(call)
        if answer.status == 400 and b"invalid_grant" in (answer.body or b""):  # type: ignore[operator]
            return self.error(401, "invalid_grant", "The refresh token is invalid or has expired.")
        return answer

    def allow_loopback(self, call: Call) -> None:
        """The demo app takes its callback on any 127.0.0.1 port (see the note in :mod:`.sandbox`)."""
        app, uri = self.apps.get(call.text("client_id") or ""), call.text("redirect_uri") or ""
        parts = urlsplit(uri)
        demo = app is not None and app.client_id == DEMO_CLIENT_ID
        loopback = parts.scheme == "http" and parts.hostname == "127.0.0.1" and parts.path == "/callback"
        if app is not None and demo and loopback and uri not in app.redirect_uris:
            app.redirect_uris.append(uri)


class Tumblr:
    """One Tumblr (both hosts of one sandbox): its OAuth server, blogs, posts and counters."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.settings: dict[str, int] = dict(DEFAULT_SETTINGS)
        self.oauth = TumblrOAuth(
            OAuthPolicy(
                network="Tumblr",
                known_scopes=frozenset({"basic", "write", "offline_access"}),
                default_scope="basic",
                require_pkce=False,
                access_seconds=2520,
                refresh_seconds=42 * DAY,
            ),
            clock,
        )
        app = self.oauth.register("linkdeck (sandbox)", None, ["http://127.0.0.1:8080/callback"], [])
        app.scopes = ["basic", "write", "offline_access"]
        del self.oauth.apps[app.client_id]
        app.client_id, app.client_secret = DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
        self.oauth.apps[app.client_id] = app
        self.blogs: dict[str, Blog] = demo_blogs()
        self.posts: list[PostRecord] = []
        self.calls: dict[tuple[str, str, int], int] = {}  # (consumer key, "hour"/"day", period) → n
        self.usage: dict[tuple[str, str, int], int] = {}  # (user, "posts"/"images"/"videos", day) → n
        self._next_id = 760_000_000_000_000_000 + secrets.randbelow(10**12)

    def count_call(self, consumer: str) -> tuple[dict[str, str], bool]:
        """Count one call for ``consumer``: the rate-limit headers, and whether it is over."""
        now = self.clock.now()
        headers: dict[str, str] = {}
        over = False
        for label, seconds, limit_key in (
            ("Perhour", 3600, "calls_per_hour"),
            ("Perday", DAY, "calls_per_day"),
        ):
            period = int(now // seconds)
            key = (consumer, label, period)
            used = self.calls.get(key, 0) + 1
            self.calls[key] = used
            limit = self.settings[limit_key]
            over = over or used > limit
            headers[f"X-Ratelimit-{label}-Limit"] = str(limit)
            headers[f"X-Ratelimit-{label}-Remaining"] = str(max(0, limit - used))
            headers[f"X-Ratelimit-{label}-Reset"] = str(int((period + 1) * seconds - now))
        return headers, over

    def count_post(self, user: str, blog: Blog, state: str, uploads: dict[str, tuple[str, int]]) -> None:
        """Tumblr's per-user daily limits and the queue's size (Refusal when one is reached)."""
        day = int(self.clock.now() // DAY)
        images = sum(1 for mime, _ in uploads.values() if mime.startswith("image/"))
        videos = len(uploads) - images
        usage, s = self.usage, self.settings
        queued = sum(1 for p in self.posts if p.blog == blog.name and p.state == "queue")
        if state == "queue" and queued >= s["queue_max"]:
            raise Refusal(403, 8022, "Forbidden", "This blog's queue is full.")
        if state in ("published", "private") and usage.get((user, "posts", day), 0) >= s["posts_per_day"]:
            raise Refusal(403, 8023, "Forbidden", "You have reached your daily post limit.")
        if images and usage.get((user, "images", day), 0) + images > s["images_per_day"]:
            raise Refusal(403, 8004, "Forbidden", "You cannot upload any more media today.")
        if videos and usage.get((user, "videos", day), 0) + videos > s["videos_per_day"]:
            raise Refusal(403, 8011, "Forbidden", "You cannot upload any more videos today.")
        for what, n in (
            ("posts", 1 if state in ("published", "private") else 0),
            ("images", images),
            ("videos", videos),
        ):
            usage[(user, what, day)] = usage.get((user, what, day), 0) + n

    def next_id(self) -> int:
        self._next_id += 1 + secrets.randbelow(1000)
        return self._next_id


_WORLDS: weakref.WeakKeyDictionary[Clock, Tumblr] = weakref.WeakKeyDictionary()


def world_for(clock: Clock) -> Tumblr:
    """The Tumblr of the sandbox this clock belongs to (www and api share it)."""
    found = _WORLDS.get(clock)
    if found is None:
        found = _WORLDS[clock] = Tumblr(clock)
    return found
