"""YouTube end to end through the command line: ``linkdeck sandbox`` in one process, ``link``,
``accounts``, ``post`` and ``unlink`` in others, this test acting as the browser (Google's account
chooser is the consent page's "Signed in as": the channel is chosen there). The upload's
connection is dropped at half the file by the sandbox; the post still arrives, resumed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest

from providers.networks.youtube.sandbox import DEMO
from tests.media_corpus import video
from tests.sandbox_browser import approve, query
from tests.support.cli import run_cli
from tests.support.processes import SandboxProcess
from tests.test_link_cli import link

UPLOAD = "/upload/youtube/v3/videos"


@pytest.fixture
def youtube_env(env: dict[str, str], sandbox_process: SandboxProcess) -> dict[str, str]:
    return env | {
        "LINKDECK_SANDBOX_URL": sandbox_process.url,
        "LINKDECK_YOUTUBE_CLIENT_ID": str(DEMO.client_id),
        "LINKDECK_YOUTUBE_CLIENT_SECRET": str(DEMO.client_secret),
    }


def chooser(user: str) -> Callable[[str], str]:
    """The browser: Google's page (as its URL must be), the account chooser set to ``user``."""

    def answer(url: str) -> str:
        assert "/accounts.google.com/o/oauth2/v2/auth?" in url
        assert query(url)["access_type"] == "offline" and "select_account" in query(url)["prompt"]
        return str(approve(url, user=user).headers["location"])

    return answer


def test_link_choose_the_channel_post_a_video_resumed_at_half_and_unlink(
    youtube_env: dict[str, str], sandbox_process: SandboxProcess, tmp_path: Path
) -> None:
    code, out, err = link(youtube_env, "youtube", None, chooser("bob"))  # bob's channel, chosen
    assert code == 0, err
    assert "@bob" in out
    accounts = json.loads(run_cli(youtube_env, "accounts", "--json").stdout)["accounts"]
    [account] = accounts
    assert account["network"] == "youtube" and account["handle"] == "@bob"

    clip = video(tmp_path / "tide.mp4", size=(640, 360), seconds=2.0)
    size = clip.stat().st_size
    fault = {"path": UPLOAD, "method": "PUT", "drop_after_bytes": size // 2}  # the connection drops at 50%
    assert httpx2.post(f"{sandbox_process.url}/__sandbox__/fail", json=fault, timeout=10).status_code == 200
    done = run_cli(
        youtube_env, "post", str(clip), "--to", "youtube", "--caption", "Tide\nComing in fast.", "--json"
    )
    assert done.returncode == 0, done.stderr
    [delivery] = json.loads(done.stdout)["deliveries"]
    assert delivery["state"] == "sent", delivery
    assert delivery["url"] == f"https://www.youtube.com/watch?v={delivery['remote_post_id']}"
    puts = sandbox_process.requests(UPLOAD, "PUT")
    assert [p["status"] for p in puts] == ["dropped", 308, 201]  # dropped, asked, resumed
    assert puts[0]["body_bytes"] == size // 2 and puts[2]["body_bytes"] == size - size // 2
    assert sum(p.get("body_bytes", 0) for p in puts) <= 1.1 * size
    [posted] = sandbox_process.control("GET", "posts")["posts"]
    assert posted["text"] == "Tide\n\nComing in fast." and posted["media"] == 1

    gone = run_cli(youtube_env, "unlink", "youtube", "--yes")
    assert gone.returncode == 0, gone.stderr
    assert json.loads(run_cli(youtube_env, "accounts", "--json").stdout)["accounts"] == []
    [revoked] = sandbox_process.requests("/revoke", "POST")
    assert revoked["status"] == 200 and revoked["host"] == "oauth2.googleapis.com"
