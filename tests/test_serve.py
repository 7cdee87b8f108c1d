"""`linkdeck serve` refuses everyone who lacks the token, the right Host or the right Origin."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from providers.errors import UsageError
from tests.support.cli import ROOT
from tests.support.ports import bound_socket, free_port
from tui.serve import LinkdeckServer, create_app, serve

TOKEN = "test-token-" + "x" * 32
# Stands in for the app: says hello the way Textual does, then exits on the first byte textual-serve
# sends (its "quit" packet when the socket closes), so sessions start and end in milliseconds.
STUB_APP = shlex.join(
    [sys.executable, "-c", "import sys; print('__GANGLION__', flush=True); sys.stdin.buffer.read(1)"]
)
URL_LINE = re.compile(r"http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_-]{43})")


@dataclass
class Served:
    base: str
    port: int

    @property
    def origin(self) -> str:
        return self.base

    def client(self) -> aiohttp.ClientSession:
        # The default jar drops cookies set by IP-address hosts.
        return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


@dataclass
class Running:
    http: TestServer
    linkdeck: LinkdeckServer
    served: Served

    async def close(self) -> None:
        # textual-serve never waits for its app processes to exit: let them finish and be reaped
        # before the loop closes, or asyncio warns about subprocess transports outliving it. A
        # wait for other processes, so it polls (bounded: 200 turns of 20 ms).
        for _ in range(200):
            if self.linkdeck.sessions == 0 and not _children():
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.05)
        await self.http.close()


def _children() -> list[str]:
    """Child processes of this test process (any thread's), read from /proc."""
    tasks = Path("/proc/self/task")
    if not tasks.exists():
        return []
    found: list[str] = []
    for task in tasks.iterdir():
        try:
            found += (task / "children").read_text().split()
        except FileNotFoundError:  # the thread ended while we looked: it has no children now
            continue
    return found


async def start(max_sessions: int = 4, command: str = STUB_APP) -> Running:
    sock = bound_socket()  # held from here on: the server is told its port and serves on this socket
    port = sock.getsockname()[1]
    linkdeck = LinkdeckServer(command, port=port, token=TOKEN, max_sessions=max_sessions)
    http = TestServer(await linkdeck.make_app(), host="127.0.0.1", port=port, socket_factory=lambda *_: sock)
    await http.start_server()
    return Running(http, linkdeck, Served(f"http://127.0.0.1:{port}", port))


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    running = await start()
    yield running.served
    await running.close()


async def status(session: aiohttp.ClientSession, url: str, **kw: object) -> int:
    async with session.get(url, allow_redirects=False, **kw) as resp:  # type: ignore[arg-type]
        return resp.status


async def login(session: aiohttp.ClientSession, s: Served) -> None:
    assert await status(session, f"{s.base}/?token={TOKEN}") == 200


async def ws_status(session: aiohttp.ClientSession, s: Served, **headers: str) -> int:
    """101 if the websocket upgraded, else the HTTP status it was refused with."""
    try:
        ws = await session.ws_connect(f"{s.base}/ws?width=80&height=24", headers=headers)
    except aiohttp.WSServerHandshakeError as exc:
        return exc.status
    await ws.close()
    return 101


async def test_everything_is_403_without_the_token(served: Served) -> None:
    async with served.client() as http:
        assert await status(http, f"{served.base}/") == 403
        assert await status(http, f"{served.base}/static/js/textual.js") == 403
        assert await status(http, f"{served.base}/static/") == 403
        assert await status(http, f"{served.base}/download/some-key") == 403
        assert await status(http, f"{served.base}/?token=wrong") == 403
        assert await status(http, f"{served.base}/?token=%C3%A9") == 403  # non-ASCII must not crash
        assert await ws_status(http, served, Origin=served.origin) == 403


async def test_the_token_sets_a_strict_httponly_cookie(served: Served) -> None:
    async with served.client() as http:
        async with http.get(f"{served.base}/?token={TOKEN}") as resp:
            assert resp.status == 200
            assert "textual.js" in await resp.text()
            cookie = resp.cookies[f"linkdeck_token_{served.port}"]
            assert cookie.value == TOKEN
            assert cookie["httponly"]
            assert cookie["samesite"] == "Strict"
            assert resp.headers["Referrer-Policy"] == "no-referrer"
            assert resp.headers["Cache-Control"] == "no-store"
        # The cookie alone now opens every route.
        assert await status(http, f"{served.base}/") == 200
        assert await status(http, f"{served.base}/static/js/textual.js") == 200
        assert await status(http, f"{served.base}/download/no-such-key") == 404


async def test_websocket_needs_cookie_and_our_origin(served: Served) -> None:
    async with served.client() as http:
        await login(http, served)
        assert await ws_status(http, served, Origin=served.origin) == 101
        assert await ws_status(http, served, Origin="https://evil.example") == 403
        assert await ws_status(http, served, Origin="null") == 403
        assert await ws_status(http, served) == 403  # no Origin at all


async def test_a_foreign_host_header_is_refused_everywhere(served: Served) -> None:
    # DNS rebinding: attacker.example resolves to 127.0.0.1, so the browser sends its name as Host.
    evil = {"Host": f"attacker.example:{served.port}"}
    async with served.client() as http:
        assert await status(http, f"{served.base}/?token={TOKEN}", headers=evil) == 403
        await login(http, served)
        assert await status(http, f"{served.base}/", headers=evil) == 403
        assert await status(http, f"{served.base}/static/js/textual.js", headers=evil) == 403
        assert await status(http, f"{served.base}/oauth/callback", headers=evil) == 403
        assert await ws_status(http, served, Origin=served.origin, **evil) == 403
        wrong_port = {"Host": f"127.0.0.1:{served.port + 1}"}
        assert await status(http, f"{served.base}/", headers=wrong_port) == 403
        # The loopback aliases of our own address are fine.
        localhost = {"Host": f"localhost:{served.port}"}
        assert await status(http, f"{served.base}/?token={TOKEN}", headers=localhost) == 200


async def test_oauth_callback_is_relayed_only_for_a_registered_state(served: Served) -> None:
    from providers.auth import relay

    relay.register("state-of-a-running-flow")
    # No token and no cookie: the network's redirect never carries our SameSite=Strict cookie.
    async with served.client() as http:
        async with http.get(f"{served.base}/oauth/callback?code=c1&state=forged") as resp:
            assert resp.status == 400
            assert "No link is waiting" in await resp.text()
        url = f"{served.base}/oauth/callback?code=c1&state=state-of-a-running-flow"
        async with http.get(url) as resp:
            assert resp.status == 200
            assert "Go back to your linkdeck tab" in await resp.text()
        async with http.get(url) as resp:  # one callback per flow
            assert resp.status == 400
    relayed = await relay.wait("state-of-a-running-flow", interval=0.01)
    assert relayed == "/oauth/callback?code=c1&state=state-of-a-running-flow"


async def test_sessions_are_capped() -> None:
    running = await start(max_sessions=2)
    s = running.served
    try:
        async with s.client() as http:
            await login(http, s)
            url = f"{s.base}/ws?width=80&height=24"
            open_sockets = [await http.ws_connect(url, headers={"Origin": s.origin}) for _ in range(2)]
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(url, headers={"Origin": s.origin})
            assert refused.value.status == 503
            # Closing one frees its place (once the server has noticed).
            await open_sockets.pop().close()
            for _ in range(100):
                if await ws_status(http, s, Origin=s.origin) == 101:
                    break
                await asyncio.sleep(0.05)
            else:
                pytest.fail("a freed session slot was never reused")
            for ws in open_sockets:
                await ws.close()
    finally:
        await running.close()


async def test_a_crashed_app_closes_its_socket_and_frees_its_slot() -> None:
    running = await start(max_sessions=1, command=shlex.join([sys.executable, "-c", "raise SystemExit(3)"]))
    s = running.served
    try:
        async with s.client() as http:
            await login(http, s)
            for _ in range(2):  # the second only gets in if the first freed the single slot
                ws = await http.ws_connect(f"{s.base}/ws", headers={"Origin": s.origin})
                message = await asyncio.wait_for(ws.receive(), timeout=20)
                assert message.type is aiohttp.WSMsgType.CLOSE
                assert message.extra == "the app exited"
                await ws.close()
                for _ in range(100):
                    if running.linkdeck.sessions == 0:
                        break
                    await asyncio.sleep(0.05)
    finally:
        await running.close()


@pytest.mark.parametrize("host", ["192.0.2.10", "example.org", "10.1.2.3"])
def test_non_loopback_needs_allow_remote(host: str) -> None:
    with pytest.raises(UsageError, match="not a loopback") as exc:
        LinkdeckServer(host=host)
    assert "--allow-remote" in str(exc.value)
    with pytest.raises(UsageError):
        serve(host, 0)  # refused before binding anything
    LinkdeckServer(host=host, allow_remote=True)  # builds; nothing is bound until serve()


def test_wildcard_and_bad_cap_are_refused() -> None:
    with pytest.raises(UsageError, match="wildcard"):
        LinkdeckServer(host="0.0.0.0", allow_remote=True)
    with pytest.raises(UsageError, match="max-sessions"):
        LinkdeckServer(max_sessions=0)
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        LinkdeckServer(host=host)  # loopback needs no flag


def test_ipv6_loopback_urls_are_bracketed() -> None:
    server = LinkdeckServer(host="::1", port=8123, token="t")
    assert server.url == "http://[::1]:8123/?token=t"
    assert "[::1]:8123" in server.allowed_hosts


def _alive(pid: str) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_serve_prints_one_url_line_and_ends_its_apps_on_sigterm(tmp_path: Path) -> None:
    code = f"from tui.serve import serve; serve(port=0, command={STUB_APP!r})"
    env = {**os.environ, "LINKDECK_HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().decode()
        match = URL_LINE.fullmatch(line.rstrip("\n"))
        assert match, f"unexpected first line {line!r}"
        assert line.endswith("\n")
        base = f"http://127.0.0.1:{match[1]}"

        async def session_then_sigterm() -> list[str]:
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
                assert await status(http, line.strip()) == 200
                assert await status(http, f"{base}/") == 200  # via the cookie
                ws = await http.ws_connect(f"{base}/ws", headers={"Origin": base})
                # Waits for another process to start, so a deadline rather than the test clock;
                # generous, because a busy machine can take seconds to start an interpreter.
                deadline = time.monotonic() + 30
                while not (apps := children.read_text().split()) and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                proc.send_signal(signal.SIGTERM)
                message = await asyncio.wait_for(ws.receive(), timeout=20)
                assert message.type is aiohttp.WSMsgType.CLOSE  # the page says "Session ended"
                return apps

        apps = asyncio.run(session_then_sigterm())
        assert apps, "the websocket started no app process"
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert out == b"", f"stdout must hold only the URL line; also got {out!r}"
    assert proc.returncode == 0, err.decode()
    # Stock textual-serve leaves its app processes running after the server stops.
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in apps) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in apps)


async def test_create_app_guards_every_route() -> None:
    app = await create_app(port=free_port(), token=TOKEN, command=STUB_APP)
    paths = {r.canonical for r in app.router.resources()}
    assert paths == {"/", "/ws", "/download/{key}", "/static", "/oauth/callback", "/upload/{capability}"}
    assert len(app.middlewares) == 1
