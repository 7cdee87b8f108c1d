"""The emulated Foursquare's sign-in (``foursquare.com/oauth2/…``), its venues, and the memory its
hosts share.

As the v2 OAuth the independent client (mLewisLogic/foursquare 1!2020.1.30) drives:
``GET /oauth2/authenticate`` with ``client_id``, ``response_type=code`` and ``redirect_uri`` (the
sandbox also carries ``state`` back, as linkdeck sends one); ``/oauth2/access_token`` with
``client_id``, ``client_secret``, ``grant_type=authorization_code``, ``redirect_uri`` and
``code`` — the client sends it as a GET query, linkdeck's OAuth client as a POST form, and the
sandbox takes both — answering only ``{"access_token": …}``: no scopes, no expiry, no refresh
token, and no call to revoke (the user removes the app on Foursquare's settings page).

Deliberately stricter than the reference says: the client secret must be right, and a code works
once, for the redirect URI it was issued for. Looser: the sandbox's legacy project
(:data:`DEMO_CLIENT_ID`) accepts any loopback redirect URI, since tests pick free ports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from providers.emulation.framework import Call, shared
from providers.emulation.grants import App, Clock, Issued, OAuthPolicy
from providers.emulation.oauth import OAuthServer

DEMO_CLIENT_ID = "LINKDECKSANDBOXLEGACYPROJECT2019"  # a project from before 18 Nov 2021
DEMO_CLIENT_SECRET = "sandbox-legacy-project-secret"  # the sandbox's own, handed to anyone
SCOPE = "checkins"  # v2 has no scopes; the shared server keeps one name for what a token may do
_LOOPBACK = re.compile(r"^http://(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}/[^?#]*$")


@dataclass(frozen=True)
class Venue:
    id: str
    name: str
    address: str
    city: str
    lat: float
    lng: float


# Places the sandbox can geocode (``near``), and the venues there.
PLACES = {"lisbon": "Lisbon", "porto": "Porto"}
VENUES = (
    Venue("4b5d2f1ef964a520b95a29e3", "Harbour Café", "Rua do Cais 3", "Lisbon", 38.7069, -9.1365),
    Venue("4c3a8d0e3849c9282b2c1d7a", "Harbour Lighthouse", "Cais do Farol", "Lisbon", 38.6916, -9.2160),
    Venue("4d8e9f10a2b3c4d5e6f70812", "Tide Bakery", "Rua das Flores 12", "Porto", 41.1449, -8.6139),
)


@dataclass
class Checkin:
    id: str
    user: str  # username
    user_id: str
    venue: Venue
    shout: str
    created: int
    short: str
    photos: list[str] = field(default_factory=list)  # photo ids


class FoursquareOAuth(OAuthServer):
    def __init__(self, clock: Clock) -> None:
        policy = OAuthPolicy(
            network="Foursquare",
            known_scopes=frozenset({SCOPE}),
            default_scope=SCOPE,
            require_pkce=False,
            access_seconds=None,  # v2 tokens do not expire
            refresh_seconds=None,  # and there is nothing to refresh
        )
        super().__init__(policy, clock)
        self.apps[DEMO_CLIENT_ID] = App(
            id="1",
            name="linkdeck (sandbox legacy v2 project)",
            website=None,
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
            redirect_uris=[],
            scopes=[SCOPE],
            created_at=clock.now(),
        )

    def authorize(self, call: Call) -> web.Response:
        app = self.apps.get(call.text("client_id") or "")
        uri = call.text("redirect_uri") or ""
        demo = app is not None and app.client_id == DEMO_CLIENT_ID and _LOOPBACK.match(uri)
        if demo and app is not None and uri not in app.redirect_uris:
            app.redirect_uris.append(uri)
        return super().authorize(call)

    def client(self, call: Call) -> App | None:
        """client_id and client_secret as parameters (query or form), as the v2 client sends them."""
        import secrets

        app = self.apps.get(call.text("client_id") or "")
        secret = call.text("client_secret") or ""
        if app is None or not secret or not secrets.compare_digest(app.client_secret, secret):
            return None
        return app

    def _token_body(self, issued: Issued) -> dict[str, Any]:
        return {"access_token": issued.token}  # all the v2 token endpoint answers

    def user_token(self, call: Call) -> Issued | None:
        """The record of the call's ``oauth_token`` while it works."""
        issued = self.tokens.get(call.text("oauth_token") or "")
        return issued if issued is not None and not issued.revoked and issued.user_id else None


@dataclass
class World:
    """What the emulated Foursquare's hosts share."""

    oauth: FoursquareOAuth
    checkins: list[Checkin] = field(default_factory=list)
    calls: dict[str, tuple[int, int]] = field(default_factory=dict)  # token → (hour, calls made)
    settings: dict[str, Any] = field(default_factory=dict)


def world_of(clock: Clock, defaults: dict[str, Any]) -> World:
    """The one World of the sandbox this clock belongs to."""
    return shared(clock, "foursquare", lambda: World(FoursquareOAuth(clock), settings=dict(defaults)))
