"""What Reddit's sign-in and publisher share: the hosts, the User-Agent Reddit asks for, reading
listings, and where a target's subreddit and flair live in its id.

User-Agent: Reddit's Data API wiki asks every client for ``<platform>:<app ID>:<version string>
(by /u/<reddit username>)`` and "drastically limits" default ones (shared/reference/networks-2026.md
§12a). linkdeck runs on the user's own installed app, so the app ID carries that app's client id
and the "by" part names the linked account once it is known.

Targets: one per subreddit the account moderates or subscribes to, plus its own profile
(``u_<name>``, which Reddit's ``sr`` parameter accepts). A subreddit that requires post flair is
offered once per flair template, and the template rides in the target id after a ``|``
(``pics|<template id>``): the flair is chosen when the subreddit is, in the link's one chooser.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

WWW = "https://www.reddit.com"
API = "https://oauth.reddit.com"
TITLE_LIMIT = 300  # /api/submit refuses longer titles (TOO_LONG); shared/reference/networks.md §13
FLAIR_SEPARATOR = "|"


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("linkdeck")
    except PackageNotFoundError:
        return "dev"


def user_agent(client_id: str, username: str | None = None) -> str:
    """``python:linkdeck.<client id>:<version> (by /u/<name>)`` (the part in brackets once known)."""
    agent = f"python:linkdeck.{client_id or 'app'}:{version()}"
    return f"{agent} (by /u/{username})" if username else agent


def target_id(subreddit: str, flair_id: str | None = None) -> str:
    return f"{subreddit}{FLAIR_SEPARATOR}{flair_id}" if flair_id else subreddit


def split_target(value: str) -> tuple[str, str | None]:
    """``"pics|abc"`` → ("pics", "abc"); ``"pics"`` → ("pics", None)."""
    subreddit, _, flair = value.partition(FLAIR_SEPARATOR)
    return subreddit, flair or None


def children(listing: Any) -> Iterator[Mapping[str, Any]]:
    """The ``data`` of each child of a Reddit Listing (``{"kind": "Listing", "data": {"children":
    [{"kind": "t5", "data": {…}}]}}``); nothing for anything else."""
    data = listing.get("data") if isinstance(listing, Mapping) else None
    items = data.get("children") if isinstance(data, Mapping) else None
    for child in items if isinstance(items, list) else []:
        inner = child.get("data") if isinstance(child, Mapping) else None
        if isinstance(inner, Mapping):
            yield inner


def after(listing: Any) -> str | None:
    data = listing.get("data") if isinstance(listing, Mapping) else None
    value = data.get("after") if isinstance(data, Mapping) else None
    return value if isinstance(value, str) and value else None


def submit_errors(body: Any) -> list[tuple[str, str, str]]:
    """``json.errors`` of an /api/submit answer (``[[code, message, field], …]``), which Reddit
    sends with HTTP 200 when it refuses a post."""
    block = body.get("json") if isinstance(body, Mapping) else None
    errors = block.get("errors") if isinstance(block, Mapping) else None
    found: list[tuple[str, str, str]] = []
    for item in errors if isinstance(errors, list) else []:
        if isinstance(item, list) and item and isinstance(item[0], str):
            message = item[1] if len(item) > 1 and isinstance(item[1], str) else ""
            field = item[2] if len(item) > 2 and isinstance(item[2], str) else ""
            found.append((item[0], message, field))
    return found
