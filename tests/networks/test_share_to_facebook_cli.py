"""Instagram's "Share to Facebook" through the command line: Facebook and Instagram linked in the
sandbox, ``linkdeck config set instagram share_to_facebook <Page>``, then ``linkdeck post --to
instagram`` makes one delivery for Instagram and one for the Page, both sent (the Page's through
its ordinary feed post); ``--no-share`` leaves the Page out; a Page that is not linked is refused."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from providers.networks.facebook.sandbox_auth import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from providers.networks.instagram.sandbox import CLIENT_ID, CLIENT_SECRET
from tests import media_corpus
from tests.networks.test_facebook_cli import link_facebook
from tests.networks.test_instagram_cli import link as link_instagram
from tests.support.cli import run_cli
from tests.support.ports import free_port
from tests.support.processes import SandboxProcess
from tests.support.s3 import SECRET_KEY, S3Server, running_s3

PAGE = "1010000000000001"  # Alice's own Page, "Harbour Photo Co."


@pytest.fixture
def s3(tmp_path: Path) -> Iterator[S3Server]:
    with running_s3(tmp_path) as server:
        server.make_bucket()
        yield server


def test_a_post_to_instagram_also_goes_to_the_chosen_page(
    env: dict[str, str], sandbox_process: SandboxProcess, s3: S3Server, linkdeck_home: Path, tmp_path: Path
) -> None:
    config = linkdeck_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f'[networks.facebook]\nclient_id = "{DEMO_CLIENT_ID}"\nport = {free_port()}\n\n'
        f'[networks.instagram]\nclient_id = "{CLIENT_ID}"\nport = {free_port()}\n\n{s3.config_toml()}'
    )
    env = {
        **env,
        "LINKDECK_SANDBOX_URL": sandbox_process.url,
        "LINKDECK_FACEBOOK_CLIENT_SECRET": DEMO_CLIENT_SECRET,
        "LINKDECK_INSTAGRAM_CLIENT_SECRET": CLIENT_SECRET,
    }
    assert run_cli(env, "config", "set-secret", "staging", stdin=f"{SECRET_KEY}\n").returncode == 0
    code, out, err = link_facebook(env, 1)
    assert code == 0, out + err
    code, _, out, err = link_instagram(env)
    assert code == 0, out + err

    unknown = run_cli(env, "config", "set", "instagram", "share_to_facebook", "999")
    assert unknown.returncode == 2 and f"linked Pages: {PAGE} (Harbour Photo Co.)" in unknown.stderr
    wrong_network = run_cli(env, "config", "set", "facebook", "share_to_facebook", PAGE)
    assert wrong_network.returncode == 2 and "Instagram's setting" in wrong_network.stderr
    assert "share_to_facebook" not in config.read_text()  # nothing written for a refused value

    chosen = run_cli(env, "config", "set", "instagram", "share_to_facebook", "Harbour Photo Co.")
    assert chosen.returncode == 0, chosen.stderr
    assert "Instagram posts also go to Facebook (Harbour Photo Co.)" in chosen.stdout
    assert tomllib.loads(config.read_text())["networks"]["instagram"]["share_to_facebook"] == PAGE

    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (1080, 1080))
    caption = "Boats at rest"
    done = run_cli(env, "post", str(photo), "--to", "instagram", "--caption", caption, "--json")
    assert done.returncode == 0, done.stderr + done.stdout
    assert "Also to Facebook (Harbour Photo Co.)" in done.stderr
    deliveries = json.loads(done.stdout)["deliveries"]
    assert [(d["network"], d["state"]) for d in deliveries] == [("instagram", "sent"), ("facebook", "sent")]
    assert deliveries[1]["url"].startswith(f"https://www.facebook.com/{PAGE}/posts/")
    posts = sandbox_process.control("GET", "posts")["posts"]
    assert sorted((p["user"] == PAGE, p["text"]) for p in posts) == [(False, caption), (True, caption)]

    alone = run_cli(
        env, "post", str(photo), "--to", "instagram", "--caption", "Just here", "--no-share", "--json"
    )
    assert alone.returncode == 0, alone.stderr
    assert [d["network"] for d in json.loads(alone.stdout)["deliveries"]] == ["instagram"]

    off = run_cli(env, "config", "set", "instagram", "share_to_facebook", "off")
    assert off.returncode == 0 and "no longer shared" in off.stdout
    after = run_cli(env, "post", str(photo), "--to", "instagram", "--caption", "Off again", "--json")
    assert [d["network"] for d in json.loads(after.stdout)["deliveries"]] == ["instagram"]
