"""The emulated Pixelfed server: the Mastodon-compatible API with Pixelfed's differences.

Differences from the Mastodon API (:mod:`providers.emulation.mastodon_api`), per
shared/reference/networks.md §16 (pixelfed/pixelfed@8aae92d):
Laravel Passport OAuth (numeric client ids, ``expires_in`` and a rotating ``refresh_token`` in token
replies, 365-day access and 400-day refresh tokens by default, scopes ``read write follow push``,
PKCE optional), no revoke endpoint (``/oauth/revoke`` is a 404, as on real
Pixelfed), the user's app list at ``/settings/applications``, Laravel's ``{"message":
"Unauthenticated."}`` 401 body, and a Pixelfed version string in the instance document.

Publishing (app/Http/Controllers/Api/ApiV1Controller.php statusCreate, mediaUploadV2): photos
first — a status without media is refused (403 "Empty statuses are not allowed"); Laravel
validation answers 422 ``{"message", "errors"}``: the caption counted in characters up to
``max_caption_length``, at most ``max_album_length`` media ids, only the configured file types and
``max_photo_size``. No Idempotency-Key support: a repeated request makes a second post. ``DELETE
/api/v1/statuses/:id`` (statusDelete) takes the author's own status with ``write``, answers it
with its HTML moved from ``content`` to ``text``, and deletes its media with it. Post
URLs are ``https://HOST/p/USER/ID`` and statuses carry ``content_text``.

Deliberately stricter than Pixelfed: a PKCE challenge must be S256. league/oauth2-server, under
Passport, also takes ``plain`` and defaults to it when no method is named (AuthCodeGrant:
``code_challenge_method`` defaults to ``plain``, PlainVerifier and S256Verifier both enabled);
linkdeck never sends ``plain`` (shared/PRODUCT.md: "PKCE S256 wherever the network accepts it
(never ``plain``)"), so a test that sees it should fail here.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, SandboxDemo, json_reply
from providers.emulation.grants import OAuthPolicy
from providers.emulation.mastodon_api import MastodonApiServer
from providers.emulation.mastodon_api.entities import DEFAULT_SETTINGS
from providers.emulation.mastodon_api.post_entities import MediaRecord, StatusRecord

DAY = 24 * 3600
PIXELFED_SETTINGS: dict[str, Any] = {
    **DEFAULT_SETTINGS,
    "version": "3.5.3 (compatible; Pixelfed 0.11.13)",
    "title": "Pixelfed",
    "max_characters": 500,  # max_caption_length
    "max_media_attachments": 4,  # max_album_length
    "image_size_limit": 15_000 * 1024,  # max_photo_size 15,000 KB
    "video_size_limit": 15_000 * 1024,
    "supported_mime_types": ["image/jpeg", "image/png", "image/gif"],
    "description_limit": 1000,
}


class PixelfedServer(MastodonApiServer):
    kind = "pixelfed"
    network = "Pixelfed"
    settings_path = "/settings/applications"
    idempotent = False
    write_scopes = ("write",)
    media_scopes = ("write",)

    def __init__(self, host: str, clock: Any) -> None:
        super().__init__(host, clock)
        self.settings = dict(PIXELFED_SETTINGS)
        self.oauth.policy = self.policy()

    def policy(self) -> OAuthPolicy:
        return OAuthPolicy(
            network=self.network,
            known_scopes=frozenset({"read", "write", "follow", "push"}),
            default_scope="read",
            require_pkce=False,
            access_seconds=365 * DAY,  # OAUTH_TOKEN_DAYS
            refresh_seconds=400 * DAY,  # OAUTH_REFRESH_DAYS
            passport=True,
            numeric_client_ids=True,
        )

    def has_profile_scope(self) -> bool:
        return False

    def has_instance_v2(self) -> bool:
        return True

    async def create_app(self, call: Call) -> web.Response:
        name = (call.text("client_name") or "").strip()
        uris = self.redirect_uris(call)
        if not name or not uris:
            missing = "client name" if not name else "redirect uris"
            return json_reply(
                {"message": f"The {missing} field is required.", "errors": {missing: ["required"]}}, 422
            )
        # Pixelfed accepts any scopes here; Passport checks them at /oauth/authorize.
        app = self.oauth.register(name, call.text("website"), uris, ["read", "write", "follow", "push"])
        return json_reply(
            {
                "id": app.id,
                "name": app.name,
                "website": app.website,
                "redirect_uri": "\n".join(app.redirect_uris),
                "client_id": app.client_id,
                "client_secret": app.client_secret,
                "vapid_key": None,
            }
        )

    async def revoke(self, call: Call) -> web.Response:
        return self.not_found(call)  # Pixelfed has no revoke endpoint

    async def discovery(self, call: Call) -> web.Response:
        return self.not_found(call)

    def not_found(self, call: Call) -> web.Response:
        return json_reply({"message": "Not Found"}, 404)

    def unauthorized(self, message: str) -> web.Response:
        return json_reply({"message": "Unauthenticated."}, 401)

    def account_json(self, call: Call, who: Any) -> dict[str, Any]:
        data = super().account_json(call, who)
        data.update(
            {
                "url": f"https://{self.host}/{who.username}",
                "note_text": who.note,
                "local": True,
                "is_admin": False,
                "website": None,
            }
        )
        for key in ("indexable", "group", "role", "emojis"):
            data.pop(key, None)
        return data

    # Publishing ----------------------------------------------------------------------------------

    def invalid(self, message: str, field: str = "") -> web.Response:
        return json_reply({"message": message, "errors": {field or "status": [message]}}, 422)

    def media_problem(self, mime: str | None, size: int, description: str | None) -> str | None:
        s = self.settings
        types = [str(t) for t in s["supported_mime_types"]]
        if mime is None or mime not in types:
            names = ", ".join(t.split("/")[1] for t in types)
            return f"The file must be a file of type: {names}."
        limit = int(s["image_size_limit"] if mime.startswith("image/") else s["video_size_limit"])
        if size > limit:
            return f"The file may not be greater than {limit // 1024} kilobytes."
        if description is not None and len(description) > int(s["description_limit"]):
            return f"The description may not be greater than {s['description_limit']} characters."
        return None

    def status_problem(
        self, text: str, spoiler: str, visibility: str, media: list[MediaRecord]
    ) -> str | None:
        if visibility not in ("public", "unlisted", "private"):
            return "The selected visibility is invalid."
        if any(m.processing for m in media):
            return "The media is still being processed."
        return None

    def status_url(self, who: people.User, status_id: str) -> str:
        return f"https://{self.host}/p/{who.username}/{status_id}"

    def status_json(self, call: Call, record: StatusRecord) -> dict[str, Any]:
        data = super().status_json(call, record)
        data["content_text"] = record.text
        for key in ("quotes_count", "quote", "quote_approval", "tagged_collections", "filtered"):
            data.pop(key, None)
        return data

    def deleted_not_found(self, call: Call) -> web.Response:
        return self.not_found(call)  # findOrFail on the author's own statuses

    def deleted_json(self, call: Call, record: StatusRecord) -> dict[str, Any]:
        # statusDelete: the status as shown, its HTML moved from "content" to "text"
        data = self.status_json(call, record)
        data["text"] = data.pop("content")
        return data

    def keeps_media(self, call: Call) -> bool:
        return False  # StatusDelete's pipeline deletes the post's media with it

    async def create_status(self, call: Call) -> web.Response:
        who = self.signed_in(call, self.write_scopes)
        if isinstance(who, web.Response):
            return who
        limit, album = int(self.settings["max_characters"]), int(self.settings["max_media_attachments"])
        if len(call.text("status") or "") > limit:
            return self.invalid(f"The status may not be greater than {limit} characters.", "status")
        if len(self.media_ids(call)) > album:
            return self.invalid(f"The media ids may not have more than {album} items.", "media_ids")
        if not self.media_ids(call):
            return json_reply({"message": "Empty statuses are not allowed"}, 403)
        return await super().create_status(call)


EMULATOR = PixelfedServer
HOSTS = ("pixelfed.social",)
FIRST_LABELS = ("pixelfed",)  # pixelfed.example, pixelfed.anything: a Pixelfed instance in direct mode
CATCH_ALL = False
# The contract tests and the demo link Alice's account on this server (the consent page's user).
DEMO = SandboxDemo(host="pixelfed.example", create_path="/api/v1/statuses")
