"""Google Business Profile end to end through the command line, as a user runs it: ``linkdeck
sandbox`` in one process (the emulated Google hosts), moto's S3 server in another (the user's
staging bucket), and ``linkdeck config set-secret|link|accounts|post|unlink`` each in its own.
This test is the browser: it opens the printed address, presses Allow on the consent page and
pastes the address the browser ends on, then types the number of the location to post to.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from providers.networks.google_business.sandbox import CLIENT_ID, CLIENT_SECRET
from tests import media_corpus
from tests.sandbox_browser import approve
from tests.support.cli import CLI, ROOT, run_cli
from tests.support.ports import free_port
from tests.support.processes import SandboxProcess
from tests.support.s3 import SECRET_KEY, S3Server, running_s3

CREATE = "/v4/accounts/1200002/locations/5002/localPosts"  # Harbour Bakery, the second choice


@pytest.fixture
def s3(tmp_path: Path) -> Iterator[S3Server]:
    with running_s3(tmp_path) as server:
        server.make_bucket()
        yield server


@pytest.fixture
def config(linkdeck_home: Path) -> Path:
    path = linkdeck_home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'[networks.google-business]\nclient_id = "{CLIENT_ID}"\nport = {free_port()}\n')
    return path


def link_choosing(env: dict[str, str], choice: int) -> tuple[int, str, str]:
    """``linkdeck link google-business --no-browser``: Allow on the consent page, paste the
    redirect, then type ``choice`` when asked for the location."""
    process = subprocess.Popen(
        [*CLI, "link", "google-business", "--no-browser"],
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
    answer = approve(line.strip())
    assert answer.status_code == 302, answer.text[:300]
    process.stdin.write(answer.headers["location"] + "\n")
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


def test_link_choose_a_location_post_a_staged_photo_get_its_link_and_unlink(
    env: dict[str, str], sandbox_process: SandboxProcess, s3: S3Server, config: Path, tmp_path: Path
) -> None:
    env = {**env, "LINKDECK_SANDBOX_URL": sandbox_process.url}
    stored = run_cli(env, "config", "set-secret", "google-business", stdin=f"{CLIENT_SECRET}\n")
    assert stored.returncode == 0, stored.stderr

    code, out, err = link_choosing(env, 2)
    assert code == 0, out + err
    assert "location: Harbour Café, Portsmouth" in out and "location: Harbour Bakery, Portsmouth" in out
    [account] = json.loads(run_cli(env, "accounts", "--json").stdout)["accounts"]
    assert account["network"] == "google-business" and account["handle"] == "Alice Example"
    assert account["target_id"] == "accounts/1200002/locations/5002"

    # No [staging] yet: the photo post is refused before it is recorded or sent, naming the fix.
    photo = media_corpus.jpeg(tmp_path / "loaves.jpg", (800, 600))
    refused = run_cli(
        env, "post", str(photo), "--to", "google-business", "--caption", "Fresh bread", "--json"
    )
    assert refused.returncode == 1 and "Nothing was posted" in refused.stderr
    [problem] = json.loads(refused.stdout)["problems"]
    assert (
        problem["code"] == "staging_not_set_up" and "linkdeck config set-secret staging" in problem["message"]
    )
    assert problem["message"].startswith(
        "Google Business Profile (Harbour Bakery, Portsmouth (Harbour Shops))"
    )
    assert "[staging]" in problem["message"] and sandbox_process.requests(CREATE) == []
    assert json.loads(run_cli(env, "queue", "--json").stdout)["deliveries"] == []
    checked = run_cli(env, "check", str(photo), "--to", "google-business", "--json")
    assert checked.returncode == 1
    codes = [p["code"] for r in json.loads(checked.stdout)["results"] for p in r.get("problems", [])]
    assert codes == ["staging_not_set_up"]

    config.write_text(config.read_text() + "\n" + s3.config_toml())
    stored = run_cli(env, "config", "set-secret", "staging", stdin=f"{SECRET_KEY}\n")
    assert stored.returncode == 0 and "staging bucket" in stored.stdout, stored.stderr
    assert run_cli(env, "check", str(photo), "--to", "google-business").returncode == 0
    caption = "Fresh sourdough from 7 a.m. Menu: https://bakery.example/menu"
    done = run_cli(env, "post", str(photo), "--to", "google-business", "--caption", caption, "--json")
    assert done.returncode == 0, done.stderr + done.stdout
    [delivery] = json.loads(done.stdout)["deliveries"]
    assert delivery["state"] == "sent", delivery
    assert delivery["url"].startswith("https://local.google.com/place?id=5002&use=posts&lpsid=")
    assert delivery["remote_post_id"].startswith("accounts/1200002/locations/5002/localPosts/")
    [record] = sandbox_process.requests(CREATE, "POST")
    assert record["status"] == 200 and record["params"]["topicType"] == "STANDARD"
    [post] = sandbox_process.control("GET", "posts")["posts"]
    assert (post["text"], post["media"]) == (caption, 1)  # Google fetched the staged photo
    assert s3.keys() == []  # and the staged copy is gone

    text = run_cli(env, "post", "--to", "google-business", "--caption", "Closed on Monday", "--json")
    assert text.returncode == 0, text.stderr
    assert json.loads(text.stdout)["deliveries"][0]["state"] == "sent"

    gone = run_cli(env, "unlink", "google-business", "--yes")
    assert gone.returncode == 0, gone.stderr
    assert "revoked" in gone.stdout.lower()
    assert json.loads(run_cli(env, "accounts", "--json").stdout)["accounts"] == []
