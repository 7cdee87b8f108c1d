"""Pinterest's media in requests: a JSON body with files inside it as base64, streamed from disk,
and a video's first frame as its cover.

Why streamed: ``POST /v5/pins`` takes an image as ``media_source.data`` (base64, in the JSON
body), up to 20 MB a file and five files in a carousel. :class:`Base64Json` writes the JSON around
the files once, then encodes each file while it is sent, in chunks of a multiple of 3 bytes (so
the pieces join into one valid base64 string) read in a worker thread, with the exact
Content-Length known first: a carousel costs one chunk of memory, never its files.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from providers.errors import FileChanged

CHUNK_SIZE = 3 * 64 * 1024  # a multiple of 3: each chunk encodes without padding
COVER_MAX_SIDE = 1920


def encoded_length(size: int) -> int:
    """The length of ``size`` bytes in padded base64."""
    return 4 * ((size + 2) // 3)


class Base64Json:
    """``document`` as JSON, where each value that is a :meth:`slot` becomes its file in base64.

    Progress: ``progress(index, sent, total)`` as the bytes of file ``index`` are encoded and sent.
    """

    def __init__(
        self,
        document: Mapping[str, Any],
        files: Sequence[Path],
        marker: str,
        *,
        progress: Callable[[int, int, int], None] | None = None,
    ) -> None:
        self.files = list(files)
        self.sizes = [path.stat().st_size for path in self.files]
        self.progress = progress
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        pieces: list[bytes] = []
        self.order: list[int] = []
        rest = text
        while True:
            found = rest.find(f'"{marker}-')
            if found < 0:
                break
            end = rest.index('"', found + 1)
            self.order.append(int(rest[found + len(marker) + 2 : end]))
            pieces.append(rest[:found].encode("utf-8"))
            rest = rest[end + 1 :]
        pieces.append(rest.encode("utf-8"))
        self.pieces = pieces

    @staticmethod
    def new_marker() -> str:
        return "linkdeck-file-" + secrets.token_hex(8)

    @staticmethod
    def slot(marker: str, index: int) -> str:
        """The placeholder for file ``index`` in the document."""
        return f"{marker}-{index}"

    @property
    def content_length(self) -> int:
        static = sum(len(p) for p in self.pieces)
        return static + sum(2 + encoded_length(self.sizes[i]) for i in self.order)

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", "Content-Length": str(self.content_length)}

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece, index in zip(self.pieces, [*self.order, None], strict=True):
            yield piece
            if index is not None:
                yield b'"'
                async for chunk in self._encoded(index):
                    yield chunk
                yield b'"'

    async def _encoded(self, index: int) -> AsyncIterator[bytes]:
        path, size = self.files[index], self.sizes[index]
        sent = 0
        if self.progress is not None:
            self.progress(index, 0, size)
        handle = await asyncio.to_thread(open, path, "rb")
        try:
            while sent < size:
                chunk = await asyncio.to_thread(handle.read, min(CHUNK_SIZE, size - sent))
                if not chunk:
                    raise FileChanged(f"{path.name} became shorter while it was being uploaded")
                sent += len(chunk)
                yield base64.b64encode(chunk)
                if self.progress is not None:
                    self.progress(index, sent, size)
            if os.fstat(handle.fileno()).st_size != size:
                raise FileChanged(f"{path.name} changed size while it was being uploaded")
        finally:
            await asyncio.to_thread(handle.close)


def first_frame_jpeg(path: Path) -> bytes | None:
    """The video's first frame as a JPEG (at most 1920 px a side), or None when it can't be
    decoded (the Pin then takes its cover from the video's first second instead)."""
    import io

    try:
        import av

        with av.open(str(path), metadata_errors="ignore") as container:
            stream = container.streams.video[0]
            for frame in container.decode(stream):
                image = frame.to_image()  # type: ignore[no-untyped-call]
                image.thumbnail((COVER_MAX_SIDE, COVER_MAX_SIDE))
                out = io.BytesIO()
                image.convert("RGB").save(out, "JPEG", quality=88)
                return out.getvalue()
    except Exception:  # any decoder trouble: fall back to the key frame time
        return None
    return None
