"""X in the sandbox: ``x.com`` (the authorize page), ``api.x.com`` (OAuth token/revoke and API
v2) and ``pbs.twimg.com`` (avatars), one emulated X behind the three hosts (they share one
:class:`World` per sandbox, keyed by the sandbox's clock).

Shaped like the real API for X's own Python SDK (xdk 0.10.6, tests/test_fidelity_x.py) and the
recorded answers (tests/fixtures/recorded/x_twitter):

- OAuth 2.0 with PKCE for a public client: :mod:`.sandbox_oauth`; what the hosts share, the
  error shapes and the rate windows: :mod:`.sandbox_world`; the media routes: :mod:`.sandbox_media`;
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
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, Published, Routes, SandboxDemo, json_reply
from providers.emulation.grants import Clock, Issued
from providers.emulation.oauth1 import Signed
from providers.networks.x.sandbox_media import XMedia
from providers.networks.x.sandbox_oauth import DEMO_CLIENT_ID, NOT_AUTHENTICATED
from providers.networks.x.sandbox_world import API_HOST, DEFAULT_SETTINGS, PROBLEMS, Tweet, invalid, problem


class XServer(XMedia):
    """One host of the emulated X: its routes, OAuth, users and posts (media in XMedia)."""

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        r = self.routes = Routes()
        r.add("GET", "/i/oauth2/authorize", self.authorize)
        r.add("POST", "/i/oauth2/authorize", self.decide)
        r.add("POST", "/oauth/authorize", self.decide)  # where both consent forms post
        r.add("POST", "/oauth/request_token", self.world.oauth1.request_token)
        r.add("GET", "/oauth/authorize", self.authorize_pin)
        r.add("POST", "/oauth/access_token", self.world.oauth1.access_token)
        r.add("POST", "/1.1/oauth/invalidate_token", self.invalidate)
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
        return self.world.oauth.accepts(token) or token in self.world.oauth1.tokens

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
        if (call.text("form_token") or "") in self.world.oauth1.forms:  # the PIN route's page
            return self.world.oauth1.decide(call)
        return self.world.oauth.decide(call)

    async def authorize_pin(self, call: Call) -> web.Response:
        return self.world.oauth1.authorize(call)

    async def invalidate(self, call: Call) -> web.Response:
        """``POST /1.1/oauth/invalidate_token``, signed with the token it ends."""
        checked = await self.world.oauth1.check(call)
        if not isinstance(checked, Signed) or checked.access is None:
            return json_reply(NOT_AUTHENTICATED, 401)
        token = checked.access.token
        self.world.oauth1.tokens.pop(token, None)
        self.world.pin_tokens.pop(token, None)
        return json_reply({"access_token": token})

    async def token(self, call: Call) -> web.Response:
        return self.world.oauth.token(call)

    async def revoke(self, call: Call) -> web.Response:
        return self.world.oauth.revoke(call)

    # Users ---------------------------------------------------------------------------------------

    async def me(self, call: Call) -> web.Response:
        issued = await self.signed_in(call, "users.read")
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
        issued = await self.signed_in(call, "tweet.read")
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

    # Posts ---------------------------------------------------------------------------------------

    async def create(self, call: Call) -> web.Response:
        issued = await self.signed_in(call, "tweet.write")
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


def _epoch(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


EMULATOR = XServer
HOSTS = ("x.com", API_HOST, "pbs.twimg.com")
FIRST_LABELS: tuple[str, ...] = ()
CATCH_ALL = False
# The contract tests and the demo link Alice with the sandbox's public Native App client.
DEMO = SandboxDemo(host=API_HOST, create_path="/2/tweets", client_id=DEMO_CLIENT_ID)
