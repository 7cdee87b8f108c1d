"""Tumblr end to end through the command line, as a user runs it: ``linkdeck sandbox`` in one
process; ``linkdeck link tumblr --no-browser`` in another, this test acting as the browser (the
printed address opened, Allow pressed on the consent page, the redirect pasted) and as the user
choosing a blog by its number; then ``linkdeck post`` with a photo, which prints the post's link,
and ``linkdeck unlink``, which says honestly that Tumblr cannot be told and where to remove
linkdeck (Tumblr's Settings → Apps).
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx2

from providers.networks.tumblr.sandbox import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from tests import media_corpus
from tests.sandbox_browser import approve
from tests.support.cli import popen_cli, run_cli
from tests.support.ports import free_port
from tests.support.processes import SandboxProcess


def tumblr_env(env: dict[str, str], sandbox: SandboxProcess, home: Path) -> dict[str, str]:
    """The user's set-up: their app's consent key and secret, a free loopback port registered in
    config.toml, every network host sent to the sandbox."""
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"[networks.tumblr]\nport = {free_port()}\n", encoding="utf-8")
    return {
        **env,
        "LINKDECK_SANDBOX_URL": sandbox.url,
        "LINKDECK_TUMBLR_CLIENT_ID": DEMO_CLIENT_ID,
        "LINKDECK_TUMBLR_CLIENT_SECRET": DEMO_CLIENT_SECRET,
    }


def link_choosing(env: dict[str, str], choice: str) -> tuple[int, str, str, str]:
    """``linkdeck link tumblr --no-browser``: the redirect pasted after Allow, then ``choice``
    typed at the blog question. (exit code, stdout, stderr, the authorize URL printed)."""
    process = popen_cli(env, "link", "tumblr", "--no-browser")
    assert process.stdout is not None and process.stdin is not None and process.stderr is not None
    shown = []
    for line in process.stdout:
        shown.append(line)
        if line.startswith("http"):
            break
    url = shown[-1].strip()
    consent = approve(url)
    assert consent.status_code == 302, consent.text
    process.stdin.write(consent.headers["location"] + "\n")
    process.stdin.flush()
    for line in process.stdout:  # the choice is typed once the question is asked
        shown.append(line)
        if line.startswith("Where should Tumblr posts go?"):
            break
    process.stdin.write(choice + "\n")
    process.stdin.close()
    out, err = process.stdout.read(), process.stderr.read()
    process.wait(timeout=60)
    return process.returncode, "".join(shown) + out, err, url


def test_link_choose_a_blog_post_a_photo_get_its_link_and_unlink(
    env: dict[str, str], sandbox_process: SandboxProcess, linkdeck_home: Path, tmp_path: Path
) -> None:
    env = tumblr_env(env, sandbox_process, linkdeck_home)
    code, out, err, url = link_choosing(env, "4")
    assert code == 0, err
    assert url.startswith(f"{sandbox_process.url}/www.tumblr.com/oauth2/authorize?")
    for number, name in enumerate(
        [
            "alice (publish now)",
            "alice (add to queue)",
            "alice (save as draft)",
            "alice-sketches (publish now)",
        ],
        start=1,
    ):
        assert f"{number:>3}  blog: {name}" in out
    assert "Linked alice" in out and "on Tumblr" in out

    listed = json.loads(run_cli(env, "accounts", "--json").stdout)["accounts"]
    assert [(a["handle"], a["target_name"], a["card_state"]) for a in listed] == [
        ("alice", "alice-sketches (publish now)", "linked")
    ]
    assert listed[0]["expires_at"]  # the refresh token's 42 days

    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (800, 600))
    posted = run_cli(env, "post", str(photo), "--to", "tumblr", "--caption", "Harbour, 7 a.m.", "--json")
    assert posted.returncode == 0, posted.stderr
    [delivery] = json.loads(posted.stdout)["deliveries"]
    assert delivery["state"] == "sent" and delivery["network"] == "tumblr"
    assert delivery["url"] == f"https://www.tumblr.com/alice-sketches/{delivery['remote_post_id']}"
    on_tumblr = httpx2.get(
        f"{sandbox_process.url}/api.tumblr.com/v2/blog/alice-sketches/posts",
        params={"api_key": DEMO_CLIENT_ID, "npf": "true"},
    ).json()["response"]["posts"]
    assert [p["id_string"] for p in on_tumblr] == [delivery["remote_post_id"]]
    assert [b["type"] for b in on_tumblr[0]["content"]] == ["image", "text"]
    assert on_tumblr[0]["content"][1]["text"] == "Harbour, 7 a.m."
    [create] = sandbox_process.requests("/v2/blog/alice-sketches/posts", "POST")
    assert create["content_type"] == "multipart/form-data" and create["status"] == 201

    unlinked = run_cli(env, "unlink", "tumblr", "--yes")
    assert unlinked.returncode == 0, unlinked.stderr
    assert "Access was not revoked at Tumblr: use its connected-apps page" in unlinked.stdout
    assert "https://www.tumblr.com/settings/apps" in unlinked.stdout
    assert json.loads(run_cli(env, "accounts", "--json").stdout)["accounts"] == []
    assert sandbox_process.requests("/v2/oauth2/revoke") == []  # nothing pretends to revoke
