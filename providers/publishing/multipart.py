"""A ``multipart/form-data`` request body (or a raw one: :class:`StreamedFile`) streamed from a
file, with its exact length up front.

Why not the HTTP client's own multipart support: it reads files on the event loop and reports no
progress. Here the file is read in fixed chunks in a worker thread (a slow disk never freezes the
TUI), each chunk is yielded and dropped (a 1 GB video costs one chunk of memory, never the whole
file), and ``progress(sent, total)`` is called as the bytes go out. The Content-Length is known
before the first byte, so servers that refuse chunked uploads accept it.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

from providers.errors import FileChanged

CHUNK_SIZE = 256 * 1024


def _quoted(value: str) -> str:
    safe = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in value)
    return safe or "file"


class StreamedMultipart:
    """``fields`` (name, text) come first, then the file as ``file_field``."""

    def __init__(
        self,
        fields: Sequence[tuple[str, str]],
        file_field: str,
        path: Path,
        *,
        content_type: str = "application/octet-stream",
        chunk_size: int = CHUNK_SIZE,
        progress: Callable[[int, int], None] | None = None,
        offset: int = 0,
        length: int | None = None,
    ) -> None:
        self.path = path
        self.offset = offset  # a byte range of the file (chunked uploads send one range per request)
        self.boundary = "linkdeck-" + secrets.token_hex(12)
        self.chunk_size = chunk_size
        self.progress = progress
        self.file_size = path.stat().st_size - offset if length is None else length
        self._whole = offset == 0 and length is None
        parts = [self._part_header(name) + value.encode("utf-8") + b"\r\n" for name, value in fields]
        file_header = self._part_header(file_field, _quoted(path.name), content_type)
        self._head = b"".join(parts) + file_header
        self._tail = f"\r\n--{self.boundary}--\r\n".encode("ascii")

    def _part_header(self, name: str, filename: str | None = None, content_type: str | None = None) -> bytes:
        disposition = f'form-data; name="{_quoted(name)}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        lines = [f"--{self.boundary}", f"Content-Disposition: {disposition}"]
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")

    @property
    def content_length(self) -> int:
        return len(self._head) + self.file_size + len(self._tail)

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Content-Type": f"multipart/form-data; boundary={self.boundary}",
            "Content-Length": str(self.content_length),
        }

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._head
        async for chunk in file_chunks(
            self.path, self.file_size, self.chunk_size, self.progress, offset=self.offset, whole=self._whole
        ):
            yield chunk
        yield self._tail


class StreamedFile:
    """A file as a raw request body (an S3 PUT), streamed the same way, its length known first."""

    def __init__(
        self,
        path: Path,
        *,
        content_type: str = "application/octet-stream",
        chunk_size: int = CHUNK_SIZE,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.path = path
        self.content_type = content_type
        self.chunk_size = chunk_size
        self.progress = progress
        self.file_size = path.stat().st_size

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": self.content_type, "Content-Length": str(self.file_size)}

    def __aiter__(self) -> AsyncIterator[bytes]:
        return file_chunks(self.path, self.file_size, self.chunk_size, self.progress)


async def file_chunks(
    path: Path,
    file_size: int,
    chunk_size: int,
    progress: Callable[[int, int], None] | None,
    *,
    offset: int = 0,
    whole: bool = True,
) -> AsyncIterator[bytes]:
    """``file_size`` bytes of ``path`` from ``offset``, in chunks read in a worker thread;
    FileChanged when the file is shorter, or (``whole``) when its size changes."""
    sent = 0
    if progress is not None:
        progress(0, file_size)
    handle = await asyncio.to_thread(open, path, "rb")
    try:
        if offset:
            await asyncio.to_thread(handle.seek, offset)
        while sent < file_size:
            want = min(chunk_size, file_size - sent)
            chunk = await asyncio.to_thread(handle.read, want)
            if not chunk:
                raise FileChanged(f"{path.name} became shorter while it was being uploaded")
            sent += len(chunk)
            yield chunk
            del chunk
            if progress is not None:
                progress(sent, file_size)
        if whole and os.fstat(handle.fileno()).st_size != file_size:
            raise FileChanged(f"{path.name} changed size while it was being uploaded")
    finally:
        await asyncio.to_thread(handle.close)
