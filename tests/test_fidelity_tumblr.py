"""The sandbox's Tumblr as pytumblr sees it: Tumblr's own Python client (tumblr/pytumblr 0.1.2,
pinned in pyproject.toml's dev extra), written by others, pointed at the sandbox with its ``host``
argument (every request is ``host + path``).

pytumblr signs every request with OAuth 1.0a and adds ``api_key`` where Tumblr takes one; linkdeck
links Tumblr with OAuth 2, which pytumblr does not speak, and the sandbox emulates OAuth 2 only. So
this checks what the two share: the ``{meta, response}`` envelope pytumblr unwraps by
``meta.status``; the blog and its posts read with the consumer key, after linkdeck posted a photo
and text through the sandbox (the NPF content pytumblr gets with ``npf=True`` is what linkdeck
sent); the avatar call, which an OAuth1-signed client gets as ``{avatar_url}`` (api.md "/avatar");
and the refusals pytumblr hands back whole: a user call signed with OAuth 1.0a is Tumblr's 401
(code 1016, the body quoted in tumblr/docs#72), an unknown blog a 404. pytumblr is synchronous
(requests), so it runs in a thread while the sandbox serves on the test's event loop.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx2
import pytest
import pytumblr

from providers import catalog
from providers.http import client_kwargs
from providers.networks.tumblr.publish import TumblrPublisher
from providers.networks.tumblr.sandbox import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from providers.sandbox import Running
from providers.store import Store
from tests import media_corpus
from tests.support.tumblr import link_alice


async def test_pytumblr_reads_what_linkdeck_posted_and_gets_tumblrs_refusals(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    account, vault, _ = await link_alice(sandbox, store, monkeypatch, "alice-sketches (publish now)")
    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (640, 480))
    post = store.create_post("Harbour, 7 a.m.", [str(photo)], None, descriptions=["Boats"])
    delivery = store.add_delivery(post.id, account)
    token = vault.get_token(account.vault_key)
    assert token is not None
    async with httpx2.AsyncClient(**client_kwargs()) as client:
        sent = await TumblrPublisher(catalog.get("tumblr"), client).publish(account, post, delivery, token)

    tumblr = pytumblr.TumblrRestClient(
        DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, host=f"{sandbox.url}/api.tumblr.com"
    )

    def read() -> dict[str, Any]:
        return {
            "blog": tumblr.blog_info("alice-sketches"),
            "posts": tumblr.posts("alice-sketches", npf=True),
            "avatar": tumblr.avatar("alice", 128),
            "user": tumblr.info(),
            "nobody": tumblr.blog_info("nobody-here"),
            "queue": tumblr.queue("alice"),
        }

    seen = await asyncio.to_thread(read)
    assert seen["blog"]["blog"]["name"] == "alice-sketches" and seen["blog"]["blog"]["total_posts"] == 1
    [found] = seen["posts"]["posts"]
    assert found["id_string"] == sent.remote_post_id and found["blog_name"] == "alice-sketches"
    image, text = found["content"]
    assert image["type"] == "image" and image["alt_text"] == "Boats"
    assert (image["media"][0]["width"], image["media"][0]["height"]) == (640, 480)
    assert text == {"type": "text", "text": "Harbour, 7 a.m."}
    assert seen["avatar"]["avatar_url"].endswith("/v2/blog/alice/avatar/128")
    for refused, status in (("user", 401), ("queue", 401), ("nobody", 404)):
        assert seen[refused]["meta"]["status"] == status and seen[refused]["response"] == []
    assert seen["user"]["errors"] == [
        {"title": "Unauthorized", "code": 1016, "detail": "Unable to authorize"}
    ]
