"""A byte range of a file as a request body, streamed: what LinkedIn's upload URLs take.

An image goes up in one PUT (Postiz notes a split image arrives corrupted), a video in the parts
``initializeUpload`` names, each ``[firstByte, lastByte]`` to its own URL. The file is read in
fixed chunks in a worker thread, each chunk dropped once sent, so a 500 MB video never sits in
memory; ``progress(sent)`` counts the bytes of this range as they go.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from providers.errors import FileChanged

CHUNK_SIZE = 256 * 1024


class FileRange:
    """Bytes ``first``..``last`` (inclusive) of ``path``; the whole file by default."""

    def __init__(
        self,
        path: Path,
        first: int = 0,
        last: int | None = None,
        *,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.path = path
        self.file_size = path.stat().st_size
        self.first = first
        self.last = self.file_size - 1 if last is None else last
        self.progress = progress

    @property
    def length(self) -> int:
        return max(0, self.last - self.first + 1)

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": "application/octet-stream", "Content-Length": str(self.length)}

    async def __aiter__(self) -> AsyncIterator[bytes]:
        handle = await asyncio.to_thread(open, self.path, "rb")
        try:
            if os.fstat(handle.fileno()).st_size != self.file_size:
                raise FileChanged(f"{self.path.name} changed size before it was uploaded")
            await asyncio.to_thread(handle.seek, self.first)
            sent = 0
            while sent < self.length:
                chunk = await asyncio.to_thread(handle.read, min(CHUNK_SIZE, self.length - sent))
                if not chunk:
                    raise FileChanged(f"{self.path.name} became shorter while it was being uploaded")
                sent += len(chunk)
                yield chunk
                del chunk
                if self.progress is not None:
                    self.progress(sent)
        finally:
            await asyncio.to_thread(handle.close)
