"""``linkdeck serve``: the TUI in a browser tab, locked down.

Stock textual-serve has no authentication, no Origin check and no connection limit, so any web page
the user visits could open ``ws://localhost:8000/ws`` and drive an app that holds their OAuth
tokens. Every app session is a process running as the user, so this module adds, in front of every
route:

- a Host check (defeats DNS rebinding, where a hostile name resolves to 127.0.0.1);
- a random access token, given once in the printed URL and then kept in an HttpOnly cookie;
- on the websocket, an Origin check (defeats cross-site websocket hijacking) and a session cap.

Imports stay light: textual_serve pulls in aiohttp and rich but not textual, and the app itself only
runs in the child processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import logging
import os
import re
import secrets
import shlex
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import WSCloseCode, web, web_server
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest
from aiohttp.web_runner import GracefulExit
from rich.console import Console
from textual_serve.app_service import AppService
from textual_serve.server import Server

from providers.errors import UsageError

DEFAULT_COMMAND = shlex.join([sys.executable, "-m", "tui"])
OAUTH_CALLBACK_PATH = "/oauth/callback"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# textual-serve's page leaves the keyboard on the page itself: a key does nothing until the user
# clicks into the terminal. This gives xterm.js's input (its hidden textarea, made once textual.js
# opens the terminal) the focus as soon as it exists, and again whenever the tab comes back.
FOCUS_SCRIPT = """<script>
(function () {
  function focusTerminal() {
    var input = document.querySelector("#terminal .xterm-helper-textarea");
    if (input && document.activeElement !== input) input.focus();
    return Boolean(input);
  }
  var tries = 0, timer = setInterval(function () {
    if (focusTerminal() || ++tries > 600) clearInterval(timer);
  }, 100);
  window.addEventListener("focus", focusTerminal);
})();
</script>
"""


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name we would have to resolve: treat it as remote


def _check_options(host: str, port: int, allow_remote: bool, max_sessions: int) -> None:
    if max_sessions < 1:
        raise UsageError(f"--max-sessions must be at least 1, not {max_sessions}")
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535 (0: a free port), not {port}")
    # An empty host would bind every interface; anything else not shaped like an address or a
    # host name can only be a typing mistake.
    if not re.fullmatch(r"[A-Za-z0-9.-]+|[0-9A-Fa-f:.]+", host):
        raise UsageError(f"--host {host!r} is not an IP address or a host name", hint="e.g. --host 127.0.0.1")
    try:
        wildcard = ipaddress.ip_address(host).is_unspecified
    except ValueError:
        wildcard = False
    if wildcard:
        # No request ever names 0.0.0.0 in its Host header, so the Host check would refuse them
        # all; and textual-serve would send the browser to ws://0.0.0.0 (textual-serve#42).
        raise UsageError(
            f"cannot serve on the wildcard address {host}",
            hint="Pass the one address browsers will use, e.g. --host 192.168.1.20 --allow-remote.",
        )
    if not allow_remote and not _is_loopback(host):
        raise UsageError(
            f"refusing to serve on {host}: it is not a loopback address",
            hint="Anyone who can reach it and learns the token gets your accounts; "
            "pass --allow-remote if that is what you want.",
        )


class _Scrubbed(logging.Filter):
    """What the server logs to the terminal, without the access token: aiohttp logs a request it
    could not parse with a traceback whose locals hold the raw request (its query and cookies), so
    each record keeps its message and the exception's type, and loses the rest."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        from providers.logs import redact

        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            message += f": {type(record.exc_info[1]).__name__}"
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        record.msg, record.args = redact(message).replace(self.token, "***"), ()
        return True


class _PlainErrors(RequestHandler):
    """aiohttp answers a request it cannot parse (headers too large, a duplicate Host) with the
    parser's message, which quotes the request line or header, token and all: answer with the
    status and the kind of error only. 500s keep aiohttp's own page (it names no request data)."""

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if status == 500:
            return super().handle_error(request, status, exc, message)
        kind = type(exc).__name__ if exc is not None else "error"
        self.logger.info("refused a malformed request from %s: %s (%d)", request.remote, kind, status)
        if request.writer.output_size > 0:
            raise ConnectionError("Response is sent already, cannot send another response")
        response = web.Response(status=status, text=f"{status}: malformed request ({kind})\n")
        response.force_close()
        return response


def _netloc(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class LinkdeckServer(Server):
    """textual-serve's Server with a token, Host and Origin checks and a session cap."""

    def __init__(
        self,
        command: str = DEFAULT_COMMAND,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        token: str | None = None,
        allow_remote: bool = False,
        max_sessions: int = 4,
    ) -> None:
        _check_options(host, port, allow_remote, max_sessions)
        # The stock public_url gets IPv6 literals wrong; the page builds its ws:// URL from it.
        super().__init__(command, host, port, title="linkdeck", public_url=f"http://{_netloc(host, port)}")
        self.token = token or secrets.token_urlsafe(32)
        self.max_sessions = max_sessions
        self.sessions = 0
        self._live: dict[web.WebSocketResponse, AppService] = {}
        # Cookies ignore the port: name ours after it so two servers on one host don't collide.
        self.cookie_name = f"linkdeck_token_{port}"
        # stdout carries exactly the URL line (scripts and tests read it); chatter goes to stderr.
        self.console = Console(stderr=True)
        netlocs = {_netloc(host, port)}
        if _is_loopback(host):
            netlocs |= {f"127.0.0.1:{port}", f"localhost:{port}"}
        if port == 80:  # browsers leave the default port out of Host
            netlocs |= {n.rsplit(":", 1)[0] for n in netlocs}
        self.allowed_hosts = {n.lower() for n in netlocs}

    @property
    def url(self) -> str:
        return f"{self.public_url}/?token={self.token}"

    def _token_ok(self, request: web.Request) -> bool:
        expected = self.token.encode()
        # Bytes, because compare_digest raises on non-ASCII str and a query can hold anything.
        return any(
            hmac.compare_digest(candidate.encode(), expected)
            for candidate in (request.query.get("token"), request.cookies.get(self.cookie_name))
            if candidate
        )

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        # A middleware rather than per-handler checks, so /static (served by aiohttp itself) and any
        # route textual-serve adds later are covered too.
        if request.headers.get("Host", "").lower() not in self.allowed_hosts:
            raise web.HTTPForbidden(text="403: unexpected Host header\n")
        if request.path != OAUTH_CALLBACK_PATH and not self._token_ok(request):
            raise web.HTTPForbidden(text="403: open the URL that `linkdeck serve` printed (with its token)\n")
        return await handler(request)

    async def make_app(self) -> web.Application:
        app = await self._make_app()
        app.middlewares.append(self._guard)
        app.router.add_get(OAUTH_CALLBACK_PATH, self.handle_oauth_callback)
        from providers.uploads import UPLOAD_PATH
        from tui import serve_upload

        app.router.add_get(UPLOAD_PATH + "/{capability}", serve_upload.show_form)
        app.router.add_post(UPLOAD_PATH + "/{capability}", self.handle_upload)
        return app

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        response: web.StreamResponse = await super().handle_index(request)
        if isinstance(response, web.Response) and response.text:
            response.text = response.text.replace("</body>", f"{FOCUS_SCRIPT}</body>", 1)
        if "token" in request.query:
            # textual.js appends its own query to the /ws URL, so the token can't ride along there.
            response.set_cookie(self.cookie_name, self.token, httponly=True, samesite="Strict", path="/")
        # The page URL holds the token: keep it out of caches and of Referer headers.
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        # Browsers always send Origin on websockets; a page on another site sends its own, and the
        # cookie alone would let it in (SameSite does not cover websocket handshakes everywhere).
        if request.headers.get("Origin") != self.public_url:
            raise web.HTTPForbidden(text="403: websocket from another origin\n")
        if self.sessions >= self.max_sessions:
            # Each session is a new app process; refuse before starting one.
            raise web.HTTPServiceUnavailable(
                text=f"503: {self.max_sessions} sessions already open (see --max-sessions)\n"
            )
        self.sessions += 1  # no await between the check and this line, so no race
        try:
            return await super().handle_websocket(request)
        finally:
            self.sessions -= 1

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        # Stock textual-serve only closes the socket when the app says goodbye; an app that crashes
        # leaves a blank tab that still holds a session slot. Close it when the process ends, so the
        # page shows "Session ended" and the slot frees up. (_task is AppService.run, textual-serve 1.1.3.)
        self._live[websocket] = app_service
        messages = asyncio.ensure_future(super()._process_messages(websocket, app_service))
        try:
            app_ended = app_service._task
            if app_ended is not None:
                await asyncio.wait({messages, app_ended}, return_when=asyncio.FIRST_COMPLETED)
                if not messages.done():
                    await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"the app exited")
            await messages
        finally:
            self._live.pop(websocket, None)

    async def handle_upload(self, request: web.Request) -> web.StreamResponse:
        """A file from Upload's "From this browser…" form (tui.serve_upload)."""
        from tui import serve_upload

        return await serve_upload.receive_file(request, self.public_url)

    async def handle_oauth_callback(self, request: web.Request) -> web.StreamResponse:
        # The network's redirect after the user approved a link started in one of our tabs. It comes
        # from the network's site, so it does not carry our SameSite=Strict cookie: the guard checks
        # only Host here, and the relay accepts it only for a state a running flow registered.
        from providers.auth import relay

        if relay.deliver(request.path_qs):
            return web.Response(
                text=_page("Approved", "Go back to your linkdeck tab: it finishes the link."),
                content_type="text/html",
                headers={"Cache-Control": "no-store"},
            )
        return web.Response(
            status=400,
            text=_page(
                "Nothing to finish",
                "No link is waiting for this answer (it may have finished, "
                "been cancelled, or timed out). Start it again from linkdeck.",
            ),
            content_type="text/html",
            headers={"Cache-Control": "no-store"},
        )

    def initialize_logging(self) -> None:
        """textual-serve's terminal log, with no tracebacks' locals and no token in any line."""
        from rich.logging import RichHandler

        handler = RichHandler(show_path=False, show_time=False, console=self.console)
        handler.addFilter(_Scrubbed(self.token))
        logging.basicConfig(level="INFO", format="%(message)s", handlers=[handler], force=True)

    async def on_startup(self, app: web.Application) -> None:
        """The stock banner goes to stdout; ``serve`` prints the one line that matters instead."""

    async def on_shutdown(self, app: web.Application) -> None:
        # Stock textual-serve never tells its apps to quit when the server stops, so they outlive
        # it. Close each socket first, so the page gets its close frame ("Session ended") before
        # anything else can end the connection; closing ends the session's message loop, whose
        # handler then asks the app to quit and waits for it. Bounded: a client that never
        # answers the close must not hold up the exit.
        async def end(websocket: web.WebSocketResponse, app_service: AppService) -> None:
            await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"linkdeck serve stopped")
            with contextlib.suppress(Exception):  # the session's handler may have stopped it already
                await app_service.send_meta({"type": "quit"})

        if self._live:
            await asyncio.wait([asyncio.ensure_future(end(*live)) for live in self._live.items()], timeout=3)


def _page(title: str, text: str) -> str:
    return (
        f"<!doctype html><meta charset=utf-8><title>linkdeck: {title}</title>"
        f"<body style='font-family:sans-serif;max-width:36em;margin:4em auto'><h1>{title}</h1><p>{text}</p>"
    )


async def create_app(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    token: str | None = None,
    allow_remote: bool = False,
    max_sessions: int = 4,
    command: str = DEFAULT_COMMAND,
) -> web.Application:
    """The guarded aiohttp application (for tests: aiohttp's TestServer or a real port)."""
    server = LinkdeckServer(
        command, host, port, token=token, allow_remote=allow_remote, max_sessions=max_sessions
    )
    return await server.make_app()


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    allow_remote: bool = False,
    max_sessions: int = 4,
    print_fn: Callable[..., Any] = print,
    command: str = DEFAULT_COMMAND,
    demo: bool = False,
) -> None:
    """Print ``http://HOST:PORT/?token=TOKEN`` and serve until Ctrl+C. ``port=0`` picks a free port.
    ``demo``: every tab runs ``linkdeck demo``'s app (the sandbox networks, a throw-away home)."""
    _check_options(host, port, allow_remote, max_sessions)  # before binding anything
    if demo:
        from tui.demo import demo_environment

        # The app processes inherit the demo's environment (sandbox URL, home, no keyring).
        with demo_environment():
            serve(
                host,
                port,
                allow_remote=allow_remote,
                max_sessions=max_sessions,
                print_fn=print_fn,
                command=command,
            )
        return
    # Bind first so port 0 works and the printed URL names the real port.
    try:
        sock = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as exc:
        where = _netloc(host, port)
        raise UsageError(f"cannot listen on {where}: {exc.strerror}", hint="Try another --port.") from exc
    port = sock.getsockname()[1]
    server = LinkdeckServer(command, host, port, allow_remote=allow_remote, max_sessions=max_sessions)
    # App processes inherit os.environ (textual-serve's AppService); this one makes them draw
    # images half-cell, which the browser's xterm.js can show.
    os.environ["LINKDECK_WEB"] = "1"
    # Where networks send the browser back after approval; the app processes register their flows
    # with the relay and pass this as the redirect URI.
    os.environ["LINKDECK_RELAY_URL"] = f"{server.public_url}{OAUTH_CALLBACK_PATH}"
    # Where Upload's "From this browser" sends the user's browser (providers.uploads).
    from providers.uploads import UPLOAD_PATH, URL_VARIABLE

    os.environ[URL_VARIABLE] = f"{server.public_url}{UPLOAD_PATH}"
    server.initialize_logging()
    # This process only serves: every connection's handler answers parse errors plainly.
    web_server.RequestHandler = _PlainErrors  # type: ignore[attr-defined]

    loop = asyncio.new_event_loop()

    def request_exit() -> None:
        raise GracefulExit()

    with contextlib.suppress(NotImplementedError):  # Windows has no loop signal handlers
        loop.add_signal_handler(signal.SIGINT, request_exit)
        loop.add_signal_handler(signal.SIGTERM, request_exit)

    print_fn(server.url)
    sys.stdout.flush()
    # textual-serve copies a failed app's stderr to sys.stdout; keep stdout to the one URL line.
    with contextlib.redirect_stdout(sys.stderr):
        web.run_app(
            server.make_app(),
            sock=sock,
            handle_signals=False,
            loop=loop,
            print=None,
            access_log=None,  # its request lines would show the token in the terminal
            shutdown_timeout=5,
        )
