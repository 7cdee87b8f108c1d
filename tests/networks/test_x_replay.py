"""X's sign-in and publisher against *recorded* real answers, replayed by a local server.

The answers are in tests/fixtures/recorded/x_twitter/ (provenance and MIT licences in its
SOURCES.md): tweepy's vcrpy cassettes recorded against the real api.twitter.com (GET /2/users/me,
POST /2/tweets with its x-rate-limit-* headers), python-twitter's captured v2 media answers
(initialize, finalize, STATUS, one-shot upload) and rtweet's vcr recordings (a media post whose
text came back with X's t.co link appended; a 401 in the v1.1 ``{"error": …}`` shape). Each is
served at the path linkdeck calls; what linkdeck sends is checked on the way.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from providers import catalog, clock
from providers.errors import PublishError
from providers.http import async_client
from providers.networks.x.link import XSignIn
from providers.networks.x.publish import XPublisher, comparable
from providers.networks.x.upload import Uploader
from providers.settings import NetworkSettings, Settings
from providers.store import Store
from providers.vault import Vault
from tests.support.http import serving

RECORDED = Path(__file__).resolve().parent.parent / "fixtures" / "recorded" / "x_twitter"


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def tweepy(name: str) -> list[tuple[str, str, Answer]]:
    """(method, uri, answer) of each interaction of a tweepy vcrpy cassette: the ``!!binary`` gzip
    body, the status code and the x-rate-limit headers (PyYAML is no linkdeck dependency, and
    vcrpy writes one regular shape)."""
    lines = (RECORDED / "tweepy" / name).read_text(encoding="utf-8").splitlines()
    found: list[tuple[str, str, Answer]] = []
    method = uri = ""
    body = b""
    headers: dict[str, str] = {}
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if line.startswith("method: "):
            method, headers, body = line.split(": ", 1)[1], {}, b""
        elif line.startswith("uri: "):
            uri = line.split(": ", 1)[1]
        elif line == "string: !!binary |":
            encoded = []
            while lines[index + 1].startswith("        "):
                index += 1
                encoded.append(lines[index].strip())
            body = gzip.decompress(base64.b64decode("".join(encoded)))
        elif line.startswith("x-rate-limit-") and line.endswith(":"):
            headers[line[:-1]] = lines[index + 1].strip().lstrip("- ").strip("'")
        elif line.startswith("code: "):
            found.append((method, uri, Answer(int(line.split(": ", 1)[1]), body, dict(headers))))
        index += 1
    return found


def python_twitter(path: str) -> Answer:
    return Answer(200, (RECORDED / "python-twitter" / path).read_bytes())


def rtweet(name: str) -> list[dict[str, Any]]:
    interactions: list[dict[str, Any]] = json.loads((RECORDED / "rtweet" / name).read_text())[
        "http_interactions"
    ]
    return interactions


class Replay:
    """Answers by (method, path below the host); remembers what was asked."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], list[Answer]] = {}
        self.asked: list[tuple[str, str, dict[str, str], bytes]] = []

    def serve(self, method: str, path: str, *answers: Answer) -> None:
        self.answers.setdefault((method, path), []).extend(answers)

    async def handle(self, request: web.Request) -> web.Response:
        path = "/" + request.path.lstrip("/").partition("/")[2]  # below the host segment
        self.asked.append((request.method, path, dict(request.query), await request.read()))
        queue = self.answers.get((request.method, path)) or [Answer(404, b'{"title":"Not Found Error"}')]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        headers = {"Content-Type": "application/json", **answer.headers}
        return web.Response(status=answer.status, body=answer.body, headers=headers)


@pytest.fixture
async def replay(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Replay]:
    state = Replay()
    async with serving(state.handle) as url:
        monkeypatch.setenv("LINKDECK_SANDBOX_URL", url)
        yield state


def sign_in(store: Store, vault: Vault) -> XSignIn:
    settings = Settings(networks={"x": NetworkSettings(client_id="cid")}, allow_plaintext_secrets=True)
    return XSignIn(catalog.get("x"), store, vault, settings)


async def test_recorded_users_me_is_read_with_the_avatar_field_asked(
    replay: Replay, store: Store, vault: Vault
) -> None:
    [(method, uri, answer)] = tweepy("test_client_get_me.yaml")
    assert (method, uri) == ("GET", "https://api.twitter.com/2/users/me")
    replay.serve("GET", "/2/users/me", answer)
    token: dict[str, Any] = {"access_token": "recorded"}
    profile = await sign_in(store, vault).profile(token, None)
    assert (profile.remote_id, profile.handle, profile.display_name) == (
        "1072250532645998596",
        "@TweepyDev",
        "Tweepy Testing",
    )
    assert profile.avatar_url is None  # the recording asked no fields, so has no avatar
    assert replay.asked[0][2]["user.fields"] == "profile_image_url,subscription_type"
    assert token["x_subscription_type"] == "None"  # absent in the answer: no subscription


async def test_recorded_python_twitter_me_document_is_parsed(store: Store, vault: Vault) -> None:
    body = json.loads(python_twitter("user/me_resp.json").body)
    profile = sign_in(store, vault).parse_profile(body)
    assert (profile.remote_id, profile.handle) == ("2244994945", "@TwitterDev")


def account(store: Store) -> Any:
    return store.upsert_account("x", "1072250532645998596", handle="@TweepyDev")


async def test_recorded_create_gives_the_post_link_and_its_rate_limit_is_read(
    replay: Replay, store: Store, vault: Vault, tmp_path: Path
) -> None:
    (method, uri, answer), _delete = tweepy("test_client_create_and_delete_tweet.yaml")
    assert (method, uri, answer.status) == ("POST", "https://api.twitter.com/2/tweets", 201)
    assert answer.headers == {
        "x-rate-limit-limit": "200",
        "x-rate-limit-remaining": "199",
        "x-rate-limit-reset": "1635976418",
    }
    replay.serve("POST", "/2/tweets", answer)
    owner = account(store)
    post, [delivery] = store.create_post_with_deliveries("Test Tweet", [], None, [owner])
    async with async_client() as client:
        publisher = XPublisher(catalog.get("x"), client, vault)
        result = await publisher.publish(owner, post, delivery, {"access_token": "recorded"})
    assert result.remote_post_id == "1456012973835788293"
    assert result.url == "https://x.com/TweepyDev/status/1456012973835788293"
    assert json.loads(replay.asked[0][3]) == {"text": "Test Tweet"}  # no media key for a text post
    assert owner.vault_key not in XPublisher.exhausted


async def test_when_the_recorded_window_is_spent_the_next_post_waits_for_its_reset(
    replay: Replay, store: Store, vault: Vault, frozen_clock: clock.FrozenClock
) -> None:
    (_, _, answer), _delete = tweepy("test_client_create_and_delete_tweet.yaml")
    reset = int(frozen_clock().timestamp()) + 600
    spent = {**answer.headers, "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)}
    replay.serve("POST", "/2/tweets", Answer(201, answer.body, spent))
    owner = account(store)
    post, [delivery] = store.create_post_with_deliveries("Test Tweet", [], None, [owner])
    async with async_client() as client:
        publisher = XPublisher(catalog.get("x"), client, vault)
        await publisher.publish(owner, post, delivery, {"access_token": "recorded"})
        with pytest.raises(PublishError) as waited:
            await publisher.publish(owner, post, delivery, {"access_token": "recorded"})
    assert waited.value.kind == "try_later" and waited.value.retry_after == pytest.approx(600, abs=1)
    assert len(replay.asked) == 1  # the second post was not sent
    XPublisher.exhausted.clear()


async def test_recorded_chunked_upload_initialize_append_finalize(
    replay: Replay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("providers.networks.x.upload.SEGMENT_BYTES", 64 * 1024)  # the replay's body cap
    replay.serve(
        "POST", "/2/media/upload/initialize", python_twitter("media_upload_v2/upload_chunk_init_resp.json")
    )
    replay.serve("POST", "/2/media/upload/1912103767639719936/append", Answer(200, b'{"data":{}}'))
    finalize = python_twitter("media_upload_v2/upload_chunk_finalize_resp.json")
    replay.serve("POST", "/2/media/upload/1912103767639719936/finalize", finalize)
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\0" * (64 * 1024 + 1000))

    def refuse(response: Any, what: str) -> PublishError:
        raise AssertionError(f"refused {what}")

    async with async_client() as client:
        uploader = Uploader(client, "https://api.x.com", {"Authorization": "Bearer r"}, refuse, "X")
        media_id = await uploader.chunked(video, "video/mp4", "tweet_video", 0, 1, None)
    assert media_id == "1912103767639719936"
    paths = [(m, p) for m, p, _, _ in replay.asked]
    assert paths == [
        ("POST", "/2/media/upload/initialize"),
        ("POST", "/2/media/upload/1912103767639719936/append"),
        ("POST", "/2/media/upload/1912103767639719936/append"),
        ("POST", "/2/media/upload/1912103767639719936/finalize"),
    ]
    initialize = json.loads(replay.asked[0][3])
    assert initialize == {
        "media_type": "video/mp4",
        "total_bytes": 64 * 1024 + 1000,
        "media_category": "tweet_video",
    }
    assert b'name="segment_index"\r\n\r\n1\r\n' in replay.asked[2][3]
    assert len(replay.asked[2][3]) < 2000  # the second segment is the last 1,000 bytes


async def test_recorded_status_is_polled_after_check_after_secs(replay: Replay, tmp_path: Path) -> None:
    replay.serve(
        "POST", "/2/media/upload/initialize", python_twitter("media_upload_v2/upload_chunk_init_resp.json")
    )
    replay.serve("POST", "/2/media/upload/1912103767639719936/append", Answer(200, b'{"data":{}}'))
    pending = {
        "data": {"id": "1912103767639719936", "processing_info": {"state": "pending", "check_after_secs": 3}}
    }
    replay.serve(
        "POST", "/2/media/upload/1912103767639719936/finalize", Answer(200, json.dumps(pending).encode())
    )
    replay.serve("GET", "/2/media/upload", python_twitter("media_upload_v2/upload_chunk_status_resp.json"))
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\0" * 1000)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async with async_client() as client:
        uploader = Uploader(client, "https://api.x.com", {}, lambda r, w: PublishError("refused", w), "X")
        uploader.sleep = sleep
        await uploader.chunked(video, "video/mp4", "tweet_video", 0, 1, None)
    assert slept == [3.0]
    assert replay.asked[-1][2] == {"command": "STATUS", "media_id": "1912103767639719936"}


async def test_recorded_one_shot_answer_gives_the_media_id(replay: Replay, tmp_path: Path) -> None:
    replay.serve("POST", "/2/media/upload", python_twitter("media_upload_v2/upload_simple_resp.json"))
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"\0" * 100)
    async with async_client() as client:
        uploader = Uploader(client, "https://api.x.com", {}, lambda r, w: PublishError("refused", w), "X")
        assert await uploader.one_shot(photo, "image/jpeg", None) == "1726817595448610817"
    assert b'name="media_category"\r\n\r\ntweet_image' in replay.asked[0][3]


def test_recorded_media_post_text_matches_its_caption_for_recovery() -> None:
    posted = next(
        i for i in rtweet("upload_multiple_media_to_twitter.json") if "statuses/update" in i["request"]["uri"]
    )
    text = json.loads(posted["response"]["body"]["string"])["text"]
    assert text == "Testing multiple media https://t.co/n7Nj87gGpz"
    assert comparable(text) == comparable("Testing multiple media")
    assert comparable("see https://example.com/a") == comparable("see https://t.co/abc123XYZ0")


async def test_recorded_lookup_finds_the_post_by_its_text(
    replay: Replay, store: Store, vault: Vault, frozen_clock: clock.FrozenClock
) -> None:
    posted = next(
        i for i in rtweet("upload_multiple_media_to_twitter.json") if "statuses/update" in i["request"]["uri"]
    )
    recorded = json.loads(posted["response"]["body"]["string"])
    timeline = {"data": [{"id": recorded["id_str"], "text": recorded["text"]}], "meta": {"result_count": 1}}
    owner = account(store)
    replay.serve("GET", f"/2/users/{owner.remote_id}/tweets", Answer(200, json.dumps(timeline).encode()))
    post, [delivery] = store.create_post_with_deliveries("Testing multiple media", [], None, [owner])
    async with async_client() as client:
        found = await XPublisher(catalog.get("x"), client, vault).lookup(
            owner, post, delivery, {"access_token": "r"}
        )
    assert found is not None and found.remote_post_id == "1590090844039618560"
    assert replay.asked[0][2]["max_results"] == "20" and replay.asked[0][2]["start_time"].endswith("Z")


async def test_recorded_401_asks_to_reconnect(replay: Replay, store: Store, vault: Vault) -> None:
    [refused] = rtweet("get_favorites3.json")
    body = refused["response"]["body"]["string"].encode()
    replay.serve("POST", "/2/tweets", Answer(401, body))
    owner = account(store)
    post, [delivery] = store.create_post_with_deliveries("hello", [], None, [owner])
    async with async_client() as client:
        with pytest.raises(PublishError) as error:
            await XPublisher(catalog.get("x"), client, vault).publish(
                owner, post, delivery, {"access_token": "r"}
            )
    assert error.value.kind == "reconnect" and error.value.unauthorized
    assert "X did not accept" in error.value.message and "Not authorized" in error.value.message
