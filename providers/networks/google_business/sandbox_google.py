"""Google's sign-in as the Google Business Profile emulation needs it, and the memory every
Google host of one sandbox shares (:class:`Google`, one per sandbox clock): a token issued by
``oauth2.googleapis.com`` is the one the API hosts accept. Also the demo users' businesses and
Google's error documents (google.rpc.Status).

The sign-in is the strict OAuth server of providers.emulation with Google's differences: a
Desktop app client takes any loopback redirect; a refresh token only for ``access_type=offline``,
not rotated on refresh (a refresh answers a new access token only); ``/revoke`` needs no client
authentication and ends the whole grant; Google's token body (``expires_in``, ``scope``,
``token_type``).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, json_reply
from providers.emulation.grants import App, Clock, Issued, OAuthPolicy
from providers.emulation.oauth import OAuthServer

SCOPE = "https://www.googleapis.com/auth/business.manage"
CLIENT_ID = "linkdeck-sandbox.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-linkdeck-sandbox-secret"
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
POLICY = OAuthPolicy(
    network="Google",
    known_scopes=frozenset({SCOPE}),
    default_scope=SCOPE,
    require_pkce=False,
    access_seconds=3599,
    refresh_seconds=10 * 365 * 24 * 3600,  # until revoked
)


@dataclass
class Business:
    account: str  # "accounts/…"
    title: str
    kind: str  # PERSONAL, LOCATION_GROUP, ORGANIZATION
    locations: list[tuple[str, str, str]]  # ("locations/…", title, town)


def businesses(user_id: str) -> list[Business]:
    """What each demo user manages: Alice a personal account with a café and a group of two more
    shops (so there is a target to choose); Bob a personal account with one location."""
    if user_id == people.USERS[0].id:
        return [
            Business(
                "accounts/1100001",
                "Alice Example",
                "PERSONAL",
                [("locations/5001", "Harbour Café", "Portsmouth")],
            ),
            Business(
                "accounts/1200002",
                "Harbour Shops",
                "LOCATION_GROUP",
                [
                    ("locations/5002", "Harbour Bakery", "Portsmouth"),
                    ("locations/5003", "Harbour Books", "Southsea"),
                ],
            ),
        ]
    return [
        Business("accounts/1100002", "Bob Example", "PERSONAL", [("locations/6001", "Bob's Bikes", "Leeds")])
    ]


@dataclass
class LocalPost:
    name: str
    user: str
    body: dict[str, Any]
    created: float
    media: list[dict[str, Any]] = field(default_factory=list)


class GoogleOAuth(OAuthServer):
    """Google's authorization, token and revoke endpoints over the strict OAuth server. As Google
    does, a refresh token is issued only for ``access_type=offline``."""

    def __init__(self, policy: OAuthPolicy, clock: Clock) -> None:
        super().__init__(policy, clock)
        self.offline_forms: set[str] = set()  # consent forms of offline requests
        self.offline_codes: set[str] = set()  # codes issued for them
        self._refresh_next = True

    def authorize_google(self, call: Call) -> web.Response:
        app = self.apps.get(call.text("client_id") or "")
        redirect = call.text("redirect_uri") or ""
        parts = urlsplit(redirect)
        loopback = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "::1")
        if app is not None and loopback and redirect not in app.redirect_uris:
            app.redirect_uris.append(redirect)  # Desktop clients: any loopback port
        before = set(self.pending)
        page = self.authorize(call)
        if call.text("access_type") == "offline":
            self.offline_forms |= set(self.pending) - before
        return page

    def decide_google(self, call: Call) -> web.Response:
        offline = (call.text("form_token") or "") in self.offline_forms
        try:
            return self.decide(call)
        except web.HTTPFound as redirect:
            code = parse_qs(urlsplit(str(redirect.location)).query).get("code", [""])[0]
            if offline and code:
                self.offline_codes.add(code)
            raise

    def _code_grant(self, call: Call) -> web.Response:
        self._refresh_next = (call.text("code") or "") in self.offline_codes
        try:
            return super()._code_grant(call)
        finally:
            self._refresh_next = True

    def issue(self, app: App, user_id: str | None, scopes: list[str], refresh: bool = True) -> Issued:
        return super().issue(app, user_id, scopes, refresh=refresh and self._refresh_next)

    def _token_body(self, issued: Issued) -> dict[str, Any]:
        body: dict[str, Any] = {
            "access_token": issued.token,
            "expires_in": int((issued.expires_at or issued.created_at) - issued.created_at),
            "scope": " ".join(issued.scopes),
            "token_type": "Bearer",
        }
        if issued.refresh:
            body["refresh_token"] = issued.refresh
        return body

    def _refresh_grant(self, call: Call) -> web.Response:
        app = self.client(call)
        if app is None:
            return self.error(401, "invalid_client", "Unauthorized")
        old = self.refresh_tokens.get(call.text("refresh_token") or "")
        if old is None or old.client_id != app.client_id or old.revoked:
            return self.error(400, "invalid_grant", "Token has been expired or revoked.")
        fresh = self.issue(app, old.user_id, old.scopes, refresh=False)
        body = self._token_body(fresh)  # Google keeps the refresh token: none in the answer
        fresh.refresh, fresh.refresh_expires_at = old.refresh, old.refresh_expires_at
        return json_reply(body)

    def revoke(self, call: Call) -> web.Response:
        token = call.text("token")
        issued = self.find(token or "")
        if issued is None or issued.revoked:
            return json_reply(
                {"error": "invalid_token", "error_description": "Token expired or revoked"}, 400
            )
        for other in list(self.tokens.values()):
            if other.client_id == issued.client_id and other.user_id == issued.user_id:
                other.revoked = True
        return json_reply({})


class Google:
    """One sandbox's Google: its sign-in and what its users' businesses hold."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.oauth = GoogleOAuth(POLICY, clock)
        self.oauth.apps[CLIENT_ID] = App(
            "1", "linkdeck (sandbox)", None, CLIENT_ID, CLIENT_SECRET, [], [SCOPE], clock.now()
        )
        self.posts: dict[str, list[LocalPost]] = {}  # location path → posts, oldest first
        self.settings: dict[str, Any] = {"page_size": None, "v4_enabled": True}


_worlds: weakref.WeakKeyDictionary[Clock, Google] = weakref.WeakKeyDictionary()


def world_for(clock: Clock) -> Google:
    if clock not in _worlds:
        _worlds[clock] = Google(clock)
    return _worlds[clock]


def google_error(status: int, canonical: str, message: str, *details: dict[str, Any]) -> web.Response:
    error: dict[str, Any] = {"code": status, "message": message, "status": canonical}
    if details:
        error["details"] = list(details)
    return json_reply({"error": error}, status)


def invalid(field_name: str, message: str) -> web.Response:
    detail = {
        "@type": "type.googleapis.com/google.mybusiness.v4.ValidationError",
        "errorDetails": [{"code": 3, "field": field_name, "message": message}],
    }
    return google_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.", detail)


def rfc3339(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
