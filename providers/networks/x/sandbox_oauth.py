"""X's authorization server in the sandbox: the strict OAuth server of providers/emulation with
what X does differently (XD fundamentals/authentication/oauth-2-0/authorization-code.mdx):

- the demo app is a **public** "Native App" client: no secret; the token, refresh and revoke
  calls carry ``client_id`` in the body and nothing else, and PKCE is required (S256 only);
- token answers are X's: ``{"token_type": "bearer", "expires_in": 7200, "access_token",
  "scope", "refresh_token"}`` (refresh token only with ``offline.access``), refresh tokens rotate;
- revocation answers ``{"revoked": true}``;
- an authorization request without a ``state`` is refused (X requires it).

OAuth 1.0a for the PIN route (:class:`XOAuth1`): ``/oauth/request_token`` (``oob``),
``/oauth/authorize`` (the consent page; the PIN to type back), ``/oauth/access_token``, and
``/1.1/oauth/invalidate_token``; every refusal is X's error 32, "Could not authenticate you."

One difference on purpose: X matches the redirect URI exactly, port included. Tests run in
parallel and cannot all own port 8080, so the demo app also accepts its registered loopback
callback (``http://127.0.0.1:<port>/callback``) on another port, unless the ``exact_redirect``
setting is on (then only the registered ``http://127.0.0.1:8080/callback`` passes).
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from providers.emulation.framework import Call, json_reply
from providers.emulation.grants import App, Clock, Issued, OAuthPolicy
from providers.emulation.oauth import OAuthServer
from providers.emulation.oauth1 import Access, OAuth1Provider

DEMO_CLIENT_ID = "bGlua2RlY2stc2FuZGJveC14OjE6Y2k"  # the shape of an X OAuth 2.0 client id
SCOPES = frozenset(
    (  # noqa: SIM905
        "tweet.read tweet.write tweet.moderate.write users.read follows.read follows.write "
        "offline.access space.read mute.read mute.write like.read like.write list.read list.write "
        "block.read block.write bookmark.read bookmark.write media.write"
    ).split()
)
REGISTERED_PORT = 8080
CALLBACK = "/callback"


class XOAuth(OAuthServer):
    def __init__(self, clock: Clock) -> None:
        policy = OAuthPolicy(
            network="X",
            known_scopes=SCOPES,
            default_scope="tweet.read users.read",
            require_pkce=True,
            access_seconds=7200,
            refresh_seconds=180 * 24 * 3600,  # X documents none (unverified); long enough here
        )
        super().__init__(policy, clock)
        self.exact_redirect = False
        self.apps[DEMO_CLIENT_ID] = App(
            id="1",
            name="linkdeck sandbox app",
            website="https://github.com/linkdeck",
            client_id=DEMO_CLIENT_ID,
            client_secret="",  # a public Native App client
            redirect_uris=[f"http://127.0.0.1:{REGISTERED_PORT}{CALLBACK}"],
            scopes=sorted(SCOPES),
            created_at=clock.now(),
        )

    def client(self, call: Call) -> App | None:
        """A confidential app by Basic (or the body), or a public one by its client_id alone."""
        app = super().client(call)
        if app is not None:
            return app
        public = self.apps.get(call.text("client_id") or "")
        basic = call.request.headers.get("Authorization", "")[:6].lower() == "basic "
        if public is not None and not public.client_secret and not call.text("client_secret") and not basic:
            return public
        return None

    def authorize(self, call: Call) -> web.Response:
        from providers.emulation import pages

        if not call.text("state"):  # X refuses an authorization request without a state
            return pages.error("invalid_request", "Missing required parameter: state.")
        app = self.apps.get(call.text("client_id") or "")
        uri = call.text("redirect_uri") or ""
        parts = urlsplit(uri)
        if (
            app is not None
            and not self.exact_redirect
            and uri not in app.redirect_uris
            and parts.scheme == "http"
            and parts.hostname in ("127.0.0.1", "localhost")
            and parts.path == CALLBACK
            and not parts.query
        ):
            app.redirect_uris.append(uri)  # the sandbox's leniency: see the module's doc
        return super().authorize(call)

    def _token_body(self, issued: Issued) -> dict[str, Any]:
        body: dict[str, Any] = {"token_type": "bearer"}
        if issued.expires_at is not None:
            body["expires_in"] = int(issued.expires_at - issued.created_at)
        body["access_token"] = issued.token
        body["scope"] = " ".join(issued.scopes)
        if issued.refresh and "offline.access" in issued.scopes:
            body["refresh_token"] = issued.refresh
        return body

    def issue(self, app: App, user_id: str | None, scopes: list[str], refresh: bool = True) -> Issued:
        return super().issue(app, user_id, scopes, refresh=refresh and "offline.access" in scopes)

    def revoke(self, call: Call) -> web.Response:
        answer = super().revoke(call)
        return json_reply({"revoked": True}) if answer.status == 200 else answer

    def new_id(self) -> str:
        return str(secrets.randbelow(10**18) + 10**18)


# OAuth 1.0a, the PIN route (XD fundamentals/authentication/oauth-1-0a/pin-based-oauth.mdx): the
# demo app's consumer keys (the portal's "API Key and Secret"), X's 7-digit PIN, and the access
# token answer with user_id and screen_name.
DEMO_CONSUMER_KEY = "sandboxXConsumerKey0000001"
DEMO_CONSUMER_SECRET = "sandbox-x-consumer-secret-0000000000000000000000"
NOT_AUTHENTICATED = {"errors": [{"code": 32, "message": "Could not authenticate you."}]}


class XOAuth1(OAuth1Provider):
    """X words every refused signature, key or token the same way: error 32, HTTP 401."""

    @staticmethod
    def problem(problem: str) -> web.Response:
        return json_reply(NOT_AUTHENTICATED, 401)


def _pin() -> str:
    return f"{secrets.randbelow(10**7):07d}"


def _account(access: Access) -> dict[str, str]:
    return {"user_id": access.user.id, "screen_name": access.user.username}


def x_oauth1(clock: Clock) -> XOAuth1:
    return XOAuth1(
        clock,
        name="X",
        consumer_key=DEMO_CONSUMER_KEY,
        consumer_secret=DEMO_CONSUMER_SECRET,
        authorize_path="/oauth/authorize",
        make_verifier=_pin,
        access_fields=_account,
    )
