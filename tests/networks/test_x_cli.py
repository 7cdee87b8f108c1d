"""X end to end through the command line against ``linkdeck sandbox`` in its own process: link with
the sandbox's public Native App client (this test is the browser: Allow on the consent page, the
redirect pasted on stdin), post a photo with alt text and then a video (initialize, append,
finalize, STATUS) and get their links, unlink (the token revoked at X)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from providers.networks.x.sandbox_oauth import DEMO_CLIENT_ID
from tests import media_corpus
from tests.support.cli import run_cli
from tests.support.cli_link import link_pasting, redirect_after_allow
from tests.support.ports import free_port
from tests.support.processes import SandboxProcess


@pytest.fixture
def x_env(env: dict[str, str], linkdeck_home: Path, sandbox_process: SandboxProcess) -> dict[str, str]:
    config = linkdeck_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"[networks.x]\nport = {free_port()}\n")  # the link subprocess binds it
    return {**env, "LINKDECK_SANDBOX_URL": sandbox_process.url, "LINKDECK_X_CLIENT_ID": DEMO_CLIENT_ID}


def link_x(env: dict[str, str]) -> tuple[int, str, str]:
    code, out, err, _ = link_pasting(env, "x", redirect_after_allow)
    return code, out, err


def test_link_post_a_photo_and_a_video_and_unlink_x(
    x_env: dict[str, str], sandbox_process: SandboxProcess, tmp_path: Path
) -> None:
    code, out, err = link_x(x_env)
    assert code == 0, err
    assert "/x.com/i/oauth2/authorize?" in out and "code_challenge_method=S256" in out
    assert "Linked @alice (Alice Example) on X" in out

    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (800, 600))
    Path(f"{photo}.alt.txt").write_text("Fishing boats in a small harbour\n", encoding="utf-8")
    done = run_cli(x_env, "post", str(photo), "--to", "x", "--caption", "Harbour, 7 a.m.", "--json")
    assert done.returncode == 0, done.stderr
    [sent] = json.loads(done.stdout)["deliveries"]
    assert sent["state"] == "sent" and sent["url"] == f"https://x.com/alice/status/{sent['remote_post_id']}"
    [metadata] = sandbox_process.requests("/2/media/metadata", "POST")
    assert metadata["keys"] == ["id", "metadata"] and metadata["status"] == 200  # the alt text

    clip = media_corpus.video(tmp_path / "clip.mp4", seconds=1.0)
    video = run_cli(x_env, "post", str(clip), "--to", "x", "--caption", "Waves", "--json")
    assert video.returncode == 0, video.stderr
    [moving] = json.loads(video.stdout)["deliveries"]
    assert moving["state"] == "sent" and moving["url"].startswith("https://x.com/alice/status/")
    steps = [
        (r["method"], r["path"].rsplit("/", 1)[-1])
        for r in sandbox_process.requests()
        if r["path"].startswith("/2/media/upload")
    ]
    assert steps[1:] == [
        ("POST", "initialize"),
        ("POST", "append"),
        ("POST", "finalize"),
        ("GET", "upload"),  # STATUS, after the check_after_secs finalize asked for
    ]  # the first was the photo's one-shot upload
    posts = sandbox_process.control("GET", "posts")["posts"]
    assert [(p["text"], p["media"]) for p in posts] == [("Harbour, 7 a.m.", 1), ("Waves", 1)]

    gone = run_cli(x_env, "unlink", "x", "--yes")
    assert gone.returncode == 0, gone.stderr
    assert sandbox_process.requests("/2/oauth2/revoke", "POST")
    listed = run_cli(x_env, "accounts", "--json")
    assert json.loads(listed.stdout)["accounts"] == []
