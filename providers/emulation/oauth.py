"""A strict OAuth 2 authorization server for the emulated networks (Doorkeeper- and Passport-like).

Strict on purpose, so linkdeck's client bugs show up here and not on a real server: exact
redirect URI match, scopes within what the app registered, PKCE S256 only (``plain`` is refused
always, a missing challenge where the network requires PKCE; a verifier must match the challenge
that was sent, and none may come for a code asked without one), single-use codes that expire after ten
minutes (reusing one also revokes what it issued, RFC 6749 §4.1.2), client authentication at the
token and revoke endpoints, one-time form tokens on the consent page. What differs between
networks (scopes, lifetimes, refresh tokens, error body style) is an :class:`OAuthPolicy`.

:class:`OAuthServer` is the token and revocation endpoints and the bearer check, on the
authorization endpoint (:mod:`.oauth_consent`) and the server's memory (:class:`.grants.Ledger`).
Nothing here logs a secret. Codes, tokens and client secrets exist only in memory.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from typing import Any

from aiohttp import web

from providers.emulation.framework import Call, json_reply
from providers.emulation.grants import App, Issued, s256
from providers.emulation.oauth_consent import INVALID_CLIENT, INVALID_SCOPE, AuthorizationEndpoint

INVALID_GRANT = (
    "The provided authorization grant is invalid, expired, revoked, does not match the redirection "
    "URI used in the authorization request, or was issued to another client."
)  # verbatim from the recorded Mastodon response (fixtures/recorded/mastodon)
INVALID_REQUEST = (
    "The request is missing a required parameter, includes an unsupported parameter value, "
    "or is otherwise malformed."
)


class OAuthServer(AuthorizationEndpoint):
    # Errors ------------------------------------------------------------------------------------

    def error(self, status: int, error: str, description: str, hint: str | None = None) -> web.Response:
        body: dict[str, Any] = {"error": error, "error_description": description}
        if self.policy.passport:  # league/oauth2-server adds these
            body["message"] = description
            if hint:
                body["hint"] = hint
        return json_reply(body, status)

    # Client authentication --------------------------------------------------------------------

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
                self.revoke_issued(self.tokens.get(token))
            return self.error(400, "invalid_grant", INVALID_GRANT, "Authorization code has been revoked")
        if grant.expires_at < self.clock.now() or call.text("redirect_uri") != grant.redirect_uri:
            return self.error(400, "invalid_grant", INVALID_GRANT)
        refused = self._verifier_refusal(grant.challenge, call.text("code_verifier"))
        if refused is not None:
            return refused
        grant.used = True
        issued = self.issue(app, grant.user_id, grant.scopes)
        grant.issued.append(issued.token)
        return json_reply(self._token_body(issued))

    def _verifier_refusal(self, challenge: str | None, verifier: str | None) -> web.Response | None:
        """The code_verifier against the challenge the authorization request sent, if it sent one.

        As Doorkeeper 5.8 (AuthorizationCodeRequest#validate_params, #validate_code_verifier) and
        league/oauth2-server (AuthCodeGrant) check it: no challenge and no verifier is a code flow
        without PKCE; a challenge wants its verifier; a verifier for a code asked without a
        challenge is refused too (a PKCE downgrade), and so is one that does not match."""
        if challenge is None:
            if not verifier:
                return None
            if self.policy.passport:
                hint = "code_verifier received when no code_challenge is present"
                return self.error(400, "invalid_request", INVALID_REQUEST, hint)
            return self.error(400, "invalid_grant", INVALID_GRANT)
        if not verifier:
            missing = "Missing required parameter: code_verifier."  # Doorkeeper's missing_param
            return self.error(400, "invalid_request", missing, "Check the `code_verifier` parameter")
        if not secrets.compare_digest(s256(verifier), challenge):
            return self.error(400, "invalid_grant", INVALID_GRANT, "Failed to verify `code_verifier`.")
        return None

    def _client_grant(self, call: Call) -> web.Response:
        app = self.client(call)
        if app is None:
            return self.error(401, "invalid_client", INVALID_CLIENT)
        scopes = (call.text("scope") or self.policy.default_scope).split()
        if any(s not in app.scopes for s in scopes):
            return self.error(400, "invalid_scope", INVALID_SCOPE)
        return json_reply(self._token_body(self.issue(app, None, scopes, refresh=False)))

    def _refresh_grant(self, call: Call) -> web.Response:
        app = self.client(call)
        if app is None:
            return self.error(401, "invalid_client", INVALID_CLIENT)
        old = self.refresh_tokens.get(call.text("refresh_token") or "")
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
        self.revoke_issued(old)  # Passport rotates: the old access and refresh tokens stop working
        return json_reply(self._token_body(self.issue(app, old.user_id, scopes)))

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
        issued = self.find(token)
        if issued is None:
            return json_reply({})  # unknown tokens are "revoked" too (RFC 7009 §2.2)
        if app is None or issued.client_id != app.client_id:
            return self.error(403, "unauthorized_client", "You are not authorized to revoke this token")
        self.revoke_issued(issued)
        return json_reply({})

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
