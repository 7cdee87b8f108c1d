"""Instagram's emulation (in this process) and the publisher against it: containers that really
fetch the photo's address (served here by a real local HTTP server) and move through their
states, publishing refused before FINISHED and for a container already published, the quota read
from content_publishing_limit, injected container errors explained, Meta's rate-limit headers,
a personal account refused at linking with the way to switch, and the 60-day token renewed
ahead of its end (and not earlier than Meta allows)."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from aiohttp import web
from PIL import Image

from providers import catalog, clock, linking
from providers.auth.refresh import TokenKeeper
from providers.errors import PublishError
from providers.http import async_client
from providers.linking.steps import Failed, Linked, ShowAddress
from providers.networks.instagram.link import InstagramSignIn
from providers.networks.instagram.publish import InstagramPublisher
from providers.networks.instagram.sandbox import (
    CLIENT_ID,
    CLIENT_SECRET,
    GRAPH_HOST,
    InstagramServer,
    ig_user_id,
)
from providers.sandbox import Running
from providers.settings import NetworkSettings, Settings
from providers.store import Store
from providers.vault import Vault
from tests.sandbox_browser import approve_async
from tests.support.http import serving
from tests.support.ports import free_port

ALICE = "109000000000000001"


def jpeg(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (40, 90, 160)).save(out, "JPEG", quality=85)
    return out.getvalue()


class Files:
    """A real local web server for photos (what the staging bucket is to Instagram)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.fetched: list[str] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        name = request.path.lstrip("/")
        self.fetched.append(name)
        if name not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[name], content_type="image/jpeg")

    def put(self, name: str, data: bytes) -> str:
        self.files[name] = data
        return f"{self.url}/{name}"

    def staged(
        self, path: Path, *, content_type: str, progress: Callable[[int, int], None] | None = None
    ) -> Any:
        files = self

        @asynccontextmanager
        async def block() -> AsyncIterator[str]:
            url = files.put(path.name, path.read_bytes())
            try:
                yield url
            finally:
                files.files.pop(path.name, None)

        return block()


@pytest.fixture
async def files() -> AsyncIterator[Files]:
    state = Files()
    async with serving(state.handle) as url:
        state.url = url
        yield state


@pytest.fixture
def graph(sandbox: Running, monkeypatch: pytest.MonkeyPatch) -> InstagramServer:
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    server = sandbox.sandbox.emulator(GRAPH_HOST)
    assert isinstance(server, InstagramServer)
    return server


def token_for(server: InstagramServer) -> str:
    oauth = server.world.oauth
    issued = oauth.issue(
        oauth.apps[CLIENT_ID], ALICE, ["instagram_business_basic", "instagram_business_content_publish"]
    )
    return str(oauth.long_lived(issued)["access_token"])


async def test_a_container_fetches_its_photo_and_is_published_only_once_finished(
    graph: InstagramServer, sandbox: Running, files: Files
) -> None:
    token, user = token_for(graph), ig_user_id(ALICE)
    base = f"{sandbox.url}/{GRAPH_HOST}/v26.0"
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx2.AsyncClient(timeout=10) as http:
        made = await http.post(
            f"{base}/{user}/media", data={"image_url": files.put("a.jpg", jpeg((800, 600)))}, headers=auth
        )
        assert made.status_code == 200 and files.fetched == ["a.jpg"]  # fetched as it was made
        assert json.loads(made.headers["X-App-Usage"])["call_count"] >= 1
        assert json.loads(made.headers["X-Business-Use-Case-Usage"])[user][0]["type"] == "instagram"
        container = made.json()["id"]
        early = await http.post(f"{base}/{user}/media_publish", data={"creation_id": container}, headers=auth)
        assert early.status_code == 400 and early.json()["error"]["error_subcode"] == 2207027
        states = [
            (await http.get(f"{base}/{container}", params={"fields": "status_code"}, headers=auth)).json()[
                "status_code"
            ]
            for _ in range(2)
        ]
        assert states == ["IN_PROGRESS", "FINISHED"]
        done = await http.post(f"{base}/{user}/media_publish", data={"creation_id": container}, headers=auth)
        assert done.status_code == 200
        again = await http.post(f"{base}/{user}/media_publish", data={"creation_id": container}, headers=auth)
        assert again.status_code == 400  # Meta refuses to publish a container twice
        limit = await http.get(
            f"{base}/{user}/content_publishing_limit", params={"fields": "quota_usage,config"}, headers=auth
        )
        assert limit.json()["data"][0] == {
            "quota_usage": 1,
            "config": {"quota_total": 50, "quota_duration": 86400},
        }


@pytest.mark.parametrize(
    ("name", "data", "subcode"),
    [
        ("tall.jpg", jpeg((1080, 1920)), 2207009),
        ("fake.jpg", b"\x89PNG\r\n\x1a\n" + b"0" * 64, 2207005),
        ("missing.jpg", None, 2207052),
    ],
)
async def test_a_photo_instagram_cannot_take_is_refused_when_the_container_is_made(
    graph: InstagramServer, sandbox: Running, files: Files, name: str, data: bytes | None, subcode: int
) -> None:
    url = files.put(name, data) if data is not None else f"{files.url}/{name}"
    async with httpx2.AsyncClient(timeout=10) as http:
        made = await http.post(
            f"{sandbox.url}/{GRAPH_HOST}/v26.0/{ig_user_id(ALICE)}/media",
            data={"image_url": url},
            headers={"Authorization": f"Bearer {token_for(graph)}"},
        )
    assert made.status_code == 400 and made.json()["error"]["error_subcode"] == subcode


async def publish(
    graph: InstagramServer, store: Store, files: Files, tmp_path: Path, *sizes: tuple[int, int] | Path
) -> Any:
    owner = store.upsert_account("instagram", ig_user_id(ALICE), handle="@alice")
    paths = []
    for index, size in enumerate(sizes):
        if isinstance(size, Path):  # a video, as it is
            paths.append(str(size))
            continue
        path = tmp_path / f"p{index}.jpg"
        path.write_bytes(jpeg(size))
        paths.append(str(path))
    post, [delivery] = store.create_post_with_deliveries("Harbour", paths, None, [owner])
    async with async_client() as client:
        publisher = InstagramPublisher(catalog.get("instagram"), client, files)
        publisher.poll_delays = (0.0,) * 5  # type: ignore[misc]
        return await publisher.publish(owner, post, delivery, {"access_token": token_for(graph)})


async def test_a_carousel_is_published_after_its_items_finish(
    graph: InstagramServer, store: Store, files: Files, tmp_path: Path
) -> None:
    graph.configure({"processing_polls": 2})
    result = await publish(graph, store, files, tmp_path, (800, 600), (1080, 1080), (1080, 1350))
    assert result.url.startswith("https://www.instagram.com/p/")
    assert [(p.text, p.media) for p in graph.published()] == [("Harbour", 3)]
    assert files.files == {}  # every staged copy removed


async def test_a_single_video_is_a_reel_and_a_video_in_a_carousel_is_an_item(
    graph: InstagramServer, sandbox: Running, store: Store, files: Files, tmp_path: Path
) -> None:
    from tests.media_corpus import video

    clip = video(tmp_path / "reel.mp4", seconds=4.0)
    reel = await publish(graph, store, files, tmp_path, clip)
    assert reel.url.startswith("https://www.instagram.com/p/")
    await publish(graph, store, files, tmp_path, (1080, 1080), clip)
    assert [(p.text, p.media) for p in graph.published()] == [("Harbour", 1), ("Harbour", 2)]
    made = [
        e["params"]
        for e in sandbox.sandbox.requests
        if e["method"] == "POST" and str(e["path"]).endswith("/media")
    ]
    assert [(p.get("media_type"), p.get("is_carousel_item")) for p in made] == [
        ("REELS", None),
        (None, "true"),
        ("VIDEO", "true"),
        ("CAROUSEL", None),
    ]
    assert "video_url" in made[0] and made[0]["caption"] == "Harbour"


@pytest.mark.parametrize(
    ("ending", "kind", "words"),
    [("ERROR", "fix_media", "could not fetch the photo"), ("EXPIRED", "try_later", "expired")],
)
async def test_a_failed_container_is_explained_and_nothing_is_published(
    graph: InstagramServer, store: Store, files: Files, tmp_path: Path, ending: str, kind: str, words: str
) -> None:
    graph.configure({"container_status": ending, "container_error": "2207052"})
    with pytest.raises(PublishError) as failed:
        await publish(graph, store, files, tmp_path, (800, 600))
    assert failed.value.kind == kind and words in failed.value.message and graph.published() == []


async def test_the_quota_total_is_read_from_instagram_and_honoured_before_sending(
    graph: InstagramServer, store: Store, files: Files, tmp_path: Path
) -> None:
    graph.configure({"quota_total": 1})
    await publish(graph, store, files, tmp_path, (800, 600))
    files.fetched.clear()
    with pytest.raises(PublishError) as waited:
        await publish(graph, store, files, tmp_path, (800, 600))
    assert waited.value.kind == "try_later" and "1 of its 1" in waited.value.message
    assert files.fetched == [] and len(graph.published()) == 1  # nothing staged or sent


async def link(store: Store, monkeypatch: pytest.MonkeyPatch) -> tuple[Linked | Failed, Vault]:
    """Link Instagram in this process as a person would: Allow on the consent page, the redirect
    pasted back; the step it ends on (Linked or Failed) and the vault."""
    monkeypatch.setenv("LINKDECK_INSTAGRAM_CLIENT_SECRET", CLIENT_SECRET)
    settings = Settings(
        networks={"instagram": NetworkSettings(client_id=CLIENT_ID, port=free_port())},
        allow_plaintext_secrets=True,
    )
    vault = Vault(settings)
    session = await linking.begin_link("instagram", settings=settings, store=store, vault=vault)
    async for step in session.steps():
        if isinstance(step, ShowAddress):
            assert step.request is not None
            step.paste((await approve_async(step.request.url)).headers["location"])
        elif isinstance(step, Linked | Failed):
            return step, vault
    raise AssertionError("the steps ended without Linked or Failed")


async def test_links_whether_the_token_answer_is_flat_or_wrapped_in_data(
    graph: InstagramServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph.configure({"token_shape": "data"})
    step, vault = await link(store, monkeypatch)
    assert isinstance(step, Linked), step
    assert step.account is not None and step.account.handle == "@alice"
    token = vault.get_token(step.account.vault_key)
    assert token is not None and graph.accepts(str(token["access_token"]))
    assert step.account.expires_at is not None  # the 60-day token's end


async def test_a_personal_account_is_told_how_to_switch(
    graph: InstagramServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph.configure({"account_type": "PERSONAL"})
    step, _ = await link(store, monkeypatch)
    assert isinstance(step, Failed) and step.error is not None
    assert "personal account" in str(step.error) and "Creator" in str(step.error)
    assert store.accounts() == []


def renewable(
    graph: InstagramServer, store: Store, monkeypatch: pytest.MonkeyPatch, **extra: Any
) -> tuple[Any, Vault, Settings, datetime, datetime, str]:
    """Alice linked with a fresh 60-day token (``extra`` kept beside it): (account, vault,
    settings, now, its end, the token)."""
    monkeypatch.setenv("LINKDECK_INSTAGRAM_CLIENT_SECRET", CLIENT_SECRET)
    settings = Settings(
        networks={"instagram": NetworkSettings(client_id=CLIENT_ID)}, allow_plaintext_secrets=True
    )
    vault = Vault(settings)
    now = clock.now()  # the engine's (frozen where a test froze it)
    ends = now + timedelta(days=60)
    owner = store.upsert_account("instagram", ig_user_id(ALICE), handle="@alice", expires_at=ends)
    first = token_for(graph)
    vault.set_token(owner.vault_key, {"access_token": first, "expires_at": int(ends.timestamp()), **extra})
    return owner, vault, settings, now, ends, first


async def age_instagram(sandbox: Running, days: int) -> None:
    async with httpx2.AsyncClient() as http:  # Instagram's clock: the token is this many days old
        await http.post(f"{sandbox.url}/__sandbox__/clock", json={"advance": days * 86400})


async def test_the_60_day_token_is_renewed_in_its_last_30_days_and_the_card_date_moves(
    graph: InstagramServer, sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner, vault, settings, now, ends, first = renewable(graph, store, monkeypatch)
    config = InstagramSignIn(catalog.get("instagram"), store, vault, settings).client_config()
    assert config.renew_url == "https://graph.instagram.com/refresh_access_token"

    early = TokenKeeper(vault, store, now=lambda: now + timedelta(days=10))
    assert (await early.fresh_token(owner, config))["access_token"] == first  # 50 days left: kept

    await age_instagram(sandbox, 31)
    later = TokenKeeper(vault, store, now=lambda: now + timedelta(days=31))
    renewed = await later.fresh_token(owner, config)
    assert renewed["access_token"] != first and graph.accepts(renewed["access_token"])
    current = store.account(owner.id)
    assert current is not None and current.expires_at is not None
    assert current.expires_at > ends + timedelta(days=30)  # the card counts from the new end


async def test_the_outbox_renews_the_token_ahead_of_its_end_because_the_token_says_so(
    graph: InstagramServer, sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from providers import clock
    from providers.networks.instagram.link import RENEW_AHEAD_SECONDS
    from providers.outbox.tokens import Tokens

    owner, vault, _, now, _, first = renewable(
        graph, store, monkeypatch, renew_ahead_seconds=RENEW_AHEAD_SECONDS
    )
    with clock.frozen(now + timedelta(days=20)):  # 40 days left: used as it is
        assert (await Tokens(store, vault).get(owner))["access_token"] == first
    await age_instagram(sandbox, 31)
    with clock.frozen(now + timedelta(days=31)):  # 29 days left: renewed first
        renewed = await Tokens(store, vault).get(owner)
    assert renewed["access_token"] != first and renewed["renew_ahead_seconds"] == RENEW_AHEAD_SECONDS


async def test_a_spent_account_budget_waits_as_long_as_meta_says(
    graph: InstagramServer, store: Store, files: Files, tmp_path: Path
) -> None:
    graph.configure({"throttled_minutes": 45})
    with pytest.raises(PublishError) as waited:
        await publish(graph, store, files, tmp_path, (800, 600))
    assert waited.value.kind == "try_later" and "80002" in waited.value.message
    assert waited.value.retry_after == 45 * 60.0 and graph.published() == []
