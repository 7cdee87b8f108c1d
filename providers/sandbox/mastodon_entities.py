"""The JSON documents the emulated Mastodon server answers with: the app, the account, the
instance (v1 and v2) and the OAuth discovery document.

Their shapes follow real responses recorded by Mastodon.py (vcrpy cassettes in
``shared/fixtures/recorded/mastodon/``; provenance and licence in that folder's SOURCES.md,
halcy/Mastodon.py@b9f2eff, MIT) and the Mastodon documentation (mastodon/documentation@2903485,
methods/apps.md, accounts.md, instance.md). Kept apart from :mod:`.mastodon` (behaviour) so the
shapes can be compared with the recordings in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from providers.sandbox import people
from providers.sandbox.framework import esc
from providers.sandbox.grants import App

# Public values copied from the recorded responses (fixtures/recorded/mastodon/SOURCES.md).
VAPID_KEY = "BAhxXyHfAoMqrZECjRI56F5QrE4ynVlkZFMdKSpTIsWRNoWUVgut-Bnz2xsMSwiN4AF0b4I7ixF24OwiicOJivw="
SUPPORTED_MIME_TYPES = (  # noqa: SIM905 - one long line would be unreadable
    "image/jpeg image/png image/gif image/heic image/heif image/webp image/avif video/webm video/mp4 "
    "video/quicktime video/ogg audio/wave audio/wav audio/x-wav audio/x-pn-wave audio/vnd.wave "
    "audio/ogg audio/vorbis audio/mpeg audio/mp3 audio/webm audio/flac audio/aac audio/m4a "
    "audio/x-m4a audio/mp4 audio/3gpp video/x-ms-asf"
).split()

# What differs per server; POST /__sandbox__/instance changes these for one host.
DEFAULT_SETTINGS: dict[str, Any] = {
    "version": "4.4.0",
    "title": "Mastodon",
    "max_characters": 500,
    "max_media_attachments": 4,
    "characters_reserved_per_url": 23,
    "image_size_limit": 16_777_216,
    "image_matrix_limit": 33_177_600,
    "video_size_limit": 103_809_024,
    "video_matrix_limit": 8_294_400,
    "video_frame_rate_limit": 120,
    "description_limit": 1500,
    "supported_mime_types": SUPPORTED_MIME_TYPES,
    # Sandbox only: how many GET /api/v1/media/:id a video or GIF answers 206 before it is ready.
    "media_processing_polls": 2,
}


def app(registered: App, *, with_secret: bool = True) -> dict[str, Any]:
    """POST /api/v1/apps (with the credentials) and GET /api/v1/apps/verify_credentials."""
    body: dict[str, Any] = {
        "id": registered.id,
        "name": registered.name,
        "website": registered.website,
        "scopes": registered.scopes,
        "redirect_uris": registered.redirect_uris,
        "vapid_key": VAPID_KEY,
        "redirect_uri": "\n".join(registered.redirect_uris),
    }
    if with_secret:
        body |= {
            "client_id": registered.client_id,
            "client_secret": registered.client_secret,
            "client_secret_expires_at": 0,
        }
    return body


def account(base: str, host: str, who: people.User) -> dict[str, Any]:
    """An Account entity (verify_credentials). Files (avatar) are served by the sandbox at
    ``base``; the profile URL is the public one on ``host``."""
    avatar = f"{base}/avatars/original/{who.username}.png"
    header = f"{base}/headers/original/missing.png"
    return {
        "id": who.id,
        "username": who.username,
        "acct": who.username,
        "display_name": who.display_name,
        "locked": False,
        "bot": False,
        "discoverable": True,
        "indexable": False,
        "group": False,
        "created_at": "2025-01-01T00:00:00.000Z",
        "note": f"<p>{esc(who.note)}</p>",
        "url": f"https://{host}/@{who.username}",
        "uri": f"https://{host}/users/{who.username}",
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": 0,
        "following_count": 0,
        "statuses_count": 0,
        "last_status_at": None,
        "source": {"privacy": "public", "sensitive": False, "language": None, "note": who.note, "fields": []},
        "emojis": [],
        "fields": [],
        "role": {"id": "-99", "name": "", "permissions": "65536", "color": "", "highlighted": False},
    }


def media_configuration(s: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "description_limit",
        "image_size_limit",
        "image_matrix_limit",
        "video_size_limit",
        "video_frame_rate_limit",
        "video_matrix_limit",
    )
    return {"supported_mime_types": list(s["supported_mime_types"]), **{k: s[k] for k in keys}}


def statuses_configuration(s: dict[str, Any]) -> dict[str, Any]:
    return {k: s[k] for k in ("max_characters", "max_media_attachments", "characters_reserved_per_url")}


def instance_v1(host: str, s: dict[str, Any]) -> dict[str, Any]:
    return {
        "uri": host,
        "title": s["title"],
        "short_description": "A linkdeck sandbox server.",
        "description": "",
        "email": "",
        "version": s["version"],
        "urls": {},
        "stats": {"user_count": len(people.USERS), "status_count": 0, "domain_count": 1},
        "thumbnail": None,
        "languages": ["en"],
        "registrations": False,
        "approval_required": False,
        "invites_enabled": False,
        "configuration": {
            "accounts": {"max_featured_tags": 10},
            "statuses": statuses_configuration(s),
            "media_attachments": media_configuration(s),
            "polls": {"max_options": 4, "max_characters_per_option": 50},
        },
        "contact_account": None,
        "rules": [],
    }


def instance_v2(base: str, host: str, s: dict[str, Any]) -> dict[str, Any]:
    return {
        "domain": host,
        "title": s["title"],
        "version": s["version"],
        "source_url": "https://github.com/mastodon/mastodon",
        "description": "A linkdeck sandbox server.",
        "usage": {"users": {"active_month": len(people.USERS)}},
        "thumbnail": {"url": f"{base}/avatars/original/alice.png"},
        "languages": ["en"],
        "configuration": {
            "urls": {"streaming": None, "status": None},
            "vapid": {"public_key": VAPID_KEY},
            "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
            "statuses": statuses_configuration(s),
            "media_attachments": media_configuration(s),
            "polls": {"max_options": 4, "max_characters_per_option": 50},
            "translation": {"enabled": False},
        },
        "registrations": {"enabled": False, "approval_required": False, "message": None},
        "api_versions": {"mastodon": 6},
        "contact": {"email": "", "account": None},
        "rules": [],
    }


def discovery(base: str, scopes: Iterable[str]) -> dict[str, Any]:
    """/.well-known/oauth-authorization-server (RFC 8414), Mastodon 4.3+."""
    return {
        "issuer": f"{base}/",
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "scopes_supported": sorted(scopes),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "grant_types_supported": ["authorization_code", "client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "service_documentation": "https://docs.joinmastodon.org/",
        "app_registration_endpoint": f"{base}/api/v1/apps",
    }


# Publishing: what the server remembers and the Status / MediaAttachment entities --------------
# Shapes follow the recorded test_status_post_public.yaml, test_media_post_file.yaml and
# test_media_post_video_async.yaml (fixtures/recorded/mastodon/SOURCES.md; halcy/Mastodon.py@b9f2eff,
# MIT) and mastodon/documentation@2903485 entities/Status.md, MediaAttachment.md.

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
