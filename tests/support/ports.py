"""Ports from the OS.

Prefer :func:`bound_socket` (the socket stays bound, so nothing can take the port in between) or
port 0 handed to the code under test. For an address that must refuse connections, the
``refused_port`` fixture (tests/conftest.py, :func:`refusing`): a port bound and held, never
listened on, rather than assuming some fixed port (9, "discard") is closed on this machine.
:func:`free_port` binds port 0, reads the number and closes the socket: another process could
take the port before it is used, so it is only for a number the code under test binds itself and
must know in advance (a loopback redirect port registered with a network, written in settings or
config.toml).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager


def free_port() -> int:
    """A port the OS just reported free on 127.0.0.1 (closed again: see the module's note)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def bound_socket() -> socket.socket:
    """A TCP socket bound to 127.0.0.1 on a port the OS picked, still held; the caller serves on it
    (or closes it)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def refusing() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses every connection for the block: bound (so no other process
    can take it) and never listening, so the kernel answers a connect with a reset at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])
