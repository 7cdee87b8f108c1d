"""A home linkdeck cannot use (read-only, a file where a folder must be, a config file that is a
folder, a full disk) is one clear message naming the path and exit 2, from every command; doctor
diagnoses it among its checks. A post that cannot be recorded is not sent.

The tests run as root, whom permission bits do not stop: a read-only file system and a full disk
are small tmpfs mounts (skipped where mounting is not allowed); a file where a folder must be needs
no privilege and always runs."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import cli_env, run_cli

COMMANDS = [
    (),  # the TUI: refused before it starts
    ("doctor",),
    ("networks",),
    ("accounts",),
    ("queue",),
    ("worker", "--once"),
    ("check", "--caption", "hi"),
    ("post", "--to", "mastodon", "--caption", "hi"),
    ("link", "mastodon", "--no-browser"),
    ("unlink", "mastodon", "--yes"),
    ("config", "set-secret", "x"),
    ("config", "set", "x", "client_id", "my-app"),
]


def _refused(home: Path, command: tuple[str, ...], path: Path, **env: str) -> None:
    result = run_cli(cli_env(home, **env), *command, stdin="secret\n")
    output = result.stdout + result.stderr
    assert result.returncode == 2, (command, output)
    assert "Traceback" not in output, (command, output)
    naming = [line for line in output.splitlines() if str(path) in line]
    assert len(naming) == 1, (command, output)  # said once, on one line


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "tui")
def test_a_home_that_is_a_file_stops_every_command(tmp_path: Path, command: tuple[str, ...]) -> None:
    home = tmp_path / "home"
    home.write_text("not a folder")
    _refused(home, command, home / "data")


def test_a_file_where_the_data_folder_must_be(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "data").write_text("not a folder")
    result = run_cli(cli_env(home), "accounts")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"linkdeck: linkdeck's folder {home / 'data'} cannot be used: a file is in the way where a "
        "folder must be; make it a folder you can write, or set LINKDECK_HOME to one."
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "tui")
def test_a_config_file_that_is_a_folder_stops_every_command(tmp_path: Path, command: tuple[str, ...]) -> None:
    home = tmp_path / "home"
    config = home / "config" / "config.toml"
    config.mkdir(parents=True)
    result = run_cli(cli_env(home), *command, stdin="secret\n")
    output = result.stdout + result.stderr
    assert result.returncode == 2, (command, output)
    assert f"config file {config} cannot be read: it is a folder" in output
    assert "Traceback" not in output


def _mount(where: Path, options: str) -> Iterator[Path]:
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.fixture
def read_only_home(tmp_path: Path) -> Iterator[Path]:
    yield from _mount(tmp_path / "ro", "ro,size=64k")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    yield from _mount(tmp_path / "small", "size=2m")


def test_doctor_with_a_read_only_home_names_the_folder_once(read_only_home: Path) -> None:
    result = run_cli(cli_env(read_only_home), "doctor")
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    naming = [line for line in result.stdout.splitlines() if str(read_only_home / "data") in line]
    assert naming == [
        f"FAIL  data                 linkdeck's folder {read_only_home / 'data'} cannot be used: "
        "the file system is read-only; make it a folder you can write, or set LINKDECK_HOME to one."
    ]


@pytest.mark.parametrize(
    "command", [c for c in COMMANDS if c != ("doctor",)], ids=lambda c: " ".join(c) or "tui"
)
def test_a_read_only_home_stops_every_command(read_only_home: Path, command: tuple[str, ...]) -> None:
    _refused(read_only_home, command, read_only_home / "data")


def _fill(disk: Path) -> None:
    with (disk / "filler").open("wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass


def test_a_post_that_cannot_be_recorded_is_not_sent(small_disk: Path) -> None:
    from providers.store import Store

    with Store.open(small_disk / "data" / "linkdeck.sqlite3") as store:
        store.upsert_account(
            "mastodon", "1", handle="@a@m.example", display_name="A", instance="https://m.example"
        )
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    sandbox = f"http://127.0.0.1:{listener.getsockname()[1]}"
    _fill(small_disk)
    try:
        result = run_cli(
            cli_env(small_disk, LINKDECK_SANDBOX_URL=sandbox), "post", "--to", "mastodon", "--caption", "hi"
        )
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody called the network
    finally:
        listener.close()
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert (
        f"linkdeck's database {small_disk / 'data' / 'linkdeck.sqlite3'} cannot be written: " in result.stderr
    )
    assert "the disk holding it is full" in result.stderr and "nothing was sent" in result.stderr
    doctor = run_cli(cli_env(small_disk), "doctor")
    assert doctor.returncode == 2
    assert (
        f"FAIL  data                 linkdeck's folder {small_disk / 'data'} cannot be used: "
        in doctor.stdout
    )
    (small_disk / "filler").unlink()
    with Store.open(small_disk / "data" / "linkdeck.sqlite3") as store:
        assert store.deliveries() == [] and store.post(1) is None  # nothing half-recorded either


def test_a_disk_that_fills_while_linkdeck_runs_records_nothing(small_disk: Path) -> None:
    from providers.store import Store
    from providers.store.health import DatabaseUnusable

    path = small_disk / "data" / "linkdeck.sqlite3"
    with Store.open(path) as store:
        account = store.upsert_account("mastodon", "1", handle="@a@m.example", display_name="A")
        _fill(small_disk)
        with pytest.raises(DatabaseUnusable, match="the disk holding it is full"):
            store.create_post_with_deliveries("x" * 200_000, [], None, [account])
        (small_disk / "filler").unlink()
        assert store.deliveries() == [] and store.post(1) is None
