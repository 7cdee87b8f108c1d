"""The emulated Mastodon server: app registration, OAuth (strict, see :mod:`.oauth`), the signed-in
account, the instance document and avatars.

Response shapes follow real Mastodon responses recorded by Mastodon.py (vcrpy cassettes in
``shared/fixtures/recorded/mastodon/``; provenance and licence in that folder's SOURCES.md,
halcy/Mastodon.py@b9f2eff, MIT) and the Mastodon documentation (mastodon/documentation@2903485,
methods/apps.md, oauth.md, instance.md). Values that differ per server (version, limits) live in
:attr:`MastodonServer.settings` so tests can change them through ``POST /__sandbox__/instance``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiohttp import web

from providers.sandbox import mastodon_entities as entities
from providers.sandbox import pages, people
from providers.sandbox.framework import Call, Routes, error_reply, json_reply
from providers.sandbox.oauth import OOB, Clock, OAuthPolicy, OAuthServer, redirect_uri_problem

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
ACCOUNT_READ = ("profile", "read", "read:accounts")


def version_tuple(version: str) -> tuple[int, ...]:
    head = version.split()[0].split("-")[0]
    parts = []
    for piece in head.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


class MastodonServer:
    kind = "mastodon"
    network = "Mastodon"
    settings_path = "/oauth/authorized_applications"

    def __init__(self, host: str, clock: Clock) -> None:
        self.host = host
        self.clock = clock
        self.settings: dict[str, Any] = dict(entities.DEFAULT_SETTINGS)
        self.oauth = OAuthServer(self.policy(), clock)
        self.routes = Routes()
        self.add_routes(self.routes)

    # Configuration -----------------------------------------------------------------------------

    def policy(self) -> OAuthPolicy:
        scopes = SCOPES if self.has_profile_scope() else SCOPES - {"profile"}
        return OAuthPolicy(
            network=self.network,
            known_scopes=scopes,
            default_scope="read",
            require_pkce=True,
            access_seconds=None,  # doorkeeper.rb: access_token_expires_in nil
            refresh_seconds=None,  # use_refresh_token disabled
        )

    def has_profile_scope(self) -> bool:
        return version_tuple(str(self.settings["version"])) >= PROFILE_SINCE

    def has_instance_v2(self) -> bool:
        return version_tuple(str(self.settings["version"])) >= (4, 0)

    def configure(self, values: dict[str, Any]) -> None:
        self.settings.update({k: v for k, v in values.items() if k in entities.DEFAULT_SETTINGS})
        self.oauth.policy = replace(self.policy())

    def add_routes(self, r: Routes) -> None:
        r.add("POST", "/api/v1/apps", self.create_app)
        r.add("GET", "/api/v1/apps/verify_credentials", self.app_credentials)
        r.add("GET", "/oauth/authorize", self.authorize)
        r.add("POST", "/oauth/authorize", self.decide)
        r.add("GET", "/oauth/authorize/native", self.native)
        r.add("POST", "/oauth/token", self.token)
        r.add("POST", "/oauth/revoke", self.revoke)
        r.add("GET", "/.well-known/oauth-authorization-server", self.discovery)
        r.add("GET", "/api/v1/accounts/verify_credentials", self.verify_credentials)
        r.add("GET", "/api/v1/instance", self.instance_v1)
        r.add("GET", "/api/v2/instance", self.instance_v2)
        r.add("GET", "/avatars/original/{file}", self.avatar)
        r.add("GET", self.settings_path, self.authorized_apps)
        r.add("POST", self.settings_path, self.forget_app)

    async def handle(self, call: Call) -> web.StreamResponse:
        found = self.routes.find(call.method, call.path)
        if found is None:
            return self.not_found(call)
        handler, call.match = found
        return await handler(call)

    def not_found(self, call: Call) -> web.Response:
        return error_reply(404, "Not Found")

    # Apps and OAuth ----------------------------------------------------------------------------

    def redirect_uris(self, call: Call) -> list[str]:
        value = call.params.get("redirect_uris")
        if isinstance(value, list):
            return [str(v).strip() for v in value if str(v).strip()]
        return str(value or "").split()

    async def create_app(self, call: Call) -> web.Response:
        name = (call.text("client_name") or "").strip()
        uris = self.redirect_uris(call)
        scopes = (call.text("scopes") or "read").split()
        problems = []
        if not name:
            problems.append("Application name can't be blank")
        elif len(name) > 60:
            problems.append("Application name is too long (maximum is 60 characters)")
        if not uris:
            problems.append("Redirect URI can't be blank")
        problems += [f"Redirect URI {p}" for p in filter(None, map(redirect_uri_problem, uris))]
        if any(s not in self.oauth.policy.known_scopes for s in scopes):
            problems.append("Scopes doesn't match configured on the server.")
        if problems:
            return error_reply(422, "Validation failed: " + ", ".join(dict.fromkeys(problems)))
        app = self.oauth.register(name, call.text("website"), uris, scopes)
        return json_reply(entities.app(app))

    async def app_credentials(self, call: Call) -> web.Response:
        issued = self.oauth.authenticate(call)
        if isinstance(issued, str):
            return self.unauthorized(issued)
        return json_reply(entities.app(self.oauth.apps[issued.client_id], with_secret=False))

    async def authorize(self, call: Call) -> web.Response:
        return self.oauth.authorize(call)

    async def decide(self, call: Call) -> web.Response:
        return self.oauth.decide(call)

    async def native(self, call: Call) -> web.Response:
        return self.oauth.native_page(call)

    async def token(self, call: Call) -> web.Response:
        return self.oauth.token(call)

    async def revoke(self, call: Call) -> web.Response:
        return self.oauth.revoke(call)

    async def discovery(self, call: Call) -> web.Response:
        if not self.has_profile_scope():
            return self.not_found(call)  # 4.3+ only: a 404 means an older server
        return json_reply(entities.discovery(call.base, self.oauth.policy.known_scopes))

    # The signed-in account ---------------------------------------------------------------------

    def unauthorized(self, message: str) -> web.Response:
        challenge = f'Bearer realm="Doorkeeper", error="invalid_token", error_description="{message}"'
        return json_reply(
            {"error": message},
            401,
            {"WWW-Authenticate": challenge},
        )

    async def verify_credentials(self, call: Call) -> web.Response:
        issued = self.oauth.authenticate(call)
        if isinstance(issued, str):
            return self.unauthorized(issued)
        if not any(scope in issued.scopes for scope in ACCOUNT_READ):
            return error_reply(403, "This action is outside the authorized scopes")
        who = people.user_by_id(issued.user_id or "")
        if who is None:
            return error_reply(422, "This method requires an authenticated user")
        return json_reply(self.account_json(call, who))

    def account_json(self, call: Call, who: people.User) -> dict[str, Any]:
        return entities.account(call.base, self.host, who)

    async def avatar(self, call: Call) -> web.StreamResponse:
        name = call.match["file"].removesuffix(".png")
        if people.user(name) is None or not call.match["file"].endswith(".png"):
            return self.not_found(call)
        return web.Response(body=people.avatar_png(name), content_type="image/png")

    # The instance --------------------------------------------------------------------------------

    async def instance_v1(self, call: Call) -> web.Response:
        return json_reply(entities.instance_v1(self.host, self.settings))

    async def instance_v2(self, call: Call) -> web.Response:
        if not self.has_instance_v2():
            return self.not_found(call)
        return json_reply(entities.instance_v2(call.base, self.host, self.settings))

    # The user's own "authorized applications" page ----------------------------------------------

    async def authorized_apps(self, call: Call) -> web.Response:
        who = people.user(call.text("user")) or people.DEFAULT_USER
        apps = [(app.client_id, app.name, scopes) for app, scopes in self.oauth.authorized_apps(who.id)]
        return pages.authorized_apps(call.prefix + self.settings_path, self.network, self.host, who, apps)

    async def forget_app(self, call: Call) -> web.Response:
        who = people.user(call.text("user")) or people.DEFAULT_USER
        self.oauth.revoke_app_for_user(call.text("client_id") or "", who.id)
        raise web.HTTPFound(f"{call.base}{self.settings_path}?user={who.username}")


__all__ = ["OOB", "MastodonServer", "version_tuple"]
