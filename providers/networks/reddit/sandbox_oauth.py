"""The emulated Reddit's authorization server (``www.reddit.com/api/v1/…``) and the memory its
hosts share.

As Reddit's OAuth2 (reddit-archive/reddit wiki "OAuth2", and prawcore 4.0.0 ``auth.py`` as it
calls it): ``GET /api/v1/authorize`` with ``response_type=code``, ``client_id``, ``redirect_uri``,
``scope`` (space separated), ``state`` and ``duration``; the token and revoke endpoints take the
app's credentials as **HTTP Basic only** (an installed app: its client id and an empty password);
token answers carry ``expires_in`` 3600 and, for ``duration=permanent``, a refresh token that is
kept (not rotated) when refreshed; ``/api/v1/revoke_token`` answers 200 with an empty body, and
revoking a refresh token ends the access tokens made from it.

Deliberately stricter than Reddit: ``duration`` must be ``permanent`` (the only one linkdeck
sends; ``temporary`` is refused with a page saying the sandbox does not emulate it). Looser: the
sandbox's demo installed app (:data:`DEMO_CLIENT_ID`) accepts any loopback redirect URI
(``http://127.0.0.1:<port>/…``), since tests pick free ports; a real app compares its one
registered URI exactly.

The three hosts of the emulation (www, oauth, the media bucket) are separate emulator objects, so
what they share — the OAuth ledger, leased and uploaded media, the submissions — lives in one
:class:`World` per sandbox, found by the sandbox's clock.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import weakref
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from providers.emulation import pages
from providers.emulation.framework import Call, json_reply
from providers.emulation.grants import App, Clock, Issued, OAuthPolicy
from providers.emulation.oauth import OAuthServer

DEMO_CLIENT_ID = "linkdeck-sandbox-app"  # the sandbox's installed app: no secret
SCOPES = frozenset(
    {
        "identity", "submit", "mysubreddits", "read", "flair", "history", "edit", "vote", "save",
        "subscribe", "privatemessages", "report", "account", "modposts", "modflair", "wikiread",
    }
)  # fmt: skip
HOUR = 3600
_LOOPBACK = re.compile(r"^http://(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}/[^?#]*$")


@dataclass
class Asset:
    """A media upload lease, and the file once it arrived at the bucket."""

    key: str
    user_id: str
    mime: str
    size: int | None = None  # None until uploaded


@dataclass
class Submission:
    id: str
    author: str  # username
    subreddit: str
    kind: str  # self, link, image, video
    title: str
    text: str
    url: str
    flair_id: str | None
    created: float
    media: int = 0

    @property
    def fullname(self) -> str:
        return f"t3_{self.id}"

    @property
    def permalink(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "_", self.title.lower()).strip("_")[:50] or "post"
        return f"/r/{self.subreddit}/comments/{self.id}/{slug}/"


class RedditOAuth(OAuthServer):
    """Reddit's authorize, access_token and revoke_token over the strict shared server."""

    def __init__(self, clock: Clock) -> None:
        policy = OAuthPolicy(
            network="Reddit",
            known_scopes=SCOPES,
            default_scope="identity",
            require_pkce=False,
            access_seconds=HOUR,
            refresh_seconds=3650 * 24 * HOUR,  # "permanent": until revoked
        )
        super().__init__(policy, clock)
        self.apps[DEMO_CLIENT_ID] = App(
            id="1",
            name="linkdeck (sandbox installed app)",
            website=None,
            client_id=DEMO_CLIENT_ID,
            client_secret="",
            redirect_uris=[],
            scopes=sorted(SCOPES),
            created_at=clock.now(),
        )

    def authorize(self, call: Call) -> web.Response:
        duration = call.text("duration")
        if duration != "permanent":
            said = "temporary is not emulated here" if duration == "temporary" else "it is missing or unknown"
            return pages.error("invalid_request", f"duration must be permanent ({said}).")
        app = self.apps.get(call.text("client_id") or "")
        uri = call.text("redirect_uri") or ""
        demo = app is not None and app.client_id == DEMO_CLIENT_ID
        if demo and app is not None and _LOOPBACK.match(uri) and uri not in app.redirect_uris:
            app.redirect_uris.append(uri)
        return super().authorize(call)

    def client(self, call: Call) -> App | None:
        """HTTP Basic only, as Reddit takes it; an installed app's password is empty."""
        header = call.request.headers.get("Authorization", "")
        if header[:6].lower() != "basic ":
            return None
        try:
            client_id, colon, secret = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (ValueError, binascii.Error):
            return None
        app = self.apps.get(client_id)
        if app is None or not colon or not secrets.compare_digest(app.client_secret, secret):
            return None
        return app

    def error(self, status: int, error: str, description: str, hint: str | None = None) -> web.Response:
        if status == 401:  # Reddit's own body for a client it does not know
            return json_reply({"message": "Unauthorized", "error": 401}, 401)
        return json_reply({"error": error}, status)  # Reddit's short error bodies

    def _refresh_grant(self, call: Call) -> web.Response:
        """A new access token; the refresh token stays the same (Reddit does not rotate it)."""
        app = self.client(call)
        if app is None:
            return self.error(401, "invalid_client", "")
        refresh = call.text("refresh_token") or ""
        old = self.refresh_tokens.get(refresh)
        if old is None or old.client_id != app.client_id or old.revoked:
            return json_reply({"error": "invalid_grant"}, 400)
        now = self.clock.now()
        issued = Issued(
            token=secrets.token_urlsafe(32),
            client_id=app.client_id,
            user_id=old.user_id,
            scopes=list(old.scopes),
            created_at=now,
            expires_at=now + HOUR,
            refresh=refresh,
            refresh_expires_at=old.refresh_expires_at,
        )
        self.tokens[issued.token] = issued
        self.refresh_tokens[refresh] = issued
        return json_reply(self._token_body(issued))

    def _token_body(self, issued: Issued) -> dict[str, Any]:
        body: dict[str, Any] = {
            "access_token": issued.token,
            "token_type": "bearer",
            "expires_in": HOUR,
            "scope": " ".join(issued.scopes),
        }
        if issued.refresh:
            body["refresh_token"] = issued.refresh
        return body

    def revoke(self, call: Call) -> web.Response:
        app = self.client(call)
        if app is None:
            return self.error(401, "invalid_client", "")
        token = call.text("token") or ""
        issued = self.find(token)
        if issued is not None and issued.client_id == app.client_id:
            if token in self.refresh_tokens:  # the grant, and every access token made from it
                for made in [t for t in self.tokens.values() if t.refresh == token]:
                    self.revoke_issued(made)
            else:  # this access token only; its refresh token goes on
                self.tokens.pop(token, None)
        return web.Response(status=200)  # prawcore's revoke_token wants 200, for any token


@dataclass
class World:
    """What the emulated Reddit's hosts share."""

    oauth: RedditOAuth
    assets: dict[str, Asset] = field(default_factory=dict)
    submissions: list[Submission] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)


_WORLDS: weakref.WeakKeyDictionary[Clock, World] = weakref.WeakKeyDictionary()


def world_of(clock: Clock, defaults: dict[str, Any]) -> World:
    """The one World of the sandbox this clock belongs to."""
    found = _WORLDS.get(clock)
    if found is None:
        found = _WORLDS[clock] = World(RedditOAuth(clock), settings=dict(defaults))
    return found
