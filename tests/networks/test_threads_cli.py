"""Threads end to end through the command line, as a user runs it: ``linkdeck sandbox`` in one
process (the emulated Threads hosts), moto's S3 server in another (the user's staging bucket),
and ``linkdeck config set-secret|link|accounts|post|unlink`` each in its own. This test is the
browser: it opens the printed Authorization Window, presses Allow and pastes the address the
browser ends on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from providers.networks.threads.sandbox import CLIENT_ID, CLIENT_SECRET
from tests import media_corpus
from tests.sandbox_browser import approve
from tests.support.cli import run_cli, start_cli
from tests.support.ports import free_port
from tests.support.processes import SandboxProcess
from tests.support.s3 import SECRET_KEY, S3Server, running_s3

GRAPH = "graph.threads.net"


def calls(sandbox: SandboxProcess, method: str, ending: str) -> list[dict[str, Any]]:
    """The Graph calls the sandbox saw with this method whose path ends so."""
    return [r for r in sandbox.requests(method=method) if r["host"] == GRAPH and r["path"].endswith(ending)]


@pytest.fixture
def s3(tmp_path: Path) -> Iterator[S3Server]:
    with running_s3(tmp_path) as server:
        server.make_bucket()
        yield server


@pytest.fixture
def config(linkdeck_home: Path) -> Path:
    path = linkdeck_home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'[networks.threads]\nclient_id = "{CLIENT_ID}"\nport = {free_port()}\n')
    return path


def link(env: dict[str, str]) -> tuple[int, str, str, str]:
    """``linkdeck link threads --no-browser``: Allow on the consent page, paste the redirect.
    (exit code, output, errors, the authorize address shown)."""
    process = start_cli(env, "link", "threads", "--no-browser")
    assert process.stdout is not None and process.stdin is not None and process.stderr is not None
    shown = []
    for line in process.stdout:
        shown.append(line)
        if line.startswith("http"):
            break
    address = line.strip()
    answer = approve(address)
    assert answer.status_code == 302, answer.text[:300]
    process.stdin.write(answer.headers["location"] + "\n")
    process.stdin.close()
    out, err = process.stdout.read(), process.stderr.read()
    process.wait(timeout=60)
    return process.returncode, "".join(shown) + out, err, address


def test_link_post_text_a_staged_photo_and_a_carousel_through_containers_get_links_and_unlink(
    env: dict[str, str], sandbox_process: SandboxProcess, s3: S3Server, config: Path, tmp_path: Path
) -> None:
    env = {**env, "LINKDECK_SANDBOX_URL": sandbox_process.url}
    stored = run_cli(env, "config", "set-secret", "threads", stdin=f"{CLIENT_SECRET}\n")
    assert stored.returncode == 0, stored.stderr

    code, out, err, address = link(env)
    assert code == 0, out + err
    parts = urlsplit(address)
    assert parts.path == "/threads.com/oauth/authorize"  # threads.com, rewritten to the sandbox
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["scope"] == "threads_basic,threads_content_publish" and len(query["state"]) >= 16
    assert "code_challenge" not in query  # Meta documents no PKCE for Threads
    [account] = json.loads(run_cli(env, "accounts", "--json").stdout)["accounts"]
    assert account["network"] == "threads" and account["handle"] == "@alice"
    assert account["expires_at"]  # the 60-day token, not the one-hour one
    exchanged = calls(sandbox_process, "GET", "/access_token")
    assert [r["status"] for r in exchanged] == [200]

    # Text needs no staging: container (TEXT) → FINISHED → threads_publish, with a link.
    text = run_cli(env, "post", "--to", "threads", "--caption", "Only words today", "--json")
    assert text.returncode == 0, text.stderr + text.stdout
    [sent] = json.loads(text.stdout)["deliveries"]
    assert sent["state"] == "sent" and sent["url"].startswith("https://www.threads.com/@alice/post/")

    # No [staging] yet: the photo post is refused before it is recorded or sent, naming the fix.
    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (800, 600))
    caption = "Low tide at the harbour https://harbour.example/tides"
    refused = run_cli(env, "post", str(photo), "--to", "threads", "--caption", caption, "--json")
    assert refused.returncode == 1 and "Nothing was posted" in refused.stderr
    [problem] = json.loads(refused.stdout)["problems"]
    assert problem["code"] == "staging_not_set_up" and problem["message"].startswith("Threads")
    assert "linkdeck config set-secret staging" in problem["message"]
    assert len(calls(sandbox_process, "POST", "/threads_publish")) == 1  # only the text post's

    config.write_text(config.read_text() + "\n" + s3.config_toml())
    stored = run_cli(env, "config", "set-secret", "staging", stdin=f"{SECRET_KEY}\n")
    assert stored.returncode == 0, stored.stderr
    done = run_cli(env, "post", str(photo), "--to", "threads", "--caption", caption, "--json")
    assert done.returncode == 0, done.stderr + done.stdout
    [delivery] = json.loads(done.stdout)["deliveries"]
    assert delivery["state"] == "sent" and delivery["url"].startswith("https://www.threads.com/@alice/post/")
    image = [r for r in calls(sandbox_process, "POST", "/threads") if r["params"]["media_type"] == "IMAGE"]
    assert len(image) == 1 and image[0]["params"]["image_url"].startswith(s3.url)
    statuses = [
        r for r in calls(sandbox_process, "GET", "") if r["params"].get("fields") == "status,error_message"
    ]
    assert len(statuses) >= 3  # TEXT: FINISHED at once; IMAGE: IN_PROGRESS, then FINISHED
    posts = sandbox_process.control("GET", "posts")["posts"]
    assert [(p["text"], p["media"]) for p in posts] == [("Only words today", 0), (caption, 1)]
    assert s3.keys() == []  # Threads fetched the staged photo, and the staged copy is gone

    # A photo and a video make one carousel: an item container each, then the CAROUSEL.
    clip = media_corpus.video(tmp_path / "waves.mp4", seconds=1.0)
    both = run_cli(env, "post", str(photo), str(clip), "--to", "threads", "--caption", "Both", "--json")
    assert both.returncode == 0, both.stderr + both.stdout
    assert json.loads(both.stdout)["deliveries"][0]["state"] == "sent"
    assert sandbox_process.control("GET", "posts")["posts"][-1]["media"] == 2
    assert calls(sandbox_process, "POST", "/threads")[-1]["params"]["media_type"] == "CAROUSEL"
    assert s3.keys() == []

    gone = run_cli(env, "unlink", "threads", "--yes")
    assert gone.returncode == 0, gone.stderr
    assert "connected apps: https://www.threads.com/settings" in gone.stdout
    assert json.loads(run_cli(env, "accounts", "--json").stdout)["accounts"] == []
