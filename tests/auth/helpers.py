"""Helpers for the OAuth engine tests: raw HTTP to the loopback listener, accounts, epochs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from providers.store import Account, Store


def add_account(store: Store, remote_id: str = "alice", expires_at: datetime | None = None) -> Account:
    return store.upsert_account(
        "mastodon", remote_id, handle=f"@{remote_id}", instance="http://127.0.0.1", expires_at=expires_at
    )


def epoch(when: datetime) -> int:
    return int(when.astimezone(UTC).timestamp())


async def raw_request(port: int, data: bytes, *, read: bool = True, timeout: float = 5.0) -> bytes:
    """Send ``data`` as is to 127.0.0.1:port and return the whole answer (for attack tests)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        if not read:
            return b""
        async with asyncio.timeout(timeout):
            return await reader.read()
    finally:
        writer.close()


def get_request(target: str, port: int, *, host: str | None = None, method: str = "GET") -> bytes:
    host_header = host if host is not None else f"127.0.0.1:{port}"
    return f"{method} {target} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: test\r\n\r\n".encode()


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:80]
    return int(answer.split(b" ", 2)[1])


async def connection_refused(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except ConnectionRefusedError:
        return True
    writer.close()
    return False
