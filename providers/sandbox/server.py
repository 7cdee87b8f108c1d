"""The sandbox HTTP server: host-segment dispatch, the request record, latency, failure injection.

URL scheme. ``LINKDECK_SANDBOX_URL`` rewrites ``https://HOST/PATH`` to ``http://127.0.0.1:PORT/HOST/
PATH`` (providers.http), so the first path segment names the emulated host. A first segment that
does not look like a host name (``/api/v1/apps``, ``/oauth/…``) is served by the *root instance*,
whose host is the sandbox's own ``127.0.0.1:PORT``. So all of these are usable Mastodon instance
URLs, with no rewrite needed since they are loopback already:

- ``http://127.0.0.1:PORT``                        the root instance
- ``http://127.0.0.1:PORT/mastodon.example``       any host name: a Mastodon instance
- ``http://127.0.0.1:PORT/pixelfed.example``       a ``pixelfed.*`` host: a Pixelfed instance

Control endpoints for tests live under ``/__sandbox__`` (see :func:`control_routes`). The record of
requests keeps parameter names and non-secret values; secret values (tokens, codes, client secrets,
verifiers) appear only as ``sha256:`` fingerprints (:func:`fingerprint`). The optional log line per
request has the method, path (no query) and status only.
"""

from __future__ import annotations

import asyncio
import fnmatch
import hashlib
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from aiohttp import web

from providers.emulation.framework import Call, Emulator, json_reply, read_params
from providers.emulation.grants import Clock
from providers.sandbox import registry

BIND = "127.0.0.1"  # never anything else: the sandbox hands out working tokens
CONTROL = "__sandbox__"
SECRET_KEYS = frozenset(
    {
        "access_token",
        "oauth_token",  # a token sent as a parameter (Foursquare v2, OAuth 1.0a)
        "refresh_token",
        "token",
        "client_secret",
        "code",
        "code_verifier",
        "password",
        "form_token",
    }
)
_HOST = re.compile(
    r"^(localhost|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9-]+)+|[a-z0-9.-]+:\d+|\[[0-9a-f:]+\](:\d+)?)$"
)
_FILE_SUFFIXES = ("ico", "png", "jpg", "jpeg", "gif", "svg", "json", "txt", "html", "xml", "css", "js")


def fingerprint(value: str) -> str:
    """How the request record shows a secret: enough for a test to compare, useless to an attacker."""
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()[:16]


def looks_like_host(segment: str) -> bool:
    lowered = segment.lower()
    return bool(_HOST.match(lowered)) and lowered.rsplit(".", 1)[-1] not in _FILE_SUFFIXES


@dataclass
class Fault:
    """An injected failure: the next ``times`` matching requests get ``status``."""

    path: str  # glob, matched against the path below the host and against the full path
    status: int = 500
    times: int = 1
    retry_after: float | str | None = None  # delay seconds, or an HTTP date (sent as it is)
    method: str | None = None
    host: str | None = None
    body: Any = None
    after: bool = False  # the request reaches the network first: only its answer is lost
    # The connection drops after this many bytes of the request's body have arrived: the network
    # keeps what it got (it handles the cut body), and no answer comes at all.
    drop_after_bytes: int | None = None
    # The request is handled, then its answer is held back this many seconds: a client that waits
    # less sees a read timeout although the network did what it asked.
    delay: float = 0.0

    def matches(self, method: str, host: str, path: str, full_path: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        if self.host and self.host != host:
            return False
        return fnmatch.fnmatchcase(path, self.path) or fnmatch.fnmatchcase(full_path, self.path)


class Sandbox:
    """All emulated hosts plus the test hooks; :meth:`app` is the aiohttp application."""

    def __init__(self, latency: float = 0.0, log: Callable[[str], None] | None = None) -> None:
        self.latency = latency
        self.log = log
        self.clock = Clock()
        self.hosts: dict[str, Emulator] = {}
        self.requests: list[dict[str, Any]] = []
        self.faults: list[Fault] = []

    def app(self) -> web.Application:
        app = web.Application(client_max_size=200 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self.dispatch)
        return app

    def emulator(self, host: str, kind: str | None = None) -> Emulator:
        key = host.lower()
        current = self.hosts.get(key)
        if current is None or (kind and current.kind != kind):
            current = self.hosts[key] = registry.create(key, self.clock, kind)
        return current

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        first, _, rest = path.lstrip("/").partition("/")
        if first == CONTROL:
            return await self.control(request, rest)
        if looks_like_host(first):
            host, below, base_path = first.lower(), "/" + rest, "/" + first
        else:
            host, below, base_path = request.host.lower(), path or "/", ""
        params = await read_params(request)
        call = Call(request, host, below, f"{request.scheme}://{request.host}{base_path}", params)
        entry = self._record(call)
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        try:
            fault = self._fault(entry, request.method, host, below, path)
            if fault is not None and fault[2] is not None:  # the connection drops mid-body
                call.body_limit = fault[2]
                await self.emulator(host).handle(call)
                entry["body_bytes"] = call.body_bytes
                entry["status"] = "dropped"
                self._log(call, 0)
                return await self._drop(request)
            if fault is not None and fault[1]:  # the network did it; the answer is what fails
                await self.emulator(host).handle(call)
            response = fault[0] if fault is not None else await self.emulator(host).handle(call)
            if fault is not None and fault[3] > 0:
                await asyncio.sleep(fault[3])
        except web.HTTPException as exc:  # redirects are raised
            entry["status"] = exc.status
            self._log(call, exc.status)
            raise
        entry["status"] = response.status
        if call.body_bytes:
            entry["body_bytes"] = call.body_bytes
        self._log(call, response.status)
        return response

    @staticmethod
    async def _drop(request: web.Request) -> web.StreamResponse:
        """End the connection without an answer (the client sees it reset mid-request)."""
        transport = request.transport
        if transport is not None:
            transport.abort()
        raise asyncio.CancelledError  # aiohttp ends the handler quietly; nothing is written

    # Record, log, faults ------------------------------------------------------------------------

    def _record(self, call: Call) -> dict[str, Any]:
        def shown(key: str, value: Any) -> Any:
            if isinstance(value, list):
                return [shown(key, v) for v in value]
            if not isinstance(value, str | int | float | bool) or value is None:
                return f"<{type(value).__name__}>"  # an uploaded file
            return fingerprint(str(value)) if key in SECRET_KEYS else value

        header = call.request.headers.get("Authorization", "")
        scheme, _, credential = header.partition(" ")
        query = set(call.request.query)
        masked = self.emulator(call.host).shown_path
        entry = {
            "seq": len(self.requests) + 1,
            "time": self.clock.now(),  # the emulated world's one clock (moved by /__sandbox__/clock)
            "method": call.method,
            "host": call.host,
            "path": masked(call.path),
            "full_path": masked(call.request.path),
            "query_keys": sorted(query),
            "keys": sorted(k for k in call.params if k not in query),
            "params": {k: shown(k, v) for k, v in call.params.items()},
            "authorization": f"{scheme} {fingerprint(credential)}" if credential else None,
            "content_type": call.request.content_type if call.request.body_exists else None,
            "status": None,
            "injected": False,
        }
        self.requests.append(entry)
        return entry

    def _log(self, call: Call, status: int) -> None:
        if self.log is not None:
            self.log(f"{call.method} {self.emulator(call.host).shown_path(call.request.path)} {status}")

    def _fault(
        self, entry: dict[str, Any], method: str, host: str, path: str, full_path: str
    ) -> tuple[web.Response, bool, int | None, float] | None:
        for fault in self.faults:
            if fault.times > 0 and fault.matches(method, host, path, full_path):
                fault.times -= 1
                entry["injected"] = True
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                body = (
                    fault.body if fault.body is not None else {"error": f"Injected failure ({fault.status})"}
                )
                reply = json_reply(body, fault.status, headers)
                return reply, fault.after, fault.drop_after_bytes, fault.delay
        return None

    # Control endpoints ----------------------------------------------------------------------------

    async def control(self, request: web.Request, action: str) -> web.Response:
        """``GET /__sandbox__``: status. ``GET /__sandbox__/posts`` (filter: host): the posts each
        emulated server holds. ``GET|DELETE /__sandbox__/requests`` (filters: host, path,
        method). ``POST|GET|DELETE /__sandbox__/fail`` {path, status, times, retry_after, method,
        host, body, after, drop_after_bytes, delay} (``after``: the request is handled, then its
        answer replaced; ``drop_after_bytes``: the connection drops once that much of the body
        arrived; ``delay``: the answer is held back that many seconds).
        ``POST /__sandbox__/latency`` {seconds}. ``POST /__sandbox__/clock``
        {advance}. ``POST /__sandbox__/instance`` {host, kind?, version?, max_characters?, …}."""
        body: dict[str, Any] = {}
        if request.method == "POST" and request.can_read_body:
            try:
                loaded = await request.json()
            except ValueError:
                return json_reply({"error": "send a JSON object"}, 400)
            body = loaded if isinstance(loaded, dict) else {}
        key = (request.method, action.strip("/"))
        if key == ("GET", ""):
            hosts = {h: e.kind for h, e in self.hosts.items()}
            return json_reply({"latency": self.latency, "hosts": hosts, "emulators": list(registry.kinds())})
        if key == ("GET", "posts"):
            wanted_host = request.query.get("host")
            posts = [
                {"host": h, **asdict(p)}
                for h, e in self.hosts.items()
                if wanted_host in (None, h)
                for p in e.published()
            ]
            return json_reply({"posts": posts})
        if key == ("GET", "requests"):
            wanted = {k: request.query[k] for k in ("host", "path", "method") if k in request.query}
            found = [r for r in self.requests if all(str(r[k]) == v for k, v in wanted.items())]
            return json_reply({"requests": found})
        if key == ("DELETE", "requests"):
            self.requests.clear()
            return json_reply({})
        if key == ("POST", "fail"):
            try:
                fault = Fault(**{k: v for k, v in body.items() if k in Fault.__dataclass_fields__})
            except TypeError:
                return json_reply({"error": "a fault needs at least a path"}, 400)
            self.faults.append(fault)
            return json_reply(asdict(fault))
        if key == ("GET", "fail"):
            return json_reply({"faults": [asdict(f) for f in self.faults if f.times > 0]})
        if key == ("DELETE", "fail"):
            self.faults.clear()
            return json_reply({})
        if key == ("POST", "latency"):
            self.latency = float(body.get("seconds", 0.0))
            return json_reply({"latency": self.latency})
        if key == ("POST", "clock"):
            self.clock.offset += float(body.get("advance", 0.0))
            return json_reply({"offset": self.clock.offset})
        if key == ("POST", "instance"):
            return self._configure_instance(body)
        return json_reply({"error": f"unknown sandbox control {request.method} /{CONTROL}/{action}"}, 404)

    def _configure_instance(self, body: dict[str, Any]) -> web.Response:
        host = str(body.get("host") or "").lower()
        kind = body.get("kind")
        if not host or (kind is not None and kind not in registry.kinds()):
            return json_reply({"error": "give a host (and a known kind)"}, 400)
        emulator = self.emulator(host, kind)
        emulator.configure({k: v for k, v in body.items() if k not in ("host", "kind")})
        return json_reply({"host": host, "kind": emulator.kind, "settings": emulator.settings})


class Running:
    """A started sandbox: its base URL and how to stop it."""

    def __init__(self, sandbox: Sandbox, runner: web.AppRunner, url: str) -> None:
        self.sandbox = sandbox
        self.url = url
        self._runner = runner

    async def close(self) -> None:
        await self._runner.cleanup()


async def start(port: int = 0, latency: float = 0.0, log: Callable[[str], None] | None = None) -> Running:
    """Start the sandbox on 127.0.0.1:``port`` (0: a free port) inside the running event loop."""
    sandbox = Sandbox(latency, log)
    runner = web.AppRunner(sandbox.app(), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, BIND, port)
    await site.start()
    bound = runner.addresses[0][1]
    return Running(sandbox, runner, f"http://{BIND}:{bound}")
