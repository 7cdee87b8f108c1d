"""Flickr end to end through the command line, against ``linkdeck sandbox`` in its own process:
``linkdeck link flickr`` (this test plays the browser: Authorize on the consent page, the loopback
redirect pasted back), ``post`` a photo and a video (each gives a link to its Flickr page),
``accounts``, ``unlink`` (Flickr has no revoke call: the token is forgotten here and the summary
points to Flickr's app authorizations page).

The API key and secret are the sandbox's own; every Flickr host is rewritten to the sandbox
(``LINKDECK_SANDBOX_URL``), whose Flickr checks each request's HMAC-SHA1 signature.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from providers.networks.flickr.sandbox_oauth import DEMO_KEY, DEMO_SECRET
from tests import media_corpus
from tests.sandbox_browser import query
from tests.support.cli import run_cli
from tests.support.ports import free_port
from tests.support.processes import SandboxProcess
from tests.test_link_cli import allow, link


@pytest.fixture
def flickr_env(env: dict[str, str], sandbox_process: SandboxProcess, linkdeck_home: Path) -> dict[str, str]:
    config = linkdeck_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[networks.flickr]\nclient_id = "{DEMO_KEY}"\nport = {free_port()}\n')
    return {**env, "LINKDECK_SANDBOX_URL": sandbox_process.url, "LINKDECK_FLICKR_CLIENT_SECRET": DEMO_SECRET}


def link_flickr(env: dict[str, str]) -> tuple[int, str, str, str]:
    """``linkdeck link flickr --no-browser``: Authorize as alice, paste the loopback redirect back.
    (exit code, stdout, stderr, the authorize URL)."""
    shown: list[str] = []

    def answer(url: str) -> str:
        shown.append(url)
        return allow(url)

    code, out, err = link(env, "flickr", None, answer)
    return code, out, err, shown[0]


def test_link_post_a_photo_and_a_video_get_links_and_unlink(
    flickr_env: dict[str, str], sandbox_process: SandboxProcess, tmp_path: Path
) -> None:
    code, out, err, url = link_flickr(flickr_env)
    assert code == 0, out + err
    assert url.startswith(f"{sandbox_process.url}/www.flickr.com/services/oauth/authorize?oauth_token=")
    assert query(url)["perms"] == "write"
    # One request token for the loopback address, one for the typed-code page beside it; each
    # HMAC-SHA1 signature checked by the sandbox.
    asked = sandbox_process.requests("/services/oauth/request_token")
    assert asked and all(r["status"] == 200 and r["authorization"].startswith("OAuth ") for r in asked)

    [account] = json.loads(run_cli(flickr_env, "accounts", "--json").stdout)["accounts"]
    assert account["handle"] == "alice" and account["remote_id"].endswith("@N01")

    photo = media_corpus.jpeg(tmp_path / "dawn.jpg", (800, 600))
    caption = "Dawn\nBoats leaving #harbour #boats"
    done = run_cli(flickr_env, "post", str(photo), "--to", "flickr", "--caption", caption, "--json")
    assert done.returncode == 0, done.stderr
    [delivery] = json.loads(done.stdout)["deliveries"]
    assert delivery["state"] == "sent", delivery
    assert delivery["url"].startswith(f"https://www.flickr.com/photos/{account['remote_id']}/")
    [upload] = sandbox_process.requests("/services/upload/", "POST")
    assert upload["status"] == 200 and upload["content_type"] == "multipart/form-data"
    params = upload["params"]
    assert (params["title"], params["description"], params["tags"]) == (
        "Dawn", "Boats leaving #harbour #boats", "harbour boats",
    )  # fmt: skip
    assert (params["async"], params["is_public"], params["safety_level"]) == ("1", "1", "1")
    methods = [r["params"]["method"] for r in sandbox_process.requests("/services/rest/")]
    assert "flickr.people.getLimits" in methods and "flickr.photos.upload.checkTickets" in methods
    assert {r["status"] for r in sandbox_process.requests("/services/rest/")} == {200}

    clip = media_corpus.video(tmp_path / "tide.mp4", seconds=0.5)
    done = run_cli(flickr_env, "post", str(clip), "--to", "flickr", "--caption", "Tide coming in", "--json")
    assert done.returncode == 0, done.stderr
    [delivery] = json.loads(done.stdout)["deliveries"]
    assert delivery["state"] == "sent" and "/photos/" in delivery["url"]

    text = run_cli(flickr_env, "post", "--to", "flickr", "--caption", "Only words", "--json")
    assert text.returncode == 1 and "Flickr" in text.stdout + text.stderr

    posts = sandbox_process.control("GET", "posts")["posts"]
    assert [(p["text"], p["media"]) for p in posts if p["host"] == "up.flickr.com"] == [
        ("Dawn\nBoats leaving #harbour #boats", 1),
        ("Tide coming in", 1),
    ]

    done = run_cli(flickr_env, "unlink", "flickr", "--yes")
    assert done.returncode == 0, done.stderr
    assert "flickr.com/services/auth/list.gne" in done.stdout + done.stderr
    assert json.loads(run_cli(flickr_env, "accounts", "--json").stdout)["accounts"] == []
