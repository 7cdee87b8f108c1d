"""The bad-input corpus: what a careless script or an attacker types, each case with the exit code
and the message it must get. Never a traceback, never an exit code other than 0, 1 or 2, and
nothing recorded or sent when the input is refused.

Each case runs ``tui.cli.main`` in this process (a fresh LINKDECK_HOME per test, the plaintext
opt-in so no keyring prompt can block), with stdin closed: a command that would wait for input
gets end-of-file. Arguments that are not valid UTF-8 arrive the way Python hands them to a
program (``os.fsdecode``: lone surrogates), as they would from a shell.
"""

from __future__ import annotations

import io
import os
import sqlite3
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from providers.secrets.keys import new_key
from providers.store import Store
from tui.cli import main

NOT_UTF8 = os.fsdecode(b"caption \xff\xfe broken")
ESCAPE = "\x1b]52;c;ZXZpbA==\x07\x1b[2J"  # an OSC 52 clipboard write and a screen clear


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    code: int
    says: tuple[str, ...] = ()  # fragments the message must contain (case-insensitive)
    setup: str = ""  # a named preparation (see PREPARE)
    stdin: str = ""
    never: tuple[str, ...] = field(default=())  # fragments that must not appear

    @property
    def id(self) -> str:
        shown = " ".join(a if a.isprintable() else repr(a) for a in self.args) or "(no arguments)"
        return f"{self.setup + ': ' if self.setup else ''}{shown}"[:90]


def case(*args: str, code: int = 2, says: tuple[str, ...] | str = (), **kw: str) -> Case:
    """One input: the arguments (none: ``linkdeck`` alone), its exit code and what it must say."""
    return Case(tuple(args), code, (says,) if isinstance(says, str) else says, **kw)  # type: ignore[arg-type]


# The corpus ----------------------------------------------------------------------------------------

AT_BAD = [
    ("", "--at"),
    ("   ", "--at"),
    ("\t", "--at"),
    ("now", "ISO-8601"),
    ("tomorrow at nine", "ISO-8601"),  # "tomorrow 09:00" is a time (providers/outbox/timing.py)
    ("25:00", "ISO-8601"),
    ("2026-13-01T09:00+00:00", "ISO-8601"),
    ("2026-02-30T09:00+00:00", "ISO-8601"),
    ("2026-12-01T25:00+00:00", "ISO-8601"),
    ("2026-12-01T09:00", "offset"),
    ("2026-12-01", "offset"),
    ("2020-01-01T00:00Z", "past"),
    ("0001-01-01T00:00+00:00", "past"),
    ("0001-01-01T00:00+23:59", "--at"),
    ("9999-12-31T23:59-23:59", "--at"),
    ("10000-01-01T00:00Z", "ISO-8601"),
    ("-2026-12-01T09:00Z", "--at"),  # argparse reads it as an option: "expected one argument"
    ("2026-12-01T09:00+25:00", "ISO-8601"),
    ("2026-12-01T09:00+00:00\x00", "control characters"),
    ("1e9", "ISO-8601"),
    ("2026-12-01T09:00:00.0000000001+00:00", "past"),
]

TO_BAD = [
    ("", "names no network"),
    (",", "names no network"),
    (" , ,", "names no network"),
    ("nosuch", "unknown network"),
    ("mastodon,nosuch", "unknown network"),
    ("MASTODON", "no Mastodon account is linked"),
    (" Mastodon ", "no Mastodon account is linked"),
    ("mastodon:", "no Mastodon account is linked"),
    ("mastodon:@nobody", "no Mastodon account is linked"),
    ("foursquare", "Foursquare"),
    ("ayrshare", "Ayrshare"),
    ("../etc/passwd", "unknown network"),
    ("mastodon;rm -rf /", "unknown network"),
    ("\u200bmastodon", "unknown network"),
    (NOT_UTF8, "UTF-8"),
]

CORPUS: list[Case] = [
    # argparse itself: usage errors, exit 2
    case("--bogus", says="unrecognized arguments"),
    case("nosuchcommand", says="invalid choice"),
    case("post", says="--to"),
    case("post", "--caption", "hi", says="--to"),
    case("link", says="NETWORK"),
    case("unlink", says="NETWORK"),
    case("config", says="SUBCOMMAND"),
    case("config", "nosuch", says="invalid choice"),
    case("config", "set-secret", says="NETWORK"),
    case("serve", "--port", "abc", says="invalid int"),
    case("serve", "--port", "", says="invalid int"),
    case("serve", "--max-sessions", "many", says="invalid int"),
    case("sandbox", "--latency", "slow", says="invalid float"),
    case("sandbox", "--port", "1.5", says="invalid int"),
    case("networks", "--json", "extra", says="unrecognized arguments"),
    case("queue", "--all", says="unrecognized arguments"),
    case("worker", "--twice", says="unrecognized arguments"),
    case("check", "--to", says="expected one argument"),
    case("post", "--to", "mastodon", "--at", says="expected one argument"),
    # post --at
    *[case("post", "--to", "mastodon", "--caption", "hi", "--at", at, says=why) for at, why in AT_BAD],
    *[
        case("post", "--to", "mastodon", "--caption", "hi", "--at", at, says=why, setup="mastodon")
        for at, why in AT_BAD
    ],
    # post --to
    *[case("post", "--to", to, "--caption", "hi", says=why) for to, why in TO_BAD],
    case("post", "--to", "mastodon:@nobody", "--caption", "hi", says="matches", setup="mastodon"),
    case("post", "--to", "mastodon:99", "--caption", "hi", says="matches", setup="mastodon"),
    # post: what to post
    case("post", "--to", "mastodon", says="nothing to post", setup="mastodon"),
    case("post", "--to", "mastodon", "--caption", "", says="nothing to post", setup="mastodon"),
    case("post", "--to", "mastodon", "--caption", "  \n\t ", says="nothing to post", setup="mastodon"),
    case("post", "--to", "mastodon", "--caption", NOT_UTF8, says="UTF-8", setup="mastodon"),
    case("post", "/no/such/file.jpg", "--to", "mastodon", says="file.jpg: no such file", setup="mastodon"),
    case("post", "{dir}", "--to", "mastodon", says="folder", setup="mastodon+files"),
    case("post", "{fifo}", "--to", "mastodon", says="FIFO", setup="mastodon+files"),
    case("post", "/dev/zero", "--to", "mastodon", says="character device", setup="mastodon"),
    case("post", "/dev/null", "--to", "mastodon", says="character device", setup="mastodon"),
    case("post", "{empty}", "--to", "mastodon", says="empty", setup="mastodon+files"),
    case("post", "{text}", "--to", "mastodon", says="not", setup="mastodon+files"),
    case("post", "{truncated}", "--to", "mastodon", says="truncated.jpg", setup="mastodon+files"),
    case("post", "{bad_alt}", "--to", "mastodon", says="alt text", setup="mastodon+files"),
    case("post", "{nul_alt}", "--to", "mastodon", says="alt text", setup="mastodon+files"),
    case("post", "{long_alt}", "--to", "mastodon", code=1, says="alt text", setup="mastodon+files"),
    case("post", "--to", "mastodon", "--caption", "x" * 600, code=1, says="Mastodon", setup="mastodon"),
    # check
    case("check", says="needs a FILE"),
    case("check", "--to", "nosuch", "--caption", "hi", says="unknown network"),
    case("check", "--to", "", "--caption", "hi", says="names no network"),
    case("check", "--to", ",,", "--caption", "hi", says="names no network"),
    case("check", "--to", "MASTODON", "--caption", "hi", code=0),
    case("check", "--to", " Mastodon ,BLUESKY", "--caption", "hi", code=0),
    case("check", "--to", "x", "--caption", "é" * 281, code=1, says=("X", "280")),
    case("check", "--to", "x", "--caption", "é" * 280, code=0),
    case("check", "--to", "bluesky", "--caption", "a" * 301, code=1, says="Bluesky"),
    case("check", "--to", "bluesky", "--caption", "a" * 300, code=0),
    case("check", "--to", "mastodon", "--caption", NOT_UTF8, says="UTF-8"),
    case("check", "/no/such/file.jpg", says="file.jpg: no such file"),
    case("check", "/dev/zero", says="zero: is a character device"),
    case("check", "/dev/null", says="null: is a character device"),
    case("check", "/", says="folder"),
    case("check", "{dir}", says="folder", setup="files"),
    case("check", "{fifo}", says="FIFO", setup="files"),
    case("check", "{empty}", says="empty", setup="files"),
    case("check", "{text}", says="text.jpg", setup="files"),
    case("check", "{truncated}", says="truncated.jpg", setup="files"),
    case("check", "{photo}", "{photo}", "--to", "nosuch", says="unknown network", setup="files"),
    case("check", "--to", "mastodon", "{photo}", code=0, setup="files"),
    case("check", "--json", "--to", "nosuch", "--caption", "hi", says="unknown network"),
    # link
    case("link", "nosuch", says="nosuch"),
    case("link", "", says="network"),
    case("link", "foursquare", says="Foursquare"),
    case("link", "ayrshare", says="Ayrshare"),
    case("link", "mastodon", "--instance", "http://[::1", says="instance"),
    case("link", "mastodon", "--instance", "http://[::1]:99999", says="instance"),
    case("link", "mastodon", "--instance", "ftp://mastodon.example", says="instance"),
    case("link", "mastodon", "--instance", "mastodon.example/ with space", says="instance"),
    case("link", "mastodon", "--instance", NOT_UTF8, says="instance"),
    case("link", "mastodon", "--instance", "http://", says="instance"),
    case("link", "mastodon", "--instance", "\x00", says="instance"),
    case("link", "mastodon", "--instance", "http://exa_mple!.social", says="does not name a server"),
    case("link", "bluesky", "--instance", "http://[::1", says="instance"),
    case("link", "MASTODON", "--instance", "http://[::1", says="instance"),
    # unlink
    case("unlink", "nosuch", says="nosuch"),
    case("unlink", "mastodon", says="no linked Mastodon account"),
    case("unlink", "mastodon", "--yes", says="no linked Mastodon account"),
    case("unlink", "MASTODON", "--yes", says="no linked Mastodon account"),
    case("unlink", "mastodon", "--account", "99", says="99", setup="mastodon"),
    case("unlink", "mastodon", "--account", NOT_UTF8, says="account", setup="mastodon"),
    case("unlink", "mastodon", says="--yes", setup="mastodon"),
    # serve and sandbox refuse before binding anything
    case("serve", "--port", "70000", says="--port"),
    case("serve", "--port", "-1", says="--port"),
    case("serve", "--port", "65536", says="--port"),
    case("serve", "--host", "0.0.0.0", says="wildcard"),
    case("serve", "--host", "192.0.2.1", says="--allow-remote"),
    case("serve", "--host", "", says="--host"),
    case("serve", "--host", "not a host!", says="--host"),
    case("serve", "--max-sessions", "0", says="--max-sessions"),
    case("serve", "--max-sessions", "-4", says="--max-sessions"),
    case("sandbox", "--port", "70000", says="--port"),
    case("sandbox", "--port", "-1", says="--port"),
    case("sandbox", "--latency", "-1", says="--latency"),
    case("sandbox", "--latency", "nan", says="--latency"),
    case("sandbox", "--latency", "inf", says="--latency"),
    case("sandbox", "--latency", "-inf", says="--latency"),
    case("sandbox", "--latency", "1e308", says="--latency"),
    # config set-secret
    case("config", "set-secret", "nosuch", says="nosuch"),
    case("config", "set-secret", "x", says="secret", stdin=""),
    case("config", "set-secret", "x", says="secret", stdin="   \n"),
    # queue and accounts read what is stored, whatever it is
    case("queue", code=0, says="␛]52", setup="escape_caption", never=("\x1b",)),
    case("queue", code=2, says=("database", "stored delivery", "Nothing was changed"), setup="malformed_row"),
    case(
        "queue",
        "--json",
        code=2,
        says=("database", "stored delivery", "Nothing was changed"),
        setup="malformed_row",
    ),
    case("accounts", code=0, says="␛[2J", setup="escape_handle", never=("\x1b",)),
    # the screens, with no terminal to draw on (stdout and stdin are pipes here)
    case(says="need a terminal"),
    case("demo", says="need a terminal"),
    # a broken config file
    case("networks", says="config", setup="config_not_toml"),
    case("accounts", says="config", setup="config_folder"),
    case("doctor", says="config", setup="config_folder"),
    # team mode's secret key (`linkdeck keys`)
    case("keys", says="SUBCOMMAND"),
    case("keys", "nosuch", says="invalid choice"),
    case("keys", "rotate", says="no team key to rotate"),
    case("keys", "rotate", says=("LINKDECK_SECRET_KEY", "linkdeck keys new"), setup="team_no_key"),
    case("keys", "rotate", says=("mode 0644", "chmod 600"), setup="team_key_0644"),
    case("keys", "rotate", says="not a linkdeck secret key", setup="team_key_garbage", never=("hunter2",)),
    case("config", "set-secret", "x", says="chmod 600", setup="team_key_0644", stdin="CS-1\n"),
    case("accounts", says=("[secrets] backend", '"store"'), setup="secrets_backend_unknown"),
]


# Preparations -------------------------------------------------------------------------------------


def _linked_mastodon(home: Path) -> None:
    with Store.open() as store:
        store.upsert_account(
            "mastodon",
            "109",
            handle="@alice@mastodon.example",
            display_name="Alice",
            instance="http://127.0.0.1:9/mastodon.example",
        )


def _files(home: Path) -> None:
    media = home / "media"
    media.mkdir()
    (media / "folder.jpg").mkdir()
    os.mkfifo(media / "pipe.jpg")
    (media / "empty.jpg").write_bytes(b"")
    (media / "text.jpg").write_text("this is not a picture\n" * 20)
    Image.new("RGB", (640, 480), (10, 120, 200)).save(media / "photo.jpg", quality=80)
    whole = (media / "photo.jpg").read_bytes()
    (media / "truncated.jpg").write_bytes(whole[: len(whole) // 3])
    (media / "unreadable.jpg").write_bytes(whole)
    (media / "unreadable.jpg").chmod(0)
    for name, alt in (("bad_alt", b"\xff\xfe not utf-8"), ("nul_alt", b"a\x00b"), ("long_alt", b"a" * 5000)):
        target = media / f"{name}.jpg"
        target.write_bytes(whole)
        Path(str(target) + ".alt.txt").write_bytes(alt)


def _escape_caption(home: Path) -> None:
    with Store.open() as store:
        account = store.upsert_account("mastodon", "109", handle="@alice", display_name="Alice")
        post = store.create_post(f"hello {ESCAPE} world", [], None)
        store.add_delivery(post.id, account)


def _escape_handle(home: Path) -> None:
    with Store.open() as store:
        store.upsert_account("mastodon", "109", handle=f"@al{ESCAPE}ice", display_name=f"A{ESCAPE}")


def _malformed_row(home: Path) -> None:
    _escape_caption(home)
    with sqlite3.connect(home / "data" / "linkdeck.sqlite3") as conn:
        conn.execute("UPDATE deliveries SET created_at = 'yesterday-ish'")
        conn.execute("UPDATE posts SET media = '{not json'")


def _config_not_toml(home: Path) -> None:
    (home / "config").mkdir(exist_ok=True)
    (home / "config" / "config.toml").write_text("theme = [unclosed\n")


def _config_folder(home: Path) -> None:
    (home / "config" / "config.toml").mkdir(parents=True)


def _team(home: Path, key_file: str | None, mode: int = 0o600, backend: str = "store") -> None:
    (home / "config").mkdir(exist_ok=True)
    line = 'key_file = "secret.key"\n' if key_file is not None else ""
    (home / "config" / "config.toml").write_text(f'[secrets]\nbackend = "{backend}"\n{line}')
    if key_file is not None:
        (home / "config" / "secret.key").write_text(key_file)
        (home / "config" / "secret.key").chmod(mode)


PREPARE: dict[str, Callable[[Path], None]] = {
    "mastodon": _linked_mastodon,
    "files": _files,
    "mastodon+files": lambda home: [step(home) for step in (_linked_mastodon, _files)] and None,
    "escape_caption": _escape_caption,
    "escape_handle": _escape_handle,
    "malformed_row": _malformed_row,
    "config_not_toml": _config_not_toml,
    "config_folder": _config_folder,
    "team_no_key": lambda home: _team(home, None),
    "team_key_0644": lambda home: _team(home, new_key().written(), 0o644),
    "team_key_garbage": lambda home: _team(home, "hunter2\n"),
    "secrets_backend_unknown": lambda home: _team(home, None, backend="vault"),
}

PLACES = {
    "{dir}": "folder.jpg",
    "{fifo}": "pipe.jpg",
    "{empty}": "empty.jpg",
    "{text}": "text.jpg",
    "{truncated}": "truncated.jpg",
    "{unreadable}": "unreadable.jpg",
    "{photo}": "photo.jpg",
    "{bad_alt}": "bad_alt.jpg",
    "{nul_alt}": "nul_alt.jpg",
    "{long_alt}": "long_alt.jpg",
}


def run(
    args: tuple[str, ...], stdin: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str]:
    """``linkdeck ARGS``: its exit code and everything it printed; a traceback fails the test."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse
        code = exc.code if isinstance(exc.code, int) else 2
    except BaseException:
        pytest.fail("a traceback instead of a message:\n" + traceback.format_exc())
    out = capsys.readouterr()
    return code, out.out + out.err


def _store_unchanged(home: Path) -> tuple[int, int]:
    path = home / "data" / "linkdeck.sqlite3"
    if not path.exists():
        return (0, 0)
    with sqlite3.connect(path) as conn:
        posts = conn.execute("SELECT count(*) FROM posts").fetchone()[0]
        deliveries = conn.execute("SELECT count(*) FROM deliveries").fetchone()[0]
    return posts, deliveries


@pytest.mark.parametrize("item", CORPUS, ids=[c.id for c in CORPUS])
def test_bad_input_gets_a_message_and_its_exit_code(
    item: Case,
    linkdeck_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LINKDECK_ALLOW_PLAINTEXT_SECRETS", "1")
    if item.setup:
        PREPARE[item.setup](linkdeck_home)
    args = tuple(_place(a, linkdeck_home) for a in item.args)
    before = _store_unchanged(linkdeck_home)
    code, output = run(args, item.stdin, capsys, monkeypatch)
    assert code == item.code, f"exit {code}, wanted {item.code}; it said:\n{output}"
    for fragment in item.says:
        assert fragment.lower() in output.lower(), f"{fragment!r} not in:\n{output}"
    for fragment in item.never:
        assert fragment not in output, f"{fragment!r} printed raw:\n{output!r}"
    if item.args[:1] == ("post",) and code != 0:  # refused: nothing recorded
        assert _store_unchanged(linkdeck_home) == before


def _place(arg: str, home: Path) -> str:
    return str(home / "media" / PLACES[arg]) if arg in PLACES else arg


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 150, len(CORPUS)
