"""Facebook Login in the sandbox: the Login dialog on ``www.facebook.com/{version}/dialog/oauth``,
the code and long-lived exchanges on ``graph.facebook.com/{version}/oauth/access_token``, Page
tokens and ``DELETE /me/permissions``, on the sandbox's strict OAuth server
(:mod:`providers.emulation.oauth`).

What Facebook does differently, as the reference says (shared/reference/networks.md §1;
developers.facebook.com/documentation/facebook-login/guides/advanced/manual-flow and
…/access-tokens/get-long-lived):

- a confidential client: the app secret at the token endpoint (GET or POST); no PKCE;
- http redirects only while the app is in Development mode (``development_mode``), where any
  loopback port is taken; in Live mode only https ones, else Facebook's "Insecure Login Blocked";
- the code gives a short-lived user token (``expires_in`` ~2 hours); ``grant_type=
  fb_exchange_token`` gives the long-lived one (``expires_in`` 5,183,944 s, about 60 days);
- each Page's token is valid while the user's grant is (a derived Page token has no expiry of its
  own); ``DELETE /me/permissions`` ends the grant, and every token of it, at once;
- errors in Graph's shape: ``{"error": {"message", "type": "OAuthException", "code", …}}``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from providers.emulation import pages, people
from providers.emulation.framework import Call, json_reply
from providers.emulation.grants import App, Clock, Issued, OAuthPolicy
from providers.emulation.oauth import OAuthServer

SCOPES = (
    "public_profile",
    "pages_show_list",
    "pages_manage_posts",
    "pages_read_engagement",
    "business_management",
)
SHORT_SECONDS = 2 * 3600
LONG_SECONDS = 5_183_944  # what the recorded long-lived exchange answers (networks.md §1)
DEMO_CLIENT_ID = "1000000000000001"  # the sandbox's Meta app (a fixture, not a credential)
DEMO_CLIENT_SECRET = "linkdeck-sandbox-meta-secret"  # a sandbox fixture, not a credential
DEMO_CLIENT_TOKEN = "linkdeck-sandbox-client-token"  # the app's client token (Login for Devices)
DEVICE_SECONDS = 420
INSECURE = (
    "Insecure Login Blocked: You can't get an access token or log in to this app from an insecure "
    "page. Try re-loading the page as https://"
)


def graph_error_reply(
    status: int, message: str, code: int, subcode: int | None = None, kind: str = "OAuthException"
) -> web.Response:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
    return json_reply({"error": error}, status)


def secret_proof(app: App, token: str) -> str:
    """``appsecret_proof``: HMAC-SHA256 of the token keyed by the app secret (Graph's "securing
    requests"; python-facebook-api sends it with every call)."""
    return hmac.new(app.client_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


class FacebookAuth(OAuthServer):
    def __init__(self, clock: Clock, settings: dict[str, Any]) -> None:
        policy = OAuthPolicy(
            network="Facebook",
            known_scopes=frozenset(SCOPES),
            default_scope="public_profile",
            require_pkce=False,
            access_seconds=SHORT_SECONDS,
            refresh_seconds=None,
            numeric_client_ids=True,
        )
        super().__init__(policy, clock)
        self.settings = settings
        self.apps[DEMO_CLIENT_ID] = App(
            id=DEMO_CLIENT_ID,
            name="linkdeck (sandbox Meta app)",
            website=None,
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
            redirect_uris=[],
            scopes=list(SCOPES),
            created_at=clock.now(),
        )
        self.page_tokens: dict[str, tuple[str, Issued]] = {}  # Page token → (page id, its user grant)
        # Login for Devices: code → [user code, scopes, expires at, approved user or None, last poll]
        self.devices: dict[str, list[Any]] = {}

    # The Login dialog ------------------------------------------------------------------------------

    def authorize(self, call: Call) -> web.Response:
        app = self.apps.get(call.text("client_id") or "")
        redirect = call.text("redirect_uri") or ""
        parts = urlsplit(redirect)
        if app is not None and parts.scheme == "http":
            if not self.settings.get("development_mode"):
                return pages.error("insecure_login_blocked", INSECURE)
            if parts.hostname in ("localhost", "127.0.0.1") and redirect not in app.redirect_uris:
                app.redirect_uris.append(redirect)  # Development mode: localhost is allowed
        if call.text("state") is None:
            return pages.error("invalid_request", "The state parameter is required by linkdeck's sandbox.")
        return super().authorize(call)

    # The token endpoint ------------------------------------------------------------------------------

    def access_token(self, call: Call) -> web.Response:
        """``/oauth/access_token``: a code (grant_type optional, as Facebook takes it) or
        ``fb_exchange_token``."""
        if call.text("grant_type") == "fb_exchange_token":
            return self._exchange(call)
        if call.text("code"):
            call.params["grant_type"] = "authorization_code"
            answer = self.token(call)
            return answer if answer.status == 200 else self._as_graph(answer)
        return graph_error_reply(400, "Missing authorization code", 1, kind="OAuthException")

    def _as_graph(self, answer: web.Response) -> web.Response:
        import json

        body = json.loads(answer.text or "{}")
        message = str(body.get("error_description") or body.get("error") or "Invalid request")
        return graph_error_reply(400, message, 100 if answer.status != 401 else 101)

    def _exchange(self, call: Call) -> web.Response:
        app = self.client(call)
        if app is None:
            return graph_error_reply(400, "Error validating client secret.", 1)
        short = self.tokens.get(call.text("fb_exchange_token") or "")
        if short is None or short.revoked or short.client_id != app.client_id or short.user_id is None:
            return graph_error_reply(400, "Invalid OAuth access token.", 190)
        if short.expires_at is not None and short.expires_at < self.clock.now():
            return graph_error_reply(400, "Error validating access token: Session has expired.", 190, 463)
        issued = self.issue(app, short.user_id, short.scopes, refresh=False)
        issued.expires_at = issued.created_at + LONG_SECONDS
        return json_reply({"access_token": issued.token, "token_type": "bearer", "expires_in": LONG_SECONDS})

    def _token_body(self, issued: Issued) -> dict[str, Any]:
        seconds = int((issued.expires_at or issued.created_at) - issued.created_at)
        return {"access_token": issued.token, "token_type": "bearer", "expires_in": seconds}

    # Login for Devices -------------------------------------------------------------------------------

    def _device_app(self, call: Call) -> App | None:
        app_id, _, client_token = (call.text("access_token") or "").partition("|")
        app = self.apps.get(app_id)
        return app if app is not None and secrets.compare_digest(client_token, DEMO_CLIENT_TOKEN) else None

    def device_login(self, call: Call) -> web.Response:
        if self._device_app(call) is None:
            return graph_error_reply(400, "Invalid OAuth access token signature.", 190)
        scopes = [s for s in (call.text("scope") or "public_profile").split(",") if s]
        if any(s not in SCOPES for s in scopes):
            return graph_error_reply(
                400, "Invalid Scopes: " + ", ".join(s for s in scopes if s not in SCOPES), 100
            )
        code, user_code = secrets.token_hex(16), secrets.token_hex(3).upper()
        self.devices[code] = [user_code, scopes, self.clock.now() + DEVICE_SECONDS, None]
        interval = float(self.settings.get("device_interval", 5))
        return json_reply(
            {
                "code": code,
                "user_code": user_code,
                "verification_uri": "https://www.facebook.com/device",
                "expires_in": DEVICE_SECONDS,
                "interval": interval,
            }
        )

    def device_status(self, call: Call) -> web.Response:
        app = self._device_app(call)
        pending = self.devices.get(call.text("code") or "")
        if app is None or pending is None:
            return graph_error_reply(400, "Invalid OAuth access token signature.", 190)
        _, scopes, expires_at, user_id = pending
        if expires_at < self.clock.now():
            return graph_error_reply(
                400, "This request requires the user to take a pending action", 31, 1349152
            )
        if user_id is None:
            return graph_error_reply(400, "User request pending", 31, 1349174)
        del self.devices[call.text("code") or ""]
        issued = self.issue(app, user_id, scopes, refresh=False)
        issued.expires_at = issued.created_at + LONG_SECONDS
        return json_reply(
            {"access_token": issued.token, "data_access_expiration_time": 0, "expires_in": LONG_SECONDS}
        )

    def device_page(self, call: Call) -> web.Response:
        """facebook.com/device: the user code, then Allow or Deny (the consent page's forms)."""
        user_code = (call.text("user_code") or "").strip().upper()
        found = next((c for c, p in self.devices.items() if p[0] == user_code), None)
        if found is None:
            return pages.error("invalid_request", "That code is not valid. Check it and try again.", 404)
        if call.method == "POST":
            who = people.user(call.text("user"))
            if call.text("decision") == "allow" and who is not None:
                self.devices[found][3] = who.id
                return pages.code("You are signed in: go back to your device.")
            self.devices.pop(found, None)
            return pages.error("access_denied", "You did not allow the device.", 403)
        return pages.consent(
            f"{call.prefix}/device?user_code={user_code}",
            "Facebook",
            call.host,
            self.apps[DEMO_CLIENT_ID].name,
            None,
            self.devices[found][1],
            user_code,
        )

    # Who is calling -----------------------------------------------------------------------------------

    def caller(self, call: Call) -> tuple[Issued, str | None] | web.Response:
        """(the user grant, the Page id when it is a Page token), or Graph's 190 answer."""
        header = call.request.headers.get("Authorization", "")
        scheme, _, credential = header.partition(" ")
        token = credential.strip() if scheme.lower() in ("bearer", "oauth") else None
        token = token or call.text("access_token") or ""
        if not token:
            return graph_error_reply(
                400, "An active access token must be used to query information about the current user.", 2500
            )
        page = self.page_tokens.get(token)
        issued = page[1] if page is not None else self.tokens.get(token)
        if issued is None or issued.user_id is None:
            return graph_error_reply(400, "Invalid OAuth access token - Cannot parse access token", 190)
        if issued.revoked:
            return graph_error_reply(
                400,
                f"Error validating access token: The user has not authorized application {issued.client_id}.",
                190,
                458,
            )
        if issued.expires_at is not None and issued.expires_at < self.clock.now():
            return graph_error_reply(400, "Error validating access token: Session has expired.", 190, 463)
        proof = call.text("appsecret_proof")
        if proof is None and self.settings.get("require_app_secret"):
            return graph_error_reply(
                400, "API calls from the server require an appsecret_proof argument", 100
            )
        app = self.apps.get(issued.client_id)
        if proof is not None and (app is None or not hmac.compare_digest(proof, secret_proof(app, token))):
            return graph_error_reply(400, "Invalid appsecret_proof provided in the API argument", 100)
        return issued, page[0] if page is not None else None

    def page_token(self, page_id: str, issued: Issued) -> str:
        for token, (page, grant) in self.page_tokens.items():
            if page == page_id and grant is issued:
                return token
        token = "EAAP" + secrets.token_urlsafe(40)
        self.page_tokens[token] = (page_id, issued)
        return token

    def revoke_permissions(self, issued: Issued) -> web.Response:
        self.revoke_app_for_user(issued.client_id, issued.user_id or "")
        return json_reply({"success": True})

    def accepts(self, token: str) -> bool:
        page = self.page_tokens.get(token)
        if page is not None:
            return not page[1].revoked
        return super().accepts(token)
