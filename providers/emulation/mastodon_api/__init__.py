"""The emulated Mastodon-API server, the shared base of the Mastodon and Pixelfed emulators
(providers/networks/<id>/sandbox.py): :class:`MastodonApiServer`, its route table, and the parts
it is made of, each of which reads on its own:

- :mod:`.base`: the per-server settings (``POST /__sandbox__/instance`` changes them), the OAuth
  policy that follows the version, what the server holds, the replies every endpoint shares;
- :mod:`.accounts`: app registration, OAuth (strict, see :mod:`providers.emulation.oauth`), the
  signed-in account, the instance document, avatars, the user's authorized-apps page;
- :mod:`.media`: uploads (200 for photos, 202 then 206 → 200 for video and GIF) and the files;
- :mod:`.statuses`: statuses with Idempotency-Key, read back one by one and per account, deleted;
- :mod:`.entities` and :mod:`.post_entities`: the JSON shapes, next to the recordings they follow.

Everything is as strict as Mastodon 4.4, so a client bug shows up here and not on a real server.
Response shapes follow real Mastodon responses recorded by Mastodon.py (vcrpy cassettes in
``shared/fixtures/recorded/mastodon/``; provenance and licence in that folder's SOURCES.md,
halcy/Mastodon.py@b9f2eff, MIT) and the Mastodon documentation (mastodon/documentation@2903485,
methods/apps.md, oauth.md, instance.md).
"""

from __future__ import annotations

from aiohttp import web

from providers.emulation.framework import Call, Routes
from providers.emulation.grants import Clock
from providers.emulation.mastodon_api.accounts import AccountEndpoints
from providers.emulation.mastodon_api.media import MediaEndpoints
from providers.emulation.mastodon_api.statuses import StatusEndpoints


class MastodonApiServer(AccountEndpoints, MediaEndpoints, StatusEndpoints):
    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.routes = Routes()
        self.add_routes(self.routes)

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
        r.add("POST", "/api/v2/media", self.upload_media)
        r.add("POST", "/api/v1/media", self.upload_media)
        r.add("GET", "/api/v1/media/{id}", self.get_media)
        r.add("POST", "/api/v1/statuses", self.create_status)
        r.add("GET", "/api/v1/statuses/{id}", self.get_status)
        r.add("DELETE", "/api/v1/statuses/{id}", self.delete_status)
        r.add("GET", "/api/v1/accounts/{id}/statuses", self.account_statuses)
        r.add("GET", "/system/media_attachments/files/{id}/{style}/{file}", self.media_file)

    async def handle(self, call: Call) -> web.StreamResponse:
        found = self.routes.find(call.method, call.path)
        if found is None:
            return self.not_found(call)
        handler, call.match = found
        return await handler(call)
