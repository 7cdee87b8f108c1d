"""The sandbox's Tumblr speaks as tumblr/docs@708be10 api.md says Tumblr does: its OAuth 2 (the
token answer's shape, refresh tokens only with ``offline_access``, the client secret required),
the ``{meta, response, errors}`` envelope with the 401 body quoted in tumblr/docs#72, the
rate-limit headers and 429, NPF validation with its subcodes, the blog avatar endpoint, and the
Settings → Apps page where the user removes linkdeck (Tumblr has no revoke call).
"""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2
import pytest
from PIL import Image

from providers.emulation.people import avatar_png
from providers.networks.tumblr.sandbox import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, world_for
from providers.sandbox import Running
from tests.sandbox_browser import approve_async

REDIRECT = "http://127.0.0.1:8080/callback"
UNAUTHORIZED = {
    "meta": {"status": 401, "msg": "Unauthorized"},
    "response": [],
    "errors": [{"title": "Unauthorized", "code": 1016, "detail": "Unable to authorize"}],
}


class Tumblr:
    def __init__(self, sandbox: Running, client: httpx2.AsyncClient) -> None:
        self.sandbox, self.client = sandbox, client
        self.www, self.api = f"{sandbox.url}/www.tumblr.com", f"{sandbox.url}/api.tumblr.com"

    async def code(self, scope: str = "basic write offline_access", user: str = "alice") -> str:
        query = {
            "client_id": DEMO_CLIENT_ID,
            "response_type": "code",
            "scope": scope,
            "state": "a-state-of-sixteen-chars",
            "redirect_uri": REDIRECT,
        }
        answer = await approve_async(f"{self.www}/oauth2/authorize?{urlencode(query)}", user=user)
        assert answer.status_code == 302, answer.text
        found = parse_qs(urlsplit(answer.headers["location"]).query)
        assert found["state"] == ["a-state-of-sixteen-chars"]
        return found["code"][0]

    async def token(self, scope: str = "basic write offline_access", user: str = "alice") -> dict[str, Any]:
        form = {
            "grant_type": "authorization_code",
            "code": await self.code(scope, user),
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
            "redirect_uri": REDIRECT,
        }
        answer = await self.client.post(f"{self.api}/v2/oauth2/token", data=form)
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    async def create(self, token: str, document: Any, blog: str = "alice", **kw: Any) -> httpx2.Response:
        headers = {"Authorization": f"Bearer {token}"}
        if "files" in kw:
            return await self.client.post(
                f"{self.api}/v2/blog/{blog}/posts",
                headers=headers,
                files={"json": (None, json.dumps(document), "application/json"), **kw["files"]},
            )
        return await self.client.post(f"{self.api}/v2/blog/{blog}/posts", headers=headers, json=document)


@pytest.fixture
async def tumblr(sandbox: Running) -> Any:
    async with httpx2.AsyncClient(timeout=10) as client:
        yield Tumblr(sandbox, client)


def errors_of(answer: httpx2.Response) -> list[tuple[Any, ...]]:
    body = answer.json()
    assert (
        body["meta"] == {"status": answer.status_code, "msg": body["meta"]["msg"]} and body["response"] == []
    )
    return [(e.get("code"), e["title"]) for e in body["errors"]]


async def test_the_token_answer_is_tumblrs_and_the_refresh_token_needs_offline_access(tumblr: Tumblr) -> None:
    token = await tumblr.token()
    assert sorted(token) == ["access_token", "expires_in", "id_token", "refresh_token", "scope", "token_type"]
    assert (token["expires_in"], token["id_token"], token["token_type"]) == (2520, False, "bearer")
    assert token["scope"] == "basic write offline_access"
    assert "refresh_token" not in await tumblr.token("basic write")
    form = {"grant_type": "authorization_code", "code": await tumblr.code(), "client_id": DEMO_CLIENT_ID}
    no_secret = await tumblr.client.post(
        f"{tumblr.api}/v2/oauth2/token", data={**form, "redirect_uri": REDIRECT}
    )
    assert no_secret.status_code == 401 and no_secret.json()["error"] == "invalid_client"


async def test_an_unknown_scope_goes_back_to_the_app_with_the_state(tumblr: Tumblr) -> None:
    query = {
        "client_id": DEMO_CLIENT_ID,
        "response_type": "code",
        "scope": "basic delete_everything",
        "state": "a-state-of-sixteen-chars",
        "redirect_uri": REDIRECT,
    }
    answer = await tumblr.client.get(f"{tumblr.www}/oauth2/authorize?{urlencode(query)}")
    assert answer.status_code == 302
    back = parse_qs(urlsplit(answer.headers["location"]).query)
    assert back["error"] == ["invalid_scope"] and back["state"] == ["a-state-of-sixteen-chars"]


async def test_api_answers_carry_the_envelope_and_the_rate_limit(tumblr: Tumblr) -> None:
    unsigned = await tumblr.client.get(f"{tumblr.api}/v2/user/info")
    assert unsigned.status_code == 401 and unsigned.json() == UNAUTHORIZED
    token = (await tumblr.token())["access_token"]
    me = await tumblr.client.get(f"{tumblr.api}/v2/user/info", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["meta"] == {"status": 200, "msg": "OK"}
    user = me.json()["response"]["user"]
    assert user["name"] == "alice" and [b["name"] for b in user["blogs"]] == ["alice", "alice-sketches"]
    assert [b["primary"] for b in user["blogs"]] == [True, False]
    assert (
        me.headers["X-Ratelimit-Perhour-Limit"] == "1000" and me.headers["X-Ratelimit-Perday-Limit"] == "5000"
    )
    assert int(me.headers["X-Ratelimit-Perhour-Remaining"]) < 1000
    assert 0 < int(me.headers["X-Ratelimit-Perhour-Reset"]) <= 3600
    tumblr.sandbox.sandbox.emulator("api.tumblr.com").configure({"calls_per_hour": 2})
    answers = [
        await tumblr.client.get(f"{tumblr.api}/v2/user/info", headers={"Authorization": f"Bearer {token}"})
        for _ in range(2)
    ]
    limited = answers[-1]
    assert limited.status_code == 429 and errors_of(limited) == [(None, "Limit Exceeded")]
    assert limited.headers["X-Ratelimit-Perhour-Remaining"] == "0"


async def test_npf_is_validated_with_tumblrs_subcodes(tumblr: Tumblr) -> None:
    token = (await tumblr.token())["access_token"]
    text = {"type": "text", "text": "hello"}
    by_url = {"type": "image", "media": [{"url": "https://64.media.tumblr.com/x/s640x480/a.jpg"}]}
    cases: list[tuple[Any, int, list[tuple[Any, ...]]]] = [
        ({"content": "hello"}, 400, [(8001, "'content' must be an array'")]),  # api.md's example
        ({"content": []}, 400, [(8001, "Bad Request")]),
        ({"content": [text], "state": "scheduled"}, 400, [(8001, "Bad Request")]),
        ({"content": [{"type": "text", "text": "x" * 4096}]}, 201, []),
        ({"content": [{"type": "text", "text": "x" * 4097}]}, 400, [(8001, "Bad Request")]),
        ({"content": [by_url] * 30}, 201, []),
        ({"content": [by_url] * 31}, 400, [(8001, "Bad Request")]),
        (
            {"content": [{"type": "image", "media": [{"type": "image/jpeg", "identifier": "gone"}]}]},
            400,
            [(8001, "Bad Request")],
        ),
    ]
    for document, status, errors in cases:
        answer = await tumblr.create(token, document)
        assert answer.status_code == status, (document, answer.text)
        if errors:
            assert errors_of(answer) == errors
        else:
            assert answer.json()["meta"] == {"status": 201, "msg": "Created"}
            assert isinstance(answer.json()["response"]["id"], str)
    jpeg = io.BytesIO()
    Image.new("RGB", (32, 32)).save(jpeg, "JPEG")
    video_block = {"type": "video", "media": {"type": "video/mp4", "identifier": "clip"}}
    wrong = await tumblr.create(
        token, {"content": [video_block]}, files={"clip": ("clip.mp4", jpeg.getvalue())}
    )
    assert wrong.status_code == 400 and errors_of(wrong) == [(8005, "Bad Request")]


async def test_posting_needs_write_and_the_users_own_blog(tumblr: Tumblr) -> None:
    document = {"content": [{"type": "text", "text": "hello"}]}
    read_only = (await tumblr.token("basic"))["access_token"]
    assert (await tumblr.create(read_only, document)).status_code == 403
    token = (await tumblr.token())["access_token"]
    assert (await tumblr.create(token, document, blog="bob")).status_code == 403
    missing = await tumblr.create(token, document, blog="nobody-here")
    assert missing.status_code == 404 and errors_of(missing) == [(0, "Not Found")]
    assert (await tumblr.create("not-a-token", document)).json() == UNAUTHORIZED
    assert (await tumblr.create(token, document, blog="alice.tumblr.com")).status_code == 201


async def test_posts_are_listed_in_npf_with_media_urls(tumblr: Tumblr) -> None:
    token = (await tumblr.token())["access_token"]
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 48)).save(jpeg, "JPEG")
    image = {
        "type": "image",
        "media": [{"type": "image/jpeg", "identifier": "media-0", "width": 64, "height": 48}],
    }
    document = {"content": [image, {"type": "text", "text": "hi"}]}
    made = await tumblr.create(token, document, files={"media-0": ("a.jpg", jpeg.getvalue(), "image/jpeg")})
    assert made.status_code == 201, made.text
    listed = await tumblr.client.get(
        f"{tumblr.api}/v2/blog/alice/posts", params={"api_key": DEMO_CLIENT_ID, "npf": "true"}
    )
    [post] = listed.json()["response"]["posts"]
    assert post["id_string"] == made.json()["response"]["id"] and post["state"] == "published"
    media = post["content"][0]["media"][0]
    assert "identifier" not in media and media["url"].startswith("https://64.media.tumblr.com/")
    assert listed.json()["response"]["blog"]["name"] == "alice"
    queue = await tumblr.client.get(
        f"{tumblr.api}/v2/blog/alice/posts/queue", params={"api_key": DEMO_CLIENT_ID}
    )
    assert queue.status_code == 401  # the queue is the owner's


async def test_the_blog_avatar_is_a_png_of_the_asked_size(tumblr: Tumblr) -> None:
    big = await tumblr.client.get(f"{tumblr.api}/v2/blog/alice/avatar/128")
    assert big.headers["Content-Type"] == "image/png" and big.content == avatar_png("alice", 128)
    assert Image.open(io.BytesIO(big.content)).size == (128, 128)
    default = await tumblr.client.get(f"{tumblr.api}/v2/blog/alice/avatar")
    assert Image.open(io.BytesIO(default.content)).size == (64, 64)
    assert (await tumblr.client.get(f"{tumblr.api}/v2/blog/alice/avatar/100")).status_code == 400
    signed = await tumblr.client.get(
        f"{tumblr.api}/v2/blog/alice/avatar/512", headers={"Authorization": 'OAuth oauth_consumer_key="k"'}
    )
    assert signed.json()["response"]["avatar_url"] == signed.headers["Location"]


async def test_removing_linkdeck_in_settings_apps_ends_its_access(tumblr: Tumblr) -> None:
    token = await tumblr.token()
    world = world_for(tumblr.sandbox.sandbox.clock)
    assert world.oauth.accepts(token["refresh_token"])
    page = await tumblr.client.get(f"{tumblr.www}/settings/apps", params={"user": "alice"})
    assert page.status_code == 200 and "linkdeck (sandbox)" in page.text
    action = page.text.split("action='", 1)[1].split("'", 1)[0]
    await tumblr.client.post(
        f"{tumblr.sandbox.url}{action}", data={"client_id": DEMO_CLIENT_ID, "user": "alice"}
    )
    assert not world.oauth.accepts(token["refresh_token"]) and not world.oauth.accepts(token["access_token"])
    after = await tumblr.client.get(
        f"{tumblr.api}/v2/user/info", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert after.status_code == 401
