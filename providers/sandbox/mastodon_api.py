"""The emulated Mastodon-API server, the shared base of the Mastodon and Pixelfed emulators
(providers/networks/<id>/sandbox.py): app registration, OAuth (strict, see :mod:`.oauth`), the
signed-in account, the instance document, avatars, and publishing: media uploads (``POST /api/v2/media``, 200
for photos, 202 then ``GET /api/v1/media/:id`` 206 → 200 for video and GIF), statuses (``POST
/api/v1/statuses`` with Idempotency-Key, ``GET /api/v1/statuses/:id``, ``GET
/api/v1/accounts/:id/statuses``) and the uploaded files themselves.

Publishing is as strict as Mastodon 4.4 (app/services/post_status_service.rb,
app/models/media_attachment.rb, app/validators/status_length_validator.rb): sizes and types from
the instance settings, at most ``max_media_attachments`` per status, no video next to photos, no
unprocessed media, the character limit counted the server's way (grapheme clusters, a URL as
``characters_reserved_per_url``, ``@user@domain`` as ``@user``, the content warning included),
and one status per (account, Idempotency-Key) for an hour: a repeat gets the same status back.

Response shapes follow real Mastodon responses recorded by Mastodon.py (vcrpy cassettes in
``shared/fixtures/recorded/mastodon/``; provenance and licence in that folder's SOURCES.md,
halcy/Mastodon.py@b9f2eff, MIT) and the Mastodon documentation (mastodon/documentation@2903485,
methods/apps.md, oauth.md, instance.md). Values that differ per server (version, limits) live in
:attr:`MastodonApiServer.settings` so tests can change them through ``POST /__sandbox__/instance``.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import replace
from typing import Any

from aiohttp import web

from providers.media.sniff import HEAD_BYTES
from providers.media.sniff import mime_type as sniff_mime  # the real type, never the declared one
from providers.sandbox import mastodon_entities as entities
from providers.sandbox import pages, people
from providers.sandbox.framework import Call, Emulator, Published, Routes, error_reply, json_reply
from providers.sandbox.grants import Clock, OAuthPolicy, redirect_uri_problem
from providers.sandbox.oauth import OAuthServer

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
VISIBILITIES = ("public", "unlisted", "private", "direct")
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_REMOTE_MENTION = re.compile(r"(?<![\w/])@(\w+)@[\w.-]+\w")


def status_length(text: str, spoiler_text: str, url_length: int) -> int:
    """Mastodon's StatusLengthValidator: grapheme clusters, each URL as ``url_length``, a remote
    mention as its local part, plus the content warning."""
    import regex

    countable = _URL.sub("x" * url_length, text)
    countable = _REMOTE_MENTION.sub(lambda m: "@" + m.group(1), countable)
    return len(regex.findall(r"\X", countable)) + len(regex.findall(r"\X", spoiler_text))


def _boolean(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "t", "on", "yes")


def version_tuple(version: str) -> tuple[int, ...]:
    head = version.split()[0].split("-")[0]
    parts = []
    for piece in head.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


class MastodonApiServer(Emulator):
    kind = ""  # the network's id, set by each network's emulator
    network = ""  # its name, for pages and error bodies
    settings_path = "/oauth/authorized_applications"

    idempotent = True  # honours the Idempotency-Key header on POST /api/v1/statuses
    write_scopes: tuple[str, ...] = ("write", "write:statuses")
    media_scopes: tuple[str, ...] = ("write", "write:media")

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.settings = dict(entities.DEFAULT_SETTINGS)
        self.oauth = OAuthServer(self.policy(), clock)
        self.media: dict[str, entities.MediaRecord] = {}
        self.statuses: dict[str, entities.StatusRecord] = {}
        self.idempotency: dict[tuple[str, str], tuple[str, float]] = {}  # (user, key) → (status, when)
        self._sequence = 0
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

    def accepts(self, token: str) -> bool:
        return self.oauth.accepts(token)

    def published(self) -> list[Published]:
        return [Published(s.user_id, s.text, len(s.media_ids)) for s in self.statuses.values()]

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
        r.add("POST", "/api/v2/media", self.upload_media)
        r.add("POST", "/api/v1/media", self.upload_media)
        r.add("GET", "/api/v1/media/{id}", self.get_media)
        r.add("POST", "/api/v1/statuses", self.create_status)
        r.add("GET", "/api/v1/statuses/{id}", self.get_status)
        r.add("GET", "/api/v1/accounts/{id}/statuses", self.account_statuses)
        r.add("GET", "/system/media_attachments/files/{id}/{style}/{file}", self.media_file)

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

    # Publishing: media ----------------------------------------------------------------------------

    def next_id(self) -> str:
        """A snowflake-like id: milliseconds since the epoch, shifted, plus a sequence."""
        self._sequence += 1
        return str((int(self.clock.now() * 1000) << 16) + (self._sequence & 0xFFFF))

    def writer(self, call: Call, scopes: tuple[str, ...]) -> people.User | web.Response:
        """The signed-in user allowed to write with one of ``scopes``, or the error reply."""
        issued = self.oauth.authenticate(call)
        if isinstance(issued, str):
            return self.unauthorized(issued)
        if not any(scope in issued.scopes for scope in scopes):
            return error_reply(403, "This action is outside the authorized scopes")
        who = people.user_by_id(issued.user_id or "")
        if who is None:
            return error_reply(422, "This method requires an authenticated user")
        return who

    def application_name(self, call: Call) -> str:
        issued = self.oauth.authenticate(call)
        app = None if isinstance(issued, str) else self.oauth.apps.get(issued.client_id)
        return app.name if app is not None else "Web"

    def invalid(self, message: str, field: str = "") -> web.Response:
        """A refused request, the way this server words it (Rails' 422 {"error": …})."""
        return error_reply(422, message)

    def media_problem(self, mime: str | None, size: int, description: str | None) -> str | None:
        s = self.settings
        if mime is None or mime not in s["supported_mime_types"]:
            return "Validation failed: File content type is invalid, File file type is invalid"
        limit = int(
            s["image_size_limit"]
            if mime.startswith("image/") and mime != "image/gif"
            else s["video_size_limit"]
        )
        if mime == "image/gif":
            limit = int(s["image_size_limit"])
        if size > limit:
            return f"Validation failed: File file size must be less than {limit // (1024 * 1024)} MB"
        if description is not None and len(description) > int(s["description_limit"]):
            return (
                f"Validation failed: Description is too long (maximum is {s['description_limit']} characters)"
            )
        return None

    async def upload_media(self, call: Call) -> web.Response:
        who = self.writer(call, self.media_scopes)
        if isinstance(who, web.Response):
            return who
        upload = call.params.get("file")
        if isinstance(upload, list):
            upload = upload[0] if upload else None
        if not isinstance(upload, web.FileField):
            return self.invalid("Validation failed: File can't be blank", "file")
        handle = upload.file
        handle.seek(0, io.SEEK_END)
        size = handle.tell()
        handle.seek(0)
        head = handle.read(HEAD_BYTES)
        mime = sniff_mime(head)
        description = call.text("description")
        problem = self.media_problem(mime, size, description)
        if problem or mime is None:
            return self.invalid(problem or "Validation failed: File content type is invalid", "file")
        handle.seek(0)
        digest, kept = hashlib.sha256(), bytearray() if size <= entities.KEEP_MEDIA_BYTES else None
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
            if kept is not None:
                kept += chunk
        kind = (
            "image"
            if mime.startswith("image/") and mime != "image/gif"
            else ("gifv" if mime == "image/gif" else "video")
        )
        width, height = _image_size(bytes(kept)) if kept is not None and kind == "image" else (None, None)
        record = entities.MediaRecord(
            id=self.next_id(),
            user_id=who.id,
            kind=kind,
            mime=mime,
            filename=_safe_name(upload.filename or "file", mime),
            size=size,
            sha256=digest.hexdigest(),
            description=description or None,
            created_at=self.clock.now(),
            data=bytes(kept) if kept is not None else None,
            polls_left=0 if kind == "image" else int(self.settings["media_processing_polls"]),
            width=width,
            height=height,
        )
        self.media[record.id] = record
        body = entities.media_attachment(call.base, record)
        return json_reply(body, 202 if record.processing else 200)

    def owned_media(self, call: Call, who: people.User) -> entities.MediaRecord | None:
        record = self.media.get(call.match["id"])
        return record if record is not None and record.user_id == who.id else None

    async def get_media(self, call: Call) -> web.Response:
        who = self.writer(call, self.media_scopes)
        if isinstance(who, web.Response):
            return who
        record = self.owned_media(call, who)
        if record is None:
            return error_reply(404, "Record not found")
        if record.processing:
            record.polls_left -= 1
            return json_reply(entities.media_attachment(call.base, replace(record, polls_left=1)), 206)
        return json_reply(entities.media_attachment(call.base, record))

    async def media_file(self, call: Call) -> web.StreamResponse:
        record = self.media.get(call.match["id"])
        if (
            record is None
            or record.processing
            or record.data is None
            or call.match["file"] != record.filename
        ):
            return self.not_found(call)
        return web.Response(body=record.data, content_type=record.mime)

    # Publishing: statuses ---------------------------------------------------------------------------

    def status_url(self, who: people.User, status_id: str) -> str:
        return f"https://{self.host}/@{who.username}/{status_id}"

    def status_json(self, call: Call, record: entities.StatusRecord) -> dict[str, Any]:
        who = people.user_by_id(record.user_id) or people.DEFAULT_USER
        media = [self.media[m] for m in record.media_ids if m in self.media]
        return entities.status(
            call.base, self.host, record, who, media, status_url=self.status_url(who, record.id)
        )

    def status_problem(
        self, text: str, spoiler: str, visibility: str, media: list[entities.MediaRecord]
    ) -> str | None:
        s = self.settings
        if visibility not in VISIBILITIES:
            return "Validation failed: Visibility is not included in the list"
        if len(media) > int(s["max_media_attachments"]):
            return f"Cannot attach more than {s['max_media_attachments']} files"
        if any(m.processing for m in media):
            return "Cannot attach files that have not finished processing. Try again in a moment!"
        if any(m.kind == "video" for m in media) and len(media) > 1:
            return "Cannot attach a video to a post that already contains images"
        if not text.strip() and not media:
            return "Validation failed: Text can't be blank"
        if status_length(text, spoiler, int(s["characters_reserved_per_url"])) > int(s["max_characters"]):
            return f"Validation failed: Text character limit of {s['max_characters']} exceeded"
        return None

    def media_ids(self, call: Call) -> list[str]:
        value = call.params.get("media_ids")
        values = value if isinstance(value, list) else ([] if value in (None, "") else [value])
        return [str(v) for v in values]

    async def create_status(self, call: Call) -> web.Response:
        who = self.writer(call, self.write_scopes)
        if isinstance(who, web.Response):
            return who
        key = call.request.headers.get("Idempotency-Key", "").strip() if self.idempotent else ""
        if key:
            seen = self.idempotency.get((who.id, key))
            if (
                seen is not None
                and self.clock.now() - seen[1] < entities.IDEMPOTENCY_SECONDS
                and seen[0] in self.statuses
            ):
                return json_reply(self.status_json(call, self.statuses[seen[0]]))
        text = call.text("status") or ""
        spoiler = call.text("spoiler_text") or ""
        visibility = call.text("visibility") or "public"
        wanted = self.media_ids(call)
        media = [self.media.get(m) for m in wanted]
        missing = [
            m for m, r in zip(wanted, media, strict=True) if r is None or r.user_id != who.id or r.status_id
        ]
        if missing:
            return self.invalid(
                f"Media {', '.join(missing)} not found or already attached to another post", "media_ids"
            )
        found = [m for m in media if m is not None]
        problem = self.status_problem(text, spoiler, visibility, found)
        if problem:
            return self.invalid(problem, "status")
        record = entities.StatusRecord(
            id=self.next_id(),
            user_id=who.id,
            text=text,
            spoiler_text=spoiler,
            visibility=visibility,
            sensitive=_boolean(call.text("sensitive")) or bool(spoiler),
            media_ids=wanted,
            created_at=self.clock.now(),
            application=self.application_name(call),
            idempotency_key=key or None,
        )
        self.statuses[record.id] = record
        for item in found:
            item.status_id = record.id
        if key:
            self.idempotency[(who.id, key)] = (record.id, record.created_at)
        return json_reply(self.status_json(call, record))

    def viewer(self, call: Call) -> str | None:
        issued = self.oauth.authenticate(call)
        return None if isinstance(issued, str) else issued.user_id

    def visible(self, record: entities.StatusRecord, viewer: str | None) -> bool:
        return record.visibility in ("public", "unlisted") or record.user_id == viewer

    async def get_status(self, call: Call) -> web.Response:
        record = self.statuses.get(call.match["id"])
        if record is None or not self.visible(record, self.viewer(call)):
            return self.not_found(call)  # as recorded: test_status_missing.yaml {"error": "Not Found"}
        return json_reply(self.status_json(call, record))

    async def account_statuses(self, call: Call) -> web.Response:
        """Newest first; ``limit`` (default 20, at most 40), ``max_id``, ``since_id`` and
        ``min_id`` as on Mastodon (ids compare as numbers)."""
        if people.user_by_id(call.match["id"]) is None:
            return error_reply(404, "Record not found")
        viewer = self.viewer(call)
        mine = [
            r for r in self.statuses.values() if r.user_id == call.match["id"] and self.visible(r, viewer)
        ]
        mine.sort(key=lambda r: int(r.id), reverse=True)
        for name in ("max_id", "since_id", "min_id"):
            bound = call.text(name)
            if bound and bound.isdigit():
                edge = int(bound)
                mine = [r for r in mine if (int(r.id) < edge if name == "max_id" else int(r.id) > edge)]
        if call.text("min_id"):
            mine.reverse()
        try:
            limit = max(1, min(40, int(call.text("limit") or 20)))
        except ValueError:
            limit = 20
        page = mine[:limit]
        if call.text("min_id"):
            page.reverse()
        return json_reply([self.status_json(call, r) for r in page])


def _safe_name(filename: str, mime: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]", "", filename.rsplit(".", 1)[0])[:40] or "file"
    extension = {"image/jpeg": "jpg", "video/quicktime": "mov"}.get(mime, mime.split("/")[1])
    return f"{stem}.{extension}"


def _image_size(data: bytes) -> tuple[int | None, int | None]:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            return im.width, im.height
    except Exception:  # a file Pillow cannot read keeps no dimensions, as Mastodon's meta would
        return None, None
