"""The sandbox's X as X's own Python SDK sees it: xdk 0.10.6 (pinned in pyproject.toml's dev
extra), which no one here wrote, pointed at the sandbox with its ``base_url`` and
``authorization_base_url`` (networks-2026.md §4c).

What an xdk user does: the PKCE authorize address (the consent page driven as
tests/sandbox_browser.py drives it), the code exchanged as a public client (client_id in the
body, no secret), ``users.get_me``, a photo uploaded one-shot as JSON base64, a video uploaded in
chunks (initialize, append as JSON base64, finalize, STATUS until it has processed), alt text
through media metadata, and a post with both kinds of media refused and each alone accepted. xdk
is synchronous (requests), so each scenario runs in a thread while the sandbox serves on the
test's event loop. Its models are pydantic: every answer must parse into its declared type.
"""

from __future__ import annotations

import asyncio
import base64
import io
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from xdk import Client
from xdk.media.models import (
    AppendUploadRequest,
    CreateMetadataRequest,
    InitializeUploadRequest,
    UploadRequest,
)
from xdk.posts.models import CreateRequest

from providers.networks.x.sandbox_oauth import DEMO_CLIENT_ID
from providers.sandbox import Running
from tests.sandbox_browser import approve

REDIRECT = "http://127.0.0.1:8080/callback"  # never listened on: the consent page's 302 is read
SCOPES = ["tweet.read", "tweet.write", "users.read", "media.write", "offline.access"]


def jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def signed_in(sandbox: Running) -> Client:
    client = Client(
        base_url=f"{sandbox.url}/api.x.com",
        authorization_base_url=f"{sandbox.url}/x.com/i",
        client_id=DEMO_CLIENT_ID,
        redirect_uri=REDIRECT,
        scope=SCOPES,
    )
    address = client.get_authorization_url(state="xdk-state-0123456789abcdef")
    query = {k: v[0] for k, v in parse_qs(urlsplit(address).query).items()}
    assert query["code_challenge_method"] == "S256" and query["scope"] == " ".join(SCOPES)
    answer = approve(address)
    assert answer.status_code == 302, answer.text[:300]
    back = {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}
    assert back["state"] == "xdk-state-0123456789abcdef"
    token = client.exchange_code(back["code"])
    assert token["token_type"] == "bearer" and token["expires_in"] == 7200 and token["refresh_token"]
    client.access_token = token["access_token"]
    return client


def scenario(sandbox: Running) -> None:
    client = signed_in(sandbox)
    me = client.users.get_me(user_fields=["profile_image_url", "subscription_type"])
    assert me.data is not None
    assert (me.data.username, me.data.subscription_type) == ("alice", "None")
    avatar = requests.get(str(me.data.profile_image_url), timeout=10)
    assert avatar.status_code == 200 and avatar.headers["Content-Type"] == "image/png"

    photo = client.media.upload(
        body=UploadRequest(media=base64.b64encode(jpeg()).decode(), media_category="tweet_image")
    )
    assert photo.data is not None and photo.data.id and photo.data.media_key == f"3_{photo.data.id}"
    alt = client.media.create_metadata(
        body=CreateMetadataRequest(id=photo.data.id, metadata={"alt_text": {"text": "A red square"}})
    )
    assert alt.data is not None and alt.data.associated_metadata == {"alt_text": {"text": "A red square"}}

    video = bytes(range(256)) * 4096 * 3  # 3 MiB in three 1 MiB segments, as Postiz sends them
    started = client.media.initialize_upload(
        body=InitializeUploadRequest(
            media_type="video/mp4", total_bytes=len(video), media_category="tweet_video"
        )
    )
    assert started.data is not None
    media_id = started.data.id
    for index in range(3):
        piece = video[index * 1024 * 1024 : (index + 1) * 1024 * 1024]
        client.media.append_upload(
            media_id, body=AppendUploadRequest(media=base64.b64encode(piece).decode(), segment_index=index)
        )
    finished = client.media.finalize_upload(media_id)
    assert finished.data is not None and finished.data.size == len(video)
    info = finished.data.processing_info
    assert info is not None and info.state == "pending" and info.check_after_secs
    while info is not None and info.state in ("pending", "in_progress"):
        sandbox.sandbox.clock.offset += info.check_after_secs or 1  # the wait check_after_secs asks
        status = client.media.get_upload_status(media_id, command="STATUS")
        assert status.data is not None
        info = status.data.processing_info
    assert info is not None and info.state == "succeeded"

    with pytest.raises(requests.HTTPError) as mixed:
        client.posts.create(body=CreateRequest(text="both", media={"media_ids": [photo.data.id, media_id]}))
    problem = mixed.value.response.json()
    assert mixed.value.response.status_code == 400 and problem["type"].endswith("/invalid-request")
    assert problem["errors"][0]["message"] and problem["title"] == "Invalid Request"

    posted = client.posts.create(
        body=CreateRequest(text="A red square", media={"media_ids": [photo.data.id]})
    )
    assert (
        posted.data is not None
        and posted.data.id
        and posted.data.text.startswith("A red square https://t.co/")
    )
    clip = client.posts.create(body=CreateRequest(text="Waves", media={"media_ids": [media_id]}))
    assert clip.data is not None and clip.data.id != posted.data.id

    with pytest.raises(requests.HTTPError) as again:  # X refuses the same text twice in a row
        client.posts.create(body=CreateRequest(text="Waves"))
    assert again.value.response.status_code == 403
    assert again.value.response.json()["detail"].endswith("duplicate content.")
    limit = again.value.response.headers
    assert int(limit["x-rate-limit-limit"]) == 100 and int(limit["x-rate-limit-remaining"]) == 98


@pytest.fixture(autouse=True)
def insecure_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # xdk over http (the sandbox)


async def test_xdk_links_uploads_a_photo_and_a_chunked_video_and_posts(sandbox: Running) -> None:
    await asyncio.to_thread(scenario, sandbox)
    texts = [p.text for p in sandbox.sandbox.emulator("api.x.com").published()]
    assert texts == ["A red square", "Waves"]


async def test_xdk_refresh_as_a_public_client_is_refused_by_the_sdk_not_the_sandbox(sandbox: Running) -> None:
    """xdk 0.10.6 refuses to refresh without a client secret (its own check, before any request):
    the public-client refresh linkdeck does is checked in the contract tests instead."""

    def refresh() -> None:
        client = signed_in(sandbox)
        with pytest.raises(ValueError, match="client_secret is required"):
            client.refresh_token()

    await asyncio.to_thread(refresh)
