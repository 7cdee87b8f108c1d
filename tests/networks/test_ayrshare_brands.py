"""An Ayrshare User Profile is a brand in linkdeck: linking a network on a profile puts the account
into the brand named like the profile's title (made when new, found ignoring case and spacing, so
the profile's accounts never end up split over two brands of one name), whatever ``--brand``
says; a title that could not name a brand is refused before anything is created at Ayrshare."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from providers.networks.ayrshare.sandbox import DEMO_KEY
from tests.networks.test_ayrshare_cli import link
from tests.support.cli import run_cli
from tests.support.processes import SandboxProcess


def cli_json(env: dict[str, str], *args: str) -> Any:
    done = run_cli(env, *args, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def test_a_profile_links_into_the_brand_of_its_title(
    env: dict[str, str], sandbox_process: SandboxProcess, linkdeck_home: Path
) -> None:
    env = env | {"LINKDECK_SANDBOX_URL": sandbox_process.url}
    assert run_cli(env, "config", "set-secret", "ayrshare", stdin=DEMO_KEY + "\n").returncode == 0

    code, out, err = link(env, "Harbour Cafe", "instagram")  # no such brand yet: made
    assert code == 0, out + err
    assert "in the brand 'Harbour Cafe'" in out  # now there are two brands, so the CLI says which
    brands = {b["name"]: b["accounts"] for b in cli_json(env, "brands")["brands"]}
    assert brands == {"Default": 0, "Harbour Cafe": 1}

    # The brand renamed in linkdeck: the next network on that profile still joins it (the title
    # is compared ignoring case and spacing), and --brand does not split the profile.
    assert run_cli(env, "brands", "rename", "harbour cafe", "HARBOUR  CAFE").returncode == 0
    code, out, err = link(env, "Harbour Cafe", "facebook", "--brand", "Default")
    assert code == 0, out + err
    assert "in the brand 'HARBOUR CAFE'" in out
    accounts = cli_json(env, "accounts")["accounts"]
    assert sorted((a["target_id"], a["brand"]) for a in accounts) == [
        ("facebook", "HARBOUR CAFE"),
        ("instagram", "HARBOUR CAFE"),
    ]
    assert len(cli_json(env, "brands")["brands"]) == 2

    # A title too long for a brand's name: refused before a profile is made at Ayrshare.
    made_before = len(sandbox_process.requests("/api/profiles", "POST"))
    code, out, err = link(env, "x" * 61, "instagram")
    assert code != 0 and "names the brand in linkdeck" in err and "at most 60" in err, out + err
    assert "Traceback" not in err
    assert len(sandbox_process.requests("/api/profiles", "POST")) == made_before
