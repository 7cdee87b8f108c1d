"""The fixed demo users every emulated host knows, and the small PNG avatars served for them.

Fixed users keep tests and screenshots stable: whoever approves on a consent page is one of these
(alice unless the page's chooser says otherwise). The avatars are real PNG files, generated here
with zlib so the sandbox needs no image library.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class User:
    id: str
    username: str
    display_name: str
    color: tuple[int, int, int]  # avatar colour
    note: str = ""


USERS: tuple[User, ...] = (
    User("109000000000000001", "alice", "Alice Example", (99, 100, 255), "Photographer. Sandbox user."),
    User("109000000000000002", "bob", "Bob Example", (230, 126, 34), "Second sandbox user."),
)
DEFAULT_USER = USERS[0]


def user(username: str | None) -> User | None:
    """The demo user with this username (``None`` or "" → the default user, alice)."""
    if not username:
        return DEFAULT_USER
    return next((u for u in USERS if u.username == username), None)


def user_by_id(user_id: str) -> User | None:
    return next((u for u in USERS if u.id == user_id), None)


@cache
def avatar_png(username: str, size: int = 48) -> bytes:
    """A ``size``×``size`` PNG: a coloured disc on white, the user's colour (grey if unknown)."""
    found = user(username)
    color = found.color if found else (128, 128, 128)
    center, radius2 = (size - 1) / 2, (size / 2 - 1) ** 2
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter type "None" for this scanline
        for x in range(size):
            inside = (x - center) ** 2 + (y - center) ** 2 <= radius2
            rows.extend(color if inside else (255, 255, 255))
    return _png(size, size, bytes(rows))


def _png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
