"""The avatar cache: which local file holds the image fetched from which URL, and when."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from providers.store.engine import Connection
from providers.store.models import CachedAvatar, from_text, to_text, utcnow


def put(conn: Connection, url: str, path: str | Path, fetched_at: datetime | None = None) -> CachedAvatar:
    when = to_text(fetched_at or utcnow())
    conn.execute(
        """
        INSERT INTO avatars (url, path, fetched_at) VALUES (?, ?, ?)
        ON CONFLICT (url) DO UPDATE SET path = excluded.path, fetched_at = excluded.fetched_at
        """,
        (url, str(path), when),
    )
    return CachedAvatar(url=url, path=str(path), fetched_at=from_text(when))


def get(conn: Connection, url: str) -> CachedAvatar | None:
    """The cache entry for ``url``, or None when there is none or its file has gone."""
    row = conn.execute("SELECT url, path, fetched_at FROM avatars WHERE url = ?", (url,)).fetchone()
    if row is None or not os.path.isfile(row["path"]):
        return None
    return CachedAvatar(url=row["url"], path=row["path"], fetched_at=from_text(row["fetched_at"]))
