"""Fidelity: an independent Graph client, python-facebook-api 0.24.0 (networks-2026.md §2c: for
the Instagram-Login route, ``GraphAPI(base_url=…)`` pointed at graph.instagram.com), drives the
Instagram emulation: its OAuth session (requests-oauthlib) takes the code from the emulated
consent page at api.instagram.com, then it reads the account, makes a container from a photo the
emulation really fetches, waits for FINISHED, publishes it, reads the quota, and parses Meta's
usage headers (``X-App-Usage``, ``X-Business-Use-Case-Usage``) with its own rate-limit reader.

The client is synchronous (requests), so its calls run in a worker thread while the sandbox
serves on this test's event loop.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from PIL import Image

from providers.networks.instagram.sandbox import CLIENT_ID, CLIENT_SECRET, GRAPH_HOST, SCOPES
from providers.sandbox import Running
from tests.sandbox_browser import approve_async
from tests.support.http import serving
from tests.support.required import module_or_missing

pyfacebook: Any = module_or_missing("pyfacebook", "needs the python-facebook-api package (a dev dependency)")


@pytest.fixture
async def photo_url() -> AsyncIterator[str]:
    out = io.BytesIO()
    Image.new("RGB", (1080, 1080), (40, 90, 160)).save(out, "JPEG", quality=85)

    async def handle(request: web.Request) -> web.Response:
        return web.Response(body=out.getvalue(), content_type="image/jpeg")

    async with serving(handle) as url:
        yield f"{url}/harbour.jpg"


async def test_python_facebook_links_and_publishes_through_the_container_flow(
    sandbox: Running, photo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the sandbox is plain http on loopback
    redirect = "http://127.0.0.1:8080/callback"
    scopes = ["instagram_business_basic", "instagram_business_content_publish"]
    assert set(scopes) <= SCOPES
    login = pyfacebook.GraphAPI(
        app_id=CLIENT_ID,
        app_secret=CLIENT_SECRET,
        oauth_flow=True,
        authorization_url=f"{sandbox.url}/www.instagram.com/oauth/authorize",
        access_token_url=f"{sandbox.url}/api.instagram.com/oauth/access_token",
        redirect_uri=redirect,
        scope=scopes,
    )
    address, _state = login.get_authorization_url()
    answer = await approve_async(address)
    assert answer.status_code == 302, answer.text[:300]
    token: dict[str, Any] = await asyncio.to_thread(
        login.exchange_user_access_token, answer.headers["location"]
    )
    assert token["access_token"] and token["user_id"]

    api = pyfacebook.GraphAPI(
        access_token=token["access_token"],
        base_url=f"{sandbox.url}/{GRAPH_HOST}/",
        version="v26.0",
        ignore_version_check=True,
        sleep_on_rate_limit=False,
    )
    me = await asyncio.to_thread(api.get_object, "me", fields="user_id,username,account_type")
    user = me["user_id"]
    assert (me["username"], me["account_type"]) == ("alice", "BUSINESS")
    made = await asyncio.to_thread(
        api.post_object, user, connection="media", data={"image_url": photo_url, "caption": "From pyfacebook"}
    )
    states = [
        (await asyncio.to_thread(api.get_object, made["id"], fields="status_code"))["status_code"]
        for _ in range(2)
    ]
    assert states == ["IN_PROGRESS", "FINISHED"]
    published = await asyncio.to_thread(
        api.post_object, user, connection="media_publish", data={"creation_id": made["id"]}
    )
    assert published["id"]
    limit = await asyncio.to_thread(
        api.get_connection, user, "content_publishing_limit", fields="quota_usage,config"
    )
    assert limit["data"][0]["quota_usage"] == 1 and limit["data"][0]["config"]["quota_total"] == 50
    assert api.rate_limit.get_limit().call_count > 0  # X-App-Usage, as the client reads it
    business = api.rate_limit.get_limit(object_id=user, rate_limit_type="instagram")
    assert business.call_count > 0  # X-Business-Use-Case-Usage
