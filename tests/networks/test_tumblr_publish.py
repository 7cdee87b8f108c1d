"""Publishing to Tumblr: NPF posts (text, photos, a video) to the sandbox's Tumblr, the post's
state from the chosen target (published, queue, draft), the documented error subcodes
(tumblr/docs@708be10 api.md, 8001–8023) as reasons, Tumblr's rate-limit headers as the wait, the
limits at their boundaries (a text block's 4,096 code points, 30 image blocks, one uploaded video)
and the look-up that recovers a post whose answer was lost.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from PIL import Image

from providers import catalog, clock
from providers.captions import count
from providers.errors import PublishError
from providers.http import client_kwargs
from providers.interface import PublishResult
from providers.media import judge_post
from providers.media.model import MediaInfo, MediaKind
from providers.networks.tumblr.publish import ERROR_RULES, TumblrPublisher, _matches
from providers.networks.tumblr.sandbox import world_for
from providers.sandbox import Running
from providers.store import Account, Store
from providers.vault import Vault
from tests import media_corpus
from tests.support.tumblr import link_alice

SPEC = catalog.get("tumblr")


def tumblr_error(status: int, code: int | None, title: str, detail: str | None = None) -> httpx2.Response:
    item: dict[str, Any] = {"title": title}
    if code is not None:
        item["code"] = code
    if detail is not None:
        item["detail"] = detail
    body = {"meta": {"status": status, "msg": title}, "response": [], "errors": [item]}
    return httpx2.Response(status, json=body)


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (400, 8001, "refused"),
        (400, 8002, "refused"),
        (403, 8004, "try_later"),
        (400, 8005, "fix_media"),
        (500, 8006, "try_later"),
        (403, 8008, "refused"),
        (500, 8009, "try_later"),
        (403, 8010, "try_later"),
        (403, 8011, "try_later"),
        (400, 8016, "refused"),
        (403, 8022, "refused"),
        (403, 8023, "try_later"),
    ],
)
def test_each_documented_subcode_is_a_reason_naming_tumblr(status: int, code: int, kind: str) -> None:
    publisher = TumblrPublisher(SPEC, httpx2.AsyncClient())
    answer = tumblr_error(status, code, "Forbidden", "the server's words")
    error = publisher.refused(answer, "Tumblr", "posting")
    assert error.kind == kind and error.status == status
    assert error.message.startswith("Tumblr refused posting (") and "the server's words" in error.message
    assert ERROR_RULES[str(code)].advice in error.message
    if kind == "try_later":
        assert error.retry_after is not None and error.retry_after > 0


def test_the_401_tumblr_sends_asks_to_reconnect() -> None:
    publisher = TumblrPublisher(SPEC, httpx2.AsyncClient())
    answer = tumblr_error(401, 1016, "Unauthorized", "Unable to authorize")  # tumblr/docs#72's body
    error = publisher.refused(answer, "Tumblr", "posting")
    assert error.kind == "reconnect" and error.unauthorized and "Unable to authorize" in error.message


def test_a_429_waits_for_the_spent_tumblr_budget() -> None:
    publisher = TumblrPublisher(SPEC, httpx2.AsyncClient())
    headers = {
        "X-Ratelimit-Perday-Remaining": "4000",
        "X-Ratelimit-Perday-Reset": "80000",
        "X-Ratelimit-Perhour-Remaining": "0",
        "X-Ratelimit-Perhour-Reset": "1800",
    }
    limited = httpx2.Response(429, json={"meta": {"status": 429, "msg": "Limit Exceeded"}}, headers=headers)
    error = publisher.refused(limited, "Tumblr", "posting")
    assert (error.kind, error.retry_after) == ("try_later", 1800.0)
    daily = {**headers, "X-Ratelimit-Perhour-Remaining": "12", "X-Ratelimit-Perday-Remaining": "0"}
    error = publisher.refused(httpx2.Response(429, headers=daily), "Tumblr", "posting")
    assert error.retry_after == 80000.0
    told = httpx2.Response(429, headers={**headers, "Retry-After": "60"})
    said = publisher.refused(told, "Tumblr", "posting")
    assert said.retry_after == 60.0  # Retry-After, when sent, wins


@pytest.mark.parametrize(("length", "ok"), [(4095, True), (4096, True), (4097, False)])
def test_a_caption_is_one_text_block_of_at_most_4096_code_points(length: int, ok: bool) -> None:
    counted = count("é" * length, SPEC)
    assert counted.ok is ok
    if not ok:
        assert "Tumblr captions must be at most 4,096 characters" in counted.message
    # Code points, as npf-spec.md counts them: a family emoji is five.
    assert count("\U0001f468\u200d\U0001f469\u200d\U0001f467", SPEC).count == 5


@pytest.mark.parametrize(("images", "ok"), [(29, True), (30, True), (31, False)])
def test_a_post_has_at_most_30_photos(images: int, ok: bool, tmp_path: Path) -> None:
    infos = [MediaInfo(tmp_path / f"{i}.jpg", MediaKind.IMAGE, "jpeg", 1000, 800, 600) for i in range(images)]
    verdict = judge_post(infos, SPEC)
    problems = [p.code for item in verdict.items for p in item.problems]
    assert (problems == []) is ok
    if not ok:
        assert problems == ["too_many_images"]


@pytest.mark.parametrize(("videos", "ok"), [(1, True), (2, False)])
def test_a_post_has_at_most_one_uploaded_video_with_photos_beside_it(
    videos: int, ok: bool, tmp_path: Path
) -> None:
    photo = MediaInfo(tmp_path / "a.jpg", MediaKind.IMAGE, "jpeg", 1000, 800, 600)
    clips = [MediaInfo(tmp_path / f"{i}.mp4", MediaKind.VIDEO, "mp4", 1000, 320, 180) for i in range(videos)]
    verdict = judge_post([photo, *clips], SPEC)
    problems = [(p.code, p.message) for item in verdict.items for p in item.problems]
    if ok:
        assert problems == []  # photos and a video mix on Tumblr
    else:
        assert problems == [
            ("too_many_videos", "Tumblr posts can have at most 1 video; this post has 2 (this is video 2)")
        ]


class Blog:
    """A linked sandbox account and what publishing to it gives."""

    def __init__(self, account: Account, vault: Vault, store: Store, sandbox: Running) -> None:
        self.account, self.vault, self.store, self.sandbox = account, vault, store, sandbox
        self.tumblr = world_for(sandbox.sandbox.clock)

    async def send(
        self, caption: str, media: list[Path] | None = None, descriptions: list[str] | None = None
    ) -> PublishResult:
        post = self.store.create_post(caption, [str(m) for m in media or []], None, descriptions=descriptions)
        delivery = self.store.add_delivery(post.id, self.account)
        token = self.vault.get_token(self.account.vault_key)
        assert token is not None
        async with httpx2.AsyncClient(**client_kwargs()) as client:
            return await TumblrPublisher(SPEC, client).publish(self.account, post, delivery, token)

    async def lookup(self, caption: str, media: int, since: datetime) -> PublishResult | None:
        post = self.store.create_post(caption, [f"/m{i}.jpg" for i in range(media)], None)
        delivery = self.store.add_delivery(post.id, self.account)
        delivery = replace(delivery, committed_at=since)  # the send started then
        token = self.vault.get_token(self.account.vault_key)
        assert token is not None
        async with httpx2.AsyncClient(**client_kwargs()) as client:
            return await TumblrPublisher(SPEC, client).lookup(self.account, post, delivery, token)


async def blog_for(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch, target: str = "alice (publish now)"
) -> Blog:
    account, vault, _ = await link_alice(sandbox, store, monkeypatch, target)
    return Blog(account, vault, store, sandbox)


async def test_photos_a_video_and_text_arrive_as_npf_blocks_with_a_link(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blog = await blog_for(sandbox, store, monkeypatch)
    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (800, 600))
    png = tmp_path / "boats.png"
    Image.new("RGB", (300, 200), "teal").save(png)
    clip = media_corpus.video(tmp_path / "waves.mp4", seconds=1.0)
    result = await blog.send("Low tide\nat the harbour", [photo, png, clip], ["Boats at low tide", "", ""])
    assert result.url == f"https://www.tumblr.com/alice/{result.remote_post_id}"
    [record] = blog.tumblr.posts
    assert (record.blog, record.state, str(record.id)) == ("alice", "published", result.remote_post_id)
    assert [b["type"] for b in record.content] == ["image", "image", "video", "text"]
    assert record.content[0]["alt_text"] == "Boats at low tide" and "alt_text" not in record.content[1]
    assert record.content[3]["text"] == "Low tide\nat the harbour"
    assert sorted(m for m, _ in record.uploads.values()) == ["image/jpeg", "image/png", "video/mp4"]
    assert record.uploads["media-0"][1] == photo.stat().st_size
    text_only = await blog.send("Only words today")
    assert [b["type"] for b in blog.tumblr.posts[-1].content] == ["text"] and text_only.url


async def test_two_videos_are_refused_before_anything_is_sent(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blog = await blog_for(sandbox, store, monkeypatch)
    clips = [media_corpus.video(tmp_path / f"clip{i}.mp4", seconds=0.5) for i in range(2)]
    sent_before = len(sandbox.sandbox.requests)
    one_video = "Tumblr posts can have one uploaded video; this post has 2"
    with pytest.raises(PublishError, match=one_video) as raised:
        await blog.send("two clips", clips)
    assert raised.value.kind == "fix_media" and blog.tumblr.posts == []
    assert len(sandbox.sandbox.requests) == sent_before  # nothing went out


@pytest.mark.parametrize(
    ("target", "state", "page"),
    [("alice (add to queue)", "queue", "queue"), ("alice (save as draft)", "draft", "drafts")],
)
async def test_the_chosen_target_queues_or_drafts_and_links_to_that_page(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch, target: str, state: str, page: str
) -> None:
    blog = await blog_for(sandbox, store, monkeypatch, target)
    started = clock.now()  # the engine's time when it sent (the look-up's "since")
    result = await blog.send("For later")
    assert result.url == f"https://www.tumblr.com/blog/alice/{page}"
    assert [p.state for p in blog.tumblr.posts] == [state]
    found = await blog.lookup("For later", 0, started)
    assert found is not None and found.remote_post_id == result.remote_post_id


async def test_the_look_up_matches_caption_media_and_time(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blog = await blog_for(sandbox, store, monkeypatch)
    started = clock.now()  # the engine's time when it sent (the look-up's "since")
    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (400, 300))
    first = await blog.send("Made once", [photo])
    await blog.send("Something else")
    found = await blog.lookup("Made  once", 1, started)  # whitespace as Tumblr may normalise it
    assert found is not None and found.remote_post_id == first.remote_post_id
    assert found.url == first.url
    assert await blog.lookup("Made once", 0, started) is None  # not the same number of media
    assert await blog.lookup("Never sent", 0, started) is None
    entry = {"timestamp": int(started.timestamp()) - 120, "content": [{"type": "text", "text": "Old"}]}
    post = store.create_post("Old", [], None)
    assert not _matches(entry, post, started - timedelta(minutes=1), timed=True)  # made before the send
    assert _matches(entry, post, started - timedelta(minutes=3), timed=True)


@pytest.mark.parametrize(
    ("settings", "target", "code", "kind"),
    [
        ({"posts_per_day": 1}, "alice (publish now)", "8023", "try_later"),
        ({"images_per_day": 1}, "alice (publish now)", "8004", "try_later"),
        ({"queue_max": 1}, "alice (add to queue)", "8022", "refused"),
    ],
)
async def test_tumblrs_daily_and_queue_limits_come_back_as_their_reasons(
    sandbox: Running,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    settings: dict[str, int],
    target: str,
    code: str,
    kind: str,
) -> None:
    blog = await blog_for(sandbox, store, monkeypatch, target)
    sandbox.sandbox.emulator("api.tumblr.com").configure(settings)
    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (400, 300))
    await blog.send("first", [photo])
    with pytest.raises(PublishError) as raised:
        await blog.send("second", [photo])
    assert raised.value.kind == kind and f"({code}: " in raised.value.message
    assert raised.value.message.startswith("Tumblr refused creating the post")
    assert [p.text for p in blog.tumblr.posts] == ["first"]


async def test_the_sandboxs_hourly_limit_comes_back_as_a_wait_until_its_reset(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    blog = await blog_for(sandbox, store, monkeypatch)  # linking spent a call (/v2/user/info)
    sandbox.sandbox.emulator("api.tumblr.com").configure({"calls_per_hour": 1})
    with pytest.raises(PublishError) as raised:
        await blog.send("Too soon")
    assert raised.value.kind == "try_later" and raised.value.status == 429
    assert raised.value.retry_after is not None and 0 < raised.value.retry_after <= 3600
    assert f"try again in {raised.value.retry_after:.0f} s" in raised.value.message
    assert blog.tumblr.posts == []


async def test_a_file_broken_since_it_was_checked_is_refused_naming_it(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blog = await blog_for(sandbox, store, monkeypatch)
    broken = media_corpus.text_as_jpg(tmp_path / "notes.jpg")
    with pytest.raises(PublishError, match=r"Tumblr cannot post notes\.jpg") as raised:
        await blog.send("with a broken file", [broken])
    assert raised.value.kind == "fix_media" and blog.tumblr.posts == []
