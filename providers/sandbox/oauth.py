"""A strict OAuth 2 authorization server for the emulated networks (Doorkeeper- and Passport-like).

Strict on purpose, so linkdeck's client bugs show up here and not on a real server: exact
redirect URI match, scopes within what the app registered, PKCE S256 only (``plain`` and a missing
challenge are refused where the network requires PKCE), single-use codes that expire after ten
minutes (reusing one also revokes what it issued, RFC 6749 §4.1.2), client authentication at the
token and revoke endpoints, one-time form tokens on the consent page. What differs between
networks (scopes, lifetimes, refresh tokens, error body style) is an :class:`OAuthPolicy`.

Nothing here logs a secret. Codes, tokens and client secrets exist only in memory
(:mod:`.grants`).
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable
from typing import Any

from aiohttp import web

from providers.sandbox import pages, people
from providers.sandbox.framework import Call, json_reply
from providers.sandbox.grants import (
    OOB,
    App,
    Clock,
    Grant,
    Issued,
    OAuthPolicy,
    Pending,
    redirect_uri_problem,
    s256,
    with_query,
)

CODE_SECONDS = 600  # Doorkeeper's authorization_code_expires_in default
FORM_SECONDS = 600
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # BASE64URL(SHA256(verifier)) without padding

INVALID_GRANT = (
    "The provided authorization grant is invalid, expired, revoked, does not match the redirection "
    "URI used in the authorization request, or was issued to another client."
)  # verbatim from the recorded Mastodon response (fixtures/recorded/mastodon)
INVALID_CLIENT = (
    "Client authentication failed due to unknown client, no client authentication included, "
    "or unsupported authentication method."
)
INVALID_REQUEST = (
    "The request is missing a required parameter, includes an unsupported parameter value, "
    "or is otherwise malformed."
)
INVALID_SCOPE = "The requested scope is invalid, unknown, or malformed."
INVALID_REDIRECT = "The requested redirect uri is malformed or doesn't match client redirect URI."
DENIED = "The resource owner or authorization server denied the request."


class OAuthServer:
    def __init__(self, policy: OAuthPolicy, clock: Clock) -> None:
        self.policy = policy
        self.clock = clock
        self.apps: dict[str, App] = {}
        self.pending: dict[str, Pending] = {}
        self.grants: dict[str, Grant] = {}
        self.tokens: dict[str, Issued] = {}
        self._by_refresh: dict[str, Issued] = {}
        self._next_app = 1

    # Errors ------------------------------------------------------------------------------------

    def error(self, status: int, error: str, description: str, hint: str | None = None) -> web.Response:
        body: dict[str, Any] = {"error": error, "error_description": description}
        if self.policy.passport:  # league/oauth2-server adds these
            body["message"] = description
            if hint:
                body["hint"] = hint
        return json_reply(body, status)

    # Apps --------------------------------------------------------------------------------------

    def register(self, name: str, website: str | None, redirect_uris: list[str], scopes: list[str]) -> App:
        number = self._next_app
        self._next_app += 1
        client_id = str(number) if self.policy.numeric_client_ids else secrets.token_urlsafe(32)
        app = App(
            id=str(number),
            name=name,
            website=website,
            client_id=client_id,
            client_secret=secrets.token_urlsafe(32),
            redirect_uris=redirect_uris,
            scopes=scopes,
            created_at=self.clock.now(),
        )
        self.apps[client_id] = app
        return app

    def client(self, call: Call) -> App | None:
        """The app authenticated by HTTP Basic or client_id + client_secret in the body."""
        client_id, secret = call.text("client_id"), call.text("client_secret")
        header = call.request.headers.get("Authorization", "")
        if header[:6].lower() == "basic ":
            try:
                client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return None
        app = self.apps.get(client_id or "")
        if app is None or not secret or not secrets.compare_digest(app.client_secret, secret):
            return None
        return app

    # Authorization endpoint --------------------------------------------------------------------

    def authorize(self, call: Call) -> web.Response:
        """GET /oauth/authorize: validate, then show the consent page (or an error)."""
        app = self.apps.get(call.text("client_id") or "")
        if app is None:
            return pages.error("invalid_client", INVALID_CLIENT, 401)
        redirect_uri = call.text("redirect_uri")
        if redirect_uri is None and len(app.redirect_uris) == 1:
            redirect_uri = app.redirect_uris[0]
        if redirect_uri is None or redirect_uri not in app.redirect_uris:
            return pages.error("invalid_redirect_uri", INVALID_REDIRECT)
        state = call.text("state")

        def refuse(error: str, description: str) -> web.Response:
            if redirect_uri == OOB:
                return pages.error(error, description)
            raise web.HTTPFound(
                with_query(redirect_uri, {"error": error, "error_description": description, "state": state})
            )

        if call.text("response_type") != "code":
            return refuse(
                "unsupported_response_type",
                "The authorization server does not support this response type.",
            )
        scopes = (call.text("scope") or self.policy.default_scope).split()
        if not scopes or any(s not in self.policy.known_scopes or s not in app.scopes for s in scopes):
            return refuse("invalid_scope", INVALID_SCOPE)
        challenge, method = call.text("code_challenge"), call.text("code_challenge_method")
        if challenge is not None or self.policy.require_pkce:
            if (method or "plain") != "S256":
                return refuse(
                    "invalid_request",
                    f"Code challenge method {method or 'plain'!r} is not supported; use S256.",
                )
            if not challenge or not _CHALLENGE.match(challenge):
                return refuse("invalid_request", "code_challenge is required (PKCE with S256).")
        form_token = secrets.token_urlsafe(24)
        self.pending[form_token] = Pending(
            app.client_id,
            redirect_uri,
            scopes,
            state,
            challenge,
            self.clock.now() + FORM_SECONDS,
        )
        return pages.consent(
            f"{call.prefix}/oauth/authorize",
            self.policy.network,
            call.host,
            app.name,
            app.website,
            scopes,
            form_token,
        )

    def decide(self, call: Call) -> web.Response:
        """POST /oauth/authorize from the consent page: Allow or Deny, once per form token."""
        pending = self.pending.pop(call.text("form_token") or "", None)
        if pending is None or pending.expires_at < self.clock.now():
            return pages.error(
                "invalid_request",
                "This authorization request has expired or was already answered. Start again.",
            )
        if call.text("decision") != "allow":
            if pending.redirect_uri == OOB:
                return pages.error("access_denied", DENIED, 403)
            raise web.HTTPFound(
                with_query(
                    pending.redirect_uri,
                    {"error": "access_denied", "error_description": DENIED, "state": pending.state},
                )
            )
        who = people.user(call.text("user"))
        if who is None:
            return pages.error("invalid_request", "Unknown user.")
        code = secrets.token_urlsafe(32)
        self.grants[code] = Grant(
            code,
            pending.client_id,
            who.id,
            pending.redirect_uri,
            pending.scopes,
            pending.challenge,
            self.clock.now() + CODE_SECONDS,
        )
        if pending.redirect_uri == OOB:
            raise web.HTTPFound(with_query(f"{call.base}/oauth/authorize/native", {"code": code}))
        raise web.HTTPFound(with_query(pending.redirect_uri, {"code": code, "state": pending.state}))

    def native_page(self, call: Call) -> web.Response:
        return pages.code(call.text("code") or "")

    # Token endpoint ----------------------------------------------------------------------------

    def token(self, call: Call) -> web.Response:
        grant_type = call.text("grant_type")
        grants: dict[str, Callable[[Call], web.Response]] = {
            "authorization_code": self._code_grant,
            "client_credentials": self._client_grant,
        }
        if self.policy.refresh_seconds is not None:
            grants["refresh_token"] = self._refresh_grant
        handler = grants.get(grant_type or "")
        if handler is None:
            if not grant_type:
                return self.error(400, "invalid_request", INVALID_REQUEST)
            return self.error(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
            )
        return handler(call)

    def _code_grant(self, call: Call) -> web.Response:
        code = call.text("code")
        if not code:
            return self.error(400, "invalid_request", INVALID_REQUEST)
        app = self.client(call)
        if app is None:
            return self.error(401, "invalid_client", INVALID_CLIENT)
        grant = self.grants.get(code)
        if grant is None or grant.client_id != app.client_id:
            return self.error(400, "invalid_grant", INVALID_GRANT)
        if grant.used:  # a replayed code: revoke what it issued
            for token in grant.issued:
                self._revoke(self.tokens.get(token))
            return self.error(400, "invalid_grant", INVALID_GRANT, "Authorization code has been revoked")
        if grant.expires_at < self.clock.now() or call.text("redirect_uri") != grant.redirect_uri:
            return self.error(400, "invalid_grant", INVALID_GRANT)
        if grant.challenge is not None:
            verifier = call.text("code_verifier")
            if not verifier or not secrets.compare_digest(s256(verifier), grant.challenge):
                return self.error(400, "invalid_grant", INVALID_GRANT, "Failed to verify code_verifier")
        grant.used = True
        issued = self._issue(app, grant.user_id, grant.scopes)
        grant.issued.append(issued.token)
        return json_reply(self._token_body(issued))

    def _client_grant(self, call: Call) -> web.Response:
        app = self.client(call)
        if app is None:
            return self.error(401, "invalid_client", INVALID_CLIENT)
        scopes = (call.text("scope") or self.policy.default_scope).split()
        if any(s not in app.scopes for s in scopes):
            return self.error(400, "invalid_scope", INVALID_SCOPE)
        return json_reply(self._token_body(self._issue(app, None, scopes, refresh=False)))

    def _refresh_grant(self, call: Call) -> web.Response:
        app = self.client(call)
        if app is None:
            return self.error(401, "invalid_client", INVALID_CLIENT)
        old = self._by_refresh.get(call.text("refresh_token") or "")
        now = self.clock.now()
        if (
            old is None
            or old.client_id != app.client_id
            or old.revoked
            or (old.refresh_expires_at is not None and old.refresh_expires_at < now)
        ):
            return self.error(400, "invalid_grant", "The refresh token is invalid.", "Token has been revoked")
        scopes = (call.text("scope") or " ".join(old.scopes)).split()
        if any(s not in old.scopes for s in scopes):
            return self.error(400, "invalid_scope", INVALID_SCOPE)
        self._revoke(old)  # Passport rotates: the old access and refresh tokens stop working
        return json_reply(self._token_body(self._issue(app, old.user_id, scopes)))

    def _issue(self, app: App, user_id: str | None, scopes: list[str], refresh: bool = True) -> Issued:
        now = self.clock.now()
        policy = self.policy
        issued = Issued(
            token=secrets.token_urlsafe(32),
            client_id=app.client_id,
            user_id=user_id,
            scopes=list(scopes),
            created_at=now,
            expires_at=now + policy.access_seconds if policy.access_seconds else None,
        )
        if refresh and policy.refresh_seconds is not None:
            issued.refresh = secrets.token_urlsafe(32)
            issued.refresh_expires_at = now + policy.refresh_seconds
            self._by_refresh[issued.refresh] = issued
        self.tokens[issued.token] = issued
        return issued

    def _token_body(self, issued: Issued) -> dict[str, Any]:
        if self.policy.passport:  # Laravel Passport: no scope or created_at
            body: dict[str, Any] = {"token_type": "Bearer"}
            if issued.expires_at is not None:
                body["expires_in"] = int(issued.expires_at - issued.created_at)
            body["access_token"] = issued.token
            if issued.refresh:
                body["refresh_token"] = issued.refresh
            return body
        return {
            "access_token": issued.token,
            "token_type": "Bearer",
            "scope": " ".join(issued.scopes),
            "created_at": int(issued.created_at),
        }

    # Revocation and resource access -------------------------------------------------------------

    def revoke(self, call: Call) -> web.Response:
        """POST /oauth/revoke (RFC 7009, Doorkeeper): the client must own the token."""
        token = call.text("token")
        if not token:
            return self.error(400, "invalid_request", INVALID_REQUEST)
        app = self.client(call)
        issued = self.tokens.get(token) or self._by_refresh.get(token)
        if issued is None:
            return json_reply({})  # unknown tokens are "revoked" too (RFC 7009 §2.2)
        if app is None or issued.client_id != app.client_id:
            return self.error(403, "unauthorized_client", "You are not authorized to revoke this token")
        self._revoke(issued)
        return json_reply({})

    def revoke_app_for_user(self, client_id: str, user_id: str) -> int:
        """The user's "authorized applications" page: revoke every token of one app."""
        found = [t for t in self.tokens.values() if t.client_id == client_id and t.user_id == user_id]
        for issued in found:
            self._revoke(issued)
        return len(found)

    def authorized_apps(self, user_id: str) -> list[tuple[App, list[str]]]:
        live = [t for t in self.tokens.values() if t.user_id == user_id and not t.revoked]
        seen: dict[str, list[str]] = {}
        for issued in live:
            seen.setdefault(issued.client_id, [])
            seen[issued.client_id] += [s for s in issued.scopes if s not in seen[issued.client_id]]
        return [(self.apps[cid], scopes) for cid, scopes in seen.items() if cid in self.apps]

    @staticmethod
    def _revoke(issued: Issued | None) -> None:
        if issued is not None:
            issued.revoked = True

    def accepts(self, token: str) -> bool:
        """Whether ``token`` (an access or a refresh token) still works here."""
        issued = self.tokens.get(token) or self._by_refresh.get(token)
        if issued is None or issued.revoked:
            return False
        expires = issued.expires_at if issued.token == token else issued.refresh_expires_at
        return expires is None or expires >= self.clock.now()

    def authenticate(self, call: Call) -> Issued | str:
        """The bearer token's record, or the message of the 401 to send."""
        token = call.bearer()
        issued = self.tokens.get(token or "")
        if issued is None:
            return "The access token is invalid"
        if issued.revoked:
            return "The access token was revoked"
        if issued.expires_at is not None and issued.expires_at < self.clock.now():
            return "The access token expired"
        return issued


__all__ = ["OOB", "App", "Clock", "OAuthPolicy", "OAuthServer", "redirect_uri_problem"]
