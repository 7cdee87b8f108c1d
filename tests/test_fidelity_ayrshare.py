"""The sandbox's Ayrshare as Ayrshare's own Python SDK sees it: social-post-api 1.3.0 (pinned
exactly in pyproject.toml's dev extra), pointed at the sandbox through its module global
``ayrshare.ayrshare.base`` (shared/reference/networks-2026.md §14, §16). The SDK uses Ayrshare's
legacy paths (``profiles/create-profile``, ``upload``) and adds ``"source": "pypi"`` to every
body and query, which the emulation must take as Ayrshare does.

It does what an SDK user does: create a User Profile (its profileKey shown once), make a linking
address (generateJWT) and finish the linking page as tests/sandbox_browser.py does, read the
linked accounts, upload a photo, post with an idempotencyKey (sent twice: one post), read the
history, see X refused without the user's own X keys, and unlink. The SDK is synchronous
(requests), so each call runs in a thread while the sandbox serves on the test's event loop.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from typing import Any

import pytest
from ayrshare import SocialPost
from ayrshare import ayrshare as sdk

from providers.http import rewrite
from providers.networks.ayrshare.sandbox import API, DEMO_KEY
from providers.sandbox import Running
from tests.sandbox_browser import approve

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture
def pointed(sandbox: Running) -> Iterator[Running]:
    before = sdk.base
    sdk.base = f"{sandbox.url}/{API}/api/"  # the SDK's documented switch (trailing slash)
    yield sandbox
    sdk.base = before


async def call(method: Any, *args: Any) -> Any:
    return await asyncio.to_thread(method, *args)


async def test_the_sdk_creates_a_profile_links_posts_once_per_key_and_unlinks(pointed: Running) -> None:
    social = SocialPost(DEMO_KEY)
    created = await call(social.createProfile, {"title": "Fidelity Brand"})
    assert created["status"] == "success" and created["title"] == "Fidelity Brand"
    key = created["profileKey"]
    listed = await call(social.getProfiles)
    assert [p["title"] for p in listed["profiles"]] == ["Fidelity Brand"]
    assert "profileKey" not in listed["profiles"][0]  # shown only when created
    again = await call(social.createProfile, {"title": "fidelity brand"})
    assert again["status"] == "error" and "unique" in again["message"]

    jwt = await call(
        social.generateJWT,
        {"domain": "linkdeck", "privateKey": "-----BEGIN RSA PRIVATE KEY-----", "profileKey": key},
    )
    assert jwt["status"] == "success" and jwt["url"].startswith(
        "https://profile.ayrshare.com?domain=linkdeck&jwt="
    )
    linked = await asyncio.to_thread(approve, rewrite(jwt["url"], pointed.url))
    assert linked.status_code == 302

    social.setProfileKey(key)
    user = await call(social.user)
    assert "instagram" in user["activeSocialAccounts"] and user["title"] == "Fidelity Brand"
    [instagram] = [d for d in user["displayNames"] if d["platform"] == "instagram"]
    assert instagram["userImage"].startswith("https://") and instagram["refreshRequired"] is False

    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    uploaded = await call(social.upload, {"file": data_url, "fileName": "dot.png", "description": "a dot"})
    assert uploaded["url"].startswith("https://")
    body = {
        "post": "Fidelity",
        "platforms": ["instagram"],
        "mediaUrls": [uploaded["url"]],
        "idempotencyKey": "k-1",
    }
    first = await call(social.post, dict(body))
    second = await call(social.post, dict(body))  # the same key: the same post, not a second one
    assert first["status"] == "success" and first["id"] == second["id"]
    [made] = first["postIds"]
    assert made["platform"] == "instagram" and made["postUrl"].startswith("https://")
    duplicate = await call(social.post, {"post": "Fidelity", "platforms": ["instagram"]})
    assert duplicate["status"] == "error" and duplicate["errors"][0]["code"] == 107
    history = await call(social.history)
    assert [h["id"] for h in history] == [first["id"]] and history[0]["platforms"] == ["instagram"]

    refused = await call(social.post, {"post": "On X", "platforms": ["twitter"]})
    assert refused["status"] == "error" and refused["errors"][0]["code"] == 272  # no BYO X keys
    social.set_twitter_byo("x-key", "x-secret")
    on_x = await call(social.post, {"post": "On X", "platforms": ["twitter"]})
    assert on_x["status"] == "success"

    gone = await call(social.unlinkSocial, {"platform": "instagram"})
    assert gone["status"] == "success"
    assert "instagram" not in (await call(social.user))["activeSocialAccounts"]
    wrong = await call(SocialPost("not-a-key").user)
    assert wrong["status"] == "error"
