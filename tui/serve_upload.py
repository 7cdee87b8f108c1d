"""The served page's "From this browser" upload (``/upload/<capability>``): a small form, and the
route that streams the chosen file to :mod:`providers.uploads`.

Both routes sit behind the server's token and Host guard (``tui.serve``), so only the browser that
opened the served page reaches them; the POST must also come from the served page's own origin, so
another site cannot push files into a waiting Upload. No Textual here: the server process imports it.
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator

from aiohttp import BodyPartReader, web

from providers import uploads

CHUNK = 256 * 1024
_STYLE = "font-family:sans-serif;max-width:36em;margin:4em auto;line-height:1.5"


def _page(title: str, body: str, status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        text=f"<!doctype html><meta charset=utf-8><title>linkdeck: {html.escape(title)}</title>"
        f"<body style='{_STYLE}'><h1>{html.escape(title)}</h1>{body}",
        content_type="text/html",
        # same-origin, not no-referrer: under no-referrer Chromium sends "Origin: null" with the
        # form's POST, and the Origin check could no longer tell our page from another site's.
        headers={"Cache-Control": "no-store", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"},
    )


def _refused(error: uploads.UploadRefused) -> web.Response:
    hint = f"<p>{html.escape(error.hint)}</p>" if error.hint else ""
    return _page("Not sent", f"<p>{html.escape(error.message)}.</p>{hint}", error.status)


async def show_form(request: web.Request) -> web.StreamResponse:
    capability = request.match_info["capability"]
    if not uploads.is_waiting(capability):
        return _refused(uploads.UploadRefused("no Upload is waiting for this page", status=404))
    limit_mb = uploads.MAX_BYTES // 1024**2
    return _page(
        "Send a file to linkdeck",
        "<form method=post enctype=multipart/form-data>"
        "<p><input type=file name=file accept='image/*,video/*' required></p>"
        "<p><button type=submit>Send to linkdeck</button></p></form>"
        f"<p>A photo or a video, up to {limit_mb} MB. It is kept on the machine that runs linkdeck.</p>",
    )


async def receive_file(request: web.Request, public_url: str) -> web.StreamResponse:
    if request.headers.get("Origin", public_url) != public_url:
        raise web.HTTPForbidden(text="403: upload from another origin\n")
    capability = request.match_info["capability"]
    try:
        if (request.content_length or 0) > uploads.MAX_BYTES + 64 * 1024:  # the form's own bytes
            raise uploads.UploadRefused(
                f"the file is larger than the {uploads.MAX_BYTES // 1024**2} MB a browser upload may be",
                status=413,
            )
        part = await _file_part(request)
        path = await uploads.keep(capability, part.filename or "upload", _chunks(part))
    except uploads.UploadRefused as error:
        return _refused(error)
    return _page(
        "Sent",
        f"<p>{html.escape(path.name)} is on linkdeck's Upload screen: go back to your linkdeck tab.</p>",
    )


async def _file_part(request: web.Request) -> BodyPartReader:
    if not request.content_type.startswith("multipart/"):
        raise uploads.UploadRefused("expected a file from the upload form", status=400)
    reader = await request.multipart()
    async for part in reader:
        if isinstance(part, BodyPartReader) and part.name == "file":
            return part
    raise uploads.UploadRefused("the form held no file", status=400)


async def _chunks(part: BodyPartReader) -> AsyncIterator[bytes]:
    while chunk := await part.read_chunk(CHUNK):
        yield chunk
