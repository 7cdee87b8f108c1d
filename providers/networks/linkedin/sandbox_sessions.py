"""LinkedIn's sign-in side in the sandbox (``www.linkedin.com``): the OAuth 2 server, the demo apps
and members, and the member's "Permitted services" page.

Strict where linkdeck could get it wrong, on the sandbox's strict OAuth server
(:mod:`providers.emulation.oauth`), with what LinkedIn does differently
(learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow and
…/authorization-code-flow-native; shared/reference/networks.md §5, networks-2026.md §8):

- two kinds of app. The standard flow needs the client secret at the token endpoint and the exact
  redirect URL registered in the app (``standard_redirect``); the native PKCE flow, which LinkedIn
  enables per app, takes no secret, needs an S256 challenge and accepts a loopback redirect on any
  port (``http://127.0.0.1:{port}``);
- scopes within the app's products: the organization scopes only when the app has the Community
  Management product (``community_management``), else LinkedIn's ``unauthorized_scope_error``;
- the token answer: ``expires_in`` 60 days (5,183,999 s as LinkedIn sends it), the granted
  ``scope`` comma-separated, and no refresh token (those are for approved MDP partners only);
- no revocation endpoint (none is documented for members); the member removes the app on the
  Permitted services page, which this sandbox serves too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from providers.emulation import pages, people
from providers.emulation.framework import Call, json_reply
from providers.emulation.grants import App, Clock, Issued, OAuthPolicy, with_query
from providers.emulation.oauth import OAuthServer

MEMBER_SCOPES = ("openid", "profile", "email", "w_member_social")
ORGANIZATION_SCOPES = ("w_organization_social", "r_organization_social", "rw_organization_admin")
# Private permissions LinkedIn grants to chosen partners only; known here so a test can grant them.
PRIVATE_SCOPES = ("r_member_social",)
ACCESS_SECONDS = 5_183_999  # what LinkedIn's token endpoint answers for 60 days

# The sandbox's developer apps: a native app with PKCE enabled (no secret) and a standard one.
NATIVE_CLIENT_ID = "linkdeck-sandbox-native"
STANDARD_CLIENT_ID = "linkdeck-sandbox"
STANDARD_CLIENT_SECRET = "linkdeck-sandbox-secret"  # a sandbox fixture, not a credential
STANDARD_REDIRECT = "http://127.0.0.1:8080/callback"

PERMITTED_SERVICES = "/mypreferences/d/permitted-services"


@dataclass(frozen=True)
class Member:
    """A demo member as LinkedIn knows them: the person id (``sub``), name and Pages they run."""

    user: people.User
    sub: str
    organizations: tuple[tuple[int, str, str], ...] = ()  # (id, localized name, vanity name)

    @property
    def urn(self) -> str:
        return f"urn:li:person:{self.sub}"


MEMBERS: tuple[Member, ...] = (
    Member(
        people.USERS[0],
        "yQ4cZ3aFk2",
        ((2414183, "Harbour Photo Co.", "harbour-photo"), (5550001, "Tide Club", "tide-club")),
    ),
    Member(people.USERS[1], "Bq7mN2pXsT"),
)


def member_by_id(user_id: str | None) -> Member | None:
    return next((m for m in MEMBERS if m.user.id == user_id), None)


def member_by_urn(urn: str) -> Member | None:
    return next((m for m in MEMBERS if m.urn == urn), None)


def organization_names() -> dict[int, tuple[str, str]]:
    return {org_id: (name, vanity) for m in MEMBERS for org_id, name, vanity in m.organizations}


class LinkedInAuth(OAuthServer):
    """The authorization server with LinkedIn's apps, scopes and token answers."""

    def __init__(self, clock: Clock, settings: dict[str, Any]) -> None:
        known = frozenset(MEMBER_SCOPES + ORGANIZATION_SCOPES + PRIVATE_SCOPES)
        policy = OAuthPolicy(
            network="LinkedIn",
            known_scopes=known,
            default_scope="",
            require_pkce=False,
            access_seconds=ACCESS_SECONDS,
            refresh_seconds=None,
        )
        super().__init__(policy, clock)
        self.settings = settings
        self.native: set[str] = set()
        for client_id, secret, native in (
            (NATIVE_CLIENT_ID, "", True),
            (STANDARD_CLIENT_ID, STANDARD_CLIENT_SECRET, False),
        ):
            self.apps[client_id] = App(
                id=client_id,
                name="linkdeck (sandbox app)",
                website=None,
                client_id=client_id,
                client_secret=secret,
                redirect_uris=[],
                scopes=list(known),
                created_at=clock.now(),
            )
            if native:
                self.native.add(client_id)

    # What the app's products allow ---------------------------------------------------------------

    def _app_scopes(self) -> list[str]:
        scopes = list(MEMBER_SCOPES)
        if self.settings.get("community_management"):
            scopes += ORGANIZATION_SCOPES
        return scopes + [s for s in PRIVATE_SCOPES if self.settings.get(s)]

    def _sync_apps(self) -> None:
        for client_id, app in self.apps.items():
            app.scopes = self._app_scopes()
            if client_id not in self.native:
                app.redirect_uris = [str(self.settings.get("standard_redirect") or STANDARD_REDIRECT)]

    # Authorization endpoint ----------------------------------------------------------------------

    def authorize(self, call: Call) -> web.Response:
        self._sync_apps()
        client_id, redirect_uri = call.text("client_id") or "", call.text("redirect_uri") or ""
        app = self.apps.get(client_id)
        if app is not None and client_id in self.native:
            if not _loopback(redirect_uri):
                return pages.error(
                    "invalid_redirect_uri", "The native flow takes a loopback redirect (127.0.0.1) only."
                )
            if redirect_uri not in app.redirect_uris:  # any loopback port, as the native flow allows
                app.redirect_uris.append(redirect_uri)
            if not call.text("code_challenge"):
                raise web.HTTPFound(
                    with_query(
                        redirect_uri,
                        {
                            "error": "invalid_request",
                            "error_description": "code_challenge is required for the native flow",
                            "state": call.text("state"),
                        },
                    )
                )
        if app is not None and redirect_uri in app.redirect_uris:
            unauthorized = [s for s in (call.text("scope") or "").split() if s not in app.scopes]
            if unauthorized:  # LinkedIn's own error for a scope the app's products do not grant
                raise web.HTTPFound(
                    with_query(
                        redirect_uri,
                        {
                            "error": "unauthorized_scope_error",
                            "error_description": f'Scope "{unauthorized[0]}" is not authorized for your '
                            "application",
                            "state": call.text("state"),
                        },
                    )
                )
        return super().authorize(call)

    # Token endpoint ------------------------------------------------------------------------------

    def client(self, call: Call) -> App | None:
        """The standard app by its secret; the native app by its id alone, with a verifier (the
        verifier is checked against the challenge by the code grant)."""
        client_id = call.text("client_id") or ""
        if not call.text("client_secret") and client_id in self.native and call.text("code_verifier"):
            return self.apps.get(client_id)
        if client_id in self.native:
            return None
        return super().client(call)

    def _token_body(self, issued: Issued) -> dict[str, Any]:
        return {
            "access_token": issued.token,
            "expires_in": int((issued.expires_at or issued.created_at) - issued.created_at),
            "scope": ",".join(issued.scopes),
            "token_type": "Bearer",
        }

    def scopes_of(self, token: str) -> list[str]:
        issued = self.tokens.get(token)
        return list(issued.scopes) if issued is not None else []

    # The member's Permitted services page ----------------------------------------------------------

    def permitted_services(self, call: Call) -> web.Response:
        who = people.user(call.text("user"))
        if who is None:
            return pages.error("invalid_request", "Unknown user.", 404)
        if call.method == "POST":
            self.revoke_app_for_user(call.text("client_id") or "", who.id)
        listed = [(app.client_id, app.name, scopes) for app, scopes in self.authorized_apps(who.id)]
        return pages.authorized_apps(f"{call.prefix}{PERMITTED_SERVICES}", "LinkedIn", call.host, who, listed)

    def bearer_error(self, call: Call) -> web.Response | Issued:
        """The bearer token's record, or LinkedIn's 401 (the recorded shape, code 65600)."""
        found = self.authenticate(call)
        if isinstance(found, str):
            return json_reply(
                {"serviceErrorCode": 65600, "message": "Invalid access token", "status": 401}, 401
            )
        return found


def _loopback(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme in ("http", "https") and parts.hostname in ("127.0.0.1", "::1") and bool(parts.port)
