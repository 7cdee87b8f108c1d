"""Pinterest's OAuth in the sandbox, and the memory its hosts share.

Pinterest answers on several hosts (``www.pinterest.com/oauth/`` for consent, ``api.pinterest.com/
v5`` for tokens and the API, an S3 bucket for video uploads); the sandbox makes one emulator per
host, so what they share (the OAuth ledger, boards, Pins, media) is one :class:`PinterestState`
per sandbox, found by the sandbox's clock.

Strict where linkdeck could get it wrong (pinterest/api-description@c05b189 ``/oauth/token``,
``security: basic``):

- the token endpoint authenticates the app by HTTP Basic only: client id and secret in the form
  are refused (401 invalid_client), as a ``client_secret_post`` client would be;
- the demo app stands for one created before 2025-09-25, which must send
  ``continuous_refresh=true``: without it the answer carries no refresh token (the legacy 365-day
  token it would have meant is no longer supported), so a client that forgets it cannot renew;
- token answers have Pinterest's shape (``response_type``, ``token_type: bearer``, ``expires_in``
  30 days, ``refresh_token_expires_in`` 60 days and ``refresh_token_expires_at``); refresh tokens
  rotate on use;
- the registered redirect is exact on host and path (``http://127.0.0.1:<port>/callback``); the
  demo app accepts any loopback port, standing for the one the user registered;
- errors keep the OAuth ``error``/``error_description`` and add Pinterest's ``code``/``message``
  (the exact words of Pinterest's token errors are not recorded: unverified).
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from providers.emulation.framework import Call, json_reply
from providers.emulation.grants import App, Clock, Issued, OAuthPolicy
from providers.emulation.oauth import OAuthServer

DAY = 24 * 3600
SCOPES = frozenset(
    {
        "user_accounts:read",
        "boards:read",
        "boards:write",
        "pins:read",
        "pins:write",
        "boards:read_secret",
        "boards:write_secret",
        "pins:read_secret",
        "pins:write_secret",
        "catalogs:read",
        "catalogs:write",
        "ads:read",
        "ads:write",
    }
)
DEMO_CLIENT_ID = "1500001"
DEMO_CLIENT_SECRET = "sandbox-pinterest-app-secret-0b1f8e"  # the sandbox's own demo app, not a secret
_LOOPBACK_CALLBACK = re.compile(r"^http://127\.0\.0\.1:\d{1,5}/callback$")


def policy() -> OAuthPolicy:
    return OAuthPolicy(
        network="Pinterest",
        known_scopes=SCOPES,
        default_scope="user_accounts:read",
        require_pkce=False,
        access_seconds=30 * DAY,
        refresh_seconds=60 * DAY,
    )


class PinterestOAuth(OAuthServer):
    def __init__(self, clock: Clock) -> None:
        super().__init__(policy(), clock)
        self.apps[DEMO_CLIENT_ID] = App(
            id="1",
            name="linkdeck demo app",
            website=None,
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
            redirect_uris=[],
            scopes=sorted(SCOPES),
            created_at=clock.now(),
        )
        self._continuous = False
        self._grant_type = ""

    def authorize(self, call: Call) -> web.Response:
        app = self.apps.get(call.text("client_id") or "")
        uri = call.text("redirect_uri") or ""
        if app is not None and app.client_id == DEMO_CLIENT_ID and _LOOPBACK_CALLBACK.match(uri):
            app.redirect_uris = sorted({*app.redirect_uris, uri})  # the port the user registered
        return super().authorize(call)

    def error(self, status: int, error: str, description: str, hint: str | None = None) -> web.Response:
        codes = {"invalid_client": 2, "invalid_grant": 1, "invalid_request": 1}
        body = {"error": error, "error_description": description}
        return json_reply({**body, "code": codes.get(error, 1), "message": description}, status)

    def client(self, call: Call) -> App | None:
        header = call.request.headers.get("Authorization", "")
        if header[:6].lower() != "basic ":
            return None  # security: basic — no client_secret_post here
        return super().client(call)

    def token(self, call: Call) -> web.Response:
        self._continuous = call.text("continuous_refresh") == "true"
        self._grant_type = call.text("grant_type") or ""
        return super().token(call)

    def _token_body(self, issued: Issued) -> dict[str, Any]:
        body: dict[str, Any] = {
            "access_token": issued.token,
            "response_type": self._grant_type,
            "token_type": "bearer",
            "expires_in": int((issued.expires_at or issued.created_at) - issued.created_at),
            "scope": " ".join(issued.scopes),
        }
        if issued.refresh and self._continuous and issued.refresh_expires_at is not None:
            body["refresh_token"] = issued.refresh
            body["refresh_token_expires_in"] = int(issued.refresh_expires_at - issued.created_at)
            body["refresh_token_expires_at"] = int(issued.refresh_expires_at)
        return body

    def revoke_user_token(self, call: Call) -> web.Response:
        """``POST /v5/oauth/token/revoke``: system-user tokens only, so a user's token is refused
        with the openapi's own example (403, code 29)."""
        if self.client(call) is None:
            return json_reply({"code": 2, "message": "Authentication failed."}, 401)
        return json_reply({"code": 29, "message": "You are not permitted to access that resource."}, 403)


@dataclass
class Board:
    id: str
    name: str
    owner: str  # user id


@dataclass
class MediaUpload:
    id: str
    owner: str
    key: str
    signature: str
    status: str = "registered"
    polls_left: int = 1
    size: int = 0


@dataclass
class Pin:
    id: str
    owner: str
    board_id: str
    title: str
    description: str
    alt_text: str | None
    link: str | None
    media_type: str  # image, video, multiple_images
    media_count: int
    created_at: float


@dataclass
class PinterestState:
    """Everything the Pinterest hosts of one sandbox share."""

    oauth: PinterestOAuth
    boards: list[Board]
    pins: list[Pin] = field(default_factory=list)
    media: dict[str, MediaUpload] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    next_id: int = 1_000_000_000_000_000


_STATES: weakref.WeakKeyDictionary[Clock, PinterestState] = weakref.WeakKeyDictionary()


def state_for(clock: Clock, default_boards: list[Board], settings: dict[str, Any]) -> PinterestState:
    state = _STATES.get(clock)
    if state is None:
        state = _STATES[clock] = PinterestState(PinterestOAuth(clock), default_boards, settings=settings)
    return state
