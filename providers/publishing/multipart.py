"""A ``multipart/form-data`` request body streamed from files (or a raw one: :class:`StreamedFile`),
with its exact length up front.

Why not the HTTP client's own multipart support: it reads files on the event loop and reports no
progress. Here each file is read in fixed chunks in a worker thread (a slow disk never freezes the
TUI), each chunk is yielded and dropped (a 1 GB video costs one chunk of memory, never the whole
file), and progress is reported as the bytes go out. The Content-Length is known before the first
byte, so servers that refuse chunked uploads accept it.

:class:`StreamedMultipart` sends one file (the usual upload); :class:`StreamedFiles` sends several
in one request (Telegram's albums: ``attach://<name>`` parts beside a JSON ``media`` field).
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from providers.errors import FileChanged

CHUNK_SIZE = 256 * 1024


def _quoted(value: str) -> str:
    safe = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in value)
    return safe or "file"


@dataclass(frozen=True)
class FilePart:
    """One file of a multipart body: its form field, where it is, and its type."""

    field: str
    path: Path
    content_type: str = "application/octet-stream"
    # A byte range of the file (chunked uploads send one range per request); None: to the end.
    offset: int = 0
    length: int | None = None

    def size(self) -> int:
        return self.path.stat().st_size - self.offset if self.length is None else self.length

    @property
    def whole(self) -> bool:
        return self.offset == 0 and self.length is None


class StreamedFiles:
    """``fields`` (name, text, and optionally the part's content type: Tumblr's NPF ``json``
    part) come first, then each of ``files`` in order. ``progress(index, sent, total)``: ``sent``
    of ``total`` bytes of file ``index`` are out."""

    def __init__(
        self,
        fields: Sequence[tuple[str, str] | tuple[str, str, str]],
        files: Sequence[FilePart],
        *,
        chunk_size: int = CHUNK_SIZE,
        progress: Callable[[int, int, int], None] | None = None,
    ) -> None:
        self.boundary = "linkdeck-" + secrets.token_hex(12)
        self.chunk_size = chunk_size
        self.files = tuple(files)
        self.sizes = tuple(part.size() for part in self.files)
        self._progress = progress
        parts = [
            self._part_header(name, None, kind[0] if kind else None) + value.encode("utf-8") + b"\r\n"
            for name, value, *kind in fields
        ]
        self._head = b"".join(parts)
        self._file_headers = [
            (b"\r\n" if index else b"")
            + self._part_header(part.field, _quoted(part.path.name), part.content_type)
            for index, part in enumerate(self.files)
        ]
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
        files = sum(len(h) for h in self._file_headers) + sum(self.sizes)
        return len(self._head) + files + len(self._tail)

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Content-Type": f"multipart/form-data; boundary={self.boundary}",
            "Content-Length": str(self.content_length),
        }

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._head
        for index, part in enumerate(self.files):
            yield self._file_headers[index]
            each = None if self._progress is None else _for_file(self._progress, index)
            async for chunk in file_chunks(part, self.sizes[index], self.chunk_size, each):
                yield chunk
        yield self._tail


def _for_file(progress: Callable[[int, int, int], None], index: int) -> Callable[[int, int], None]:
    return lambda sent, total: progress(index, sent, total)


async def file_chunks(
    part: FilePart, size: int, chunk_size: int, progress: Callable[[int, int], None] | None
) -> AsyncIterator[bytes]:
    """``size`` bytes of ``part`` from its offset, in chunks read in a worker thread;
    FileChanged when the file gets shorter (or, sent whole, changes size)."""
    path = part.path
    sent = 0
    if progress is not None:
        progress(0, size)
    handle = await asyncio.to_thread(open, path, "rb")
    try:
        if part.offset:
            await asyncio.to_thread(handle.seek, part.offset)
        while sent < size:
            want = min(chunk_size, size - sent)
            chunk = await asyncio.to_thread(handle.read, want)
            if not chunk:
                raise FileChanged(f"{path.name} became shorter while it was being uploaded")
            sent += len(chunk)
            yield chunk
            del chunk
            if progress is not None:
                progress(sent, size)
        if part.whole and os.fstat(handle.fileno()).st_size != size:
            raise FileChanged(f"{path.name} changed size while it was being uploaded")
    finally:
        await asyncio.to_thread(handle.close)


class StreamedMultipart(StreamedFiles):
    """``fields`` (name, text) come first, then the file as ``file_field``; ``progress(sent,
    total)`` as its bytes go out."""

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
        each = None if progress is None else (lambda _index, sent, total: progress(sent, total))
        part = FilePart(file_field, path, content_type, offset, length)
        super().__init__(fields, [part], chunk_size=chunk_size, progress=each)
        self.offset = offset
        self.path = path
        self.file_size = self.sizes[0]


class StreamedFile:
    """A file as a raw request body (an S3 PUT), read by the same chunk reader, its length known
    first."""

    def __init__(
        self,
        path: Path,
        *,
        content_type: str = "application/octet-stream",
        chunk_size: int = CHUNK_SIZE,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.part = FilePart("file", path, content_type)
        self.path = path
        self.content_type = content_type
        self.chunk_size = chunk_size
        self.progress = progress
        self.file_size = self.part.size()

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": self.content_type, "Content-Length": str(self.file_size)}

    def __aiter__(self) -> AsyncIterator[bytes]:
        return file_chunks(self.part, self.file_size, self.chunk_size, self.progress)
