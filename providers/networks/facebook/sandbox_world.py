"""The emulated Facebook's memory, shared by its hosts (one per sandbox clock): the demo Pages and
Business, the photos, upload sessions and feed posts, the settings a test may change and the
errors it may inject. See :mod:`.sandbox` for the routes and what they check."""

from __future__ import annotations

import hashlib
import itertools
import json
import weakref
from dataclasses import dataclass, field
from typing import Any

from providers.emulation.grants import Clock
from providers.networks.facebook.sandbox_auth import FacebookAuth

LIVE_VERSIONS = tuple(f"v{n}.0" for n in range(21, 27))
PHOTO_MAX_BYTES = 4_000_000
DEFAULT_SETTINGS: dict[str, Any] = {
    "development_mode": True,
    "require_app_secret": False,
    "fail_next_posts": [],
    "device_interval": 5,
}
INJECTED: dict[str, tuple[str, int, int | None]] = {
    "expired": ("Error validating access token: Session has expired.", 190, 463),
    "permission": ("(#200) Unpublished posts must be posted to a page as the page itself.", 200, None),
    "blocked": ("It looks like you were misusing this feature by going too fast.", 368, None),
    "too_fast": ("(#368) You're posting too fast; try again later.", 368, 1390008),
    "photo": ("Photos should be smaller than 4 MB and saved as JPG, PNG", 100, 1366046),
}


@dataclass(frozen=True)
class FbPage:
    id: str
    name: str
    owner: str  # the demo user with a role on it
    business: str | None = None  # (business id) when a Business portfolio owns it


BUSINESSES = {"2000000000000001": ("Harbour Holdings", "109000000000000001")}
PAGES: tuple[FbPage, ...] = (
    FbPage("1010000000000001", "Harbour Photo Co.", "109000000000000001"),
    FbPage("1010000000000002", "Tide Club", "109000000000000001", business="2000000000000001"),
)


@dataclass
class Photo:
    id: str
    page: str
    data: bytes = field(repr=False)
    mime: str
    published: bool = False


@dataclass
class Upload:
    """A resumable upload session: only the size and a digest of what came are kept, so a large
    video costs no memory here."""

    id: str
    app: str
    user: str
    length: int
    mime: str
    offset: int = 0
    digest: Any = field(default_factory=lambda: hashlib.sha256(), repr=False)
    handle: str | None = None
    used: bool = False


@dataclass
class FeedPost:
    id: str
    page: str
    message: str
    link: str | None
    photos: list[str]
    created: float
    video: str | None = None


@dataclass
class Reel:
    """A Reel between ``upload_phase=start`` and its processing (:mod:`.sandbox_reels`)."""

    id: str
    page: str
    size: int | None = None  # file_size, fixed by the first part
    received: int = 0
    data: bytearray = field(default_factory=bytearray, repr=False)
    finished: str | None = None  # the video_state it was finished with
    reads: int = 0  # status reads since finishing: processing, then ready


@dataclass
class World:
    clock: Clock
    settings: dict[str, Any] = field(default_factory=lambda: json.loads(json.dumps(DEFAULT_SETTINGS)))
    photos: dict[str, Photo] = field(default_factory=dict)
    uploads: dict[str, Upload] = field(default_factory=dict)
    posts: list[FeedPost] = field(default_factory=list)
    reels: dict[str, Reel] = field(default_factory=dict)
    calls: int = 0
    numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(3_000_000_000_000_001))

    def __post_init__(self) -> None:
        self.auth = FacebookAuth(self.clock, self.settings)


_WORLDS: weakref.WeakKeyDictionary[Clock, World] = weakref.WeakKeyDictionary()


def world_for(clock: Clock) -> World:
    found = _WORLDS.get(clock)
    if found is None:
        found = _WORLDS[clock] = World(clock)
    return found


def sniff(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None
