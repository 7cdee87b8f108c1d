"""End to end through the command line, as a user or a script would run it: ``linkdeck sandbox``
in one process, ``linkdeck link|accounts|unlink`` in others, and this test acting as the browser
(GET the printed URL, press Allow or Deny on the consent page, take the Location of the 302
without following it, and paste it on the CLI's stdin).

Secrets go to the real Secret Service when the tests run inside tests/with_keyring.sh; otherwise
to the opted-in plaintext file (the keyring stand-in), the only file allowed to hold a token.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from providers.sandbox import fingerprint
from providers.settings import Settings
from providers.vault import PLAINTEXT_FILENAME, Vault
from tests.sandbox_browser import approve, query
from tests.support.cli import CLI, ROOT, run_cli
from tests.support.cli_link import link_pasting, redirect_after_allow
from tests.support.ports import free_port
from tests.support.processes import SandboxProcess
from tests.support.unbuilt import REAL as UNBUILT


@pytest.fixture
def env(env: dict[str, str], linkdeck_home: Path) -> dict[str, str]:
    """Conftest's ``env``, with fixed loopback ports for Mastodon and Pixelfed in config.toml (the
    ``link`` subprocesses bind them, so the numbers come from free_port)."""
    config = linkdeck_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f"[networks.mastodon]\nport = {free_port()}\n\n[networks.pixelfed]\nport = {free_port()}\n"
    )
    return env


@pytest.fixture
def sandbox_process(sandbox_process: SandboxProcess) -> Iterator[SandboxProcess]:
    """Conftest's ``linkdeck sandbox`` subprocess; here it must also exit cleanly when stopped,
    having printed nothing on stdout but its URL."""
    yield sandbox_process
    out, _ = sandbox_process.stop()
    assert sandbox_process.process.returncode == 0 and out == ""  # stdout carries only the URL


def link(
    env: dict[str, str], network: str, instance: str | None, answer: Callable[[str], str], *extra: str
) -> tuple[int, str, str]:
    """Run ``link`` with --no-browser; ``answer(authorize_url)`` returns the line to paste. No
    ``instance`` for a network that lives on one host."""
    where = ["--instance", instance] if instance else []
    code, out, err, _ = link_pasting(env, network, answer, *where, *extra)
    return code, out, err


allow = redirect_after_allow


def accounts(env: dict[str, str]) -> list[dict[str, Any]]:
    done = run_cli(env, "accounts", "--json")
    assert done.returncode == 0, done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)["accounts"]
    return found


def files_holding(root: Path, secrets: list[str]) -> list[str]:
    """Every file under ``root`` (except the keyring stand-in) that contains one of ``secrets``."""
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and path.name != PLAINTEXT_FILENAME:
            raw = path.read_bytes()
            hits += [f"{path}: {s[:4]}…" for s in secrets if s.encode() in raw]
    return hits


def test_link_list_and_unlink_through_the_cli(
    env: dict[str, str], sandbox_process: SandboxProcess, linkdeck_home: Path
) -> None:
    instance = f"{sandbox_process.url}/mastodon.example"
    code, out, err = link(env, "mastodon", instance, allow)
    assert code == 0, err
    label = instance.removeprefix("http://")
    assert f"Linked @alice@mastodon.example (Alice Example) on Mastodon ({label})" in out
    assert "paste here the address your browser ends on" in out

    code_again, out_again, err_again = link(env, "mastodon", instance, allow)  # the same account again
    assert code_again == 0, err_again
    listed = accounts(env)
    assert len(listed) == 1 and listed[0]["handle"] == "@alice@mastodon.example"
    assert listed[0]["instance"] == instance and listed[0]["card_state"] == "linked"

    vault = Vault(Settings(allow_plaintext_secrets=True))
    token = vault.get_token(listed[0]["vault_key"])
    secret = vault.get_client_secret("mastodon", instance=instance)
    assert token and secret
    access = token["access_token"]
    outputs = out + err + out_again + err_again + json.dumps(listed)
    assert access not in outputs and secret not in outputs and "access_token" not in json.dumps(listed)
    assert files_holding(linkdeck_home, [access, secret]) == []

    unlinked = run_cli(env, "unlink", "mastodon", "--yes")
    assert unlinked.returncode == 0, unlinked.stderr
    assert "unlinked" in unlinked.stdout and "confirmed" in unlinked.stdout
    revokes = sandbox_process.requests("/oauth/revoke")
    assert [r["method"] for r in revokes] == ["POST"]
    assert revokes[0]["params"]["token"] == fingerprint(access)
    me = httpx2.get(
        f"{instance}/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {access}"}
    )
    assert me.status_code == 401
    assert accounts(env) == [] and vault.get_token(listed[0]["vault_key"]) is None
    sandbox_process.process.terminate()
    sandbox_process.process.wait(timeout=10)
    assert sandbox_process.process.stderr is not None
    log = sandbox_process.process.stderr.read()
    assert "POST /mastodon.example/oauth/revoke 200" in log and access not in log and secret not in log


def test_a_forged_state_fails_and_stores_nothing(
    env: dict[str, str], sandbox_process: SandboxProcess
) -> None:
    def forge(url: str) -> str:
        location = allow(url)
        state = query(location)["state"]
        return location.replace(state, "x" + state[1:])

    code, out, err = link(env, "mastodon", f"{sandbox_process.url}/mastodon.example", forge)
    assert code == 1
    assert err.startswith("linkdeck: Mastodon (") and "different link request" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "Linked" not in out
    assert accounts(env) == [] and sandbox_process.requests("/oauth/token") == []


def test_denying_consent_fails(env: dict[str, str], sandbox_process: SandboxProcess) -> None:
    def deny(url: str) -> str:
        response = approve(url, decision="deny")
        return response.headers["location"]

    code, out, err = link(env, "mastodon", f"{sandbox_process.url}/mastodon.example", deny)
    assert code == 1 and "declined" in err and "Linked" not in out and accounts(env) == []
    assert err.count("\n") == 1 and "Traceback" not in err  # one clear line, no asyncio noise


def test_pixelfed_links_against_the_mastodon_shaped_server(
    env: dict[str, str], sandbox_process: SandboxProcess
) -> None:
    instance = f"{sandbox_process.url}/mastodon.example"
    code, out, err = link(env, "pixelfed", instance, allow)
    assert code == 0, err
    assert (
        f"Linked @alice@mastodon.example (Alice Example) on Pixelfed ({instance.removeprefix('http://')})"
        in out
    )
    code, out, err = link(env, "pixelfed", f"{sandbox_process.url}/pixelfed.example", allow)
    assert code == 0, err
    assert [a["handle"] for a in accounts(env)] == ["@alice@mastodon.example", "@alice@pixelfed.example"]


def test_the_root_sandbox_url_is_an_instance_too(
    env: dict[str, str], sandbox_process: SandboxProcess
) -> None:
    code, out, err = link(env, "mastodon", sandbox_process.url, allow)
    assert code == 0, err
    assert f"Linked @alice@{sandbox_process.url.removeprefix('http://')} (Alice Example) on Mastodon" in out


def test_browser_mode_finishes_on_the_loopback_callback(
    env: dict[str, str], sandbox_process: SandboxProcess, tmp_path: Path
) -> None:
    browser = tmp_path / "browser.py"
    browser.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import httpx2\n"
        "from tests.sandbox_browser import approve\n"
        "location = approve(sys.argv[1]).headers['location']\n"
        "httpx2.get(location)\n"
    )
    browser_env = env | {"BROWSER": f"{sys.executable} {browser} %s", "DISPLAY": ":0"}
    browser_env.pop("WAYLAND_DISPLAY", None)
    done = subprocess.run(
        [*CLI, "link", "mastodon", "--instance", f"{sandbox_process.url}/mastodon.example"],
        cwd=ROOT,
        env=browser_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "opened in your browser" in done.stdout and "Linked @alice@mastodon.example" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["link", "mastodon", "--instance", "http://mastodon.social", "--no-browser"], "https"),
        (["link", "mastodon", "--no-browser"], "needs your server's address"),
        *(
            [(["link", UNBUILT.id, "--no-browser"], f"Linking {UNBUILT.name} is not in this version")]
            if UNBUILT
            else []
        ),
        (["link", "bluesky"], "the input ended before the Bluesky handle"),  # handle, app password
        (["sandbox", "--port", "70000"], "--port"),
    ],
)
def test_usage_errors_exit_2(env: dict[str, str], args: list[str], message: str) -> None:
    done = run_cli(env, *args)
    assert done.returncode == 2 and done.stderr.startswith("linkdeck: ") and message in done.stderr
