"""Facebook against *recorded* real Graph answers, replayed by a local server at the paths they
belong to, and the rules linkdeck reads from them.

The recordings (tests/fixtures/recorded/facebook, SOURCES.md) are real Graph bodies captured by
sns-sdks/python-facebook (Apache-2.0): the long-lived token exchange, ``/{user}/accounts`` with
Page tokens (redacted), tasks and ``paging.next``, the person, a Page's feed, and Graph error
objects. The reported payloads (tests/fixtures/recorded/_reported, quoted verbatim in public code;
not wire recordings) are the expired token (190/463) and the #200 refusal. No POST /{page}/feed or
/photos answer and no /me/businesses answer was recorded: those are checked against the sandbox
(tests/test_contract.py, test_facebook_sandbox.py).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from aiohttp import web

from providers import clock
from providers.http import async_client
from providers.media.judge import judge_post
from providers.media.model import MediaInfo, MediaKind
from providers.networks.facebook.graph import graph_error, list_pages
from providers.networks.facebook.link import FacebookSignIn
from providers.networks.facebook.problems import usage
from providers.networks.facebook.publish import FacebookPublisher
from providers.networks.facebook.spec import GRAPH_VERSION, SPEC
from providers.settings import NetworkSettings, Settings
from providers.store import Store
from providers.vault import Vault
from tests.support.http import serving

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures/recorded"
RECORDED = FIXTURES / "facebook/python-facebook"


def recorded(name: str) -> str:
    return (RECORDED / name).read_text(encoding="utf-8")


def reported(case_starts: str) -> tuple[int, str]:
    entries = json.loads((FIXTURES / "_reported/error_payloads_reported.json").read_text())["entries"]
    found = next(e for e in entries if e["case"].startswith(case_starts))
    return found["http_status"], found["body"]


@asynccontextmanager
async def replaying(routes: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[list[str]]:
    """A server answering ``/graph.facebook.com/<path>`` with the recorded body routed to it (by
    the path's end); every other Graph host's URL is rewritten to it (LINKDECK_SANDBOX_URL)."""
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.path_qs)
        for ending, body in routes.items():
            if request.path.endswith(ending):
                return web.Response(text=body, content_type="application/json")
        return web.json_response({"error": {"message": "not recorded", "code": 100}}, status=400)

    async with serving(handler) as url:
        monkeypatch.setenv("LINKDECK_SANDBOX_URL", url)
        yield seen


def response(status: int, body: str, headers: dict[str, str] | None = None) -> httpx2.Response:
    return httpx2.Response(status, text=body, headers={"Content-Type": "application/json", **(headers or {})})


def sign_in(store: Store) -> FacebookSignIn:
    settings = Settings(
        networks={"facebook": NetworkSettings(client_id="1000000000000001")}, allow_plaintext_secrets=True
    )
    return FacebookSignIn(SPEC, store, Vault(settings), settings)


# Linking -------------------------------------------------------------------------------------------


async def test_the_recorded_long_lived_exchange_gives_a_60_day_token(
    store: Store, monkeypatch: pytest.MonkeyPatch, frozen_clock: clock.FrozenClock
) -> None:
    monkeypatch.setenv("LINKDECK_FACEBOOK_CLIENT_SECRET", "app-secret")
    async with replaying({"/oauth/access_token": recorded("base/long_term_token.json")}, monkeypatch) as seen:
        token = await sign_in(store).long_lived({"access_token": "short-lived", "expires_in": 5000})
    assert token["access_token"] == "token" and token["expires_in"] == 5184000
    assert token["expires_at"] == int(frozen_clock().timestamp()) + 5184000
    [call] = seen
    assert call.startswith(f"/graph.facebook.com/{GRAPH_VERSION}/oauth/access_token?")
    assert "grant_type=fb_exchange_token" in call and "fb_exchange_token=short-lived" in call


async def test_the_recorded_pages_are_read_across_paging_with_their_tokens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    routes = {
        "/me/accounts": recorded("users/user_accounts_p1.json"),
        # the recorded paging.next (v11.0, a user id): the recorded single-Page list answers it
        "/413140042878187/accounts": recorded("base/user_accounts_token.json"),
        "/me/businesses": json.dumps({"data": []}),  # not recorded: a person with no Business
    }
    async with replaying(routes, monkeypatch) as seen, async_client() as client:
        pages = await list_pages(client, "user-token")
    assert [(p.id, p.name) for p in pages] == [
        ("123", "AAAAAAAAA"),
        ("1234", "BBBBBBBB"),
        ("123512", "EEEEEEEE"),
        ("1234624", "FFFFFFFFFF"),
        ("2121008874780932", "MyLife"),
    ]
    assert {p.token for p in pages} == {"REDACTED"}
    assert seen[1].startswith("/graph.facebook.com/v11.0/413140042878187/accounts?")  # next, as given
    assert all("user-token" not in path for path in seen)  # the token goes in a header, never the URL


def test_the_recorded_person_names_the_account() -> None:
    profile = FacebookSignIn.parse_profile(
        object.__new__(FacebookSignIn), json.loads(recorded("users/user.json"))
    )
    assert (profile.remote_id, profile.handle) == ("4", "Mark Zuckerberg")
    assert profile.avatar_url is not None and profile.avatar_url.startswith("https://scontent-")


# Errors ----------------------------------------------------------------------------------------------


def publisher() -> FacebookPublisher:
    return FacebookPublisher(SPEC, httpx2.AsyncClient())


def test_the_reported_expired_token_asks_to_reconnect() -> None:
    status, body = reported("expired user token")
    error = publisher().refused(response(status, body), "Facebook (Tide Club)", "creating the post")
    assert error.kind == "reconnect"
    assert "(190: Error validating access token" in error.message
    assert "Session has expired" in error.message and "link the account again" in error.message


def test_the_reported_200_names_the_missing_permission() -> None:
    status, body = reported("posting to a Page with a user token")
    error = publisher().refused(response(status, body), "Facebook", "creating the post")
    assert error.kind == "reconnect" and "pages_manage_posts" in error.message
    assert "posted to a page as the page itself" in error.message


def test_the_recorded_permission_error_while_reading_is_refused_in_facebooks_words() -> None:
    error = publisher().refused(
        response(400, recorded("base/error_data.json")), "Facebook", "looking for the post"
    )
    assert error.kind == "refused" and "pages_read_engagement" in error.message


@pytest.mark.parametrize(
    ("code", "subcode", "kind"),
    [
        (368, None, "try_later"),
        (368, 1390008, "try_later"),
        (100, 1366046, "fix_media"),
        (10, None, "reconnect"),
        (4, None, "try_later"),
    ],
)
def test_graph_codes_decide_not_the_status(code: int, subcode: int | None, kind: str) -> None:
    error: dict[str, Any] = {"message": "words", "type": "OAuthException", "code": code}
    if subcode:
        error["error_subcode"] = subcode
    refused = publisher().refused(
        response(400, json.dumps({"error": error})), "Facebook", "creating the post"
    )
    assert refused.kind == kind, refused.message
    if kind == "try_later":
        assert refused.retry_after is not None and refused.retry_after > 0


def test_a_number_inside_a_message_is_not_a_code() -> None:
    body = json.dumps({"error": {"message": "Page 490190 cannot 1390008", "code": 1, "type": "X"}})
    assert graph_error(response(400, body)) is not None
    assert publisher().error_code(response(400, body)) == "1"


def test_rate_limit_headers_are_read_and_named_when_waiting() -> None:
    headers = {
        "X-App-Usage": '{"call_count":96,"total_cputime":10,"total_time":12}',
        "X-Business-Use-Case-Usage": '{"1010":[{"type":"pages","call_count":100,"total_cputime":3,'
        '"total_time":4,"estimated_time_to_regain_access":5}]}',
    }
    assert usage(response(200, "{}", headers)) == (
        "X-App-Usage call_count 96%, total_cputime 10%, total_time 12%; "
        "X-Business-Use-Case-Usage call_count 100%, total_cputime 3%, total_time 4%"
    )
    body = json.dumps({"error": {"message": "(#32) Page request limit reached", "code": 32}})
    error = publisher().refused(response(400, body, headers), "Facebook", "creating the post")
    assert error.kind == "try_later" and "X-App-Usage call_count 96%" in error.message


# Recovery ----------------------------------------------------------------------------------------------


async def test_a_lost_post_is_found_in_the_recorded_feed_by_its_message(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = json.loads(recorded("posts/feeds_default_fields_p1.json"))
    wanted = feed["data"][1]
    committed = datetime(2021, 7, 8, 15, 30, tzinfo=UTC)
    account = store.upsert_account("facebook", "4", handle="h", display_name="h")
    account = store.set_target(account.id, "page", "19292868552", "Meta for Developers")
    post = store.create_post(wanted["message"], [], None)
    delivery = dataclasses.replace(store.add_delivery(post.id, account), committed_at=committed)
    token = {"access_token": "u", "page_tokens": {"19292868552": "page-token"}}
    routes = {"/19292868552/feed": recorded("posts/feeds_default_fields_p1.json")}
    async with replaying(routes, monkeypatch) as seen, async_client() as client:
        found = await FacebookPublisher(SPEC, client).lookup(account, post, delivery, token)
    assert found is not None and found.remote_post_id == wanted["id"]
    assert found.url == "https://www.facebook.com/19292868552/posts/10158347294088553"
    assert f"since={int((committed - timedelta(minutes=1)).timestamp())}" in seen[0]
    other = dataclasses.replace(post, caption="A post Facebook does not have")
    async with replaying(routes, monkeypatch), async_client() as client:
        assert await FacebookPublisher(SPEC, client).lookup(account, other, delivery, token) is None


# Limits, at the boundaries ----------------------------------------------------------------------------


def photo(size: int) -> MediaInfo:
    return MediaInfo(Path("p.jpg"), MediaKind.IMAGE, "jpeg", size, 1080, 1080)


@pytest.mark.parametrize(("count", "ok"), [(9, True), (10, True), (11, False)])
def test_ten_photos_a_post(count: int, ok: bool) -> None:
    verdict = judge_post([photo(1000)] * count, SPEC)
    assert all(not v.problems for v in verdict.items) is ok


@pytest.mark.parametrize(("size", "ok"), [(3_999_999, True), (4_000_000, True), (4_000_001, False)])
def test_photos_under_4_mb(size: int, ok: bool) -> None:
    assert (not judge_post([photo(size)], SPEC).items[0].problems) is ok


def test_a_video_goes_alone_never_beside_photos() -> None:
    video = MediaInfo(Path("v.mp4"), MediaKind.VIDEO, "mp4", 1000, 1280, 720, duration=5.0)
    assert not judge_post([video], SPEC).items[0].problems
    [problem] = judge_post([photo(1000), video], SPEC).items[1].problems
    assert "Facebook" in problem.message and problem.code == "mixed_media"


def test_caption_limit_is_63206() -> None:
    assert SPEC.caption.max_length == 63_206


def test_the_graph_version_is_one_constant_and_current() -> None:
    assert GRAPH_VERSION == "v26.0"
    urls = [SPEC.endpoints.authorize, SPEC.endpoints.token, SPEC.endpoints.revoke, SPEC.endpoints.profile]
    assert all(f"/{GRAPH_VERSION}/" in str(u) for u in urls)
    package = Path(__file__).resolve().parents[2] / "providers/networks/facebook"
    hard_coded = [p.name for p in package.rglob("*.py") if re.search(r"\.com/v\d+\.\d", p.read_text())]
    assert hard_coded == []  # every versioned URL is built from GRAPH_VERSION


def test_the_timeline_is_shown_unavailable_with_the_reason_and_the_share_link() -> None:
    from providers import overview
    from providers.settings import Settings
    from tui.help_pages import network_page

    page = network_page(SPEC)
    assert "Your personal Timeline: unavailable" in page and "publish_actions" in page
    assert "https://www.facebook.com/sharer/sharer.php?u=" in page
    assert "Timeline" in SPEC.summary  # on the card before anything is linked
    card = overview.card_for(SPEC, Settings(), [], datetime(2026, 12, 7, tzinfo=UTC))
    assert card.state is overview.CardState.NEEDS_SETUP  # linkable: it asks for the Meta app
    assert SPEC.notes[0].startswith("Timeline: unavailable.") and "sharer.php?u=" in SPEC.notes[0]
