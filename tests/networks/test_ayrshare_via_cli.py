"""``linkdeck link NETWORK --via ayrshare`` against the sandbox: named in ``link --help``; links
Instagram through Ayrshare's page asking only for the profile title; refuses, with the rule, a
network Ayrshare does not offer (Tumblr), X (its own keys), and a --via that is no broker."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
from PIL import Image

from providers.networks.ayrshare.sandbox import API, DEMO_KEY
from tests.networks.test_ayrshare_cli import profile_key
from tests.sandbox_browser import approve
from tests.support.cli import run_cli, start_cli
from tests.support.processes import SandboxProcess


def test_link_help_names_the_via_route(env: dict[str, str]) -> None:
    shown = run_cli(env, "link", "--help")
    assert shown.returncode == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert "--via BROKER" in text and "--via ayrshare" in text and "instagram" in text


def link_via(env: dict[str, str], network: str, title: str) -> str:
    """``link NETWORK --via ayrshare --no-browser``: the title on stdin (the only question), then
    Link on the page printed, and Enter (check at once); its whole output."""
    process = start_cli(env, "link", network, "--via", "ayrshare", "--no-browser")
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    process.stdin.write(f"{title}\n")
    process.stdin.flush()
    shown = []
    for line in process.stdout:
        shown.append(line)
        if line.startswith("http"):
            assert approve(line.strip()).status_code == 302
            process.stdin.write("\n")
            break
    process.stdin.close()
    out, err = "".join(shown) + process.stdout.read(), process.stderr.read()
    assert process.wait(timeout=60) == 0, out + err
    return out


def test_link_instagram_via_ayrshare_asks_only_the_title(
    env: dict[str, str], sandbox_process: SandboxProcess
) -> None:
    env = env | {"LINKDECK_SANDBOX_URL": sandbox_process.url}
    assert run_cli(env, "config", "set-secret", "ayrshare", stdin=DEMO_KEY + "\n").returncode == 0
    out = link_via(env, "instagram", "Harbour Cafe")
    assert "Linked harbour.studio" in out and "on Instagram via Ayrshare" in out, out
    assert "Imported 0 post(s) from 1 account(s)" in out  # the history, read right after linking

    listed = run_cli(env, "accounts", "--json")
    [account] = json.loads(listed.stdout)["accounts"]  # once, under Ayrshare
    assert account["network"] == "ayrshare" and account["target_id"] == "instagram"


def test_history_is_imported_once_and_never_what_linkdeck_sent(
    env: dict[str, str], sandbox_process: SandboxProcess, tmp_path: Path
) -> None:
    env = env | {"LINKDECK_SANDBOX_URL": sandbox_process.url, "LINKDECK_AYRSHARE_CLIENT_SECRET": DEMO_KEY}
    link_via(env, "instagram", "Harbour Cafe")
    # Posted in Ayrshare's own dashboard (not by linkdeck), on the same profile.
    made = httpx2.post(
        f"{sandbox_process.url}/{API}/api/post",
        json={"post": "From the dashboard", "platforms": ["instagram"]},
        headers={"Authorization": f"Bearer {DEMO_KEY}", "Profile-Key": profile_key("Harbour Cafe")},
    )
    assert made.status_code == 200, made.text
    photo = tmp_path / "tide.jpg"
    Image.new("RGB", (800, 600), (40, 90, 160)).save(photo, quality=85)
    sent = run_cli(env, "post", str(photo), "--to", "ayrshare", "--caption", "Sent by linkdeck", "--json")
    assert sent.returncode == 0, sent.stdout + sent.stderr

    first = run_cli(env, "import-history", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"imported": 1, "known": 1, "problems": []}
    again = run_cli(env, "import-history", "ayrshare", "--json")
    assert json.loads(again.stdout) == {"imported": 0, "known": 2, "problems": []}

    rows = json.loads(run_cli(env, "queue", "--json").stdout)["deliveries"]
    assert sorted(r["caption"] for r in rows) == ["From the dashboard", "Sent by linkdeck"]
    dashboard = next(r for r in rows if r["caption"] == "From the dashboard")
    assert dashboard["state"] == "sent" and dashboard["url"].startswith("https://instagram.example/")
    assert dashboard["url"].endswith(made.json()["id"])


def test_via_refuses_what_ayrshare_cannot_link_naming_the_rule(env: dict[str, str]) -> None:
    env = env | {"LINKDECK_AYRSHARE_CLIENT_SECRET": DEMO_KEY}
    tumblr = run_cli(env, "link", "tumblr", "--via", "ayrshare")
    assert tumblr.returncode == 2 and "Ayrshare does not offer Tumblr" in tumblr.stderr
    assert "Traceback" not in tumblr.stderr
    x = run_cli(env, "link", "x", "--via", "ayrshare")
    assert x.returncode == 2 and "needs your own X app keys" in x.stderr
    not_a_broker = run_cli(env, "link", "instagram", "--via", "mastodon")
    assert not_a_broker.returncode == 2 and "Mastodon does not link other networks" in not_a_broker.stderr
    assert "--via takes: ayrshare" in not_a_broker.stderr
