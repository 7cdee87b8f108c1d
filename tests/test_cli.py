"""The command line as a user runs it: real subprocesses, real SQLite, the configured keyring."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from providers import catalog
from providers.store import Store
from tests.support.cli import run_module_cli as run  # python -m tui.cli, this process's environment
from tests.support.unbuilt import REAL as UNBUILT

ACCESS = "AT-cli-test-access-token-4f7c1e"
REFRESH = "RT-cli-test-refresh-token-9a2b3d"


def test_networks_json_lists_every_network_with_revocation_url_and_limits() -> None:
    result = run("networks", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["networks"]
    assert [r["id"] for r in rows] == list(catalog.ids())
    for row in rows:
        assert row["settings_url"].startswith(("https://", "{instance}/")), row["id"]
        assert {"media", "caption"} <= set(row["limits"])
        assert row["status"] in {"available", "needs_setup", "not_in_this_version", "legacy", "unavailable"}
    by_id = {r["id"]: r for r in rows}
    assert by_id["x"]["limits"]["caption"]["max_length"] == 280
    assert by_id["foursquare"]["status"] == "legacy"
    assert by_id["mastodon"]["status"] == "available"
    # Said before any set-up: a network this version cannot link is not offered as "needs setup"
    # (tests/test_networks_unbuilt.py says it for a stand-in when every network is built).
    if UNBUILT is not None:
        assert by_id[UNBUILT.id]["status"] == "not_in_this_version"
        assert (
            by_id[UNBUILT.id]["status_reason"]
            == f"Linking {UNBUILT.name} is not in this version of linkdeck."
        )
    assert by_id["x"]["status"] == "needs_setup"  # built: it needs the user's own developer app


def test_a_client_id_from_the_environment_is_the_set_up_a_developer_app_network_needs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from providers.overview import needs_setup
    from providers.settings import load

    linkedin = catalog.get("linkedin")
    assert "needs your own developer app" in needs_setup(linkedin, load())
    monkeypatch.setenv("LINKDECK_LINKEDIN_CLIENT_ID", "my-app")
    assert needs_setup(linkedin, load()) == ""


def test_accounts_json_never_shows_tokens(linkdeck_home: Path, plaintext_ok: None) -> None:
    from providers.vault import Vault

    with Store.open() as store:
        account = store.upsert_account(
            "mastodon",
            "42",
            handle="@bob@example.social",
            display_name="Bob",
            instance="https://example.social",
        )
    Vault().set_token(account.vault_key, {"access_token": ACCESS, "refresh_token": REFRESH})
    result = run("accounts", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["accounts"]
    assert [(r["network"], r["handle"], r["card_state"]) for r in rows] == [
        ("mastodon", "@bob@example.social", "linked")
    ]
    outputs = [result.stdout, result.stderr, run("networks", "--json").stdout, run("doctor").stdout]
    for text in outputs:
        assert ACCESS not in text and REFRESH not in text
    for path in linkdeck_home.rglob("*"):
        if path.is_file() and path.name != "secrets-plaintext.cfg":  # the opted-in keyring stand-in
            data = path.read_bytes()
            assert ACCESS.encode() not in data and REFRESH.encode() not in data, path


def test_unlink_yes_forgets_the_account_and_its_token(plaintext_ok: None) -> None:
    from providers.vault import Vault

    with Store.open() as store:
        account = store.upsert_account(
            "pixelfed", "7", handle="@ann@pix.example", instance="https://pix.example"
        )
        post = store.create_post("later", [], None)
        store.add_delivery(post.id, account)
    Vault().set_token(account.vault_key, {"access_token": ACCESS})
    result = run("unlink", "pixelfed", "--yes")
    assert result.returncode == 0, result.stderr
    assert "@ann@pix.example unlinked" in result.stdout
    assert Vault().get_token(account.vault_key) is None
    with Store.open() as store:
        assert store.accounts() == []
        assert [d.state for d in store.deliveries()] == ["held"]


def test_unlink_without_yes_off_a_terminal_refuses() -> None:
    with Store.open() as store:
        store.upsert_account("pixelfed", "7", handle="@ann@pix.example", instance="https://pix.example")
    result = run("unlink", "pixelfed")
    assert result.returncode == 2
    assert "--yes" in result.stderr and "Traceback" not in result.stderr


def test_set_secret_reads_stdin_into_the_keyring(plaintext_ok: None) -> None:
    from providers.vault import Vault

    result = run("config", "set-secret", "ayrshare", stdin="ayr-key-123\n")
    assert result.returncode == 0, result.stderr
    assert "ayr-key-123" not in result.stdout
    assert Vault().get_client_secret("ayrshare") == "ayr-key-123"
    statuses = {r["id"]: r["status"] for r in json.loads(run("networks", "--json").stdout)["networks"]}
    assert statuses["ayrshare"] == "available"  # its key is kept: the Ayrshare route can link now


def test_no_keyring_gives_a_clear_message_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINKDECK_ALLOW_PLAINTEXT_SECRETS", raising=False)
    result = run(
        "config",
        "set-secret",
        "x",
        stdin="s3cret\n",
        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    assert result.returncode == 2
    assert "keyring" in result.stderr and "allow_plaintext" in result.stderr
    assert "Traceback" not in result.stderr and "s3cret" not in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (("link", "nosuchnet"), 2, "unknown network 'nosuchnet'"),
        (("unlink", "mastodon", "--yes"), 2, "no linked Mastodon account"),
        (("link", "x"), 2, "X needs your own developer app's client id"),
        (("link", "foursquare"), 2, "legacy"),
        (("link", "mastodon", "--instance", "http://mastodon.example"), 2, "https"),
    ],
)
def test_bad_input_gets_a_clear_message(args: tuple[str, ...], code: int, needle: str) -> None:
    result = run(*args)
    assert result.returncode == code, (result.stdout, result.stderr)
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_config_set_writes_the_client_id_and_link_says_how_without_tui_pages(linkdeck_home: Path) -> None:
    refused = run("link", "x")
    assert refused.returncode == 2 and "Help →" not in refused.stderr
    assert catalog.get("x").developer_url in refused.stderr
    assert "`linkdeck config set x client_id ID`" in refused.stderr
    config = linkdeck_home / "config" / "config.toml"
    config.parent.mkdir(exist_ok=True)
    config.write_text('theme = "nord"  # mine\n', encoding="utf-8")
    result = run("config", "set", "x", "client_id", "my-x-app")
    assert result.returncode == 0, result.stderr
    assert "X is set up" in result.stdout and "linkdeck link x" in result.stdout
    written = config.read_text(encoding="utf-8")
    assert written == 'theme = "nord"  # mine\n\n[networks.x]\nclient_id = "my-x-app"\n'
    [x] = [n for n in json.loads(run("networks", "--json").stdout)["networks"] if n["id"] == "x"]
    assert x["status"] == "available"
    bad = run("config", "set", "x", "port", "9000")
    assert bad.returncode == 2 and "client_id" in bad.stderr


def test_broken_config_file_is_a_setup_error(linkdeck_home: Path) -> None:
    (linkdeck_home / "config").mkdir(exist_ok=True)
    (linkdeck_home / "config" / "config.toml").write_text("[networks.x\nclient_id = 1", encoding="utf-8")
    result = run("networks")
    assert result.returncode == 2
    assert "not valid TOML" in result.stderr and "Traceback" not in result.stderr


def test_doctor_reports_each_check() -> None:
    result = run("doctor")
    status = {
        line.split()[1]: line.split()[0] for line in result.stdout.splitlines() if line[:1] in ("o", "w", "F")
    }
    # A fresh home under the test keyring: every local check passes, whatever the network says.
    expected = {
        "data": "ok",
        "config": "ok",
        "keyring": "ok",
        "staging": "ok",
        "clock": "ok",
        "browser": "ok",
    }
    assert {name: status.get(name) for name in expected} == expected, result.stdout
    assert status["connectivity"] in ("ok", "warn")  # the machine's network, not linkdeck's to decide
    assert status["app:x"] == "warn" and "FAIL" not in status.values()
    assert (
        "app:x                no client id (card shows 'needs setup'); redirect URI to register: "
        in result.stdout
    )
    assert result.returncode == 0, result.stderr


def test_every_command_has_help() -> None:
    for command in (
        "serve",
        "demo",
        "sandbox",
        "networks",
        "accounts",
        "link",
        "unlink",
        "check",
        "post",
        "queue",
        "worker",
        "doctor",
        "config",
        "store",
    ):
        result = run(command, "--help")
        assert result.returncode == 0 and "usage: linkdeck" in result.stdout, command


def test_a_closed_pipe_is_not_a_traceback() -> None:
    """`linkdeck networks | head -1`: the reader may be gone before linkdeck writes."""
    reader = subprocess.Popen(["true"], stdin=subprocess.PIPE)
    reader.wait(timeout=10)  # it has exited: writing to its pipe now raises EPIPE
    assert reader.stdin is not None
    writer = subprocess.run(
        [sys.executable, "-m", "tui.cli", "networks"],
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )
    reader.stdin.close()
    assert writer.returncode == 0 and "Traceback" not in writer.stderr, writer.stderr
