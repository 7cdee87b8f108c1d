"""The RFC 8252 loopback redirect listener: a one-shot HTTP server on 127.0.0.1.

Public API::

    listener = LoopbackListener(*, path="/callback", port=0, expected_state: str, network_name: str)
    port = await listener.start()      # the bound port; LinkError if a fixed port is taken
    code = await listener.wait()       # the authorization code (LinkError if the network refused)
    listener.close()                   # idempotent; also done by the listener after the answer
    listener.address                   # ("127.0.0.1", port) as bound, for the curious and for tests

Why a hand-written server: it must accept exactly one request shape (``GET <path>?code&state``
from a browser) and refuse everything else, so a strict request-line-and-headers parser over
asyncio streams is smaller and easier to audit than configuring a general web framework to be
that strict. It stays one module past 300 lines for the same reason: the defences below are one
audit, and they read best side by side with the parser and the one-shot close they rely on.

What it defends against:

- other machines: it binds the literal address 127.0.0.1 (never ``localhost``, which may resolve
  to ``::1`` or something else, and never 0.0.0.0);
- DNS rebinding (a web page whose host name now resolves to 127.0.0.1): the ``Host`` header must be
  ``127.0.0.1:PORT`` or ``localhost:PORT``, otherwise 400;
- cross-site requests and stale tabs: the state must equal ours (constant-time compare), otherwise
  400, and an ``error=...`` without our state cannot end the flow;
- junk and slow clients: the request head is read with a byte limit and a per-connection timeout,
  at most a few connections at once, and every refusal leaves the listener waiting for the real
  callback; when that many connections sit idle (browsers pre-open sockets, or a local program
  holds them open on purpose), a new connection closes the oldest idle one instead of being turned
  away, so idle sockets can never lock the real callback out;
- replays: after the first valid callback the listening socket is closed (connection refused).

The browser gets a small self-contained page (no external resources, ``no-referrer`` so the code
in the address never leaks into a Referer header) saying to return to the terminal.
"""

from __future__ import annotations

import asyncio
import errno
import html
import logging
import re
from collections.abc import Callable, Mapping

from providers.auth.callback import parse_query, read_callback
from providers.errors import AuthorizationRefused, CallbackRejected, LinkCancelled, LinkError

log = logging.getLogger("linkdeck.auth.loopback")

BIND_HOST = "127.0.0.1"
MAX_HEAD_BYTES = 8192
MAX_HEADERS = 64
READ_TIMEOUT = 10.0
WRITE_TIMEOUT = 5.0
MAX_CONNECTIONS = 16

_REQUEST_LINE = re.compile(r"([A-Z]{1,16}) (/[!-~]*) HTTP/1\.[01]")
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE = re.compile(r"[\t !-~\x80-\xff]*")

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>linkdeck: {title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:34em;margin:4em auto;padding:0 1em;color:#222}}
h1{{font-size:1.4em}}</style></head>
<body><h1>{title}</h1><p>{message}</p></body></html>
"""

_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
}


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _page(title: str, message: str) -> str:
    return _PAGE.format(title=html.escape(title), message=html.escape(message))


class LoopbackListener:
    """One-shot receiver of an authorization redirect on ``http://127.0.0.1:PORT<path>``.

    ``expected_state`` is the state the flow sent. OAuth 1.0a has no state (its request token
    plays that part and is only known after the port is), so instead of ``expected_state`` a
    flow may pass ``validate``: a function from the decoded query parameters to the code that
    raises :class:`~providers.auth.callback.CallbackRejected` or
    :class:`~providers.auth.callback.AuthorizationRefused`."""

    def __init__(
        self,
        *,
        path: str = "/callback",
        port: int = 0,
        expected_state: str | None = None,
        network_name: str,
        validate: Callable[[Mapping[str, str]], str] | None = None,
    ) -> None:
        if not path.startswith("/") or "?" in path or "#" in path:
            raise ValueError("the callback path must start with / and have no query or fragment")
        if (expected_state is None) == (validate is None):
            raise ValueError("give exactly one of expected_state and validate")
        if not 0 <= port <= 65535:
            raise ValueError(f"not a TCP port: {port}")
        self.path = path
        self.network_name = network_name
        self._requested_port = port
        self._expected_state = expected_state
        self._validate = validate
        self._port = 0
        self._server: asyncio.Server | None = None
        self._result: asyncio.Future[str] | None = None
        # Open connections in arrival order; True while the request head has not yet arrived.
        self._connections: dict[asyncio.StreamWriter, bool] = {}

    def __repr__(self) -> str:  # never shows the state
        return f"<LoopbackListener {BIND_HOST}:{self._port}{self.path} open={self.is_open}>"

    @property
    def port(self) -> int:
        return self._port

    @property
    def is_open(self) -> bool:
        return self._server is not None and self._server.is_serving()

    @property
    def address(self) -> tuple[str, int]:
        """The address the listening socket is bound to (``("127.0.0.1", port)``)."""
        if self._server is None or not self._server.sockets:
            raise RuntimeError("the listener is not running")
        host, port = self._server.sockets[0].getsockname()[:2]
        return str(host), int(port)

    async def start(self) -> int:
        """Bind 127.0.0.1 and start accepting. Returns the port."""
        if self._server is not None:
            raise RuntimeError("the listener was already started")
        loop = asyncio.get_running_loop()
        self._result = loop.create_future()
        try:
            self._server = await asyncio.start_server(
                self._handle, host=BIND_HOST, port=self._requested_port, limit=MAX_HEAD_BYTES
            )
        except OSError as exc:
            raise self._bind_error(exc) from None
        self._port = int(self._server.sockets[0].getsockname()[1])
        log.debug("loopback listener for %s on %s:%d%s", self.network_name, BIND_HOST, self._port, self.path)
        return self._port

    def _bind_error(self, exc: OSError) -> LinkError:
        port = self._requested_port
        if exc.errno == errno.EADDRINUSE:
            return LinkError(
                f"{self.network_name}: linkdeck needs port {port} on 127.0.0.1 for the sign-in redirect, "
                "but another program holds it. Close that program (or another linkdeck that is "
                "linking) and try again."
            )
        if exc.errno == errno.EACCES:
            return LinkError(
                f"{self.network_name}: linkdeck may not listen on port {port} on 127.0.0.1 "
                "(permission denied) for the sign-in redirect."
            )
        return LinkError(
            f"{self.network_name}: linkdeck could not listen on 127.0.0.1 port {port} for the sign-in "
            f"redirect ({exc.strerror or type(exc).__name__})."
        )

    async def wait(self) -> str:
        """The code of the one accepted callback. LinkError if the network refused (the user
        declined), LinkCancelled if the listener was closed first."""
        if self._result is None:
            raise RuntimeError("start() the listener first")
        return await asyncio.shield(self._result)

    def close(self) -> None:
        """Stop listening (connections are refused from now on) and end :meth:`wait`."""
        if self._server is not None:
            self._server.close()
        for writer in list(self._connections):
            writer.close()
        if self._result is not None and not self._result.done():
            self._result.set_exception(
                LinkCancelled(f"{self.network_name}: the sign-in listener was closed.")
            )
            self._result.exception()  # retrieved: nobody may be waiting, and that is fine

    # Connections -------------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._result is None or self._result.done() or not self._make_room():
            writer.close()
            return
        self._connections[writer] = True
        try:
            status, body, done = await self._answer(reader, writer)
            await self._send(writer, status, body)
            if done:
                self.close()
        except Exception:  # a broken connection must never end the flow
            log.debug("loopback connection failed", exc_info=True)
        finally:
            self._connections.pop(writer, None)
            writer.close()

    def _make_room(self) -> bool:
        """Whether a new connection may be served: below the cap, or after closing the oldest
        connection that has not sent its request yet. False only when every connection is busy
        being answered, which lasts no longer than a write."""
        if len(self._connections) < MAX_CONNECTIONS:
            return True
        oldest_idle = next((w for w, idle in self._connections.items() if idle), None)
        if oldest_idle is None:
            return False
        log.debug("loopback listener: closing the oldest idle connection to make room")
        del self._connections[oldest_idle]
        oldest_idle.close()  # its reader sees end-of-file and its handler ends
        return True

    async def _answer(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> tuple[int, str, bool]:
        try:
            async with asyncio.timeout(READ_TIMEOUT):
                head = await reader.readuntil(b"\r\n\r\n")
        except TimeoutError:
            return 408, _page("Request timeout", "The request was not completed in time."), False
        except (asyncio.LimitOverrunError, asyncio.IncompleteReadError, ValueError):
            return 400, _page("Bad request", "This request was not understood."), False
        if writer in self._connections:
            self._connections[writer] = False  # no longer idle: it is not the one to drop
        try:
            params = self._parse(head)
        except _BadRequest as bad:
            log.debug("loopback listener refused a request: %s", bad.message)
            return bad.status, _page("Not linked", bad.message), False
        return self._decide(params)

    def _decide(self, params: dict[str, str]) -> tuple[int, str, bool]:
        assert self._result is not None
        try:
            if self._validate is not None:
                code = self._validate(params)
            else:
                assert self._expected_state is not None
                code = read_callback(
                    params, expected_state=self._expected_state, network_name=self.network_name
                )
        except CallbackRejected as exc:
            log.debug("loopback listener refused a callback: %s", exc.message)
            return 400, _page("Not linked", exc.message), False
        except AuthorizationRefused as exc:
            if not self._result.done():
                self._result.set_exception(exc)
            return 200, _page("Not linked", f"{exc.message} You can close this tab."), True
        if self._result.done():  # a second valid request racing the first: the code is spent
            return 400, _page("Not linked", "This sign-in was already completed."), False
        self._result.set_result(code)
        if self._server is not None:
            self._server.close()  # refuse every later connection at once
        message = "Linked — you can close this tab and return to the terminal."
        return 200, _page(f"{self.network_name}: linked", message), True

    def _parse(self, head: bytes) -> dict[str, str]:
        """Strict HTTP/1.1 request line and headers. Returns the decoded query parameters of a
        well-formed GET on our path with our Host; raises _BadRequest otherwise."""
        lines = head[:-4].split(b"\r\n")
        try:
            request_line = lines[0].decode("ascii")
        except UnicodeDecodeError:
            raise _BadRequest(400, "This request was not understood.") from None
        match = _REQUEST_LINE.fullmatch(request_line)
        if match is None:
            raise _BadRequest(400, "This request was not understood.")
        method, target = match.groups()
        headers = self._headers(lines[1:])
        hosts = headers.get("host", [])
        allowed = {f"127.0.0.1:{self._port}", f"localhost:{self._port}"}
        if len(hosts) != 1 or hosts[0].lower() not in allowed:
            raise _BadRequest(400, "This address only answers requests for 127.0.0.1.")
        if headers.get("transfer-encoding") or any(
            v.strip() not in ("", "0") for v in headers.get("content-length", [])
        ):
            raise _BadRequest(400, "This request was not understood.")
        if method != "GET":
            raise _BadRequest(405, "Only the browser's sign-in redirect is accepted here.")
        path, _, query = target.partition("?")
        query = query.partition("#")[0]
        if path != self.path:
            raise _BadRequest(404, "Nothing here. The sign-in redirect goes to another address.")
        try:
            return parse_query(query)
        except ValueError:
            raise _BadRequest(400, "This request was not understood.") from None

    @staticmethod
    def _headers(lines: list[bytes]) -> dict[str, list[str]]:
        if len(lines) > MAX_HEADERS:
            raise _BadRequest(400, "This request was not understood.")
        headers: dict[str, list[str]] = {}
        for raw in lines:
            name_bytes, colon, value_bytes = raw.partition(b":")
            name = name_bytes.decode("latin-1")
            value = value_bytes.decode("latin-1")
            if not colon or not _HEADER_NAME.fullmatch(name) or not _HEADER_VALUE.fullmatch(value):
                raise _BadRequest(400, "This request was not understood.")
            headers.setdefault(name.lower(), []).append(value.strip(" \t"))
        return headers

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, status: int, body: str) -> None:
        data = body.encode("utf-8")
        head = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
            "Content-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(data)}\r\n"
            "Cache-Control: no-store\r\n"
            "Referrer-Policy: no-referrer\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n"
            + ("Allow: GET\r\n" if status == 405 else "")
            + "Connection: close\r\n\r\n"
        )
        writer.write(head.encode("ascii") + data)
        async with asyncio.timeout(WRITE_TIMEOUT):
            await writer.drain()
