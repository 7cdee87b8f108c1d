"""The Mastodon-API emulator's apps, sign-in and accounts: app registration (``POST
/api/v1/apps``, validated as Mastodon validates it), the OAuth endpoints (strict, see
:mod:`providers.emulation.oauth`) and the discovery document of 4.3+, the signed-in account and its
avatar, the instance document (v1, and v2 from 4.0), and the user's own "authorized applications"
page where a test or a person revokes an app.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from providers.emulation import pages, people
from providers.emulation.framework import Call, error_reply, json_reply
from providers.emulation.grants import redirect_uri_problem
from providers.emulation.mastodon_api import entities
from providers.emulation.mastodon_api.base import MastodonApiBase

ACCOUNT_READ = ("profile", "read", "read:accounts")


class AccountEndpoints(MastodonApiBase):
    settings_path = "/oauth/authorized_applications"

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

    async def verify_credentials(self, call: Call) -> web.Response:
        who = self.signed_in(call, ACCOUNT_READ)
        if isinstance(who, web.Response):
            return who
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
