"""The JSON documents the emulated Mastodon server answers with about itself and its accounts: the
app, the account, the instance (v1 and v2) and the OAuth discovery document; and the settings
that differ per server, which the instance documents show.

Their shapes follow real responses recorded by Mastodon.py (vcrpy cassettes in
``shared/fixtures/recorded/mastodon/``; provenance and licence in that folder's SOURCES.md,
halcy/Mastodon.py@b9f2eff, MIT) and the Mastodon documentation (mastodon/documentation@2903485,
methods/apps.md, accounts.md, instance.md). Kept apart from the endpoints (:mod:`.accounts`) so
the shapes can be compared with the recordings in one place; the post side's are in
:mod:`.post_entities`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from providers.emulation import people
from providers.emulation.framework import esc
from providers.emulation.grants import App

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
