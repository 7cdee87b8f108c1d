"""``linkdeck link NETWORK --via ayrshare`` against the sandbox: named in ``link --help``; links
Instagram through Ayrshare's page asking only for the profile title; refuses, with the rule, a
network Ayrshare does not offer (Tumblr), X (its own keys), and a --via that is no broker."""

from __future__ import annotations

import json

from providers.networks.ayrshare.sandbox import DEMO_KEY
from tests.sandbox_browser import approve
from tests.support.cli import run_cli, start_cli
from tests.support.processes import SandboxProcess


def test_link_help_names_the_via_route(env: dict[str, str]) -> None:
    shown = run_cli(env, "link", "--help")
    assert shown.returncode == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert "--via BROKER" in text and "--via ayrshare" in text and "instagram" in text


def test_link_instagram_via_ayrshare_asks_only_the_title(
    env: dict[str, str], sandbox_process: SandboxProcess
) -> None:
    env = env | {"LINKDECK_SANDBOX_URL": sandbox_process.url}
    assert run_cli(env, "config", "set-secret", "ayrshare", stdin=DEMO_KEY + "\n").returncode == 0
    process = start_cli(env, "link", "instagram", "--via", "ayrshare", "--no-browser")
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    process.stdin.write("Harbour Cafe\n")  # the title only: the network is Instagram already
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
    assert "Linked harbour.studio" in out and "on Instagram via Ayrshare" in out, out

    listed = run_cli(env, "accounts", "--json")
    [account] = json.loads(listed.stdout)["accounts"]  # once, under Ayrshare
    assert account["network"] == "ayrshare" and account["target_id"] == "instagram"


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
