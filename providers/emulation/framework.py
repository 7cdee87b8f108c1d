"""What every emulated network shares: the parsed request (:class:`Call`), a tiny router, JSON and
HTML replies, and the emulator protocol the server dispatches to.

Why not aiohttp's router: the first path segment is a *host* (``/mastodon.example/api/v1/apps``),
chosen at run time, so each host gets its own emulator object and routes are matched on the rest of
the path here.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from aiohttp import web

if TYPE_CHECKING:
    from providers.emulation.grants import Clock

Handler = Callable[["Call"], Awaitable[web.StreamResponse]]


@dataclass
class Call:
    """One request to an emulated host, with the body already read."""

    request: web.Request
    host: str  # the emulated host ("mastodon.example"), the first path segment
    path: str  # the path below the host, always starting with "/"
    base: str  # the URL this host is reachable at, e.g. http://127.0.0.1:PORT/mastodon.example
    params: dict[str, Any]  # query + form/JSON body merged (body wins), Rails style: "a[]" → "a" list
    match: dict[str, str] = field(default_factory=dict)  # {name} segments of the matched route
    # A raw body is read through :meth:`stream`: at most ``body_limit`` bytes of it (the sandbox's
    # fault injection cuts a body short to play a dropped connection); ``body_bytes`` counts them.
    body_limit: int | None = None
    body_bytes: int = 0

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def prefix(self) -> str:
        """The path prefix of this host on the sandbox ("/mastodon.example" or "")."""
        return self.request.path[: len(self.request.path) - len(self.path)] if self.path else ""

    async def stream(self, chunk_size: int = 256 * 1024) -> AsyncIterator[bytes]:
        """The request's raw body in chunks as it arrives (uploads that are not forms or JSON),
        ending early at ``body_limit``."""
        while self.body_limit is None or self.body_bytes < self.body_limit:
            want = (
                chunk_size if self.body_limit is None else min(chunk_size, self.body_limit - self.body_bytes)
            )
            chunk = await self.request.content.read(want)
            if not chunk:
                return
            self.body_bytes += len(chunk)
            yield chunk

    def text(self, name: str) -> str | None:
        """A parameter as one string (the first value of a list); None when absent."""
        value = self.params.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if value is None:
            return None
        return value if isinstance(value, str) else str(value)

    def bearer(self) -> str | None:
        header = self.request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            return header[7:].strip() or None
        return None


@dataclass(frozen=True)
class Published:
    """A post an emulated server holds: who posted it, its text, how many media files."""

    user: str
    text: str
    media: int


class Emulator:
    """One emulated server (one host). ``kind`` is the id of the network it imitates.

    Declared, not probed: :meth:`configure` (``POST /__sandbox__/instance``) takes the settings a
    test may change, :attr:`settings` shows them, :meth:`published` lists the posts made (for the
    contract tests and ``GET /__sandbox__/posts``)."""

    kind: ClassVar[str] = ""
    network: ClassVar[str] = ""

    def __init__(self, host: str, clock: Clock) -> None:
        self.host = host
        self.clock = clock
        self.settings: dict[str, Any] = {}

    async def handle(self, call: Call) -> web.StreamResponse:
        raise NotImplementedError

    def configure(self, values: dict[str, Any]) -> None:
        """Change settings from ``values``; keys the emulator does not know are ignored."""

    def published(self) -> list[Published]:
        return []

    def accepts(self, token: str) -> bool:
        """Whether this access or refresh token still works here (False once revoked)."""
        return False

    def shown_path(self, path: str) -> str:
        """``path`` as the request record and the log show it, with any secret the network puts
        in its paths masked (the Bot API's ``/bot<token>/``). The default: as it is."""
        return path


@dataclass(frozen=True)
class SandboxDemo:
    """How to sign in to a network's emulation, for the contract tests and the demo: the host it
    answers on (a per-instance network's server, else its API host), the demo user on the consent
    page, typed credentials, the developer app the emulation knows, and the path of the request
    that creates a post (where faults are injected). ``settings``: what ``linkdeck demo`` writes
    under ``[networks.<id>]`` besides the client id (e.g. ``optional_scopes``)."""

    host: str
    create_path: str
    user: str = "alice"
    fields: dict[str, str] = field(default_factory=dict)
    client_id: str | None = None
    client_secret: str | None = None
    settings: dict[str, str | bool] = field(default_factory=dict)


class Routes:
    """``(method, "/api/v1/media/{id}")`` → handler; the first match wins."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(pattern.rstrip("/") or "/"))
        self._routes.append((method.upper(), re.compile(f"^{regex}/?$"), handler))

    def find(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        for route_method, regex, handler in self._routes:
            found = regex.match(path)
            if found and route_method in (method.upper(), "*"):
                return handler, found.groupdict()
        return None

    def allows(self, path: str) -> bool:
        return any(regex.match(path) for _, regex, _ in self._routes)


async def read_params(request: web.Request) -> dict[str, Any]:
    """Query and body parameters the way Rails and Laravel see them: repeated or ``key[]`` keys
    become lists; a JSON object body is merged as it is. Uploaded files keep their FileField."""
    params: dict[str, Any] = {}
    _merge(params, request.query.items())
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = json.loads(await request.text() or "{}")
            except ValueError:
                body = None
            if isinstance(body, dict):
                params.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            _merge(params, (await request.post()).items())
    return params


def _merge(params: dict[str, Any], items: Any) -> None:
    for key, value in items:
        if key.endswith("[]"):
            params.setdefault(key[:-2], []).append(value)
        elif key in params:
            current = params[key]
            params[key] = [*current, value] if isinstance(current, list) else [current, value]
        else:
            params[key] = value


def json_reply(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(data, status=status, headers={"Cache-Control": "no-store", **(headers or {})})


def error_reply(status: int, error: str, description: str | None = None) -> web.Response:
    """Mastodon/Doorkeeper-style error body: {"error": …} plus error_description for OAuth."""
    body: dict[str, str] = {"error": error}
    if description is not None:
        body["error_description"] = description
    return json_reply(body, status)


def page(title: str, body_html: str, status: int = 200) -> web.Response:
    """A small, real HTML page (the consent page, the code page, errors)."""
    document = (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width'><title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}"
        "button{font-size:1rem;padding:.5rem 1.2rem;margin:.3rem}code{font-size:1.3rem}</style>"
        f"</head><body>{body_html}</body></html>"
    )
    return web.Response(
        text=document,
        status=status,
        content_type="text/html",
        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"},
    )


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)
