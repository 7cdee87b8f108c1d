"""The memory the sandbox's Threads hosts share (one :class:`World` per sandbox, keyed by its
clock): containers and their states, posts, settings, and fetching media as Threads does. The
routes are in :mod:`.sandbox`.
"""

from __future__ import annotations

import asyncio
import secrets
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout

from providers.emulation.grants import Clock
from providers.media.sniff import mime_type
from providers.networks.threads.sandbox_oauth import ThreadsOAuth

VERSION = "/v1.0"
PHOTO_MAX = 8_000_000
VIDEO_MAX = 1_000_000_000
IMAGE_TYPES = ("image/jpeg", "image/png")
VIDEO_TYPES = ("video/mp4", "video/quicktime")
MEDIA = ("IMAGE", "VIDEO")
CAROUSEL_MIN, CAROUSEL_MAX = 2, 20
TEXT_MAX = 500
QUOTA_TOTAL = 250
DAY = 86_400
CONTAINER_SECONDS = DAY
DEFAULT_SETTINGS: dict[str, Any] = {
    "quota_used": 0,
    "processing_polls": 1,
    "container_error": None,
    "not_ready_publishes": 0,  # publish calls answered 4279009 even for a ready container
}


def threads_length(text: str) -> int:
    """Threads' count ("Emojis are counted as the number of UTF-8 bytes", …/threads/posts): each
    code point of an emoji sequence (with its joiners and selectors) counts its UTF-8 bytes, every
    other character counts one. Written here on its own, not shared with the client's counter."""
    import regex

    total = 0
    for sequence in regex.findall(r"\X", text):
        emoji = regex.search(r"\p{Extended_Pictographic}|\p{Regional_Indicator}", sequence)
        total += len(sequence.encode("utf-8")) if emoji else len(sequence)
    return total


@dataclass
class Container:
    id: str
    user: str
    media_type: str
    text: str
    created: float
    media_url: str | None = None
    status: str = "IN_PROGRESS"
    error_message: str | None = None
    polls_left: int = 0
    published: bool = False
    carousel_item: bool = False  # is_carousel_item=true: published only inside a CAROUSEL
    in_carousel: bool = False
    children: list[str] = field(default_factory=list)
    alt_text: str | None = None  # kept as sent (…/threads/posts/accessibility)


@dataclass
class Thread:
    id: str
    user: str
    text: str
    media_type: str  # TEXT_POST, IMAGE, VIDEO, CAROUSEL_ALBUM
    created: float
    media: int
    shortcode: str = field(
        default_factory=lambda: secrets.token_urlsafe(8).replace("-", "a").replace("_", "b")
    )


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield b""


class World:
    """One sandbox's Threads: its sign-in, containers and posts."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.oauth = ThreadsOAuth(clock)
        self.containers: dict[str, Container] = {}
        self.threads: list[Thread] = []  # oldest first
        self.settings: dict[str, Any] = dict(DEFAULT_SETTINGS)
        self.tasks: set[asyncio.Task[None]] = set()

    async def fetch(self, container: Container) -> None:
        """Fetch the photo or video as Threads does; the container ends FINISHED or ERROR. The bytes
        are only counted (a 1 GB video costs no memory here)."""
        forced = self.settings.get("container_error")
        limit = PHOTO_MAX if container.media_type == "IMAGE" else VIDEO_MAX
        head, size, status = b"", 0, 0
        try:
            async with (
                ClientSession(timeout=ClientTimeout(total=120)) as session,
                session.get(str(container.media_url)) as answer,
            ):
                status = answer.status
                async for chunk in answer.content.iter_chunked(256 * 1024) if status == 200 else _nothing():
                    head = head if len(head) >= 64 else (head + chunk)[:64]
                    size += len(chunk)
                    if size > limit:
                        break
        except (ClientError, TimeoutError, ValueError):
            status = 0
        wanted = IMAGE_TYPES if container.media_type == "IMAGE" else VIDEO_TYPES
        if forced:
            container.status, container.error_message = "ERROR", str(forced)
        elif status != 200:
            container.status = "ERROR"
            container.error_message = f"Media download has failed. The media URI answered HTTP {status}."
        elif mime_type(head) not in wanted:
            kind = "image" if container.media_type == "IMAGE" else "video"
            container.status, container.error_message = "ERROR", f"The {kind} format is not supported."
        elif size > limit:
            container.status = "ERROR"
            container.error_message = f"The file is larger than {limit // 1_000_000:,} MB."
        else:
            container.status = "FINISHED"

    def status_of(self, container: Container) -> str:
        """What a status read says now; a read while processing uses up one of its polls."""
        if container.published:
            return "PUBLISHED"
        if container.created + CONTAINER_SECONDS < self.clock.now():
            return "EXPIRED"
        if container.children:
            kids = [self.status_of(self.containers[c]) for c in container.children]
            return "ERROR" if "ERROR" in kids else "IN_PROGRESS" if "IN_PROGRESS" in kids else "FINISHED"
        if container.status == "FINISHED" and container.polls_left > 0:
            container.polls_left -= 1
            return "IN_PROGRESS"
        return container.status

    def ready(self, container: Container) -> bool:
        """Whether Threads has finished with a container (and every child of a carousel)."""
        if container.created + CONTAINER_SECONDS < self.clock.now():
            return False
        if container.children:
            return all(self.ready(self.containers[c]) for c in container.children)
        return container.status == "FINISHED" and container.polls_left <= 0


_worlds: weakref.WeakKeyDictionary[Clock, World] = weakref.WeakKeyDictionary()


def world_for(clock: Clock) -> World:
    if clock not in _worlds:
        _worlds[clock] = World(clock)
    return _worlds[clock]


def new_id() -> str:
    return str(17_000_000_000_000_000 + secrets.randbelow(10**15))


def meta_time(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
