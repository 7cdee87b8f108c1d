"""Instagram Stories end to end through the command line (``linkdeck post --story``), against the
sandbox's Instagram and moto's S3 server as the staging bucket: a 9:16 photo (refused on the feed)
goes to the Story as one ``media_type=STORIES`` container with no caption and a story link; a
landscape photo or two files as a Story are refused before anything is staged or sent, naming the
rule; a 9:16 video goes as a Story too; --story to networks without Stories is a usage error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from providers.errors import UsageError
from providers.networks.instagram.sandbox import CLIENT_SECRET
from providers.store import Store
from tests import media_corpus
from tests.networks.test_instagram_cli import config, containers, link, s3  # noqa: F401 (fixtures)
from tests.support.cli import run_cli
from tests.support.processes import SandboxProcess
from tests.support.s3 import SECRET_KEY, S3Server
from tui.cli_commands_post import as_stories


def test_stories_through_the_container_flow_checked_before_upload(
    env: dict[str, str],
    sandbox_process: SandboxProcess,
    s3: S3Server,  # noqa: F811
    config: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    env = {**env, "LINKDECK_SANDBOX_URL": sandbox_process.url}
    assert run_cli(env, "config", "set-secret", "instagram", stdin=f"{CLIENT_SECRET}\n").returncode == 0
    code, _, out, err = link(env)
    assert code == 0, out + err
    config.write_text(config.read_text() + "\n" + s3.config_toml())
    assert run_cli(env, "config", "set-secret", "staging", stdin=f"{SECRET_KEY}\n").returncode == 0

    wide = media_corpus.jpeg(tmp_path / "wide.jpg", (1200, 800))
    refused = run_cli(env, "post", str(wide), "--to", "instagram", "--story", "--json")
    assert refused.returncode == 1, refused.stdout
    said = refused.stdout + refused.stderr
    assert "1:2" in said and "4:5" in said, said
    tall = media_corpus.jpeg(tmp_path / "tall.jpg", (1080, 1920))
    two = run_cli(env, "post", str(tall), str(tall), "--to", "instagram", "--story", "--json")
    assert two.returncode == 1 and "1 photo" in two.stdout + two.stderr, two.stdout + two.stderr
    assert containers(sandbox_process) == [] and s3.keys() == []

    done = run_cli(env, "post", str(tall), "--to", "instagram", "--story", "--caption", "Dawn", "--json")
    assert done.returncode == 0, done.stderr + done.stdout
    [delivery] = json.loads(done.stdout)["deliveries"]
    assert delivery["state"] == "sent", delivery
    assert delivery["url"].startswith("https://www.instagram.com/stories/alice/"), delivery
    [made] = [r["params"] for r in containers(sandbox_process)]
    assert made["media_type"] == "STORIES" and "image_url" in made and "caption" not in made, made
    assert s3.keys() == []  # the staged copy is gone

    clip = media_corpus.video(tmp_path / "clip.mp4", (360, 640), seconds=3.5)
    video = run_cli(env, "post", str(clip), "--to", "instagram", "--story", "--json")
    assert video.returncode == 0, video.stderr + video.stdout
    [sent] = json.loads(video.stdout)["deliveries"]
    assert sent["state"] == "sent" and "/stories/" in sent["url"], sent
    made = [r["params"] for r in containers(sandbox_process)][-1]
    assert made["media_type"] == "STORIES" and "video_url" in made, made

    feed = run_cli(env, "post", str(tall), "--to", "instagram", "--json")
    assert feed.returncode == 1  # the same 9:16 photo to the feed: the feed's aspect rule

    limit = sandbox_process.control("GET", "posts")["posts"]
    assert len(limit) == 2  # both Stories count as published posts


def test_story_to_a_network_without_stories_is_a_usage_error() -> None:
    with Store.open() as store:
        toot = store.upsert_account(
            "mastodon", "1", handle="@a", display_name="A", instance="https://m.example"
        )
        gram = store.upsert_account("instagram", "2", handle="@b", display_name="B")
        with pytest.raises(UsageError, match="none of the chosen accounts' networks posts Stories"):
            as_stories([toot])
        mixed = as_stories([toot, gram])
    assert [a.target_kind for a in mixed] == [None, "story"]  # Mastodon gets the usual post
