"""Instagram end to end through the command line, as a user runs it: ``linkdeck sandbox`` in one
process (the emulated Instagram hosts), moto's S3 server in another (the user's staging bucket),
and ``linkdeck config set-secret|link|accounts|check|post|unlink`` each in its own. This test is
the browser: it opens the printed address, presses Allow on the consent page and pastes the
address the browser ends on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from providers.networks.instagram.sandbox import CLIENT_ID, CLIENT_SECRET
from tests import media_corpus
from tests.sandbox_browser import approve
from tests.support.cli import run_cli, start_cli
from tests.support.ports import free_port
from tests.support.processes import SandboxProcess
from tests.support.s3 import SECRET_KEY, S3Server, running_s3


def containers(sandbox: SandboxProcess) -> list[dict[str, object]]:
    """The container requests the sandbox saw (``POST /v26.0/{ig-user-id}/media``)."""
    return [r for r in sandbox.requests(method="POST") if str(r["path"]).endswith("/media")]


@pytest.fixture
def s3(tmp_path: Path) -> Iterator[S3Server]:
    with running_s3(tmp_path) as server:
        server.make_bucket()
        yield server


@pytest.fixture
def config(linkdeck_home: Path) -> Path:
    path = linkdeck_home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'[networks.instagram]\nclient_id = "{CLIENT_ID}"\nport = {free_port()}\n')
    return path


def link(env: dict[str, str]) -> tuple[int, str, str, str]:
    """``linkdeck link instagram --no-browser``: Allow on the consent page, paste the redirect."""
    process = start_cli(env, "link", "instagram", "--no-browser")
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
    return process.returncode, address, "".join(shown) + out, err


def test_link_post_a_carousel_through_containers_refuse_9_16_and_unlink(
    env: dict[str, str], sandbox_process: SandboxProcess, s3: S3Server, config: Path, tmp_path: Path
) -> None:
    env = {**env, "LINKDECK_SANDBOX_URL": sandbox_process.url}
    stored = run_cli(env, "config", "set-secret", "instagram", stdin=f"{CLIENT_SECRET}\n")
    assert stored.returncode == 0, stored.stderr

    code, address, out, err = link(env)
    assert code == 0, out + err
    parts = urlsplit(address)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.path.endswith("/www.instagram.com/oauth/authorize")
    assert query["scope"] == "instagram_business_basic,instagram_business_content_publish"
    assert query["client_id"] == CLIENT_ID and len(query["state"]) >= 16 and query["response_type"] == "code"
    [account] = json.loads(run_cli(env, "accounts", "--json").stdout)["accounts"]
    assert account["network"] == "instagram" and account["handle"] == "@alice"
    assert account["expires_at"]  # the 60-day token, not the one-hour one

    # A 9:16 photo to the feed: refused before anything is staged or sent, naming the rule.
    tall = media_corpus.jpeg(tmp_path / "tall.jpg", (1080, 1920))
    refused = run_cli(env, "post", str(tall), "--to", "instagram", "--caption", "Too tall", "--json")
    assert refused.returncode == 1, refused.stdout
    said = refused.stdout + refused.stderr
    assert "Instagram" in said and "4:5" in said and "1.91:1" in said, said
    assert containers(sandbox_process) == [] and s3.keys() == []

    # No [staging] yet: refused before it is recorded or sent, naming the fix.
    one = media_corpus.jpeg(tmp_path / "one.jpg", (800, 600))
    two = media_corpus.jpeg(tmp_path / "two.jpg", (1080, 1080), colour="tomato")
    unstaged = run_cli(env, "post", str(one), "--to", "instagram", "--caption", "Harbour", "--json")
    assert unstaged.returncode == 1 and "linkdeck config set-secret staging" in unstaged.stdout
    assert containers(sandbox_process) == []

    config.write_text(config.read_text() + "\n" + s3.config_toml())
    stored = run_cli(env, "config", "set-secret", "staging", stdin=f"{SECRET_KEY}\n")
    assert stored.returncode == 0, stored.stderr
    caption = "Low tide at the harbour. More: https://harbour.example/tides"
    done = run_cli(env, "post", str(one), str(two), "--to", "instagram", "--caption", caption, "--json")
    assert done.returncode == 0, done.stderr + done.stdout
    [delivery] = json.loads(done.stdout)["deliveries"]
    assert delivery["state"] == "sent", delivery
    assert delivery["url"].startswith("https://www.instagram.com/p/")
    made = [r["params"] for r in containers(sandbox_process)]
    assert [p.get("is_carousel_item") for p in made] == ["true", "true", None]  # type: ignore[attr-defined]
    assert made[2]["media_type"] == "CAROUSEL" and made[2]["caption"] == caption  # type: ignore[index]
    statuses = [r["params"] for r in sandbox_process.requests(method="GET")]
    assert any("status_code" in str(p.get("fields")) for p in statuses)
    [post] = sandbox_process.control("GET", "posts")["posts"]
    assert (post["text"], post["media"]) == (caption, 2)  # Instagram fetched both staged photos
    assert s3.keys() == []  # and the staged copies are gone

    text = run_cli(env, "post", "--to", "instagram", "--caption", "Only words", "--json")
    assert text.returncode == 1

    gone = run_cli(env, "unlink", "instagram", "--yes")
    assert gone.returncode == 0, gone.stderr
    assert "instagram.com/accounts/manage_access" in gone.stdout
    assert json.loads(run_cli(env, "accounts", "--json").stdout)["accounts"] == []
