"""``linkdeck check`` as a user runs it: real subprocesses on files from the generated corpus."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from providers import catalog
from providers.spec import Availability
from tests import media_corpus
from tests.support.cli import run_module_cli

MEDIA_KEYS = {"network", "subject", "file", "ok", "problems", "fixes"}
CAPTION_KEYS = {"network", "subject", "ok", "problems", "fixes", "count", "limit"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    names = (
        "square_jpg",
        "portrait_9x16_jpg",
        "text_jpg",
        "bomb_png",
        "empty_jpg",
        "landscape_mp4",
        "gps_jpg",
    )
    return media_corpus.build(tmp_path_factory.mktemp("cli-corpus"), only=names)


def check(*args: str) -> subprocess.CompletedProcess[str]:
    result = run_module_cli("check", *args)
    assert "Traceback" not in result.stderr + result.stdout
    return result


def document(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def test_json_shape_and_exit_0(corpus: dict[str, Path]) -> None:
    result = check(str(corpus["square_jpg"]), "--to", "bluesky,x,mastodon", "--caption", "hello", "--json")
    assert result.returncode == 0, result.stderr
    data = document(result)
    assert set(data) == {"results", "errors"} and data["errors"] == []
    entries = data["results"]
    assert [(e["network"], e["subject"]) for e in entries] == [
        ("bluesky", "media"),
        ("bluesky", "caption"),
        ("x", "media"),
        ("x", "caption"),
        ("mastodon", "media"),
        ("mastodon", "caption"),
    ]
    for entry in entries:
        assert set(entry) == (MEDIA_KEYS if entry["subject"] == "media" else CAPTION_KEYS)
        assert entry["ok"] is True and entry["problems"] == [] and entry["fixes"] == []
    media = entries[0]
    assert media["file"] == str(corpus["square_jpg"])
    assert {e["network"]: (e["count"], e["limit"]) for e in entries if e["subject"] == "caption"} == {
        "bluesky": (5, 300),
        "x": (5, 280),
        "mastodon": (5, 500),
    }


def test_failing_verdict_exits_1_with_codes_and_fixes(corpus: dict[str, Path]) -> None:
    result = check(str(corpus["portrait_9x16_jpg"]), "--to", "instagram", "--json")
    assert result.returncode == 1
    (entry,) = document(result)["results"]
    assert entry["ok"] is False
    assert entry["problems"][0]["code"] == "aspect_ratio"
    assert entry["problems"][0]["message"].startswith("Instagram photos must be between 4:5 and 1.91:1")
    assert [f["fix"] for f in entry["fixes"]] == ["crop", "pad"]
    assert set(entry["fixes"][0]) == {"fix", "params", "label", "resolves"}


def test_caption_too_long_exits_1(corpus: dict[str, Path]) -> None:
    result = check(str(corpus["square_jpg"]), "--to", "x", "--caption", "你" * 141, "--json")
    assert result.returncode == 1
    caption = next(e for e in document(result)["results"] if e["subject"] == "caption")
    assert (caption["ok"], caption["count"], caption["limit"]) == (False, 282, 280)
    assert caption["problems"][0]["code"] == "caption_too_long"


@pytest.mark.parametrize(
    ("name", "code"), [("text_jpg", "not_media"), ("bomb_png", "decompression_bomb"), ("empty_jpg", "empty")]
)
def test_unreadable_input_exits_2_with_what_could_be_judged(
    corpus: dict[str, Path], name: str, code: str
) -> None:
    result = check(str(corpus["square_jpg"]), str(corpus[name]), "--to", "bluesky", "--json")
    assert result.returncode == 2
    data = document(result)
    assert [(e["network"], e["file"]) for e in data["results"]] == [("bluesky", str(corpus["square_jpg"]))]
    assert data["errors"] == [
        {"file": str(corpus[name]), "code": code, "message": data["errors"][0]["message"]}
    ]
    assert data["errors"][0]["message"].startswith(corpus[name].name + ": ")
    assert corpus[name].name in result.stderr


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = check(str(tmp_path / "missing.jpg"))
    assert result.returncode == 2
    assert "missing.jpg: no such file" in result.stderr


def test_unknown_network_exits_2_and_lists_known_ids(corpus: dict[str, Path]) -> None:
    result = check(str(corpus["square_jpg"]), "--to", "x,myspace", "--json")
    assert result.returncode == 2 and result.stdout == ""
    assert "myspace" in result.stderr
    assert all(network_id in result.stderr for network_id in catalog.ids())


def test_without_to_every_available_network_is_judged(corpus: dict[str, Path]) -> None:
    result = check(str(corpus["landscape_mp4"]), "--json")
    entries = document(result)["results"]
    available = [s.id for s in catalog.all_networks() if s.availability is Availability.AVAILABLE]
    # Each network in order; one that fetches media from an address adds an entry naming missing staging.
    assert list(dict.fromkeys(e["network"] for e in entries)) == available
    assert "foursquare" not in available  # legacy: judged only when named
    refused = {e["network"] for e in entries if not e["ok"]}
    assert {"google-business", "pixelfed"} <= refused
    assert result.returncode == 1


def test_human_output_is_a_table_per_file(corpus: dict[str, Path]) -> None:
    result = check(
        str(corpus["portrait_9x16_jpg"]),
        str(corpus["gps_jpg"]),
        "--to",
        "instagram,bluesky",
        "--caption",
        "hi",
    )
    assert result.returncode == 1
    out = result.stdout
    assert f"{corpus['portrait_9x16_jpg']}: JPEG 1080×1920" in out
    assert "FAIL  Instagram photos must be between 4:5 and 1.91:1; this one is 9:16" in out
    assert "fix   Crop to 4:5 (centre)" in out
    assert "note  gps.jpg holds the GPS position" in out
    assert "fix   Strip the GPS location" in out
    assert "2/2,200 characters" in out


def test_text_post_without_a_file_is_checked_against_each_networks_limit() -> None:
    result = check("--to", "x", "--caption", "é" * 281)
    assert result.returncode == 1
    assert "X posts must be at most 280 weighted characters" in result.stdout
    assert "281 (1 over)" in result.stdout
    text_post = next(e for e in document(check("--to", "x", "--caption", "é" * 281, "--json"))["results"])
    assert (text_post["subject"], text_post["ok"], text_post["count"]) == ("caption", False, 281)


def test_text_post_uses_the_text_limit_where_it_differs_from_the_caption_limit(
    corpus: dict[str, Path],
) -> None:
    # Telegram: a message may be 4,096 characters, a photo's caption only 1,024.
    alone = document(check("--to", "telegram", "--caption", "a" * 2000, "--json"))
    with_photo = document(
        check(str(corpus["square_jpg"]), "--to", "telegram", "--caption", "a" * 2000, "--json")
    )
    caption = next(e for e in alone["results"] if e["subject"] == "caption")
    assert (caption["ok"], caption["limit"]) == (True, 4096)
    caption = next(e for e in with_photo["results"] if e["subject"] == "caption")
    assert (caption["ok"], caption["limit"]) == (False, 1024)


def test_text_post_to_a_network_that_needs_media_fails_naming_it() -> None:
    result = check("--to", "bluesky,instagram", "--caption", "hello")
    assert result.returncode == 1
    assert "Instagram posts need a photo or video" in result.stdout
    data = document(check("--to", "bluesky,instagram", "--caption", "hello", "--json"))
    post = [e for e in data["results"] if e["subject"] == "post"]
    assert [(e["network"], e["problems"][0]["code"]) for e in post] == [("instagram", "media_required")]


def test_neither_a_file_nor_a_caption_is_a_usage_error() -> None:
    result = check("--to", "mastodon")
    assert result.returncode == 2 and result.stdout == ""
    assert "check needs a FILE to judge, or --caption TEXT" in result.stderr
