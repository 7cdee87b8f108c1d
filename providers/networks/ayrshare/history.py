"""Ayrshare's post history (``GET /api/history`` with the profile's key: a bare array, newest
first, each ``{id, post, platforms, postIds[{platform, status, id, postUrl}], status, created}``,
networks-2026.md §14, Ayrshare's hurl-scripts history.hurl) as posts to import for one linked
network: the ones published there, under the Ayrshare post id the publisher also records (its
``result_of``), so a post linkdeck sent through Ayrshare is recognised and not imported again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from providers import clock
from providers.errors import PublishError
from providers.imported import Imported
from providers.networks.ayrshare.api import API, headers, message_of

if TYPE_CHECKING:
    from providers.auth.types import Token
    from providers.store import Account


async def history(account: Account, token: Token) -> list[Imported]:
    from providers.http import async_client

    platform = str(token.get("platform") or account.target_id or "")
    auth = headers(str(token.get("access_token", "")), str(token.get("profile_key", "")) or None)
    try:
        async with async_client() as client:
            response = await client.get(f"{API}/history", headers=auth)
    except Exception as exc:
        raise PublishError(
            "try_later", f"Ayrshare: reading the post history failed ({type(exc).__name__})."
        ) from None
    try:
        rows = response.json()
    except ValueError:
        rows = None
    if response.status_code != 200 or not isinstance(rows, list):
        said = message_of(rows) or f"HTTP {response.status_code}"
        raise PublishError("try_later", f"Ayrshare did not give the post history: {said}.")
    return [found for row in rows if (found := _on(row, platform)) is not None]


def _on(row: Any, platform: str) -> Imported | None:
    """The row's post on ``platform`` when it was published there."""
    if not isinstance(row, dict) or not row.get("id"):
        return None
    for entry in row.get("postIds") or []:
        if isinstance(entry, dict) and entry.get("platform") == platform and entry.get("status") == "success":
            url = entry.get("postUrl")
            return Imported(
                remote_post_id=str(row["id"]),
                caption=str(row.get("post") or ""),
                posted_at=_when(row.get("created")),
                url=url if isinstance(url, str) and url.startswith("https://") else None,
            )
    return None


def _when(text: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return clock.now()  # an unreadable date: the import's own time
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


HISTORY = history
