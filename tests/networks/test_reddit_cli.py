"""Reddit end to end through the command line, against ``linkdeck sandbox`` in its own process:
``linkdeck link reddit`` (this test plays the browser: Allow on the consent page, the redirect
pasted back; then a subreddit chosen by number, one with a required flair), ``post`` a photo and a
video (each gives a link), ``accounts``, ``unlink`` (the grant revoked at Reddit, with the
installed app's HTTP Basic credentials).

The developer app is the sandbox's own installed app (no secret); every Reddit host is rewritten
to the sandbox (``LINKDECK_SANDBOX_URL``).
"""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest

from providers.networks.reddit.sandbox_oauth import DEMO_CLIENT_ID
from tests import media_corpus
from tests.sandbox_browser import approve, query
from tests.support.cli import CLI, ROOT, run_cli
from tests.support.ports import free_port
from tests.support.processes import SandboxProcess


@pytest.fixture
def reddit_env(env: dict[str, str], sandbox_process: SandboxProcess, linkdeck_home: Path) -> dict[str, str]:
    config = linkdeck_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[networks.reddit]\nclient_id = "{DEMO_CLIENT_ID}"\nport = {free_port()}\n')
    return {**env, "LINKDECK_SANDBOX_URL": sandbox_process.url}


def link_choosing(env: dict[str, str], wanted: str) -> tuple[int, str, str, str]:
    """``linkdeck link reddit --no-browser``: Allow, paste the redirect, pick the choice whose line
    contains ``wanted``. (exit code, stdout, stderr, the authorize URL)."""
    process = subprocess.Popen(
        [*CLI, "link", "reddit", "--no-browser"],
        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None and process.stdin is not None and process.stderr is not None
    shown: list[str] = []
    url = ""
    for line in process.stdout:
        shown.append(line)
        if line.startswith("http") and not url:
            url = line.strip()
            answer = approve(url, user="alice")
            assert answer.status_code == 302, answer.text[:300]
            process.stdin.write(answer.headers["location"] + "\n")
            process.stdin.flush()
        elif "Type a number" in line:
            number = next(s.split()[0] for s in shown if wanted in s and s.strip()[:1].isdigit())
            process.stdin.write(number + "\n")
            process.stdin.close()
            break
    out, err = process.stdout.read(), process.stderr.read()
    process.wait(timeout=60)
    return process.returncode, "".join(shown) + out, err, url


def test_link_choose_a_flaired_subreddit_post_media_get_links_and_unlink(
    reddit_env: dict[str, str], sandbox_process: SandboxProcess, tmp_path: Path
) -> None:
    code, out, err, url = link_choosing(reddit_env, "r/harbourphotos (flair: Landscape)")
    assert code == 0, out + err
    shown = query(url)
    assert url.startswith(f"{sandbox_process.url}/www.reddit.com/api/v1/authorize?")
    assert shown["duration"] == "permanent" and len(shown["state"]) >= 16
    assert shown["scope"].split() == ["identity", "submit", "mysubreddits", "flair", "read", "history"]
    for choice in ("r/harbourphotos (flair: OC)", "r/linkdeck", "u/alice (your profile)"):
        assert choice in out
    assert "u_bob" not in out and "u/bob" not in out  # a followed profile is not a place to post
    [token_call] = sandbox_process.requests("/api/v1/access_token", "POST")
    assert token_call["authorization"].startswith("Basic ")  # the installed app: id and no secret

    accounts = json.loads(run_cli(reddit_env, "accounts", "--json").stdout)["accounts"]
    [account] = accounts
    assert account["handle"] == "u/alice" and account["target_name"] == "r/harbourphotos (flair: Landscape)"

    photo = media_corpus.jpeg(tmp_path / "dawn.jpg", (800, 600))
    caption = "Dawn\nBoats leaving"
    done = run_cli(reddit_env, "post", str(photo), "--to", "reddit", "--caption", caption, "--json")
    assert done.returncode == 0, done.stderr
    [delivery] = json.loads(done.stdout)["deliveries"]
    assert delivery["state"] == "sent" and delivery["url"].startswith(
        "https://www.reddit.com/r/harbourphotos/comments/"
    )
    [lease] = sandbox_process.requests("/api/media/asset.json", "POST")
    assert lease["params"]["mimetype"] == "image/jpeg"
    [submit] = sandbox_process.requests("/api/submit", "POST")
    assert (submit["params"]["kind"], submit["params"]["title"], submit["params"]["text"]) == (
        "image", "Dawn", "Boats leaving",
    )  # fmt: skip
    assert submit["params"]["flair_id"] == "3f1c2a60-0c1e-11ee-9a53-4e0d3d5a1b02"
    assert submit["params"]["url"].startswith("https://reddit-uploaded-media.s3-accelerate.amazonaws.com/")

    clip = media_corpus.video(tmp_path / "tide.mp4", seconds=0.5)
    done = run_cli(reddit_env, "post", str(clip), "--to", "reddit", "--caption", "Tide coming in", "--json")
    assert done.returncode == 0, done.stderr
    [delivery] = json.loads(done.stdout)["deliveries"]
    assert delivery["state"] == "sent" and "/r/harbourphotos/comments/" in delivery["url"]
    video_submit = sandbox_process.requests("/api/submit", "POST")[-1]["params"]
    assert video_submit["kind"] == "video"
    assert video_submit["url"].startswith("https://reddit-uploaded-video.s3-accelerate.amazonaws.com/")
    assert video_submit["video_poster_url"].startswith(
        "https://reddit-uploaded-media.s3-accelerate.amazonaws.com/"
    )

    posts = sandbox_process.control("GET", "posts")["posts"]
    assert [(p["text"], p["media"]) for p in posts if p["host"] == "oauth.reddit.com"] == [
        ("Dawn\nBoats leaving", 1),
        ("Tide coming in", 1),
    ]

    done = run_cli(reddit_env, "unlink", "reddit", "--yes")
    assert done.returncode == 0, done.stderr
    [revoke] = sandbox_process.requests("/api/v1/revoke_token", "POST")
    assert revoke["params"]["token_type_hint"] == "refresh_token"
    scheme, _, credential = revoke["authorization"].partition(" ")
    assert scheme == "Basic"
    expected = base64.b64encode(f"{DEMO_CLIENT_ID}:".encode()).decode()
    assert credential.startswith("sha256:") and credential == _fingerprint(expected)
    assert json.loads(run_cli(reddit_env, "accounts", "--json").stdout)["accounts"] == []


def _fingerprint(value: str) -> str:
    from providers.sandbox import fingerprint

    return fingerprint(value)
