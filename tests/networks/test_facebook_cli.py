"""Facebook end to end through the command line: ``linkdeck sandbox`` in one process, ``linkdeck
link|accounts|post|unlink`` in others, this test acting as the person's browser on the sandbox's
Login dialog. The app is the sandbox's Meta app (id and secret), in Development mode; Alice has a
Page of her own and one her Business portfolio owns."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from providers.networks.facebook.sandbox_auth import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from providers.settings import Settings
from providers.vault import PLAINTEXT_FILENAME, Vault
from tests import media_corpus
from tests.sandbox_browser import approve
from tests.support.cli import CLI, ROOT, run_cli
from tests.support.ports import free_port
from tests.support.processes import SandboxProcess

GRAPH = "graph.facebook.com"


def configured(env: dict[str, str], home: Path, port: int) -> dict[str, str]:
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[networks.facebook]\nclient_id = "{DEMO_CLIENT_ID}"\nport = {port}\n')
    return {**env, "LINKDECK_FACEBOOK_CLIENT_SECRET": DEMO_CLIENT_SECRET}


def first_url(process: subprocess.Popen[str]) -> tuple[str, list[str]]:
    assert process.stdout is not None
    shown = []
    for line in process.stdout:
        shown.append(line)
        if line.startswith("http"):
            return line.strip(), shown
    raise AssertionError("no address printed: " + "".join(shown))


def test_no_browser_prints_the_documented_authorize_url(env: dict[str, str], linkdeck_home: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [*CLI, "link", "facebook", "--no-browser"],
        cwd=ROOT,
        env=configured(env, linkdeck_home, port),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url, _ = first_url(process)
    finally:
        process.kill()
        process.communicate(timeout=30)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.facebook.com", "/v26.0/dialog/oauth")
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["client_id"] == DEMO_CLIENT_ID and query["response_type"] == "code"
    assert query["scope"].split() == [
        "pages_show_list",
        "pages_manage_posts",
        "pages_read_engagement",
        "business_management",
    ]
    assert query["redirect_uri"] == f"http://127.0.0.1:{port}/callback"
    assert len(query["state"]) >= 16
    assert "code_challenge" not in query  # a confidential client: Facebook's PKCE is not claimed
    assert DEMO_CLIENT_SECRET not in url


def link_facebook(env: dict[str, str], choice: int) -> tuple[int, str, str]:
    process = subprocess.Popen(
        [*CLI, "link", "facebook", "--no-browser"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None and process.stderr is not None
    url, shown = first_url(process)
    consent = approve(url)
    assert consent.status_code == 302, consent.text[:300]
    process.stdin.write(consent.headers["location"] + "\n")
    process.stdin.flush()
    for line in process.stdout:
        shown.append(line)
        if "Type a number" in line:
            break
    process.stdin.write(f"{choice}\n")
    process.stdin.close()
    out, err = process.stdout.read(), process.stderr.read()
    process.wait(timeout=60)
    return process.returncode, "".join(shown) + out, err


def accounts(env: dict[str, str]) -> list[dict[str, Any]]:
    done = run_cli(env, "accounts", "--json")
    assert done.returncode == 0, done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)["accounts"]
    return found


@pytest.fixture
def fb_env(env: dict[str, str], linkdeck_home: Path, sandbox_process: SandboxProcess) -> dict[str, str]:
    return {**configured(env, linkdeck_home, free_port()), "LINKDECK_SANDBOX_URL": sandbox_process.url}


def test_link_a_business_page_post_a_photo_with_a_link_and_unlink(
    fb_env: dict[str, str], sandbox_process: SandboxProcess, tmp_path: Path, linkdeck_home: Path
) -> None:
    code, out, err = link_facebook(fb_env, 2)
    assert code == 0, err
    assert "Harbour Photo Co." in out and "Tide Club (Business)" in out
    [account] = accounts(fb_env)
    assert account["handle"] == "Alice Example" and account["card_state"] == "linked"
    assert (account["target_kind"], account["target_name"]) == ("page", "Tide Club (Business)")

    picture = media_corpus.jpeg(tmp_path / "harbour.jpg", (800, 600))
    caption = "Low tide at the harbour https://example.org/tides"
    done = run_cli(fb_env, "post", str(picture), "--to", "facebook", "--caption", caption, "--json")
    assert done.returncode == 0, done.stderr
    [delivery] = json.loads(done.stdout)["deliveries"]
    assert delivery["state"] == "sent", delivery
    page, _, number = delivery["remote_post_id"].partition("_")
    assert page == "1010000000000002" and delivery["url"] == f"https://www.facebook.com/{page}/posts/{number}"
    posts = httpx2.get(f"{sandbox_process.url}/__sandbox__/posts", params={"host": GRAPH}).json()
    assert [(p["user"], p["text"], p["media"]) for p in posts["posts"]] == [(page, caption, 1)]
    # The photo went up unpublished as multipart "source", then one feed post attached it.
    [upload] = sandbox_process.requests(f"/v26.0/{page}/photos")
    assert upload["params"]["published"] == "false" and upload["content_type"] == "multipart/form-data"
    [feed] = [r for r in sandbox_process.requests(f"/v26.0/{page}/feed") if r["method"] == "POST"]
    photo_id = json.loads(feed["params"]["attached_media"])[0]["media_fbid"]
    stored = httpx2.get(f"{sandbox_process.url}/{GRAPH}/v26.0/{photo_id}/picture")
    assert stored.content == picture.read_bytes()  # the sandbox really kept the photo

    # The tokens (the user's and every Page's) are in the keyring only.
    token = Vault(Settings(allow_plaintext_secrets=True)).get_token(account["vault_key"])
    assert token is not None and set(token["page_tokens"]) == {"1010000000000001", page}
    held = [token["access_token"], *token["page_tokens"].values()]
    for path in linkdeck_home.rglob("*"):
        if path.is_file() and path.name != PLAINTEXT_FILENAME:
            assert not [t for t in held if t.encode() in path.read_bytes()], path
    assert not [t for t in held if t in out + err + done.stdout + done.stderr + json.dumps(account)]

    unlinked = run_cli(fb_env, "unlink", "facebook", "--yes")
    assert unlinked.returncode == 0, unlinked.stderr
    assert "confirmed" in unlinked.stdout
    [revoke] = sandbox_process.requests("/v26.0/me/permissions")
    assert revoke["method"] == "DELETE"
    assert accounts(fb_env) == []
    after = httpx2.post(
        f"{sandbox_process.url}/{GRAPH}/v26.0/{page}/feed",
        data={"message": "after unlink"},
        headers={"Authorization": f"Bearer {token['page_tokens'][page]}"},
    )
    assert after.status_code == 400 and after.json()["error"]["code"] == 190  # the grant is gone


def test_a_vertical_video_posts_as_a_reel_and_a_too_short_one_is_refused_first(
    fb_env: dict[str, str], sandbox_process: SandboxProcess, tmp_path: Path
) -> None:
    code, _, err = link_facebook(fb_env, 1)
    assert code == 0, err
    page = "1010000000000001"
    short = media_corpus.video(tmp_path / "short.mp4", (540, 960), seconds=1.0, audio=False)
    refused = run_cli(fb_env, "post", str(short), "--to", "facebook", "--caption", "Too short", "--json")
    assert refused.returncode == 1, refused.stdout
    said = refused.stdout + refused.stderr
    assert "vertical video, which Facebook posts as a Reel" in said, said
    assert "Reels last 3 s to 1:30 (this one is 1 s)" in said, said
    assert sandbox_process.requests(f"/v26.0/{page}/video_reels") == []  # nothing sent

    clip = media_corpus.video(tmp_path / "reel.mp4", (540, 960), seconds=3.2, audio=False)
    done = run_cli(fb_env, "post", str(clip), "--to", "facebook", "--caption", "Tide turning", "--json")
    assert done.returncode == 0, done.stderr + done.stdout
    [delivery] = json.loads(done.stdout)["deliveries"]
    assert delivery["state"] == "sent", delivery
    assert delivery["url"] == f"https://www.facebook.com/reel/{delivery['remote_post_id']}"
    phases = [r["params"].get("upload_phase") for r in sandbox_process.requests(f"/v26.0/{page}/video_reels")]
    assert phases == ["start", "finish"]
    [upload] = sandbox_process.requests(f"/video-upload/v26.0/{delivery['remote_post_id']}")
    assert upload["host"] == "rupload.facebook.com" and upload["method"] == "POST"
    assert sandbox_process.requests(f"/v26.0/{page}/videos") == []  # never the drafts' way
    posts = sandbox_process.control("GET", "posts")["posts"]
    assert [(p["user"], p["text"], p["media"]) for p in posts] == [(page, "Tide turning", 1)]
