"""Instagram's sign-in and publisher against *recorded* Graph answers, replayed by a local server,
and the reported error payloads; the error-code mapping, the quota, the aspect rule's boundaries,
and the documented authorize URL printed by ``linkdeck link instagram --no-browser``.

The answers are in tests/fixtures/recorded/instagram/ (python-facebook's captured Graph bodies,
Apache-2.0, see its SOURCES.md): the token answer, the account, a container's id, its FINISHED
status, the publish answer, a media with its permalink and the content_publishing_limit
document (``quota_total`` 25, read, not assumed). Each is served at the path linkdeck calls.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp import web
from PIL import Image

from providers import catalog
from providers.errors import LinkError, PublishError
from providers.http import async_client
from providers.media.judge import judge
from providers.media.probe import inspect
from providers.networks.instagram.link import InstagramSignIn
from providers.networks.instagram.publish import InstagramPublisher, graph_code
from providers.publishing.meta_quota import usage as quota
from providers.settings import NetworkSettings, Settings
from providers.store import Store
from providers.vault import Vault
from tests.support.cli import start_cli
from tests.support.http import serving

RECORDED = Path(__file__).resolve().parent.parent / "fixtures" / "recorded" / "instagram" / "python-facebook"
USER = "17841406338772941"
# Quoted from tests/fixtures/recorded/_reported/error_payloads_reported.json (provenance there).
EXPIRED = (
    '{"error":{"message":"Error validating access token: Session has expired on Tuesday, 25-Nov-25 '
    '15:00:00 PST. The current time is Wednesday, 26-Nov-25 14:19:00 PST.","type":"OAuthException",'
    '"code":190,"error_subcode":463,"fbtrace_id":"AaX18KXfIMJ8i9bHfPJVjZq"}}'
)
ASPECT = (
    '{"error":{"message":"The aspect ratio is not supported","type":"OAuthException","code":36003,'
    '"error_subcode":2207009}}'
)


def recorded(path: str) -> bytes:
    return (RECORDED / path).read_bytes()


@dataclass
class Replay:
    """Answers by (method, path below the host); remembers what was asked."""

    answers: dict[tuple[str, str], list[tuple[int, bytes]]] = field(default_factory=dict)
    asked: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def serve(self, method: str, path: str, body: bytes, status: int = 200) -> None:
        self.answers.setdefault((method, path), []).append((status, body))

    async def handle(self, request: web.Request) -> web.Response:
        path = "/" + request.path.lstrip("/").partition("/")[2]
        form = dict(await request.post()) if request.method == "POST" else {}
        self.asked.append((request.method, path, {**request.query, **{k: str(v) for k, v in form.items()}}))
        queue = self.answers.get((request.method, path)) or [(404, b'{"error":{"message":"no","code":100}}')]
        status, body = queue.pop(0) if len(queue) > 1 else queue[0]
        return web.Response(status=status, body=body, content_type="application/json")


@pytest.fixture
async def replay(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Replay]:
    state = Replay()
    async with serving(state.handle) as url:
        monkeypatch.setenv("LINKDECK_SANDBOX_URL", url)
        yield state


class Shelf:
    """Staging that gives each file a fixed public address (what the bucket would hand out)."""

    def __init__(self) -> None:
        self.given: list[str] = []
        self.removed: list[str] = []

    def staged_url(self, path: Path) -> str:
        return f"https://bucket.example/linkdeck-staging/{path.name}"

    def staged(
        self, path: Path, *, content_type: str, progress: Callable[[int, int], None] | None = None
    ) -> Any:
        shelf = self

        @asynccontextmanager
        async def block() -> AsyncIterator[str]:
            shelf.given.append(path.name)
            try:
                yield shelf.staged_url(path)
            finally:
                shelf.removed.append(path.name)

        return block()


def sign_in(store: Store, vault: Vault) -> InstagramSignIn:
    settings = Settings(
        networks={"instagram": NetworkSettings(client_id="990")}, allow_plaintext_secrets=True
    )
    return InstagramSignIn(catalog.get("instagram"), store, vault, settings)


def photo(tmp_path: Path, name: str = "harbour.jpg", size: tuple[int, int] = (800, 600)) -> Path:
    path = tmp_path / name
    Image.new("RGB", size, (40, 90, 160)).save(path, quality=85)
    return path


async def test_recorded_account_is_read_with_its_type_and_a_personal_one_is_told_how_to_switch(
    replay: Replay, store: Store, vault: Vault
) -> None:
    replay.serve("GET", "/v26.0/me", recorded("instagram_basic/user/user_info.json"))
    profile = await sign_in(store, vault).profile({"access_token": "recorded"}, None)
    assert (profile.remote_id, profile.handle) == (USER, "@ikroskun")
    assert replay.asked[0][2]["fields"] == "user_id,username,name,account_type,profile_picture_url"
    personal = json.loads(recorded("instagram_basic/user/user_info.json")) | {"account_type": "PERSONAL"}
    with pytest.raises(LinkError) as refused:
        sign_in(store, vault).parse_profile(personal)
    assert (
        "personal account" in refused.value.message
        and "Switch to professional account" in refused.value.message
    )


async def test_the_recorded_short_token_is_exchanged_for_a_60_day_one(
    replay: Replay, store: Store, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKDECK_INSTAGRAM_CLIENT_SECRET", "app-secret")
    short = json.loads(recorded("base/basic_display_api_user_token.json"))
    replay.serve(
        "GET", "/access_token", b'{"access_token":"long","token_type":"bearer","expires_in":5183944}'
    )
    token = await sign_in(store, vault).long_lived(short)
    assert token["access_token"] == "long" and token["expires_in"] == 5183944 and token["expires_at"]
    assert replay.asked[0][2] == {
        "grant_type": "ig_exchange_token",
        "client_secret": "app-secret",
        "access_token": "token",
    }


async def test_recorded_container_flow_publishes_a_photo_with_its_permalink(
    replay: Replay, store: Store, vault: Vault, tmp_path: Path
) -> None:
    replay.serve(
        "GET",
        f"/v26.0/{USER}/content_publishing_limit",
        recorded("instagram/publish/publish_limit_resp.json"),
    )
    replay.serve("POST", f"/v26.0/{USER}/media", recorded("instagram/publish/create_photo.json"))
    replay.serve("GET", "/v26.0/17889455560051444", recorded("instagram/publish/container_info.json"))
    replay.serve("POST", f"/v26.0/{USER}/media_publish", recorded("instagram/publish/publish_container.json"))
    replay.serve("GET", "/v26.0/17920238422030506", recorded("instagram/medias/media_default.json"))
    owner = store.upsert_account("instagram", USER, handle="@ikroskun")
    path = photo(tmp_path)
    post, [delivery] = store.create_post_with_deliveries("Low tide", [str(path)], None, [owner])
    shelf = Shelf()
    async with async_client() as client:
        publisher = InstagramPublisher(catalog.get("instagram"), client, shelf)
        result = await publisher.publish(owner, post, delivery, {"access_token": "recorded"})
    assert result.remote_post_id == "17920238422030506"
    assert result.url == "https://www.instagram.com/p/CRyZpmrjYC4/"
    create = next(a for a in replay.asked if a[1].endswith("/media"))
    assert create[2] == {"image_url": shelf.staged_url(path), "caption": "Low tide"}
    status = next(a for a in replay.asked if a[1] == "/v26.0/17889455560051444")
    assert status[2]["fields"] == "status_code,status"
    assert [a[1] for a in replay.asked].index(status[1]) < [a[1] for a in replay.asked].index(
        f"/v26.0/{USER}/media_publish"
    )  # never published before FINISHED
    assert shelf.removed == ["harbour.jpg"]


async def refused(store: Store, tmp_path: Path, caption: str) -> tuple[PublishError, Shelf]:
    """Publish one photo to the replayed account; the refusal and the staging it used."""
    owner = store.upsert_account("instagram", USER, handle="@ikroskun")
    post, [delivery] = store.create_post_with_deliveries(caption, [str(photo(tmp_path))], None, [owner])
    shelf = Shelf()
    async with async_client() as client:
        publisher = InstagramPublisher(catalog.get("instagram"), client, shelf)
        with pytest.raises(PublishError) as failed:
            await publisher.publish(owner, post, delivery, {"access_token": "recorded"})
    return failed.value, shelf


async def test_a_used_up_quota_read_at_run_time_waits_before_anything_is_staged(
    replay: Replay, store: Store, vault: Vault, tmp_path: Path
) -> None:
    limit = json.loads(recorded("instagram/users/content_publish_limit.json"))
    assert quota(limit) == (0, 25)  # the recorded total is 25, not an assumed 50
    limit["data"][0]["quota_usage"] = 25
    replay.serve("GET", f"/v26.0/{USER}/content_publishing_limit", json.dumps(limit).encode())
    waited, shelf = await refused(store, tmp_path, "Later")
    assert waited.kind == "try_later" and "25 of its 25" in waited.message
    assert waited.retry_after == 3600.0 and shelf.given == []


async def test_reported_payloads_map_to_reconnect_and_the_aspect_rule(
    replay: Replay, store: Store, vault: Vault, tmp_path: Path
) -> None:
    replay.serve(
        "GET",
        f"/v26.0/{USER}/content_publishing_limit",
        recorded("instagram/publish/publish_limit_resp.json"),
    )
    replay.serve("POST", f"/v26.0/{USER}/media", ASPECT.encode(), 400)
    aspect, shelf = await refused(store, tmp_path, "Wide")
    assert aspect.kind == "fix_media" and "4:5 and 1.91:1" in aspect.message
    assert "2207009" in aspect.message and shelf.removed == ["harbour.jpg"]
    assert graph_code(json.loads(EXPIRED)) == "190"
    assert InstagramPublisher.error_rules["190"].kind == "reconnect"


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("Error: Media upload has failed with error code 2207052", "fix_media"),
        ("Error: Media upload has failed with error code 2207003", "try_later"),
        ("Error: something new", "fix_media"),
    ],
)
def test_an_error_container_is_explained_by_the_code_its_status_names(words: str, kind: str) -> None:
    error = InstagramPublisher(catalog.get("instagram"), None).container_failed("Instagram", words)  # type: ignore[arg-type]
    assert error.kind == kind and "Instagram" in error.message


def test_unmapped_subcodes_fall_back_to_the_graph_code() -> None:
    assert graph_code({"error": {"code": 9007, "error_subcode": 2207027}}) == "2207027"
    assert graph_code({"error": {"code": 4, "error_subcode": 1234}}) == "4"
    assert graph_code({"error": "nope"}) is None


@pytest.mark.parametrize(
    ("size", "ok"),
    [
        ((800, 1000), True),  # 4:5 exactly
        ((801, 1000), True),  # one inside
        ((799, 1000), False),  # one over (taller)
        ((1432, 750), True),  # 1.91:1 (1.9093)
        ((1431, 750), True),  # one inside
        ((1440, 750), False),  # over (1.92:1, wider)
        ((1441, 1441), False),  # one over the widest, 1,440 px
        ((1080, 1920), False),  # 9:16
        ((320, 320), True),  # the narrowest width
        ((319, 319), False),  # one under it
    ],
)
def test_the_aspect_and_width_rules_at_their_boundaries(
    tmp_path: Path, size: tuple[int, int], ok: bool
) -> None:
    verdict = judge(inspect(photo(tmp_path, size=size)), catalog.get("instagram"))
    assert verdict.ok is ok, verdict


def test_link_no_browser_prints_the_documented_authorize_url(env: dict[str, str]) -> None:
    env = {
        **env,
        "LINKDECK_INSTAGRAM_CLIENT_ID": "990000000000001",
        "LINKDECK_INSTAGRAM_CLIENT_SECRET": "app-secret",
    }
    env.pop("LINKDECK_SANDBOX_URL", None)
    process = start_cli(env, "link", "instagram", "--no-browser")
    try:
        assert process.stdout is not None
        address = next(line.strip() for line in process.stdout if line.startswith("http"))
    finally:
        process.kill()
        process.wait(timeout=30)
    parts = urlsplit(address)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.instagram.com", "/oauth/authorize")
    assert query["scope"] == "instagram_business_basic,instagram_business_content_publish"
    assert query["client_id"] == "990000000000001" and query["response_type"] == "code"
    assert query["redirect_uri"] == "http://127.0.0.1:8080/callback" and len(query["state"]) >= 16
    assert "code_challenge" not in query  # Meta documents no PKCE for Instagram Login
    assert "app-secret" not in address


def test_a_reel_must_last_at_least_3_seconds_and_a_story_has_its_own_limits(tmp_path: Path) -> None:
    from tests.media_corpus import video

    instagram = catalog.get("instagram")
    assert judge(inspect(video(tmp_path / "reel.mp4", seconds=4.0)), instagram).ok
    short = judge(inspect(video(tmp_path / "blink.mp4", seconds=1.0)), instagram)
    assert [p.code for p in short.problems] == ["too_short"]
    from dataclasses import replace

    from providers.networks.instagram.spec import STORY_MEDIA
    from tests.media_corpus import jpeg

    story = replace(instagram, media=STORY_MEDIA)
    tall = inspect(jpeg(tmp_path / "tall.jpg", (1080, 1920)))
    assert judge(tall, story).ok and not judge(tall, instagram).ok  # 9:16: a Story, not the feed
    wide = judge(inspect(jpeg(tmp_path / "wide.jpg", (1200, 800))), story)
    assert [p.code for p in wide.problems] == ["aspect_ratio"]
    long = judge(inspect(video(tmp_path / "long.mp4", (360, 640), seconds=61.0)), story)
    assert [p.code for p in long.problems] == ["too_long"]


@pytest.mark.parametrize(
    ("hours", "days", "amber"), [(8 * 24, 8, False), (7 * 24, 7, False), (7 * 24 - 1, 6, True)]
)
def test_the_card_shows_days_left_and_turns_amber_the_last_week(
    store: Store, hours: int, days: int, amber: bool
) -> None:
    from datetime import UTC, datetime, timedelta

    from providers.overview import CardState, card_for

    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    account = store.upsert_account(
        "instagram", USER, handle="@ikroskun", expires_at=now + timedelta(hours=hours)
    )
    card = card_for(catalog.get("instagram"), Settings(), [account], now)
    assert card.state is CardState.LINKED and card.days_left == days and card.expiring_soon is amber
