"""Foursquare end to end through the command line, against ``linkdeck sandbox`` in its own process.

Before any set-up: ``linkdeck networks`` says "legacy" with the reason, ``link`` refuses with it,
and nothing offers to post. With the sandbox's legacy v2 project (client id in config.toml, secret
in the environment): ``linkdeck link foursquare`` (this test plays the browser: Allow, the redirect
pasted back; then a place and a venue's name typed, and the venue chosen by number), ``post`` a
photo with a shout (a link comes back), ``accounts``, ``unlink`` (Foursquare has no revoke call:
the token is forgotten here and the settings page named).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from providers.networks.foursquare.api import VERSION
from providers.networks.foursquare.sandbox_oauth import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from tests import media_corpus
from tests.sandbox_browser import query
from tests.support.cli import run_cli
from tests.support.cli_link import link_choosing
from tests.support.ports import free_port
from tests.support.processes import SandboxProcess


def test_before_any_set_up_foursquare_is_legacy_with_its_reason_and_nothing_pretends(
    env: dict[str, str],
) -> None:
    rows = {r["id"]: r for r in json.loads(run_cli(env, "networks", "--json").stdout)["networks"]}
    row = rows["foursquare"]
    assert row["status"] == "legacy"
    assert "before 18 Nov 2021" in row["status_reason"] and "no user check-ins" in row["status_reason"]
    human = run_cli(env, "networks").stdout
    assert any(line.startswith("foursquare") and " legacy " in line for line in human.splitlines())
    refused = run_cli(env, "link", "foursquare", "--no-browser")
    assert refused.returncode == 2 and "Foursquare is legacy: Check-ins need" in refused.stderr
    assert "http" not in refused.stdout  # no address to open: nothing started
    posted = run_cli(env, "post", "--to", "foursquare", "--caption", "hi")
    assert posted.returncode != 0 and "foursquare" in posted.stderr.lower()
    assert json.loads(run_cli(env, "queue", "--json").stdout)["deliveries"] == []
    doctor = run_cli(env, "doctor").stdout
    assert "app:foursquare       no client id (card shows 'legacy')" in doctor
    opened = run_cli({**env, "LINKDECK_FOURSQUARE_CLIENT_ID": DEMO_CLIENT_ID}, "networks", "--json").stdout
    status = {r["id"]: r["status"] for r in json.loads(opened)["networks"]}["foursquare"]
    assert status == "available"  # a legacy project's client id is what opens it


@pytest.fixture
def foursquare_env(
    env: dict[str, str], sandbox_process: SandboxProcess, linkdeck_home: Path
) -> dict[str, str]:
    config = linkdeck_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[networks.foursquare]\nclient_id = "{DEMO_CLIENT_ID}"\nport = {free_port()}\n')
    return {
        **env,
        "LINKDECK_SANDBOX_URL": sandbox_process.url,
        "LINKDECK_FOURSQUARE_CLIENT_SECRET": DEMO_CLIENT_SECRET,
    }


def test_link_choose_the_venue_check_in_with_a_shout_and_a_photo_get_a_link_and_unlink(
    foursquare_env: dict[str, str], sandbox_process: SandboxProcess, tmp_path: Path
) -> None:
    code, out, err, url = link_choosing(
        foursquare_env, "foursquare", "Harbour Lighthouse", typed=("Lisbon", "harbour")
    )
    assert code == 0, out + err
    assert url.startswith(f"{sandbox_process.url}/foursquare.com/oauth2/authenticate?")
    shown = query(url)
    assert (
        shown["client_id"] == DEMO_CLIENT_ID and len(shown["state"]) >= 16 and "code_challenge" not in shown
    )
    assert "location: Harbour Café (Rua do Cais 3, Lisbon)" in out
    [token_call] = sandbox_process.requests("/oauth2/access_token", "POST")
    assert token_call["params"]["client_secret"].startswith("sha256:")  # sent, and never logged plainly
    [search] = sandbox_process.requests("/v2/venues/search", "GET")
    assert (search["params"]["near"], search["params"]["query"], search["params"]["v"]) == (
        "Lisbon", "harbour", VERSION,
    )  # fmt: skip

    [account] = json.loads(run_cli(foursquare_env, "accounts", "--json").stdout)["accounts"]
    assert account["handle"] == "Alice Example" and account["target_kind"] == "location"
    assert account["target_name"] == "Harbour Lighthouse (Cais do Farol, Lisbon)"

    photo = media_corpus.jpeg(tmp_path / "lighthouse.jpg", (800, 600))
    shout = "Lighthouse at dusk"
    done = run_cli(foursquare_env, "post", str(photo), "--to", "foursquare", "--caption", shout, "--json")
    assert done.returncode == 0, done.stderr
    [delivery] = json.loads(done.stdout)["deliveries"]
    assert delivery["state"] == "sent" and delivery["url"].startswith("https://www.swarmapp.com/c/")
    [checkin] = sandbox_process.requests("/v2/checkins/add", "POST")
    assert checkin["params"]["venueId"] == account["target_id"] and checkin["params"]["shout"] == shout
    assert checkin["params"]["v"] == VERSION and checkin["params"]["oauth_token"].startswith("sha256:")
    [photo_call] = sandbox_process.requests("/v2/photos/add", "POST")
    assert photo_call["content_type"] == "multipart/form-data"
    assert photo_call["params"]["checkinId"] == delivery["remote_post_id"]
    posts = sandbox_process.control("GET", "posts")["posts"]
    assert [(p["text"], p["media"]) for p in posts if p["host"] == "api.foursquare.com"] == [(shout, 1)]

    too_long = run_cli(foursquare_env, "post", "--to", "foursquare", "--caption", "x" * 141)
    assert too_long.returncode != 0 and "140" in (too_long.stdout + too_long.stderr)
    assert len(sandbox_process.requests("/v2/checkins/add", "POST")) == 1  # refused before sending

    done = run_cli(foursquare_env, "unlink", "foursquare", "--yes")
    assert done.returncode == 0, done.stderr
    assert "https://foursquare.com/settings/connections" in done.stdout + done.stderr
    assert json.loads(run_cli(foursquare_env, "accounts", "--json").stdout)["accounts"] == []
