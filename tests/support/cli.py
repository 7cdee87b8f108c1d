"""``linkdeck`` as a user or a script runs it: each command a subprocess.

Two ways in, kept apart on purpose:

- :data:`CLI` / :func:`run_cli`: ``tui.cli.main()`` run from the checkout (cwd ``ROOT``) with an
  environment the test builds (:func:`cli_env`: its own LINKDECK_HOME, the plaintext opt-in, no
  SSH_* or LINKDECK_SANDBOX* variables of the machine).
- :func:`run_cli_at`: the same with the subprocess's clock moved or frozen (libfaketime).
- :func:`run_module_cli`: ``python -m tui.cli`` (the module's ``__main__`` entry) with this test
  process's own environment (LINKDECK_HOME is the test's, from tests/conftest.py) plus extras.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.required import missing

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())"]


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment for ``linkdeck`` subprocesses: LINKDECK_HOME=``home``, the plaintext opt-in
    (a real Secret Service is still preferred), unbuffered output, no SSH_* or LINKDECK_SANDBOX*."""
    values = {k: v for k, v in os.environ.items() if not k.startswith(("SSH_", "LINKDECK_SANDBOX"))}
    values |= {"LINKDECK_HOME": str(home), "LINKDECK_ALLOW_PLAINTEXT_SECRETS": "1", "PYTHONUNBUFFERED": "1"}
    return values | extra


def run_cli(
    env: dict[str, str], *args: str, stdin: str = "", timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``linkdeck ARGS`` to completion, ``stdin`` as its whole input; output captured as text."""
    return subprocess.run(
        [*CLI, *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=timeout
    )


def run_cli_at(
    env: dict[str, str], when: str, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """:func:`run_cli` with the subprocess's machine clock set by libfaketime (``make system-deps``
    installs it): ``when`` is faketime's spec, e.g. ``"+2h"`` (ahead, running on) or
    ``"2026-11-25 12:00:00"`` (frozen there). What the frozen engine clock is to this process, for
    a ``linkdeck`` subprocess, which reads the machine's time: no test sleeps for a time to pass."""
    faketime = shutil.which("faketime")
    if faketime is None:
        missing("faketime is missing: `make system-deps` installs Debian's faketime package")
    clean = {k: v for k, v in env.items() if k != "FAKETIME"}  # an outer faketime's would win
    return subprocess.run(
        [faketime, "-f", when, *CLI, *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_cli(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """``linkdeck ARGS`` started with pipes for stdin, stdout and stderr (text), for a test that
    answers it line by line (a pasted address, a chosen target)."""
    return subprocess.Popen(
        [*CLI, *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_module_cli(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m tui.cli ARGS`` in this process's environment with ``env`` on top, ``stdin`` as its
    whole input; output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


popen_cli = start_cli  # the name the Tumblr tests use
