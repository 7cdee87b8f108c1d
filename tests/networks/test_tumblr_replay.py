"""The Tumblr publisher and sandbox against the *recorded* tumblr.js responses, replayed by a local
server.

The recordings are tumblr.js's test fixtures (tumblr/tumblr.js@a1a29dd, Apache-2.0), copied to
tests/fixtures/recorded/tumblr/ with their provenance (SOURCES.md) and licence: ``get.json`` is a
real ``/v2/blog/staff/info`` answer, ``post.json`` a hand-made create answer (a numeric id). They
check that linkdeck reads Tumblr's ``{meta, response}`` envelope as recorded (a post id as a
number, not only the documented string) and that the sandbox's blog object has the recorded shape.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from aiohttp import web
from PIL import Image

from providers import catalog
from providers.http import client_kwargs
from providers.networks.tumblr.publish import TumblrPublisher, envelope_response
from providers.sandbox import Running
from providers.store import Account, Store
from tests.support.http import serving

RECORDED = Path(__file__).resolve().parents[1] / "fixtures/recorded/tumblr/tumblr.js"


def recorded(name: str) -> dict[str, Any]:
    """One tumblr.js fixture: ``{path: {"body": …}}``."""
    found: dict[str, Any] = json.loads((RECORDED / name).read_text(encoding="utf-8"))
    return found


class Replay:
    """Answers the create with the recorded body and keeps what linkdeck sent."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dict[str, bytes], dict[str, str]]] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        parts: dict[str, bytes] = {}
        types: dict[str, str] = {}
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                assert part.name is not None
                parts[part.name] = await part.read()  # type: ignore[union-attr]
                types[part.name] = part.headers.get("Content-Type", "")  # type: ignore[union-attr]
        self.seen.append((request.method, request.path, parts, types))
        if request.method == "POST" and request.path.endswith("/v2/blog/staff/posts"):
            return web.json_response(recorded("post.json")["/post"]["body"], status=200)
        if request.path.endswith("/v2/blog/staff/info"):
            return web.json_response(recorded("get.json")["/blog/staff/info"]["body"])
        return web.json_response({"meta": {"status": 404, "msg": "Not Found"}, "response": []}, status=404)


@pytest.fixture
async def replay(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Replay]:
    state = Replay()
    async with serving(state.handle) as url:
        monkeypatch.setenv("LINKDECK_SANDBOX_URL", url)
        yield state


def staff(store: Store) -> Account:
    account = store.upsert_account("tumblr", "t:staff", handle="staff", display_name="Tumblr Staff")
    return store.set_target(account.id, "blog", "staff", "staff (publish now)")


async def test_the_recorded_create_answer_gives_the_post_and_its_link(
    replay: Replay, store: Store, tmp_path: Path
) -> None:
    photo = tmp_path / "harbour.jpg"
    Image.new("RGB", (640, 480), (40, 90, 160)).save(photo, quality=85)
    account = staff(store)
    post = store.create_post("Low tide", [str(photo)], None)
    delivery = store.add_delivery(post.id, account)
    async with httpx2.AsyncClient(**client_kwargs()) as client:
        publisher = TumblrPublisher(catalog.get("tumblr"), client)
        result = await publisher.publish(account, post, delivery, {"access_token": "recorded"})
    # post.json's id is the number 8675309 (the docs promise a string): read either way.
    assert (result.remote_post_id, result.url) == ("8675309", "https://www.tumblr.com/staff/8675309")
    [(method, path, parts, types)] = replay.seen
    assert (method, path) == ("POST", "/api.tumblr.com/v2/blog/staff/posts")
    assert list(parts) == ["json", "media-0"] and types["json"] == "application/json"
    assert parts["media-0"] == photo.read_bytes() and types["media-0"] == "image/jpeg"
    document = json.loads(parts["json"])
    assert document == {
        "content": [
            {
                "type": "image",
                "media": [{"type": "image/jpeg", "identifier": "media-0", "width": 640, "height": 480}],
            },
            {"type": "text", "text": "Low tide"},
        ],
        "state": "published",
    }


async def test_the_recorded_envelope_is_read_as_recorded(replay: Replay) -> None:
    async with httpx2.AsyncClient(**client_kwargs()) as client:
        answer = await client.get("https://api.tumblr.com/v2/blog/staff/info")
    found = envelope_response(answer)
    assert found is not None and found["blog"]["name"] == "staff" and found["blog"]["total_posts"] == 1682


async def test_the_sandbox_blog_has_the_recorded_shape(sandbox: Running) -> None:
    """Every field of the recorded blog object, with the same JSON type, in the sandbox's answer."""
    recorded_body = recorded("get.json")["/blog/staff/info"]["body"]
    async with httpx2.AsyncClient() as client:
        answer = await client.get(
            f"{sandbox.url}/api.tumblr.com/v2/blog/alice/info",
            params={"api_key": "sandbox-tumblr-consumer-key"},
        )
    body = answer.json()
    assert answer.status_code == 200 and body["meta"] == recorded_body["meta"]
    ours, theirs = body["response"]["blog"], recorded_body["response"]["blog"]
    assert {k: type(v).__name__ for k, v in theirs.items()} == {k: type(ours[k]).__name__ for k in theirs}
