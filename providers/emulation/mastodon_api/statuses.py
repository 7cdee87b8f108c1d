"""The Mastodon-API emulator's statuses: ``POST /api/v1/statuses`` with an Idempotency-Key,
``GET /api/v1/statuses/:id``, ``GET /api/v1/accounts/:id/statuses`` (the lookup after a crash) and
``DELETE /api/v1/statuses/:id``.

As strict as Mastodon 4.4 (app/services/post_status_service.rb,
app/validators/status_length_validator.rb): at most ``max_media_attachments`` per status, each
an upload of this account not attached elsewhere, no video next to photos, no unprocessed media,
the character limit counted the server's way (:func:`status_length`), and one status per
(account, Idempotency-Key) for an hour: a repeat gets the same status back. A status is deleted
only by its author (app/controllers/api/v1/statuses_controller.rb#destroy: 404 "Record not
found" otherwise); the answer is the status with its source ``text`` where ``content`` was
(``source_requested``, as recorded in test_status_delete_media.yaml), and its media are free to
attach again unless ``delete_media`` was asked for (RemovalWorker's ``redraft``).
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, error_reply, json_reply
from providers.emulation.mastodon_api.base import MastodonApiBase
from providers.emulation.mastodon_api.post_entities import (
    IDEMPOTENCY_SECONDS,
    MediaRecord,
    StatusRecord,
)
from providers.emulation.mastodon_api.post_entities import (
    status as status_entity,
)

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


class StatusEndpoints(MastodonApiBase):
    idempotent = True  # honours the Idempotency-Key header on POST /api/v1/statuses
    write_scopes: tuple[str, ...] = ("write", "write:statuses")

    def status_url(self, who: people.User, status_id: str) -> str:
        return f"https://{self.host}/@{who.username}/{status_id}"

    def status_json(self, call: Call, record: StatusRecord) -> dict[str, Any]:
        who = people.user_by_id(record.user_id) or people.DEFAULT_USER
        media = [self.media[m] for m in record.media_ids if m in self.media]
        return status_entity(
            call.base, self.host, record, who, media, status_url=self.status_url(who, record.id)
        )

    def status_problem(
        self, text: str, spoiler: str, visibility: str, media: list[MediaRecord]
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

    def application_name(self, call: Call) -> str:
        issued = self.oauth.authenticate(call)
        app = None if isinstance(issued, str) else self.oauth.apps.get(issued.client_id)
        return app.name if app is not None else "Web"

    async def create_status(self, call: Call) -> web.Response:
        who = self.signed_in(call, self.write_scopes)
        if isinstance(who, web.Response):
            return who
        key = call.request.headers.get("Idempotency-Key", "").strip() if self.idempotent else ""
        if key:
            seen = self.idempotency.get((who.id, key))
            if (
                seen is not None
                and self.clock.now() - seen[1] < IDEMPOTENCY_SECONDS
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
        record = StatusRecord(
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

    def visible(self, record: StatusRecord, viewer: str | None) -> bool:
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

    async def delete_status(self, call: Call) -> web.Response:
        who = self.signed_in(call, self.write_scopes)
        if isinstance(who, web.Response):
            return who
        record = self.statuses.get(call.match["id"])
        if record is None or record.user_id != who.id:
            return self.deleted_not_found(call)
        body = self.deleted_json(call, record)
        del self.statuses[record.id]
        keep = self.keeps_media(call)
        for media_id in record.media_ids:
            if not keep:
                self.media.pop(media_id, None)
            elif media_id in self.media:
                self.media[media_id].status_id = None  # a redraft may attach it again
        return json_reply(body)

    def keeps_media(self, call: Call) -> bool:
        """Whether a deleted status's media stay, free to attach again (Mastodon's redraft)."""
        return not _boolean(call.text("delete_media"))

    def deleted_not_found(self, call: Call) -> web.Response:
        return error_reply(404, "Record not found")

    def deleted_json(self, call: Call, record: StatusRecord) -> dict[str, Any]:
        """The deleted status as Mastodon answers it: the source text in place of the HTML."""
        return {
            ("text" if k == "content" else k): (record.text if k == "content" else v)
            for k, v in self.status_json(call, record).items()
        }
