"""``linkdeck sandbox`` in its own process for a benchmark, in a throw-away LINKDECK_HOME: the
environment to give the processes that use it, and the sandbox's URL (bench/fanout.py,
bench/x_video.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def sandbox_in(home: str) -> Iterator[tuple[dict[str, str], str]]:
    """(environment with LINKDECK_HOME=``home`` and the plaintext opt-in, sandbox URL)."""
    env = {**os.environ, "LINKDECK_HOME": home, "LINKDECK_ALLOW_PLAINTEXT_SECRETS": "1"}
    env.pop("LINKDECK_SANDBOX_URL", None)
    sandbox = subprocess.Popen(
        [sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())", "sandbox"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert sandbox.stdout is not None
        yield env, sandbox.stdout.readline().strip()
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
