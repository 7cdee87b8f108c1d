"""`linkdeck serve`'s access token never reaches its terminal output, its log or a refusal: requests
it cannot parse (headers too large, a duplicate Host, a request line too long, no HTTP at all) are
answered 400 and logged by kind, without the request line's query or the cookies."""

from __future__ import annotations

import re
import signal
import socket
from pathlib import Path

import pytest

from tests.support.cli import cli_env, start_cli

URL_LINE = re.compile(r"http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_-]{43})")


def _send(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def _requests(port: int, token: str) -> dict[str, str]:
    host = f"Host: 127.0.0.1:{port}\r\n"
    cookie = f"Cookie: linkdeck_token_{port}={token}\r\n"
    query = f"GET /?token={token} HTTP/1.1\r\n"
    return {
        "oversized header": f"{query}{host}{cookie}X-Big: {'a' * 20000}\r\n\r\n",
        "oversized cookie": f"{query}{host}Cookie: {'c' * 9000}; linkdeck_token_{port}={token}\r\n\r\n",
        "duplicate Host": f"{query}{host}Host: evil.example\r\n{cookie}\r\n",
        "request line too long": f"GET /?token={token}&{'b' * 10000} HTTP/1.1\r\n{host}{cookie}\r\n",
        "not HTTP": f"FETCH /?token={token} HTTP/1.1\r\n{host}{cookie}\r\n",
        "token in a header name": f"{query}{host}{cookie}X {token}: 1\r\n\r\n",
    }


def test_rejected_requests_never_show_the_token(tmp_path: Path) -> None:
    home = tmp_path / "home"
    proc = start_cli(cli_env(home), "serve", "--port", "0")
    answers: dict[str, bytes] = {}
    try:
        assert proc.stdout is not None
        match = URL_LINE.fullmatch(proc.stdout.readline().rstrip("\n"))
        assert match, "serve printed no URL line"
        port, token = int(match[1]), match[2]
        for name, request in _requests(port, token).items():
            answers[name] = _send(port, request.encode())
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    for name, answer in answers.items():
        assert answer.startswith(b"HTTP/1.0 400") or answer.startswith(b"HTTP/1.1 400"), (name, answer[:200])
        assert token.encode() not in answer, name
    assert token not in out + err, err
    assert "Traceback" not in err
    assert err.count("refused a malformed request from 127.0.0.1") == len(answers), err
    for path in home.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path


def test_the_log_filter_keeps_the_message_and_drops_the_request() -> None:
    import logging

    from tui.serve import _Scrubbed

    token = "t" * 43
    try:
        raise ValueError(f"GET /?token={token} HTTP/1.1 Cookie: linkdeck_token_8000={token}")
    except ValueError as exc:
        record = logging.LogRecord(
            "aiohttp.server",
            logging.ERROR,
            "",
            0,
            "from %s",
            ("1.2.3.4",),
            (type(exc), exc, exc.__traceback__),
        )
    assert _Scrubbed(token).filter(record)
    assert record.getMessage() == "from 1.2.3.4: ValueError" and record.exc_info is None
    other = logging.LogRecord("x", logging.INFO, "", 0, "cookie linkdeck_token_1=%s", (token,), None)
    _Scrubbed(token).filter(other)
    assert token not in other.getMessage()


pytestmark = pytest.mark.timeout(120)
