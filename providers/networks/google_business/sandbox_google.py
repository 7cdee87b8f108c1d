"""The memory Google Business Profile's hosts of one sandbox share (:class:`Google`, one per
sandbox clock), the demo users' businesses and Google's error documents (google.rpc.Status).
Google's sign-in is the sandbox's one :mod:`providers.emulation.google` (shared with YouTube):
the tokens ``oauth2.googleapis.com`` issues there are the ones the API hosts accept.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import json_reply
from providers.emulation.google import BUSINESS_CLIENT_ID as CLIENT_ID
from providers.emulation.google import BUSINESS_CLIENT_SECRET as CLIENT_SECRET
from providers.emulation.google import BUSINESS_MANAGE as SCOPE
from providers.emulation.google import google_for
from providers.emulation.grants import Clock

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "SCOPE"]

ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


@dataclass
class Business:
    account: str  # "accounts/…"
    title: str
    kind: str  # PERSONAL, LOCATION_GROUP, ORGANIZATION
    locations: list[tuple[str, str, str]]  # ("locations/…", title, town)


def businesses(user_id: str) -> list[Business]:
    """What each demo user manages: Alice a personal account with a café and a group of two more
    shops (so there is a target to choose); Bob a personal account with one location."""
    if user_id == people.USERS[0].id:
        return [
            Business(
                "accounts/1100001",
                "Alice Example",
                "PERSONAL",
                [("locations/5001", "Harbour Café", "Portsmouth")],
            ),
            Business(
                "accounts/1200002",
                "Harbour Shops",
                "LOCATION_GROUP",
                [
                    ("locations/5002", "Harbour Bakery", "Portsmouth"),
                    ("locations/5003", "Harbour Books", "Southsea"),
                ],
            ),
        ]
    return [
        Business("accounts/1100002", "Bob Example", "PERSONAL", [("locations/6001", "Bob's Bikes", "Leeds")])
    ]


@dataclass
class LocalPost:
    name: str
    user: str
    body: dict[str, Any]
    created: float
    media: list[dict[str, Any]] = field(default_factory=list)


class Google:
    """One sandbox's Google Business Profile: what its users' businesses hold (and the sandbox's
    one Google sign-in)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.oauth = google_for(clock)
        self.posts: dict[str, list[LocalPost]] = {}  # location path → posts, oldest first
        self.settings: dict[str, Any] = {"page_size": None, "v4_enabled": True}


_worlds: weakref.WeakKeyDictionary[Clock, Google] = weakref.WeakKeyDictionary()


def world_for(clock: Clock) -> Google:
    if clock not in _worlds:
        _worlds[clock] = Google(clock)
    return _worlds[clock]


def google_error(status: int, canonical: str, message: str, *details: dict[str, Any]) -> web.Response:
    error: dict[str, Any] = {"code": status, "message": message, "status": canonical}
    if details:
        error["details"] = list(details)
    return json_reply({"error": error}, status)


def invalid(field_name: str, message: str) -> web.Response:
    detail = {
        "@type": "type.googleapis.com/google.mybusiness.v4.ValidationError",
        "errorDetails": [{"code": 3, "field": field_name, "message": message}],
    }
    return google_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.", detail)


def rfc3339(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
