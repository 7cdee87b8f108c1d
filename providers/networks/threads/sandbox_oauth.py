"""Threads' sign-in in the sandbox: the strict OAuth server of providers/emulation with what Meta
does differently (developers.facebook.com/documentation/threads/get-started/
get-access-tokens-and-permissions and …/long-lived-tokens):

- the Authorization Window on ``threads.com`` (and ``threads.net``): ``scope`` comma-separated,
  ``state`` optional (Meta: "All parameters except state are required"), no PKCE;
- ``POST graph.threads.net/oauth/access_token`` (client_secret in the body): the short-lived
  token, one hour, answered as recorded: ``{"access_token", "user_id"}`` (no token_type);
- ``GET /access_token?grant_type=th_exchange_token&client_secret&access_token``: a short-lived
  token for a 60-day one, ``{"access_token", "token_type": "bearer", "expires_in"}``; also at
  ``GET /oauth/access_token``, where python-facebook 0.24.0 sends it (its authors' tests ran
  against Meta; Meta's page names only ``/access_token``);
- ``GET /refresh_access_token?grant_type=th_refresh_token&access_token``: a long-lived token at
  least 24 hours old and still valid for a new 60-day one (the old one keeps working until it
  runs out);
- no revoke endpoint (Meta documents none).

Meta matches the redirect URI exactly. Tests run in parallel and cannot all own port 8080, so
the demo app also accepts its loopback callback on another port (as the X emulation does).
Errors are Graph documents ``{"error": {"message", "type": "OAuthException", "code", "fbtrace_id"}}``.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from providers.emulation.framework import Call, json_reply
from providers.emulation.grants import App, Clock, Issued, OAuthPolicy
from providers.emulation.oauth import OAuthServer

CLIENT_ID = "990602627938098"  # the shape of a Threads app ID (Meta's example)
CLIENT_SECRET = "linkdeck-sandbox-threads-app-secret"
SCOPES = frozenset(
    ("threads_basic", "threads_content_publish", "threads_manage_replies", "threads_read_replies",
     "threads_manage_insights")
)  # fmt: skip
SHORT_SECONDS = 3600
LONG_SECONDS = 5_183_944  # as recorded (python-facebook testdata): about 60 days
REFRESH_MIN_AGE = 24 * 3600
CALLBACK = "/callback"


def graph_error(
    status: int, message: str, code: int, subcode: int | None = None, **extra: Any
) -> web.Response:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra)
    error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
    return json_reply({"error": error}, status)


class ThreadsOAuth(OAuthServer):
    def __init__(self, clock: Clock) -> None:
        policy = OAuthPolicy(
            network="Threads",
            known_scopes=SCOPES,
            default_scope="threads_basic",
            require_pkce=False,
            access_seconds=SHORT_SECONDS,
            refresh_seconds=None,
        )
        super().__init__(policy, clock)
        self.long_lived: set[str] = set()  # tokens from the exchange or a refresh
        self.apps[CLIENT_ID] = App(
            id="1",
            name="linkdeck sandbox app",
            website="https://github.com/linkdeck",
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            redirect_uris=["http://127.0.0.1:8080/callback"],
            scopes=sorted(SCOPES),
            created_at=clock.now(),
        )

    def authorize(self, call: Call) -> web.Response:
        scope = call.text("scope")
        if scope is not None:  # Meta separates scopes with commas
            call.params["scope"] = " ".join(s for s in scope.replace(",", " ").split() if s)
        app = self.apps.get(call.text("client_id") or "")
        uri = call.text("redirect_uri") or ""
        parts = urlsplit(uri)
        if (
            app is not None
            and uri not in app.redirect_uris
            and parts.scheme == "http"
            and parts.hostname in ("127.0.0.1", "localhost")
            and parts.path == CALLBACK
            and not parts.query
        ):
            app.redirect_uris.append(uri)  # the sandbox's leniency: see the module's doc
        return super().authorize(call)

    def _token_body(self, issued: Issued) -> dict[str, Any]:
        return {"access_token": issued.token, "user_id": int(issued.user_id or 0)}

    def error(self, status: int, error: str, description: str, hint: str | None = None) -> web.Response:
        return graph_error(status, f"{error}: {description}", 100 if error != "invalid_client" else 101)

    def _long_body(self, issued: Issued) -> web.Response:
        return json_reply({"access_token": issued.token, "token_type": "bearer", "expires_in": LONG_SECONDS})

    def _issue_long(self, old: Issued) -> Issued:
        now = self.clock.now()
        issued = Issued(
            token="THQV" + secrets.token_urlsafe(40),
            client_id=old.client_id,
            user_id=old.user_id,
            scopes=list(old.scopes),
            created_at=now,
            expires_at=now + LONG_SECONDS,
        )
        self.tokens[issued.token] = issued
        self.long_lived.add(issued.token)
        return issued

    def _valid(self, token: str | None) -> Issued | None:
        issued = self.tokens.get(token or "")
        if issued is None or issued.revoked:
            return None
        if issued.expires_at is not None and issued.expires_at < self.clock.now():
            return None
        return issued

    def exchange(self, call: Call) -> web.Response:
        """GET /access_token?grant_type=th_exchange_token&client_secret&access_token."""
        if call.text("grant_type") != "th_exchange_token":
            return graph_error(400, "Unsupported grant_type", 100)
        issued = self._valid(call.text("access_token"))
        if issued is None or issued.token in self.long_lived:
            return graph_error(400, "Invalid OAuth access token - Cannot parse access token", 190)
        app = self.apps.get(issued.client_id)
        if app is None or not secrets.compare_digest(app.client_secret, call.text("client_secret") or ""):
            return graph_error(400, "Error validating client secret.", 1)
        return self._long_body(self._issue_long(issued))

    def refresh(self, call: Call) -> web.Response:
        """GET /refresh_access_token?grant_type=th_refresh_token&access_token."""
        if call.text("grant_type") != "th_refresh_token":
            return graph_error(400, "Unsupported grant_type", 100)
        issued = self._valid(call.text("access_token"))
        if issued is None or issued.token not in self.long_lived:
            return graph_error(400, "Error validating access token: the session is invalid or expired.", 190)
        if self.clock.now() - issued.created_at < REFRESH_MIN_AGE:
            return graph_error(400, "The access token must be at least 24 hours old to be refreshed.", 190)
        return self._long_body(self._issue_long(issued))

    def authenticate_graph(self, call: Call) -> Issued | None:
        """The token of a Graph call: ``Authorization: Bearer`` or ``access_token``."""
        return self._valid(call.bearer() or call.text("access_token"))
