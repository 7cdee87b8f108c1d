"""Pinterest end to end through the command line, as a user runs it: ``linkdeck sandbox`` in one
process; ``link pinterest`` (Allow on the consent page, the redirect pasted, the second board
chosen by number), ``post`` of a photo (a link to the Pin comes back), ``accounts`` and ``unlink``
each in their own, with this test as the browser. The developer app is the sandbox's demo app,
given as a user would: the client id and secret in the environment."""

from __future__ import annotations

import json
from pathlib import Path

from providers.networks.pinterest.sandbox import DEMO
from tests import media_corpus
from tests.sandbox_browser import approve, query
from tests.support.cli import run_cli, start_cli
from tests.support.ports import free_port
from tests.support.processes import SandboxProcess


def pinterest_env(env: dict[str, str], sandbox: SandboxProcess, home: Path) -> dict[str, str]:
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"[networks.pinterest]\nport = {free_port()}\n", encoding="utf-8")
    assert DEMO.client_id and DEMO.client_secret
    return env | {
        "LINKDECK_SANDBOX_URL": sandbox.url,
        "LINKDECK_PINTEREST_CLIENT_ID": DEMO.client_id,
        "LINKDECK_PINTEREST_CLIENT_SECRET": DEMO.client_secret,
    }


def link_choosing(env: dict[str, str], board_number: int) -> tuple[int, str, str, str]:
    """``link pinterest --no-browser``: approve the printed address, paste the redirect, choose a
    board; (exit code, stdout, stderr, the authorize URL)."""
    process = start_cli(env, "link", "pinterest", "--no-browser")
    assert process.stdout is not None and process.stdin is not None and process.stderr is not None
    shown = []
    for line in process.stdout:
        shown.append(line)
        if line.startswith("http"):
            break
    url = shown[-1].strip()
    assert url.startswith("http"), "".join(shown) + process.stderr.read()
    redirect = approve(url).headers["location"]
    process.stdin.write(f"{redirect}\n")
    process.stdin.flush()
    for line in process.stdout:  # the boards, then the question
        shown.append(line)
        if "Type a number" in line:
            break
    process.stdin.write(f"{board_number}\n")
    process.stdin.close()
    out, err = process.stdout.read(), process.stderr.read()
    process.wait(timeout=60)
    return process.returncode, "".join(shown) + out, err, url


def test_link_choose_a_board_post_a_photo_get_its_link_and_unlink(
    env: dict[str, str], sandbox_process: SandboxProcess, linkdeck_home: Path, tmp_path: Path
) -> None:
    env = pinterest_env(env, sandbox_process, linkdeck_home)
    code, out, err, url = link_choosing(env, 2)
    assert code == 0, out + err
    assert url.startswith(f"{sandbox_process.url}/www.pinterest.com/oauth/?")
    asked = query(url)
    assert asked["scope"] == "user_accounts:read boards:read boards:write pins:read pins:write"
    assert "board: Harbour photos" in out and "board: Recipes to try" in out
    assert "@alice" in out

    accounts = run_cli(env, "accounts", "--json")
    assert accounts.returncode == 0, accounts.stderr
    [account] = json.loads(accounts.stdout)["accounts"]
    assert account["network"] == "pinterest" and account["target_name"] == "Recipes to try"

    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (1000, 1500))
    Path(f"{photo}.alt.txt").write_text("Fishing boats at low tide\n", encoding="utf-8")
    caption = "Low tide at the harbour\nBoats waiting for the water. https://example.org/tides"
    done = run_cli(env, "post", str(photo), "--to", "pinterest", "--caption", caption, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    [delivery] = json.loads(done.stdout)["deliveries"]
    assert delivery["state"] == "sent"
    assert delivery["url"] == f"https://www.pinterest.com/pin/{delivery['remote_post_id']}/"

    [create] = sandbox_process.requests(path="/v5/pins", method="POST")
    assert create["params"]["board_id"] == "549755885176"
    assert create["params"]["title"] == "Low tide at the harbour"
    assert create["params"]["description"] == "Boats waiting for the water. https://example.org/tides"
    assert create["params"]["alt_text"] == "Fishing boats at low tide"
    assert create["params"]["link"] == "https://example.org/tides"
    posts = sandbox_process.control("GET", "posts")["posts"]
    assert [(p["host"], p["text"], p["media"]) for p in posts] == [("api.pinterest.com", caption, 1)]

    unlinked = run_cli(env, "unlink", "pinterest", "--yes")
    assert unlinked.returncode == 0, unlinked.stderr
    assert "not revoked at Pinterest" in unlinked.stdout  # it has no revocation for user tokens
    after = run_cli(env, "accounts", "--json")
    assert json.loads(after.stdout)["accounts"] == []
