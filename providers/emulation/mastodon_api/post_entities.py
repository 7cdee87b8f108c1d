"""What the emulated Mastodon server remembers of posts (:class:`MediaRecord`,
:class:`StatusRecord`) and the Status and MediaAttachment entities it answers with.

Shapes follow the recorded test_status_post_public.yaml, test_media_post_file.yaml and
test_media_post_video_async.yaml (fixtures/recorded/mastodon/SOURCES.md; halcy/Mastodon.py@b9f2eff,
MIT) and mastodon/documentation@2903485 entities/Status.md, MediaAttachment.md. Kept apart from
the endpoints (:mod:`.media`, :mod:`.statuses`) so the shapes can be compared with the recordings
in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from providers.emulation import people
from providers.emulation.framework import esc
from providers.emulation.mastodon_api.entities import account

IDEMPOTENCY_SECONDS = 3600.0  # mastodon app/services/post_status_service.rb: redis.setex(key, 3_600, id)
KEEP_MEDIA_BYTES = 32 * 1024 * 1024  # larger uploads are remembered by size and digest only


@dataclass
class MediaRecord:
    id: str
    user_id: str
    kind: str  # image, gifv, video
    mime: str
    filename: str
    size: int
    sha256: str
    description: str | None
    created_at: float
    data: bytes | None = field(default=None, repr=False)
    polls_left: int = 0  # GETs answered 206 before the file counts as processed
    status_id: str | None = None  # the status it is attached to
    width: int | None = None
    height: int | None = None

    @property
    def processing(self) -> bool:
        return self.polls_left > 0


@dataclass
class StatusRecord:
    id: str
    user_id: str
    text: str
    spoiler_text: str
    visibility: str
    sensitive: bool
    media_ids: list[str]
    created_at: float
    application: str
    idempotency_key: str | None = None
    language: str | None = "en"


def iso(seconds: float) -> str:
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def media_file_url(base: str, record: MediaRecord) -> str:
    return f"{base}/system/media_attachments/files/{record.id}/original/{record.filename}"


def media_attachment(base: str, record: MediaRecord) -> dict[str, Any]:
    """A MediaAttachment; ``url`` is null while the server is still processing the file."""
    ready = not record.processing
    original: dict[str, Any] = {}
    if record.width and record.height:
        original = {
            "width": record.width,
            "height": record.height,
            "size": f"{record.width}x{record.height}",
            "aspect": round(record.width / record.height, 6),
        }
    preview = f"{base}/system/media_attachments/files/{record.id}/small/{record.filename}"
    return {
        "id": record.id,
        "type": record.kind,
        "url": media_file_url(base, record) if ready else None,
        "preview_url": preview,
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": {"original": original} if original else {},
        "description": record.description,
        "blurhash": "UGC~-#M{0JfkNFofR%M{IURj%Mt7E0oM%MR*",
    }


def status(
    base: str,
    host: str,
    record: StatusRecord,
    who: people.User,
    media: list[MediaRecord],
    *,
    status_url: str,
) -> dict[str, Any]:
    """A Status entity as POST /api/v1/statuses and GET /api/v1/statuses/:id answer it."""
    paragraphs = "".join(
        f"<p>{esc(part).replace(chr(10), '<br />')}</p>" for part in record.text.split("\n\n")
    )
    return {
        "id": record.id,
        "created_at": iso(record.created_at),
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": record.sensitive,
        "spoiler_text": record.spoiler_text,
        "visibility": record.visibility,
        "language": record.language,
        "uri": f"https://{host}/users/{who.username}/statuses/{record.id}",
        "url": status_url,
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "quotes_count": 0,
        "edited_at": None,
        "favourited": False,
        "reblogged": False,
        "muted": False,
        "bookmarked": False,
        "pinned": False,
        "content": paragraphs if record.text else "",
        "filtered": [],
        "reblog": None,
        "application": {"name": record.application, "website": None},
        "account": account(base, host, who),
        "media_attachments": [media_attachment(base, m) for m in media],
        "mentions": [],
        "tags": [],
        "emojis": [],
        "tagged_collections": [],
        "quote": None,
        "card": None,
        "poll": None,
        "quote_approval": {"automatic": ["public"], "manual": [], "current_user": "automatic"},
    }
