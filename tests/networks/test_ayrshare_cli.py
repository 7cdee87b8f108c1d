"""Ayrshare end to end through the command line, as a user with only an Ayrshare API key: the
key into the keyring, a profile created by linking, a duplicated brand title refused with the
reason, two networks linked on the sandbox's linking page, a photo posted to both with each
network's link, one network unlinked (its scheduled post held), and neither the API key nor a
Profile-Key anywhere but the keyring."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx2
from PIL import Image

from providers.networks.ayrshare.api import profile_secret
from providers.networks.ayrshare.sandbox import API, DEMO_KEY
from providers.settings import Settings
from providers.vault import PLAINTEXT_FILENAME, Vault
from tests.sandbox_browser import approve
from tests.support.cli import CLI, ROOT, run_cli
from tests.support.processes import SandboxProcess


def link(env: dict[str, str], title: str, network: str, *extra: str) -> tuple[int, str, str]:
    """``link ayrshare --no-browser [EXTRA…]``: the title and network on stdin, then Link on the
    page the CLI prints, and Enter (check at once)."""
    process = subprocess.Popen(
        [*CLI, "link", "ayrshare", "--no-browser", *extra],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    process.stdin.write(f"{title}\n{network}\n")
    process.stdin.flush()
    shown = []
    for line in process.stdout:
        shown.append(line)
        if line.startswith("http"):
            response = approve(line.strip())
            assert response.status_code == 302, response.text
            process.stdin.write("\n")
            break
    process.stdin.close()
    out, err = process.stdout.read(), process.stderr.read()
    process.wait(timeout=60)
    return process.returncode, "".join(shown) + out, err


def cli_json(env: dict[str, str], *args: str) -> Any:
    done = run_cli(env, *args, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def test_a_user_with_only_an_ayrshare_key_links_two_networks_and_posts_to_both(
    env: dict[str, str], sandbox_process: SandboxProcess, linkdeck_home: Path, tmp_path: Path
) -> None:
    env = env | {"LINKDECK_SANDBOX_URL": sandbox_process.url}
    stored = run_cli(env, "config", "set-secret", "ayrshare", stdin=DEMO_KEY + "\n")
    assert stored.returncode == 0, stored.stderr

    # A brand someone already made at Ayrshare (its dashboard): its title is refused, with why.
    made = httpx2.post(
        f"{sandbox_process.url}/{API}/api/profiles",
        json={"title": "Harbour Studio"},
        headers={"Authorization": f"Bearer {DEMO_KEY}"},
    )
    assert made.status_code == 200
    code, out, err = link(env, "harbour studio", "instagram")
    assert code != 0 and "titles must be unique" in err and "duplicated brand" in err, out + err
    assert "Profile-Key" in err and cli_json(env, "accounts")["accounts"] == []

    code, out, err = link(env, "Harbour Cafe", "instagram")  # a new brand: created, then linked
    assert code == 0, out + err
    assert "valid for 5 minutes" in out and "Linked harbour.studio" in out
    code, out_fb, err_fb = link(env, "Harbour Cafe", "facebook")  # the same profile, its key kept
    assert code == 0, out_fb + err_fb

    accounts = cli_json(env, "accounts")["accounts"]
    assert sorted(a["target_name"] for a in accounts) == [
        "Facebook Pages via Ayrshare",
        "Instagram via Ayrshare",
    ]
    assert all(a["network"] == "ayrshare" and a["card_state"] == "linked" for a in accounts)
    assert {a["avatar_url"].rsplit("/", 1)[-1] for a in accounts} == {"instagram.png", "facebook.png"}

    photo = tmp_path / "harbour.jpg"
    Image.new("RGB", (800, 600), (40, 90, 160)).save(photo, quality=85)
    posted = cli_json(env, "post", str(photo), "--to", "ayrshare", "--caption", "Low tide")
    links = sorted(d["url"] for d in posted["deliveries"])
    assert [d["state"] for d in posted["deliveries"]] == ["sent", "sent"]
    assert links[0].startswith("https://facebook.example/") and links[1].startswith(
        "https://instagram.example/"
    )
    [upload, _] = sandbox_process.requests("/api/media/upload", "POST")
    assert upload["status"] == 200
    [made_post] = [r for r in sandbox_process.requests("/api/post", "POST") if r["status"] == 200][:1]
    assert made_post

    facebook = next(a for a in accounts if a["target_id"] == "facebook")
    later = cli_json(
        env,
        "post",
        "--to",
        f"ayrshare:{facebook['handle']}",
        "--caption",
        "Tomorrow",
        "--at",
        "2099-05-01T09:00+00:00",
    )
    assert len(later["deliveries"]) == 1
    unlinked = run_cli(env, "unlink", "ayrshare", "--account", str(facebook["id"]), "--yes")
    assert unlinked.returncode == 0, unlinked.stderr
    assert "1 scheduled post(s) held" in unlinked.stdout
    held = [e for e in cli_json(env, "queue")["deliveries"] if e["state"] == "held"]
    assert len(held) == 1 and "not linked" in held[0]["reason"]
    user = httpx2.get(
        f"{sandbox_process.url}/{API}/api/user",
        headers={"Authorization": f"Bearer {DEMO_KEY}", "Profile-Key": profile_key("Harbour Cafe")},
    ).json()
    assert user["activeSocialAccounts"] == ["instagram"]  # Ayrshare's unlink was called
    [left] = cli_json(env, "accounts")["accounts"]
    assert left["target_id"] == "instagram"

    # The API key and the Profile-Key: only in the keyring (not the database, logs or output).
    secrets = [DEMO_KEY, profile_key("Harbour Cafe")]
    outputs = out + err + out_fb + err_fb + json.dumps(posted) + json.dumps(accounts) + unlinked.stdout
    assert not [s for s in secrets if s in outputs]
    hits = [
        str(path)
        for path in linkdeck_home.rglob("*")
        if path.is_file()
        and path.name != PLAINTEXT_FILENAME
        and any(s.encode() in path.read_bytes() for s in secrets)
    ]
    assert hits == []


def profile_key(title: str) -> str:
    key = Vault(Settings(allow_plaintext_secrets=True)).get_client_secret(
        "ayrshare", instance=profile_secret(title)
    )
    assert key
    return key
