"""X's OAuth 1.0a PIN route end to end through the command line against ``linkdeck sandbox``: an app
with only its API Key and Secret links by the PIN X shows (this test is the browser: Allow on the
consent page, the PIN typed on stdin), posts a photo with every request signed, and unlinks (the
token invalidated at X). Also: requests_oauthlib, a signer written by others, against the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from providers.networks.x.sandbox_oauth import DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET
from tests import media_corpus
from tests.sandbox_browser import approve, oob_code
from tests.support.cli import run_cli
from tests.support.cli_link import link_pasting
from tests.support.processes import SandboxProcess


def pin_env(env: dict[str, str], home: Path, sandbox: SandboxProcess, route: str = "pin") -> dict[str, str]:
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[networks.x]\nroute = "{route}"\n', encoding="utf-8")
    return {
        **env,
        "LINKDECK_SANDBOX_URL": sandbox.url,
        "LINKDECK_X_CLIENT_ID": DEMO_CONSUMER_KEY,
        "LINKDECK_X_CLIENT_SECRET": DEMO_CONSUMER_SECRET,
    }


@pytest.fixture
def x_env(env: dict[str, str], linkdeck_home: Path, sandbox_process: SandboxProcess) -> dict[str, str]:
    return pin_env(env, linkdeck_home, sandbox_process)


def link_by_pin(env: dict[str, str], *, typed: str | None = None) -> tuple[int, str, str]:
    """`linkdeck link x --no-browser`: approve the printed address, type back the PIN (or ``typed``)."""

    def pin_after_allow(url: str) -> str:
        page = approve(url)
        assert page.status_code == 200, page.text[:300]
        pin = oob_code(page.text)
        assert pin.isdigit() and len(pin) == 7  # X's PIN
        return typed if typed is not None else pin

    code, out, err, _ = link_pasting(env, "x", pin_after_allow)
    return code, out, err


def test_link_by_pin_post_a_photo_signed_and_unlink(
    x_env: dict[str, str], sandbox_process: SandboxProcess, tmp_path: Path
) -> None:
    code, out, err = link_by_pin(x_env)
    assert code == 0, err
    assert "/api.x.com/oauth/authorize?oauth_token=" in out and "code_challenge" not in out
    assert "Linked @alice (Alice Example) on X" in out
    [request_token] = sandbox_process.requests("/oauth/request_token", "POST")
    assert request_token["status"] == 200
    [me] = sandbox_process.requests("/2/users/me", "GET")
    assert me["status"] == 200  # the profile call, signed with the new token

    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (800, 600))
    done = run_cli(x_env, "post", str(photo), "--to", "x", "--caption", "Signed, not bearer", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    [sent] = json.loads(done.stdout)["deliveries"]
    assert sent["state"] == "sent" and sent["url"] == f"https://x.com/alice/status/{sent['remote_post_id']}"
    posts = sandbox_process.control("GET", "posts")["posts"]
    assert [(p["text"], p["media"]) for p in posts] == [("Signed, not bearer", 1)]

    gone = run_cli(x_env, "unlink", "x", "--yes")
    assert gone.returncode == 0, gone.stderr
    [invalidated] = sandbox_process.requests("/1.1/oauth/invalidate_token", "POST")
    assert invalidated["status"] == 200
    assert not sandbox_process.requests("/2/oauth2/revoke")  # the OAuth 2.0 revoke is not for this token
    assert json.loads(run_cli(x_env, "accounts", "--json").stdout)["accounts"] == []


def test_a_wrong_pin_links_nothing(x_env: dict[str, str]) -> None:
    code, out, err = link_by_pin(x_env, typed="0000000")
    assert code == 1, out + err
    assert "X" in err and "Traceback" not in err
    assert json.loads(run_cli(x_env, "accounts", "--json").stdout)["accounts"] == []


def test_an_unknown_route_and_a_missing_secret_are_named(
    env: dict[str, str], linkdeck_home: Path, sandbox_process: SandboxProcess
) -> None:
    odd = pin_env(env, linkdeck_home, sandbox_process, route="carrier-pigeon")
    refused = run_cli(odd, "link", "x", "--no-browser")
    assert refused.returncode == 2
    assert 'X has no link route "carrier-pigeon"' in refused.stderr and "route pin" in refused.stderr
    no_secret = pin_env(env, linkdeck_home, sandbox_process)
    del no_secret["LINKDECK_X_CLIENT_SECRET"]
    missing = run_cli(no_secret, "link", "x", "--no-browser")
    assert missing.returncode == 2
    assert "API Key Secret" in missing.stderr and "config set-secret x" in missing.stderr
    assert "Traceback" not in refused.stderr + missing.stderr


def test_requests_oauthlib_signs_its_way_through_the_emulated_pin_route(
    sandbox_process: SandboxProcess,
) -> None:
    """An OAuth 1.0a client written by others (requests-oauthlib, which flickrapi uses): request
    token with oob, the PIN from the consent page, access token, then a signed POST /2/tweets."""
    from requests_oauthlib import OAuth1Session

    api = f"{sandbox_process.url}/api.x.com"
    session = OAuth1Session(DEMO_CONSUMER_KEY, client_secret=DEMO_CONSUMER_SECRET, callback_uri="oob")
    session.fetch_request_token(f"{api}/oauth/request_token")
    page = approve(session.authorization_url(f"{api}/oauth/authorize"))
    tokens = session.fetch_access_token(f"{api}/oauth/access_token", verifier=oob_code(page.text))
    assert tokens["screen_name"] == "alice" and tokens["user_id"]
    created = session.post(f"{api}/2/tweets", json={"text": "From requests-oauthlib"})
    assert created.status_code == 201, created.text
    assert created.json()["data"]["text"] == "From requests-oauthlib"
    forged = OAuth1Session(DEMO_CONSUMER_KEY, client_secret="not-the-secret", callback_uri="oob")
    answer = forged.post(f"{api}/oauth/request_token")
    assert answer.status_code == 401
    assert answer.json() == {"errors": [{"code": 32, "message": "Could not authenticate you."}]}
