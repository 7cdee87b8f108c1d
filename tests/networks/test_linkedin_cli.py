"""LinkedIn end to end through the command line: ``linkdeck sandbox`` in one process, ``linkdeck
link|accounts|post|unlink`` in others, this test acting as the member's browser on the sandbox's
LinkedIn consent page. The app is the sandbox's native (PKCE) app with Community Management, so
linking offers the member and the Pages they administer."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from tests import media_corpus
from tests.sandbox_browser import approve
from tests.support.cli import CLI, ROOT, run_cli
from tests.support.ports import free_port
from tests.support.processes import SandboxProcess

NATIVE_APP = "linkdeck-sandbox-native"


@pytest.fixture
def env(env: dict[str, str], linkdeck_home: Path, sandbox_process: SandboxProcess) -> dict[str, str]:
    config = linkdeck_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f'[networks.linkedin]\nclient_id = "{NATIVE_APP}"\noptional_scopes = true\nport = {free_port()}\n'
    )
    return {**env, "LINKDECK_SANDBOX_URL": sandbox_process.url}


def link_linkedin(env: dict[str, str], choice: int) -> tuple[int, str, str, str]:
    """``linkdeck link linkedin --no-browser``: Allow on the consent page, paste the redirect,
    then type ``choice`` at the target question. (exit code, stdout, stderr, authorize URL)"""
    process = subprocess.Popen(
        [*CLI, "link", "linkedin", "--no-browser"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None and process.stderr is not None
    shown = []
    for line in process.stdout:
        shown.append(line)
        if line.startswith("http"):
            break
    url = shown[-1].strip()
    consent = approve(url)
    assert consent.status_code == 302, consent.text[:300]
    process.stdin.write(consent.headers["location"] + "\n")
    process.stdin.flush()
    for line in process.stdout:  # the choice is asked once the sign-in is done
        shown.append(line)
        if "Type a number" in line:
            break
    process.stdin.write(f"{choice}\n")
    process.stdin.close()
    out, err = process.stdout.read(), process.stderr.read()
    process.wait(timeout=60)
    return process.returncode, "".join(shown) + out, err, url


def accounts(env: dict[str, str]) -> list[dict[str, Any]]:
    done = run_cli(env, "accounts", "--json")
    assert done.returncode == 0, done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)["accounts"]
    return found


def test_link_a_page_post_a_photo_get_its_link_and_unlink(
    env: dict[str, str], sandbox_process: SandboxProcess, tmp_path: Path
) -> None:
    code, out, err, url = link_linkedin(env, 2)
    assert code == 0, err
    # The sign-in page is LinkedIn's own, asked for the member and organization scopes, with PKCE.
    parts = urlsplit(url)
    assert parts.path == "/www.linkedin.com/oauth/v2/authorization"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["scope"].split() == [
        "openid",
        "profile",
        "w_member_social",
        "w_organization_social",
        "r_organization_social",
        "rw_organization_admin",
    ]
    assert query["code_challenge_method"] == "S256" and len(query["state"]) >= 16
    assert "organization: Harbour Photo Co." in out and "profile: Alice Example (your profile)" in out
    [account] = accounts(env)
    assert account["handle"] == "Alice Example" and account["card_state"] == "linked"
    assert account["target_kind"] == "organization" and account["target_name"] == "Harbour Photo Co."

    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (800, 600))
    done = run_cli(
        env, "post", str(photo), "--to", "linkedin", "--caption", "Low tide (7 a.m.) #harbour", "--json"
    )
    assert done.returncode == 0, done.stderr
    [delivery] = json.loads(done.stdout)["deliveries"]
    assert delivery["state"] == "sent", delivery
    assert delivery["url"] == f"https://www.linkedin.com/feed/update/{delivery['remote_post_id']}"
    assert delivery["remote_post_id"].startswith("urn:li:share:")
    posts = httpx2.get(f"{sandbox_process.url}/__sandbox__/posts", params={"host": "api.linkedin.com"}).json()
    assert [(p["user"], p["text"], p["media"]) for p in posts["posts"]] == [
        ("urn:li:organization:2414183", "Low tide (7 a.m.) #harbour", 1)
    ]

    unlinked = run_cli(env, "unlink", "linkedin", "--yes")
    assert unlinked.returncode == 0, unlinked.stderr
    assert "Access was not revoked at LinkedIn" in unlinked.stdout
    assert "linkedin.com/mypreferences/d/permitted-services" in unlinked.stdout + unlinked.stderr
    assert accounts(env) == []


def test_link_as_the_member_and_post_text(env: dict[str, str], sandbox_process: SandboxProcess) -> None:
    code, _, err, _ = link_linkedin(env, 1)
    assert code == 0, err
    [account] = accounts(env)
    assert account["target_kind"] == "profile"
    done = run_cli(env, "post", "--to", "linkedin", "--caption", "Hello from linkdeck", "--json")
    assert done.returncode == 0, done.stderr
    [delivery] = json.loads(done.stdout)["deliveries"]
    assert delivery["state"] == "sent" and delivery["url"].startswith("https://www.linkedin.com/feed/update/")
