"""The loopback listener on its own: what it binds, what it refuses, what the browser sees.

Every refusal is followed by the real callback, to show the refusal did not end the flow.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import time
from collections.abc import AsyncIterator

import pytest

from providers.auth import loopback
from providers.auth.loopback import MAX_CONNECTIONS, MAX_HEAD_BYTES, LoopbackListener
from providers.errors import AuthorizationRefused, LinkCancelled, LinkError
from tests.auth.helpers import connection_refused, get_request, raw_request, status_of
from tests.support.ports import free_port

STATE = "expected-state-0123456789abcdefghijklmnopqrstu"
CODE = "the-real-code-4b1d"
NET = "Test network"


@pytest.fixture
async def listener() -> AsyncIterator[LoopbackListener]:
    running = LoopbackListener(expected_state=STATE, network_name=NET)
    await running.start()
    try:
        yield running
    finally:
        running.close()


def good(port: int) -> bytes:
    return get_request(f"/callback?code={CODE}&state={STATE}", port)


async def finish(listener: LoopbackListener) -> None:
    """The real callback still works, and afterwards the port is closed."""
    answer = await raw_request(listener.port, good(listener.port))
    assert status_of(answer) == 200
    assert "Linked — you can close this tab and return to the terminal".encode() in answer
    assert await asyncio.wait_for(listener.wait(), 5) == CODE
    assert await connection_refused(listener.port)
    assert not listener.is_open


async def test_binds_the_ipv4_loopback_address_only(listener: LoopbackListener) -> None:
    assert listener.address == ("127.0.0.1", listener.port)
    assert listener.port > 0
    # Nothing answers on the machine's other addresses or on IPv6 loopback.
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s6:
        s6.settimeout(1)
        with pytest.raises(OSError) as failed:
            s6.connect(("::1", listener.port))
    # Refused (nothing listens there) or no IPv6 on this machine at all; a timeout would mean
    # something accepted the connection and is keeping it waiting, which is not "nothing answers".
    assert failed.value.errno in {errno.ECONNREFUSED, errno.EADDRNOTAVAIL, errno.ENETUNREACH}, failed.value
    await finish(listener)


async def test_fixed_port_in_use_names_the_port() -> None:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    try:
        busy = LoopbackListener(port=port, expected_state=STATE, network_name="X")
        with pytest.raises(LinkError) as info:
            await busy.start()
        assert f"port {port}" in str(info.value) and "another program holds it" in str(info.value)
        assert str(info.value).startswith("X:")
    finally:
        holder.close()


async def test_fixed_free_port_is_used() -> None:
    port = free_port()  # a fixed port: the listener binds it itself
    fixed = LoopbackListener(port=port, path="/x/cb", expected_state=STATE, network_name=NET)
    assert await fixed.start() == port
    answer = await raw_request(port, get_request(f"/x/cb?code={CODE}&state={STATE}", port))
    assert status_of(answer) == 200 and await fixed.wait() == CODE


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (lambda p: get_request(f"/elsewhere?code={CODE}&state={STATE}", p), 404),
        (lambda p: get_request(f"/callback/?code={CODE}&state={STATE}", p), 404),
        (lambda p: get_request("/favicon.ico", p), 404),
        (lambda p: get_request(f"/callback?code={CODE}&state={STATE}", p, host="evil.example"), 400),
        (lambda p: get_request(f"/callback?code={CODE}&state={STATE}", p, host=f"evil.example:{p}"), 400),
        (lambda p: get_request(f"/callback?code={CODE}&state={STATE}", p, host="127.0.0.1"), 400),
        (lambda p: get_request(f"/callback?code={CODE}&state={STATE}", p, host=f"127.0.0.1:{p + 1}"), 400),
        (lambda p: f"GET /callback?code=c&state={STATE} HTTP/1.1\r\n\r\n".encode(), 400),  # no Host
        (
            lambda p: (
                f"GET /callback?code={CODE}&state={STATE} HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n"
                f"Host: evil.example\r\n\r\n"
            ).encode(),
            400,
        ),
        (lambda p: get_request(f"/callback?code={CODE}", p), 400),  # missing state
        (lambda p: get_request(f"/callback?code={CODE}&state=forged", p), 400),
        (lambda p: get_request(f"/callback?code={CODE}&state={STATE}x", p), 400),
        (lambda p: get_request(f"/callback?code={CODE}&state={STATE}&state=forged", p), 400),
        (lambda p: get_request("/callback?error=access_denied&state=forged", p), 400),
        (lambda p: get_request("/callback?error=access_denied", p), 400),
        (lambda p: get_request(f"/callback?code={CODE}&state={STATE}", p, method="POST"), 405),
        (lambda p: get_request(f"/callback?code={CODE}&state={STATE}", p, method="HEAD"), 405),
        (lambda p: b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03junk tls hello\r\n\r\n", 400),
        (lambda p: b"GET /callback HTTP/1.1\nHost: x\n\n\r\n\r\n", 400),  # bare LF
        (lambda p: f"GET http://127.0.0.1:{p}/callback HTTP/1.1\r\n\r\n".encode(), 400),
        (lambda p: f"GET /callback HTTP/2.0\r\nHost: 127.0.0.1:{p}\r\n\r\n".encode(), 400),
        (
            lambda p: (
                f"GET /callback?code={CODE}&state={STATE} HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n"
                "Content-Length: 5\r\n\r\nhello"
            ).encode(),
            400,
        ),
        (lambda p: f"GET /callback HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nbad header\r\n\r\n".encode(), 400),
    ],
    ids=[
        "wrong-path",
        "trailing-slash",
        "favicon",
        "host-evil",
        "host-evil-with-port",
        "host-without-port",
        "host-other-port",
        "no-host",
        "two-hosts",
        "missing-state",
        "forged-state",
        "longer-state",
        "repeated-state",
        "error-with-forged-state",
        "error-without-state",
        "post",
        "head",
        "tls-junk",
        "bare-lf",
        "absolute-form",
        "http2",
        "with-body",
        "malformed-header",
    ],
)
async def test_refused_then_the_real_callback_still_completes(
    listener: LoopbackListener, request_bytes: object, status: int
) -> None:
    make = request_bytes
    assert callable(make)
    answer = await raw_request(listener.port, make(listener.port))
    assert status_of(answer) == status
    assert CODE.encode() not in answer.split(b"\r\n\r\n", 1)[1]
    assert listener.is_open
    await finish(listener)


async def test_localhost_host_header_is_accepted(listener: LoopbackListener) -> None:
    request = get_request(
        f"/callback?code={CODE}&state={STATE}", listener.port, host=f"LocalHost:{listener.port}"
    )
    assert status_of(await raw_request(listener.port, request)) == 200
    assert await listener.wait() == CODE


async def test_oversized_head_is_refused(listener: LoopbackListener) -> None:
    big = (
        f"GET /callback?code={CODE}&state={STATE} HTTP/1.1\r\nHost: 127.0.0.1:{listener.port}\r\n"
        f"X-Fill: {'a' * (MAX_HEAD_BYTES * 2)}\r\n\r\n"
    ).encode()
    answer = await raw_request(listener.port, big)
    assert status_of(answer) == 400
    await finish(listener)


async def test_a_silent_connection_does_not_block_the_real_callback(listener: LoopbackListener) -> None:
    _, idle = await asyncio.open_connection("127.0.0.1", listener.port)
    _, half = await asyncio.open_connection("127.0.0.1", listener.port)
    half.write(b"GET /callback?co")
    try:
        await finish(listener)
    finally:
        idle.close()
        half.close()


async def test_idle_connections_up_to_the_cap_and_beyond_do_not_lock_out_the_callback(
    listener: LoopbackListener, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Idle sockets must never wait out a deadline before the callback gets in: make the deadline
    # far longer than the test may take, so only making room can let the callback through.
    monkeypatch.setattr(loopback, "READ_TIMEOUT", 3600.0)
    idle = [await asyncio.open_connection("127.0.0.1", listener.port) for _ in range(MAX_CONNECTIONS + 4)]
    try:
        # A wait on the listener's own task accepting them (up to its cap): polled, with a deadline.
        deadline = time.monotonic() + 10
        while len(listener._connections) < MAX_CONNECTIONS:
            assert time.monotonic() < deadline, "the listener never took the idle connections"
            await asyncio.sleep(0.01)
        await finish(listener)
        # The oldest idle connections were closed to make room; the newest are still open until the
        # listener closes them with the flow.
        closed = [await reader.read() == b"" for reader, _ in idle]
        assert all(closed)
    finally:
        for _, writer in idle:
            writer.close()


async def test_access_denied_with_our_state_ends_the_flow(listener: LoopbackListener) -> None:
    request = get_request(f"/callback?error=access_denied&state={STATE}", listener.port)
    answer = await raw_request(listener.port, request)
    assert status_of(answer) == 200
    assert b"you declined access" in answer and b"Not linked" in answer
    with pytest.raises(AuthorizationRefused, match=f"^{NET}: you declined access"):
        await listener.wait()
    assert await connection_refused(listener.port)


async def test_the_page_is_self_contained_and_keeps_the_code_out_of_referers(
    listener: LoopbackListener,
) -> None:
    answer = await raw_request(listener.port, good(listener.port))
    head, body = answer.split(b"\r\n\r\n", 1)
    assert b"Referrer-Policy: no-referrer" in head and b"Cache-Control: no-store" in head
    assert b"Content-Security-Policy: default-src 'none'" in head
    for external in (b"http", b"src=", b"<script", b"@import", b"<link"):
        assert external not in body
    assert CODE.encode() not in body and STATE.encode() not in body


async def test_close_before_an_answer_cancels_wait() -> None:
    listening = LoopbackListener(expected_state=STATE, network_name=NET)
    port = await listening.start()
    waiting = asyncio.ensure_future(listening.wait())
    await asyncio.sleep(0)
    listening.close()
    with pytest.raises(LinkCancelled):
        await waiting
    assert await connection_refused(port)


def test_constructor_rejects_bad_setup() -> None:
    with pytest.raises(ValueError):
        LoopbackListener(path="callback", expected_state=STATE, network_name=NET)
    with pytest.raises(ValueError):
        LoopbackListener(network_name=NET)
    with pytest.raises(ValueError):
        LoopbackListener(port=70000, expected_state=STATE, network_name=NET)
