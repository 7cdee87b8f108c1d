"""A fuzz pass over the command line and the config file: whatever is typed or written, linkdeck
answers with a message and exit code 0, 1 or 2, never a traceback.

Bounded: a fixed number of examples with a fixed seed (``derandomize``), so a run takes the same
time and finds the same things every day. Commands that would keep running (the TUI, ``serve``,
``sandbox``, ``demo``, ``worker`` without ``--once``) and ``link`` (it waits for a browser) are left
to the corpus, which gives them inputs they refuse before starting.
"""

from __future__ import annotations

import io
import os
import traceback
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.cli import main

COMMANDS = ["networks", "accounts", "check", "post", "queue", "unlink", "doctor", "config"]
FLAGS = ["--json", "--to", "--caption", "--at", "--yes", "--account", "--once", "set-secret", "--", "-h"]
WORDS = [
    "mastodon",
    "MASTODON",
    "x",
    "bluesky",
    "foursquare",
    "nosuch",
    "mastodon:1",
    "mastodon:@a",
    ",",
    "",
    " ",
    "2026-12-01T09:00Z",
    "tomorrow",
    "9999-12-31T23:59-23:59",
    "/dev/null",
    "/",
    ".",
    "photo.jpg",
    "é" * 300,
    "\x1b[2J",
    "\x00",
    os.fsdecode(b"\xff\xfe"),
    "-",
    "--",
    "=",
]
argument = st.one_of(st.sampled_from(FLAGS), st.sampled_from(WORDS), st.text(max_size=40))
argv = st.tuples(st.sampled_from(COMMANDS), st.lists(argument, max_size=6)).map(lambda t: [t[0], *t[1]])

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _run(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> int:
    if args[0] == "worker":
        args.append("--once")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    try:
        code = main(args)
    except SystemExit as exc:  # argparse: usage errors (2) and --help (0)
        code = exc.code if isinstance(exc.code, int) else 2
    except BaseException:
        pytest.fail(f"linkdeck {args!r} raised instead of answering:\n{traceback.format_exc()}")
    capsys.readouterr()
    return code


@FUZZ
@given(args=argv)
def test_no_command_line_gets_a_traceback(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LINKDECK_ALLOW_PLAINTEXT_SECRETS", "1")
    assert _run(args, monkeypatch, capsys) in (0, 1, 2), args


TOML_VALUES = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
)
KEYS = ["theme", "client_id", "base_url", "auto_share", "port", "allow_plaintext", "release_past_due", "x"]
SECTIONS = ["", "[keyring]", "[outbox]", "[networks.mastodon]", "[networks.x]", "[networks]", "[staging]"]


def _toml_value(value: object) -> str:
    import json
    import math

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    return json.dumps(value)


config_files = st.lists(
    st.tuples(st.sampled_from(SECTIONS), st.sampled_from(KEYS), TOML_VALUES), max_size=5
).map(lambda rows: "\n".join(f"{section}\n{key} = {_toml_value(value)}" for section, key, value in rows))


@FUZZ
@given(
    text=st.one_of(config_files, st.text(max_size=200)),
    command=st.sampled_from(["networks", "accounts", "doctor", "queue"]),
)
def test_no_config_file_gets_a_traceback(
    text: str,
    command: str,
    linkdeck_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = linkdeck_home / "config" / "config.toml"
    config.parent.mkdir(exist_ok=True)
    config.write_text(text, encoding="utf-8", errors="surrogateescape")
    assert _run([command], monkeypatch, capsys) in (0, 1, 2), text
