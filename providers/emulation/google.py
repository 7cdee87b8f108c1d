"""Google's sign-in, one per sandbox, for every Google network's emulation (YouTube, Google Business
Profile): ``accounts.google.com`` (the consent page), ``oauth2.googleapis.com`` (token, revoke,
device code) and ``www.google.com/device``. A token it issues is the one each Google API emulator
checks (:func:`google_for` keys the sign-in by the sandbox's clock, as the API emulators key their
own memory), so a network never imports another to sign in, and no network claims these hosts:
:class:`GoogleSignIn` is served on :data:`GoogleSignIn.hosts` by the sandbox's registry for every
network whose ``sandbox.py`` lists it in ``SHARED``.

It knows every demo client of those networks: YouTube's **Desktop app** and **TVs and Limited Input
devices** clients, and Google Business Profile's Desktop client, with their scopes (``youtube``,
``youtube.upload``, ``youtube.readonly``, ``youtube.force-ssl``, ``business.manage``, and
``openid email profile``). Google's differences from the strict OAuth server of
:mod:`providers.emulation.oauth`:

- a Desktop client accepts any loopback redirect (``http://127.0.0.1:<any port>/…``) instead of an
  exact registered URI; PKCE is optional but S256 only when sent; a TV client takes no redirect;
- a refresh token comes only for ``access_type=offline`` (and always from the device flow), and is
  not rotated: a refresh answers a new access token only. YouTube's project is in Testing, so its
  clients' refresh tokens end 7 days after consent; Business Profile's last until revoked;
- token answers are Google's shape (``expires_in``, ``scope``, ``token_type``; no ``created_at``);
- ``/revoke`` needs no client authentication and ends every token of that client and user;
- the device flow (``/device/code``): only a TV client may use it, and only with the device-flow
  scopes (``youtube.upload`` → ``invalid_scope``); polling answers ``authorization_pending`` (HTTP
  428) until the user approves on ``/device``.

The error words for the device flow follow shared/reference/networks-2026.md §10 (the prefix of
Google's ``invalid_client`` text and "Invalid device flow scope"); the rest are the generic words
of :mod:`providers.emulation.oauth`.
"""

from __future__ import annotations

import secrets
import weakref
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from aiohttp import web

from providers.emulation import pages, people
from providers.emulation.framework import Call, Emulator, Routes, esc, json_reply, page
from providers.emulation.grants import App, Clock, Issued, OAuthPolicy
from providers.emulation.oauth import OAuthServer

# YouTube's demo clients (a Google Cloud project in Testing).
YOUTUBE_DESKTOP_CLIENT_ID = "1000000000001-linkdeckdemo.apps.googleusercontent.com"
YOUTUBE_DESKTOP_CLIENT_SECRET = "GOCSPX-linkdeck-sandbox-desktop"  # sandbox values, not real secrets
YOUTUBE_TV_CLIENT_ID = "1000000000002-linkdecktv.apps.googleusercontent.com"
YOUTUBE_TV_CLIENT_SECRET = "GOCSPX-linkdeck-sandbox-tv"
# Google Business Profile's demo client (a Desktop app of a project granted the Business APIs).
BUSINESS_CLIENT_ID = "linkdeck-sandbox.apps.googleusercontent.com"
BUSINESS_CLIENT_SECRET = "GOCSPX-linkdeck-sandbox-secret"

YT = "https://www.googleapis.com/auth/youtube"
BUSINESS_MANAGE = "https://www.googleapis.com/auth/business.manage"
IDENTITY = frozenset({"openid", "email", "profile"})
SCOPES = frozenset({YT, f"{YT}.upload", f"{YT}.readonly", f"{YT}.force-ssl", BUSINESS_MANAGE, *IDENTITY})
DEVICE_SCOPES = frozenset({YT, f"{YT}.readonly", *IDENTITY})
ACCESS_SECONDS = 3600
TESTING_REFRESH_SECONDS = 7 * 24 * 3600  # "Authorizations by a test user will expire seven days…"
DEVICE_SECONDS = 1800
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
NOT_TV = (
    "Only clients of type 'TVs and Limited Input devices' can use the OAuth 2.0 flow for TV and "
    "Limited-Input Device Applications."
)

POLICY = OAuthPolicy(
    network="Google",
    known_scopes=SCOPES,
    default_scope="",
    require_pkce=False,
    access_seconds=ACCESS_SECONDS,
    refresh_seconds=TESTING_REFRESH_SECONDS,
)


@dataclass
class DeviceGrant:
    client_id: str
    scopes: list[str]
    user_code: str
    expires_at: float
    user_id: str | None = None
    denied: bool = False
    used: bool = False


def is_loopback_redirect(uri: str) -> bool:
    parts = urlsplit(uri)
    return (
        parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1") and not parts.fragment
    )


class GoogleOAuth(OAuthServer):
    """Google's authorization, token, revoke and device endpoints over the strict OAuth server."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(POLICY, clock)
        now = clock.now()
        for client_id, secret, name in (
            (YOUTUBE_DESKTOP_CLIENT_ID, YOUTUBE_DESKTOP_CLIENT_SECRET, "linkdeck (Desktop app)"),
            (YOUTUBE_TV_CLIENT_ID, YOUTUBE_TV_CLIENT_SECRET, "linkdeck (TVs and Limited Input devices)"),
            (BUSINESS_CLIENT_ID, BUSINESS_CLIENT_SECRET, "linkdeck (sandbox)"),
        ):
            self.apps[client_id] = App(client_id, name, None, client_id, secret, [], sorted(SCOPES), now)
        self.tv_clients = {YOUTUBE_TV_CLIENT_ID}
        # Clients of a project whose consent screen is in Testing: refresh tokens end after 7 days.
        self.testing_clients = {YOUTUBE_DESKTOP_CLIENT_ID, YOUTUBE_TV_CLIENT_ID}
        self.devices: dict[str, DeviceGrant] = {}  # device code → grant
        self.offline_forms: set[str] = set()  # consent forms of access_type=offline requests
        self.offline_codes: set[str] = set()  # the codes issued for them
        self._refresh_next = True

    # Authorization ------------------------------------------------------------------------------

    def authorize(self, call: Call) -> web.Response:
        """A Desktop client takes any loopback redirect; a TV client no redirect at all."""
        app = self.apps.get(call.text("client_id") or "")
        redirect_uri = call.text("redirect_uri") or ""
        if app is not None and app.client_id in self.tv_clients:
            return pages.error("invalid_request", "This client type cannot use a redirect URI.")
        if app is not None and is_loopback_redirect(redirect_uri) and redirect_uri not in app.redirect_uris:
            app.redirect_uris.append(redirect_uri)
        before = set(self.pending)
        answer = super().authorize(call)
        if call.text("access_type") == "offline":
            self.offline_forms |= set(self.pending) - before
        return answer

    def decide(self, call: Call) -> web.Response:
        offline = (call.text("form_token") or "") in self.offline_forms
        try:
            return super().decide(call)
        except web.HTTPFound as redirect:
            code = parse_qs(urlsplit(str(redirect.location)).query).get("code", [""])[0]
            if offline and code:
                self.offline_codes.add(code)
            raise

    # Tokens -------------------------------------------------------------------------------------

    def token(self, call: Call) -> web.Response:
        if call.text("grant_type") == DEVICE_GRANT:
            return self._device_grant(call)
        return super().token(call)

    def _code_grant(self, call: Call) -> web.Response:
        """A refresh token only when the consent was asked with ``access_type=offline``."""
        self._refresh_next = (call.text("code") or "") in self.offline_codes
        try:
            return super()._code_grant(call)
        finally:
            self._refresh_next = True

    def issue(self, app: App, user_id: str | None, scopes: list[str], refresh: bool = True) -> Issued:
        issued = super().issue(app, user_id, scopes, refresh=refresh and self._refresh_next)
        if app.client_id not in self.testing_clients:
            issued.refresh_expires_at = None  # a published project's refresh token lasts until revoked
        return issued

    def _token_body(self, issued: Issued) -> dict[str, Any]:
        body: dict[str, Any] = {
            "access_token": issued.token,
            "expires_in": ACCESS_SECONDS - 1,
            "scope": " ".join(issued.scopes),
            "token_type": "Bearer",
        }
        if issued.refresh:
            body["refresh_token"] = issued.refresh
        return body

    def _refresh_grant(self, call: Call) -> web.Response:
        """Google keeps the refresh token: a refresh answers a new access token only."""
        app = self.client(call)
        if app is None:
            return self.error(401, "invalid_client", "Unauthorized")
        grant = self.refresh_tokens.get(call.text("refresh_token") or "")
        now = self.clock.now()
        if (
            grant is None
            or grant.client_id != app.client_id
            or grant.revoked
            or (grant.refresh_expires_at is not None and grant.refresh_expires_at < now)
        ):
            return self.error(400, "invalid_grant", "Token has been expired or revoked.")
        self.tokens.pop(grant.token, None)
        grant.token = secrets.token_urlsafe(32)
        grant.expires_at = now + ACCESS_SECONDS
        self.tokens[grant.token] = grant
        body = self._token_body(grant)
        body.pop("refresh_token", None)
        return json_reply(body)

    def revoke(self, call: Call) -> web.Response:
        """POST /revoke?token=…: no client authentication; every token of the grant ends."""
        issued = self.find(call.text("token") or "")
        if issued is None or issued.revoked:
            return self.error(400, "invalid_token", "Token expired or revoked")
        for other in list(self.tokens.values()):
            if other.client_id == issued.client_id and other.user_id == issued.user_id:
                self.revoke_issued(other)
        self.revoke_issued(issued)
        return json_reply({})

    # Device flow --------------------------------------------------------------------------------

    def device_code(self, call: Call) -> web.Response:
        client_id = call.text("client_id") or ""
        if client_id not in self.apps:
            return self.error(401, "invalid_client", "The OAuth client was not found.")
        if client_id not in self.tv_clients:
            return self.error(401, "invalid_client", NOT_TV)
        scopes = (call.text("scope") or "").split()
        bad = [s for s in scopes if s not in DEVICE_SCOPES]
        if not scopes or bad:
            return self.error(400, "invalid_scope", f"Invalid device flow scope: {' '.join(bad or scopes)}")
        device = secrets.token_urlsafe(32)
        letters = "BCDFGHJKLMNPQRSTVWXZ"
        user_code = "-".join("".join(secrets.choice(letters) for _ in range(4)) for _ in range(2))
        self.devices[device] = DeviceGrant(client_id, scopes, user_code, self.clock.now() + DEVICE_SECONDS)
        return json_reply(
            {
                "device_code": device,
                "user_code": user_code,
                "verification_url": "https://www.google.com/device",
                "expires_in": DEVICE_SECONDS,
                "interval": 5,
            }
        )

    def _device_grant(self, call: Call) -> web.Response:
        app = self.client(call)
        if app is None:
            return self.error(401, "invalid_client", "Unauthorized")
        grant = self.devices.get(call.text("device_code") or "")
        if grant is None or grant.client_id != app.client_id or grant.used:
            return self.error(400, "invalid_grant", "Malformed auth code.")
        if grant.expires_at < self.clock.now():
            return self.error(400, "expired_token", "Expired")
        if grant.denied:
            return self.error(403, "access_denied", "Forbidden")
        if grant.user_id is None:
            return self.error(428, "authorization_pending", "Precondition Required")
        grant.used = True
        return json_reply(self._token_body(self.issue(app, grant.user_id, grant.scopes)))

    def device_page(self, call: Call) -> web.Response:
        """``GET /device``: type the code; ``POST /device`` {user_code, user, decision}."""
        if call.method == "GET":
            options = "".join(
                f"<option value='{esc(u.username)}'>{esc(u.username)}</option>" for u in people.USERS
            )
            return page(
                "Connect a device — Google",
                "<h1>Connect a device</h1>"
                f"<form method='post' action='{esc(call.prefix)}/device' id='allow'>"
                "<input type='hidden' name='decision' value='allow'>"
                f"<label>Code <input name='user_code' value='{esc(call.text('user_code') or '')}'></label> "
                f"<label>Signed in as <select name='user'>{options}</select></label> "
                "<button type='submit'>Allow</button></form>",
            )
        code = (call.text("user_code") or "").strip().upper()
        grant = next((g for g in self.devices.values() if g.user_code == code and not g.used), None)
        who = people.user(call.text("user"))
        if grant is None or who is None or grant.expires_at < self.clock.now():
            return pages.error("invalid_request", "That code is not valid or has expired. Try again.")
        if call.text("decision") != "allow":
            grant.denied = True
            return page("Denied", "<h1>You denied access</h1>")
        grant.user_id = who.id
        return page("Connected", "<h1>Success</h1><p id='done'>You can return to your device.</p>")


_sign_ins: weakref.WeakKeyDictionary[Clock, GoogleOAuth] = weakref.WeakKeyDictionary()


def google_for(clock: Clock) -> GoogleOAuth:
    """The sandbox's one Google sign-in (keyed by its clock): what every Google host checks."""
    found = _sign_ins.get(clock)
    if found is None:
        found = _sign_ins[clock] = GoogleOAuth(clock)
    return found


class GoogleSignIn(Emulator):
    """The Google sign-in hosts. Not a network: listed in a Google network's ``SHARED``, the
    registry serves it once on :attr:`hosts`."""

    kind = "google"
    network = "Google sign-in"
    hosts: ClassVar[tuple[str, ...]] = ("accounts.google.com", "oauth2.googleapis.com", "www.google.com")

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.oauth = google_for(clock)
        self.routes = Routes()
        for method, path, handler in (
            ("GET", "/o/oauth2/v2/auth", self.oauth.authorize),
            ("POST", "/oauth/authorize", self.oauth.decide),  # the sandbox consent page's Allow/Deny
            ("POST", "/token", self.oauth.token),
            ("POST", "/revoke", self.oauth.revoke),
            ("POST", "/device/code", self.oauth.device_code),
            ("*", "/device", self.oauth.device_page),
        ):
            self.routes.add(method, path, _sync(handler))

    async def handle(self, call: Call) -> web.StreamResponse:
        found = self.routes.find(call.method, call.path)
        if found is None:  # Google's front end: an HTML 404
            return web.Response(
                status=404, text="<html><body>404. That's an error.</body></html>", content_type="text/html"
            )
        handler, call.match = found
        response: web.StreamResponse = await handler(call)
        return response

    def accepts(self, token: str) -> bool:
        return self.oauth.accepts(token)


def _sync(handler: Any) -> Any:
    async def run(call: Call) -> web.StreamResponse:
        response: web.StreamResponse = handler(call)
        return response

    return run
