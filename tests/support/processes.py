"""Processes a test starts: ``linkdeck sandbox`` in its own process, stopping a server, waiting for
something to happen, and the pid of a process that has ended."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx2

from tests.support.cli import CLI, ROOT


class SandboxProcess:
    """``linkdeck sandbox --port 0`` in a subprocess (for tests that run the CLI or workers as
    subprocesses too); its request record and failure injection over HTTP. The in-process sandbox
    is the ``sandbox`` fixture in tests/conftest.py."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [*CLI, "sandbox", "--port", "0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", self.url), self.url
        self._ended: tuple[str, str] | None = None

    def control(self, method: str, action: str, **body: Any) -> Any:
        response = httpx2.request(method, f"{self.url}/__sandbox__/{action}", json=body or None, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def requests(self, path: str | None = None, method: str | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in (("path", path), ("method", method)) if v}
        found: list[dict[str, Any]] = httpx2.get(
            f"{self.url}/__sandbox__/requests", params=params, timeout=10
        ).json()["requests"]
        return found

    def fail(self, path: str, status: int, times: int = 1, retry_after: float | None = None) -> None:
        self.control("POST", "fail", path=path, status=status, times=times, retry_after=retry_after)

    def latency(self, seconds: float) -> None:
        self.control("POST", "latency", seconds=seconds)

    def configure(self, host: str, **values: Any) -> None:
        self.control("POST", "instance", host=host, **values)

    def stop(self) -> tuple[str, str]:
        """SIGTERM it (the first call only) and wait; what it wrote after its URL: (stdout, stderr)."""
        if self._ended is None:
            self.process.terminate()
            self._ended = self.process.communicate(timeout=10)
        return self._ended


def stop(process: subprocess.Popen[Any], timeout: float = 15) -> None:
    """End a server started by a test: SIGTERM, then SIGKILL after ``timeout`` s; close its stdout."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()


def wait_until(condition: Callable[[], bool], timeout: float = 30.0, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for a condition")
        time.sleep(interval)


def ended_pid() -> int:
    """The pid of a child process that has already exited (a dead claim owner)."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import os; print(os.getpid())"], stdout=subprocess.PIPE, text=True
    )
    return int(child.communicate()[0])
