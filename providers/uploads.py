"""Files the user sends from their own browser to a served tab's Upload (``linkdeck serve``).

In a served tab the app runs on the server's machine, so its folder tree shows the server's disk,
not the user's. The Upload screen offers "From this browser": the session registers a one-shot
capability (:class:`providers.handover.Handover`), opens ``<served page>/upload/<capability>`` in
the user's browser, and waits; the server streams the chosen file into this data folder, refuses
it when it is larger than :data:`MAX_BYTES` or is not a photo or video by its first bytes (the name
is not trusted), and hands the path to the session, which treats it like a path typed in the box.

Uploaded files stay under ``<data>/uploads/files`` (a scheduled post reads its media when it is
sent, maybe days later); each is private to the user (0600 in a 0700 folder).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

from providers import paths
from providers.errors import LinkdeckError
from providers.handover import Handover
from providers.media.model import MediaKind
from providers.media.sniff import HEAD_BYTES, sniff

# Larger than any photo and most videos a network takes from a person's own account, small enough
# that a mistaken pick (a disk image) cannot fill the server's disk.
MAX_BYTES = 2 * 1024**3
UPLOAD_PATH = "/upload"
URL_VARIABLE = "LINKDECK_UPLOAD_URL"  # set by `linkdeck serve` for its app sessions


class UploadRefused(LinkdeckError):
    """A browser upload the server will not keep; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, *, status: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


def _handover(base: Path | None) -> Handover:
    return Handover("uploads", base)


def files_dir(base: Path | None = None) -> Path:
    folder = (base or paths.data_dir() / "uploads") / "files"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def served_upload_url(env: dict[str, str] | None = None) -> str | None:
    """Where this session's browser sends files, or None when the app is not in a served tab."""
    value = (os.environ if env is None else env).get(URL_VARIABLE, "")
    return value or None


def offer(base: Path | None = None) -> str:
    """Start waiting for one file; the capability goes in the page address the browser opens."""
    capability = secrets.token_urlsafe(24)
    _handover(base).register(capability)
    return capability


def withdraw(capability: str, base: Path | None = None) -> None:
    """Stop waiting (the user left Upload or asked again): a late file is refused."""
    _handover(base).unregister(capability)


def is_waiting(capability: str, base: Path | None = None) -> bool:
    return _handover(base).is_registered(capability)


async def receive(capability: str, base: Path | None = None) -> Path:
    """The uploaded file's path, once the server has kept it."""
    return Path(await _handover(base).wait(capability))


def safe_name(name: str) -> str:
    """The browser's file name made safe to keep: no folders, no control or shell-special
    characters, not hidden, at most 100 characters; "upload" when nothing is left."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = re.sub(r"[^\w.\- ]+", "_", base).strip(" .")
    return cleaned[-100:] or "upload"


async def keep(
    capability: str,
    filename: str,
    chunks: AsyncIterator[bytes],
    *,
    limit: int = MAX_BYTES,
    base: Path | None = None,
) -> Path:
    """Stream ``chunks`` into a new private file, check it, and hand its path to the waiting
    session. Anything refused leaves no file behind."""
    handover = _handover(base)
    if not handover.is_registered(capability):
        raise UploadRefused(
            "no Upload is waiting for this page",
            status=404,
            hint="Press “From this browser” on linkdeck's Upload screen again.",
        )
    folder = files_dir(base) / secrets.token_hex(8)
    folder.mkdir(mode=0o700)
    partial = folder / ".partial"
    try:
        head = await _write(partial, chunks, limit)
        kind, _format = sniff(head)
        if kind not in (MediaKind.IMAGE, MediaKind.VIDEO):
            raise UploadRefused(
                f"{safe_name(filename)} is not a photo or a video (judged by its content, not its name)",
                status=415,
                hint="Choose a JPEG, PNG, GIF, WebP, HEIC photo or an MP4, MOV or WebM video.",
            )
        if not handover.claim(capability):  # a second file for the same press: the first one won
            raise UploadRefused("a file was already sent for this page", status=409)
        kept = folder / safe_name(filename)
        partial.replace(kept)
    except BaseException:
        partial.unlink(missing_ok=True)
        folder.rmdir()
        raise
    handover.put(capability, str(kept))
    return kept


async def _write(path: Path, chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """Write the stream to ``path`` (0600), stopping as soon as it passes ``limit``; its first
    bytes, for sniffing."""
    head = b""
    size = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        async for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise UploadRefused(
                    f"the file is larger than the {limit // 1024**2} MB a browser upload may be",
                    status=413,
                    hint="Copy it to the server and type its path instead.",
                )
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
            out.write(chunk)
    if size == 0:
        raise UploadRefused("the file is empty", status=400)
    return head
