"""The authorization endpoint of the sandbox's OAuth server: ``GET /oauth/authorize`` checks the
request and shows the consent page, ``POST /oauth/authorize`` is the user's Allow or Deny, and
``/oauth/authorize/native`` shows an out-of-band code.

As strict as :mod:`.oauth` says: the redirect URI must match one the app registered exactly,
scopes must be known and registered, PKCE is optional where the network's server has it optional
but S256 only when sent (:meth:`AuthorizationEndpoint.pkce_problem`), a consent form token is
answered once and expires, and a code lives ten minutes. Errors go back to the redirect URI with
the state (RFC 6749 §4.1.2.1) unless there is no redirect to trust: an unknown client or an
unregistered redirect URI is shown on the page, and so is any error for the out-of-band URI.
"""

from __future__ import annotations

import re
import secrets

from aiohttp import web

from providers.emulation import pages, people
from providers.emulation.framework import Call
from providers.emulation.grants import OOB, Grant, Ledger, Pending, with_query

CODE_SECONDS = 600  # Doorkeeper's authorization_code_expires_in default
FORM_SECONDS = 600
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # BASE64URL(SHA256(verifier)) without padding

# Shared with the token endpoint (:mod:`.oauth`), worded as Doorkeeper words them.
INVALID_CLIENT = (
    "Client authentication failed due to unknown client, no client authentication included, "
    "or unsupported authentication method."
)
INVALID_SCOPE = "The requested scope is invalid, unknown, or malformed."
INVALID_REDIRECT = "The requested redirect uri is malformed or doesn't match client redirect URI."
DENIED = "The resource owner or authorization server denied the request."


class AuthorizationEndpoint(Ledger):
    # Where the consent page posts the user's answer: the authorization endpoint's own path
    # (Doorkeeper's /oauth/authorize; a network whose endpoint lives elsewhere sets its own).
    consent_path = "/oauth/authorize"

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
        challenge = call.text("code_challenge")
        problem = self.pkce_problem(challenge, call.text("code_challenge_method"))
        if problem is not None:
            return refuse(*problem)
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
            f"{call.prefix}{self.consent_path}",
            self.policy.network,
            call.host,
            app.name,
            app.website,
            scopes,
            form_token,
        )

    def pkce_problem(self, challenge: str | None, method: str | None) -> tuple[str, str] | None:
        """(error, description) when the request's PKCE is refused; None when it is fine.

        Optional unless the policy requires it, as on Mastodon (Doorkeeper without ``force_pkce``)
        and Pixelfed (league/oauth2-server): a client that sends no challenge, like Mastodon.py,
        signs in. A challenge that is sent must be S256; a missing method means ``plain`` there."""
        if challenge is None:
            # Doorkeeper's words under force_pkce (config/locales/en.yml invalid_code_challenge)
            return ("invalid_request", "Code challenge is required.") if self.policy.require_pkce else None
        if method != "S256":
            if self.policy.passport:  # league's words, were it configured with S256 alone
                return "invalid_request", "Code challenge method must be one of `S256`"
            # Doorkeeper's error for a method outside pkce_code_challenge_methods (Mastodon: ['S256'])
            return "invalid_code_challenge_method", "The code_challenge_method must be S256."
        if not _CHALLENGE.match(challenge):
            return (
                "invalid_request",
                "code_challenge must be BASE64URL(SHA-256(code_verifier)): 43 characters.",
            )
        return None

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
