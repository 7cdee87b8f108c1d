"""The sandbox's Facebook as a Graph client written by others sees it: python-facebook-api 0.24.0
(module ``pyfacebook``, pinned in pyproject.toml's dev extra), pointed at the sandbox with its
``base_url``, ``authorization_url`` and ``access_token_url`` (networks-2026.md §1c, §16;
``ignore_version_check`` because its version list stops at v24.0).

What a pyfacebook user does: the Login dialog address (the consent page driven as
tests/sandbox_browser.py drives it), the code exchanged (requests-oauthlib, the app secret), the
long-lived exchange (``fb_exchange_token``), the person, every Page with its token across
``paging.next`` (``get_full_connections``), a photo uploaded unpublished as the multipart
``source`` and a feed post attaching it, all with the ``appsecret_proof`` it adds to every call
and the rate-limit headers it parses. pyfacebook is synchronous (requests), so each scenario runs
in a thread while the sandbox serves on the test's event loop.
"""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest
from pyfacebook import FacebookError, GraphAPI

from providers.networks.facebook.sandbox_auth import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from providers.networks.facebook.spec import GRAPH_VERSION
from providers.sandbox import Running
from tests.sandbox_browser import approve

REDIRECT = "http://127.0.0.1:8080/callback"  # never listened on: the consent page's 302 is read
SCOPES = ["pages_show_list", "pages_manage_posts", "pages_read_engagement", "business_management"]


def jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def api(sandbox: Running, token: str | None = None) -> GraphAPI:
    return GraphAPI(
        app_id=DEMO_CLIENT_ID,
        app_secret=DEMO_CLIENT_SECRET,
        access_token=token,
        oauth_flow=token is None,
        version=GRAPH_VERSION,
        ignore_version_check=True,
        base_url=f"{sandbox.url}/graph.facebook.com/",
        authorization_url=f"{sandbox.url}/www.facebook.com/{GRAPH_VERSION}/dialog/oauth",
        access_token_url=f"{sandbox.url}/graph.facebook.com/{GRAPH_VERSION}/oauth/access_token",
        redirect_uri=REDIRECT,
        scope=SCOPES,
        timeout=10,
    )


def signed_in(sandbox: Running) -> str:
    """The long-lived user token, the way a pyfacebook user gets it."""
    client = api(sandbox)
    address, _ = client.get_authorization_url()
    answer = approve(address)
    assert answer.status_code == 302, answer.text[:300]
    short = client.exchange_user_access_token(response=answer.headers["location"])
    assert short["expires_in"] <= 3 * 3600
    long = client.exchange_long_lived_user_access_token(short["access_token"])
    assert long["expires_in"] == 5_183_944 and long["token_type"] == "bearer"
    return str(long["access_token"])


def pages_and_a_photo_post(sandbox: Running) -> tuple[list[dict[str, str]], str]:
    user = api(sandbox, signed_in(sandbox))
    me = user.get_object("me", fields="id,name")
    assert me["name"] == "Alice Example"
    pages = user.get_full_connections("me", "accounts", count=None, fields="id,name,access_token,tasks")[
        "data"
    ]
    assert user.rate_limit.get_limit().call_count >= 0  # the usage header parsed
    own = pages[0]
    page = api(sandbox, own["access_token"])
    photo = page.post_object(
        own["id"], "photos", data={"published": "false"}, files={"source": ("h.jpg", jpeg())}
    )
    attached = json.dumps([{"media_fbid": photo["id"]}])
    post = page.post_object(
        own["id"], "feed", data={"message": "From pyfacebook", "attached_media": attached}
    )
    assert page.rate_limit.get_limit(own["id"], "pages").call_count >= 0  # the BUC header parsed
    with pytest.raises(FacebookError) as refused:  # the user's token may not post as the Page
        user.post_object(own["id"], "feed", data={"message": "as the user"})
    assert refused.value.code == 200
    return pages, str(post["id"])


async def test_pyfacebook_reads_the_pages_and_posts_a_photo(
    sandbox: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # requests-oauthlib: the sandbox is http
    pages, post_id = await asyncio.to_thread(pages_and_a_photo_post, sandbox)
    assert [p["name"] for p in pages] == ["Harbour Photo Co."]  # /me/accounts: her own Page
    assert all(p["access_token"] for p in pages)
    emulator = sandbox.sandbox.emulator("graph.facebook.com")
    [published] = emulator.published()
    assert (published.user, published.text, published.media) == (pages[0]["id"], "From pyfacebook", 1)
    assert post_id.startswith(pages[0]["id"] + "_")
    proofs = [r for r in sandbox.sandbox.requests if "appsecret_proof" in r["params"]]
    assert proofs  # every call carried a proof, and the sandbox checked it


async def test_a_wrong_appsecret_proof_is_refused(sandbox: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")

    def wrong() -> int:
        token = signed_in(sandbox)
        client = api(sandbox, token)
        client.app_secret = "not-the-secret"
        with pytest.raises(FacebookError) as refused:
            client.get_object("me", fields="id")
        return int(refused.value.code)

    assert await asyncio.to_thread(wrong) == 100


def a_reel(sandbox: Running, clip: bytes) -> tuple[str, dict[str, object]]:
    """pyfacebook has no Reels helper (0.24.0), so its generic ``post_object``/``get_object`` drive
    ``/{page}/video_reels``; the bytes go to the returned rupload address with requests (which
    pyfacebook is built on), with the headers Meta's guide names."""
    import requests

    user = api(sandbox, signed_in(sandbox))
    own = user.get_connection("me", "accounts", fields="id,name,access_token")["data"][0]
    page = api(sandbox, own["access_token"])
    started = page.post_object(own["id"], "video_reels", data={"upload_phase": "start"})
    upload_url = started["upload_url"].replace("https://", f"{sandbox.url}/", 1)
    sent = requests.post(
        upload_url,
        data=clip,
        headers={"Authorization": f"OAuth {own['access_token']}", "offset": "0", "file_size": str(len(clip))},
        timeout=10,
    )
    assert sent.json() == {"success": True}
    finish = {"upload_phase": "finish", "video_id": started["video_id"], "video_state": "PUBLISHED"}
    done = page.post_object(own["id"], "video_reels", data={**finish, "description": "From pyfacebook"})
    assert done == {"success": True}
    page.get_object(started["video_id"], fields="status")  # processing
    status = page.get_object(started["video_id"], fields="status")["status"]
    return str(own["id"]), status


async def test_pyfacebook_publishes_a_reel_through_video_reels(
    sandbox: Running, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.media_corpus import video

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    clip = video(tmp_path / "reel.mp4", (540, 960), seconds=3.2, audio=False).read_bytes()
    page, status = await asyncio.to_thread(a_reel, sandbox, clip)
    assert status["video_status"] == "ready"
    assert status["publishing_phase"] == {"status": "complete"}
    [published] = sandbox.sandbox.emulator("graph.facebook.com").published()
    assert (published.user, published.text, published.media) == (page, "From pyfacebook", 1)
