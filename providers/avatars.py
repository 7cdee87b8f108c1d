"""Avatars of linked accounts, downloaded once into the cache folder for the cards."""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from providers.store import Store

log = logging.getLogger("linkdeck.avatars")

AVATAR_MAX_BYTES = 2 * 1024 * 1024
_AVATAR_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}


async def cache_avatar(store: Store, url: str | None) -> str | None:
    """Download the avatar into the avatar cache and record it; the local path, or None when it
    could not be fetched (never fatal: the card shows initials instead)."""
    if not url:
        return None
    cached = store.avatar_for(url)
    if cached is not None:
        return cached.path
    from providers import paths
    from providers.http import async_client

    try:
        async with async_client(follow_redirects=True, timeout=15.0) as client:
            response = await client.get(url)
    except Exception as exc:  # a missing avatar must not fail the link
        log.warning("avatar not fetched: %s", type(exc).__name__)
        return None
    ctype = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if response.status_code != 200 or ctype not in _AVATAR_TYPES or len(response.content) > AVATAR_MAX_BYTES:
        log.warning(
            "avatar not cached: HTTP %s, %s, %d bytes", response.status_code, ctype, len(response.content)
        )
        return None
    name = hashlib.sha256(url.encode()).hexdigest()[:24] + _AVATAR_TYPES[ctype]
    path = paths.avatar_dir() / name
    temporary = path.with_suffix(path.suffix + ".part")
    temporary.write_bytes(response.content)
    temporary.replace(path)
    store.cache_avatar(url, path)
    return str(path)
