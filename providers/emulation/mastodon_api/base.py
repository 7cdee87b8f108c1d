"""What every part of the Mastodon-API emulator stands on: the server's settings, its OAuth policy,
what it holds, and the replies its endpoints share.

Values that differ per server (version, limits) live in :attr:`MastodonApiBase.settings`, so tests
can change them through ``POST /__sandbox__/instance``; the OAuth policy follows the version (the
``profile`` scope arrived in Mastodon 4.3). Refusals are worded as Mastodon words them:
Doorkeeper's 401 with its ``WWW-Authenticate`` challenge, 403 for a missing scope, Rails' 422.

PKCE is optional, as on Mastodon (config/initializers/doorkeeper.rb, v4.5.3:
``pkce_code_challenge_methods ['S256']`` and no ``force_pkce``): a client that sends no challenge
signs in; one that sends a challenge must use S256 and then prove it with its verifier.
Deliberately stricter than Mastodon before 4.3, which ignores PKCE parameters altogether (PKCE
arrived in 4.3, documentation methods/oauth.md): here a challenge is checked whatever the
version, so a client that sends one is held to it; and a challenge must have the 43 characters of
an S256 digest, which Doorkeeper does not check (a wrong one could only fail at the token step).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, Emulator, Published, error_reply, json_reply
from providers.emulation.grants import Clock, OAuthPolicy
from providers.emulation.mastodon_api.entities import DEFAULT_SETTINGS
from providers.emulation.mastodon_api.post_entities import MediaRecord, StatusRecord
from providers.emulation.oauth import OAuthServer

# scopes_supported from the recorded /.well-known/oauth-authorization-server (admin scopes left out).
SCOPES = frozenset(
    (  # noqa: SIM905
        "read profile write follow push "
        "write:accounts write:blocks write:bookmarks write:conversations write:favourites write:filters "
        "write:follows write:lists write:media write:mutes write:notifications write:reports "
        "write:statuses read:accounts read:blocks read:bookmarks read:favourites read:filters "
        "read:follows read:lists read:mutes read:notifications read:search read:statuses"
    ).split()
)
PROFILE_SINCE = (4, 3)  # the "profile" scope and PKCE arrived in Mastodon 4.3


def version_tuple(version: str) -> tuple[int, ...]:
    head = version.split()[0].split("-")[0]
    parts = []
    for piece in head.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


class MastodonApiBase(Emulator):
    kind = ""  # the network's id, set by each network's emulator
    network = ""  # its name, for pages and error bodies

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.settings = dict(DEFAULT_SETTINGS)
        self.oauth = OAuthServer(self.policy(), clock)
        self.media: dict[str, MediaRecord] = {}
        self.statuses: dict[str, StatusRecord] = {}
        self.idempotency: dict[tuple[str, str], tuple[str, float]] = {}  # (user, key) → (status, when)
        self._sequence = 0

    # Configuration -----------------------------------------------------------------------------

    def policy(self) -> OAuthPolicy:
        scopes = SCOPES if self.has_profile_scope() else SCOPES - {"profile"}
        return OAuthPolicy(
            network=self.network,
            known_scopes=scopes,
            default_scope="read",
            # PKCE is optional on Mastodon: doorkeeper.rb sets pkce_code_challenge_methods ['S256']
            # (v4.3+) but not force_pkce, so Mastodon.py, which sends no challenge, signs in.
            require_pkce=False,
            access_seconds=None,  # doorkeeper.rb: access_token_expires_in nil
            refresh_seconds=None,  # use_refresh_token disabled
        )

    def has_profile_scope(self) -> bool:
        return version_tuple(str(self.settings["version"])) >= PROFILE_SINCE

    def has_instance_v2(self) -> bool:
        return version_tuple(str(self.settings["version"])) >= (4, 0)

    def accepts(self, token: str) -> bool:
        return self.oauth.accepts(token)

    def published(self) -> list[Published]:
        return [Published(s.user_id, s.text, len(s.media_ids)) for s in self.statuses.values()]

    def configure(self, values: dict[str, Any]) -> None:
        self.settings.update({k: v for k, v in values.items() if k in DEFAULT_SETTINGS})
        self.oauth.policy = replace(self.policy())

    # Shared replies and checks -------------------------------------------------------------------

    def not_found(self, call: Call) -> web.Response:
        return error_reply(404, "Not Found")

    def unauthorized(self, message: str) -> web.Response:
        challenge = f'Bearer realm="Doorkeeper", error="invalid_token", error_description="{message}"'
        return json_reply(
            {"error": message},
            401,
            {"WWW-Authenticate": challenge},
        )

    def invalid(self, message: str, field: str = "") -> web.Response:
        """A refused request, the way this server words it (Rails' 422 {"error": …})."""
        return error_reply(422, message)

    def signed_in(self, call: Call, scopes: tuple[str, ...]) -> people.User | web.Response:
        """The signed-in user, when the token has one of ``scopes``; else the error reply."""
        issued = self.oauth.authenticate(call)
        if isinstance(issued, str):
            return self.unauthorized(issued)
        if not any(scope in issued.scopes for scope in scopes):
            return error_reply(403, "This action is outside the authorized scopes")
        who = people.user_by_id(issued.user_id or "")
        if who is None:
            return error_reply(422, "This method requires an authenticated user")
        return who

    def next_id(self) -> str:
        """A snowflake-like id: milliseconds since the epoch, shifted, plus a sequence."""
        self._sequence += 1
        return str((int(self.clock.now() * 1000) << 16) + (self._sequence & 0xFFFF))
