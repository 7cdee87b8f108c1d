"""Publishing to Threads against the sandbox's Threads: the container flow (create → status until
FINISHED → threads_publish → permalink), what each refusal becomes (4279009 is "try later", a
container ERROR is the media's fault, a used-up quota waits), videos and carousels (more than 20
files refused before anything is sent), the 500-character rule as Threads counts it, and the look-up
that recovers a post whose answer was lost.

Photos are "staged" by a real local HTTP server (tests/support/http.py) standing in for the
bucket, so the sandbox really fetches them; the S3 staging itself is tested with moto in the
contract and CLI tests.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from aiohttp import web

from providers import captions
from providers.errors import PublishError
from providers.http import async_client
from providers.networks.threads.publish import ThreadsPublisher
from providers.networks.threads.sandbox import threads_length
from providers.networks.threads.spec import SPEC
from providers.sandbox import Running
from providers.store import Account, Store
from tests import media_corpus
from tests.networks.threads_support import GRAPH, Threads
from tests.support.http import serving

# Quoted in tests/fixtures/recorded/_reported (facebook+instagram Graph API, expired user token);
# Threads speaks the same Graph error document. Secondary data, not a recording.
EXPIRED_190_463 = {
    "error": {
        "message": "Error validating access token: Session has expired on Tuesday, 25-Nov-25 15:00:00 PST. "
        "The current time is Wednesday, 26-Nov-25 14:19:00 PST.",
        "type": "OAuthException",
        "code": 190,
        "error_subcode": 463,
        "fbtrace_id": "AaX18KXfIMJ8i9bHfPJVjZq",
    }
}


class LocalStaging:
    """A file at a local address for as long as the block runs (a stand-in for the bucket)."""

    def __init__(self) -> None:
        self.served: list[str] = []
        self.removed = 0

    @asynccontextmanager
    async def staged(self, path: Path, *, content_type: str, progress: Any = None) -> AsyncIterator[str]:
        async def handler(request: web.Request) -> web.StreamResponse:
            self.served.append(request.path)
            return web.Response(body=path.read_bytes(), content_type=content_type)

        async with serving(handler) as url:
            try:
                yield f"{url}/staged/{path.name}"
            finally:
                self.removed += 1


class Fast(ThreadsPublisher):
    poll_delays = (0.0, 0.0, 0.0, 0.0)  # the sandbox needs no real wait between looks
    not_ready_delays = (0.0, 0.0)


@pytest.fixture
async def threads(sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch) -> Threads:
    return Threads(sandbox, store, monkeypatch)


async def send(
    threads: Threads,
    account: Account,
    caption: str,
    media: list[str],
    staging: LocalStaging | None = None,
    descriptions: list[str] | None = None,
) -> Any:
    post = threads.store.create_post(caption, media, None, descriptions=descriptions)
    delivery = threads.store.add_delivery(post.id, account)
    token = threads.vault.get_token(account.vault_key)
    assert token is not None
    async with async_client() as client:
        publisher = Fast(SPEC, client, staging)
        return await publisher.publish(account, post, delivery, token)


def graph_calls(threads: Threads, method: str, ending: str) -> list[dict[str, Any]]:
    return [
        r
        for r in threads.sandbox.sandbox.requests
        if r["method"] == method and r["host"] == GRAPH and r["path"].endswith(ending)
    ]


async def test_text_goes_through_a_text_container_and_gets_its_permalink(threads: Threads) -> None:
    account = await threads.link()
    result = await send(threads, account, "Only words today", [])
    assert result.url.startswith("https://www.threads.com/@alice/post/")
    [container] = graph_calls(threads, "POST", "/threads")
    assert container["params"]["media_type"] == "TEXT" and container["params"]["text"] == "Only words today"
    [published] = graph_calls(threads, "POST", "/threads_publish")
    assert published["status"] == 200
    [quota] = graph_calls(threads, "GET", "/threads_publishing_limit")  # read before anything
    assert quota["params"]["fields"] == "quota_usage,config" and quota["seq"] < container["seq"]


async def test_a_photo_is_fetched_by_threads_and_published_once_finished(
    threads: Threads, tmp_path: Path
) -> None:
    account = await threads.link()
    threads.configure(processing_polls=2)  # two more reads say IN_PROGRESS after the fetch
    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (800, 600))
    staging = LocalStaging()
    result = await send(threads, account, "Low tide", [str(photo)], staging)
    assert result.url and staging.served == ["/staged/harbour.jpg"] and staging.removed == 1
    [container] = graph_calls(threads, "POST", "/threads")
    assert container["params"]["media_type"] == "IMAGE" and container["params"]["image_url"].endswith(
        "harbour.jpg"
    )
    looks = [
        r for r in graph_calls(threads, "GET", "") if r["params"].get("fields") == "status,error_message"
    ]
    assert len(looks) >= 3  # IN_PROGRESS, IN_PROGRESS, FINISHED
    [(text, media)] = [(p.text, p.media) for p in threads.emulator.published()]
    assert (text, media) == ("Low tide", 1)


async def test_a_container_threads_cannot_use_is_the_medias_fault_and_nothing_is_posted(
    threads: Threads, tmp_path: Path
) -> None:
    account = await threads.link()
    threads.configure(container_error="UNKNOWN")  # what Meta sometimes says (postiz-app PR #1991)
    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (800, 600))
    staging = LocalStaging()
    with pytest.raises(PublishError) as refused:
        await send(threads, account, "Low tide", [str(photo)], staging)
    assert refused.value.kind == "fix_media" and refused.value.message.startswith("Threads")
    assert "gave no reason" in refused.value.message and staging.removed == 1
    assert threads.emulator.published() == [] and graph_calls(threads, "POST", "/threads_publish") == []


async def test_a_photo_threads_could_not_fetch_says_what_threads_said(
    threads: Threads, tmp_path: Path
) -> None:
    account = await threads.link()
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not an image at all")
    with pytest.raises(PublishError) as refused:
        await send(threads, account, "Low tide", [str(broken)], LocalStaging())
    assert refused.value.kind == "fix_media" and "format is not supported" in refused.value.message


async def test_publishing_before_the_container_is_ready_is_4279009_and_tried_later(
    threads: Threads, refused_port: int
) -> None:
    account = await threads.link()
    token = threads.vault.get_token(account.vault_key)
    assert token is not None
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    base = f"{threads.sandbox.url}/{GRAPH}/v1.0/{account.remote_id}"
    async with httpx2.AsyncClient() as client:
        made = await client.post(
            f"{base}/threads",
            data={"media_type": "IMAGE", "image_url": f"http://127.0.0.1:{refused_port}/x.jpg", "text": "x"},
            headers=headers,
        )
        early = await client.post(
            f"{base}/threads_publish", data={"creation_id": made.json()["id"]}, headers=headers
        )
    assert early.status_code == 400 and early.json()["error"]["error_subcode"] == 4279009
    assert set(json.loads(made.headers["x-app-usage"])) == {"call_count", "total_cputime", "total_time"}
    async with async_client() as client:
        error = ThreadsPublisher(SPEC, client).refused(
            early, "Threads", "publishing the post", committing=True
        )
    assert error.kind == "try_later" and error.retry_after == 30.0 and not error.maybe_published
    assert "4279009" in error.message and threads.emulator.published() == []


async def test_4279009_after_finished_publishes_the_same_container_again(threads: Threads) -> None:
    account = await threads.link()
    threads.configure(not_ready_publishes=2)  # Meta's race: two "Media Not Found", then it works
    result = await send(threads, account, "Patience", [])
    assert result.url and len(graph_calls(threads, "POST", "/threads")) == 1
    tries = graph_calls(threads, "POST", "/threads_publish")
    assert [t["status"] for t in tries] == [400, 400, 200]
    assert len({t["params"]["creation_id"] for t in tries}) == 1
    threads.configure(not_ready_publishes=3)  # still not ready after the retries: try later
    with pytest.raises(PublishError) as later:
        await send(threads, account, "Patience again", [])
    assert later.value.kind == "try_later" and "4279009" in later.value.message
    assert [p.text for p in threads.emulator.published()] == ["Patience"]


async def test_media_still_processing_after_the_polls_is_tried_later(
    threads: Threads, tmp_path: Path
) -> None:
    account = await threads.link()
    threads.configure(processing_polls=100)
    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (800, 600))
    with pytest.raises(PublishError) as later:
        await send(threads, account, "Low tide", [str(photo)], LocalStaging())
    assert later.value.kind == "try_later" and "still processing" in later.value.message
    assert graph_calls(threads, "POST", "/threads_publish") == []


async def test_a_used_up_quota_waits_an_hour_before_anything_is_created(threads: Threads) -> None:
    account = await threads.link()
    threads.configure(quota_used=250)
    with pytest.raises(PublishError) as later:
        await send(threads, account, "One too many", [])
    assert later.value.kind == "try_later" and later.value.retry_after == 3600.0
    assert "250 of its 250" in later.value.message and graph_calls(threads, "POST", "/threads") == []
    threads.configure(quota_used=249)  # one left: it goes
    assert (await send(threads, account, "The last one", [])).url


async def test_a_video_is_fetched_and_published(threads: Threads, tmp_path: Path) -> None:
    account = await threads.link()
    clip = media_corpus.video(tmp_path / "waves.mp4", seconds=1.0)
    staging = LocalStaging()
    result = await send(threads, account, "Waves", [str(clip)], staging)
    assert result.url and staging.served == ["/staged/waves.mp4"] and staging.removed == 1
    [container] = graph_calls(threads, "POST", "/threads")
    assert container["params"]["media_type"] == "VIDEO" and container["params"]["video_url"].endswith(
        "waves.mp4"
    )
    assert [(p.text, p.media) for p in threads.emulator.published()] == [("Waves", 1)]


async def test_several_files_make_one_carousel_of_photos_and_a_video(
    threads: Threads, tmp_path: Path
) -> None:
    account = await threads.link()
    files = [
        media_corpus.jpeg(tmp_path / "a.jpg", (800, 600)),
        media_corpus.jpeg(tmp_path / "b.jpg", (600, 800)),
        media_corpus.video(tmp_path / "c.mp4", seconds=1.0),
    ]
    staging = LocalStaging()
    alts = ["The harbour at dawn", "", "Waves on the wall"]
    result = await send(threads, account, "Three views", [str(f) for f in files], staging, alts)
    assert result.url and staging.removed == 3
    made = graph_calls(threads, "POST", "/threads")
    items, [carousel] = made[:3], made[3:]
    assert [i["params"]["media_type"] for i in items] == ["IMAGE", "IMAGE", "VIDEO"]
    assert all(i["params"]["is_carousel_item"] == "true" and "text" not in i["params"] for i in items)
    assert [i["params"].get("alt_text") for i in items] == ["The harbour at dawn", None, "Waves on the wall"]
    assert carousel["params"]["media_type"] == "CAROUSEL" and carousel["params"]["text"] == "Three views"
    assert len(carousel["params"]["children"].split(",")) == 3
    assert [(p.text, p.media) for p in threads.emulator.published()] == [("Three views", 3)]
    assert len(graph_calls(threads, "POST", "/threads_publish")) == 1  # one post, one quota unit


async def test_more_than_20_files_or_other_files_are_refused_before_anything_is_sent(
    threads: Threads, tmp_path: Path
) -> None:
    account = await threads.link()
    photo = media_corpus.jpeg(tmp_path / "a.jpg", (800, 600))
    notes = tmp_path / "notes.txt"
    notes.write_text("not media")
    before = len(threads.sandbox.sandbox.requests)
    for media, words in (([photo] * 21, "at most 20"), ([notes], "neither")):
        with pytest.raises(PublishError) as refused:
            await send(threads, account, "Too much", [str(m) for m in media], LocalStaging())
        assert refused.value.kind == "fix_media" and refused.value.message.startswith("Threads")
        assert words in refused.value.message
    assert len(threads.sandbox.sandbox.requests) == before  # not even the quota was asked


@pytest.mark.parametrize(
    ("text", "fits"),
    [
        ("a" * 499, True),
        ("a" * 500, True),
        ("a" * 501, False),
        ("😀" * 125, True),  # 125 emoji × 4 bytes = 500
        ("😀" * 124 + "abc", True),  # 496 + 3 = 499
        ("😀" * 125 + "a", False),  # 501
    ],
)
def test_500_characters_as_threads_counts_them(text: str, fits: bool) -> None:
    counted = captions.count(text, SPEC, has_media=False)
    assert counted.ok is fits and counted.limit == 500
    assert (threads_length(text) <= 500) is fits  # the sandbox's own count agrees


async def test_the_sandbox_refuses_a_text_over_500_as_threads_counts_it(threads: Threads) -> None:
    account = await threads.link()
    with pytest.raises(PublishError) as refused:
        await send(threads, account, "😀" * 125 + "a", [])
    assert refused.value.kind == "fix_media" and "500" in refused.value.message


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (400, EXPIRED_190_463, "reconnect"),
        (400, {"error": {"message": "(#4) Application request limit reached", "code": 4}}, "try_later"),
        (403, {"error": {"message": "(#10) Application does not have permission", "code": 10}}, "reconnect"),
        (400, {"error": {"message": "Media Not Found", "code": 24, "error_subcode": 4279009}}, "try_later"),
        (
            400,
            {"error": {"message": "(#100) Param text must be at most 500 characters long.", "code": 100}},
            "fix_media",
        ),
    ],
)
async def test_graph_errors_become_what_the_outbox_does(status: int, body: dict[str, Any], kind: str) -> None:
    response = httpx2.Response(
        status, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    async with async_client() as client:
        error = ThreadsPublisher(SPEC, client).refused(response, "Threads", "publishing the post")
    assert error.kind == kind and error.message.startswith("Threads")
    assert body["error"]["message"].split(":")[0] in error.message  # Threads' own words are kept


async def test_a_lost_answer_is_found_by_its_text_and_kind_after_the_send_started(threads: Threads) -> None:
    account = await threads.link()
    await send(threads, account, "Made once", [])
    post = threads.store.create_post("Made once", [], None)
    delivery = threads.store.add_delivery(post.id, account)
    token = threads.vault.get_token(account.vault_key)
    assert token is not None
    async with async_client() as client:
        found = await ThreadsPublisher(SPEC, client).lookup(account, post, delivery, token)
        photo_post = threads.store.create_post("Made once", ["/tmp/a.jpg", "/tmp/b.mp4"], None)
        other = await ThreadsPublisher(SPEC, client).lookup(
            account, photo_post, threads.store.add_delivery(photo_post.id, account), token
        )
    assert found is not None and found.url and found.url.startswith("https://www.threads.com/@alice/post/")
    assert other is None  # a text post is not the carousel that was lost
