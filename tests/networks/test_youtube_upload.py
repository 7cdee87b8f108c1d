"""YouTube's resumable upload against the sandbox, through the outbox: a connection that drops
halfway resumes from the server's offset (asked with ``Content-Range: bytes */N``), never from
zero; the words YouTube refuses are refused before anything is sent; a crash after the upload
began is resolved by looking the video up on the channel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from providers import clock, linking
from providers.linking.steps import Failed, Linked, ShowAddress
from providers.networks.youtube.sandbox import DEMO, YouTubeServer
from providers.outbox.runner import run_due
from providers.sandbox import Running
from providers.sandbox.server import Fault
from providers.settings import NetworkSettings, Settings
from providers.store import Account, DeliveryState, Store
from providers.store.models import Post
from providers.vault import Vault
from tests.conftest import FIXED_NOW
from tests.media_corpus import video
from tests.sandbox_browser import approve_async
from tests.support.ports import free_port

UPLOAD = "/upload/youtube/v3/videos"


@pytest.fixture
def youtube(sandbox: Running, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("LINKDECK_YOUTUBE_CLIENT_SECRET", str(DEMO.client_secret))
    return Settings(
        networks={"youtube": NetworkSettings(port=free_port(), client_id=DEMO.client_id)},
        allow_plaintext_secrets=True,
    )


async def link(settings: Settings, store: Store, user: str = "alice") -> Account:
    session = await linking.begin_link("youtube", settings=settings, store=store, vault=Vault(settings))
    async for step in session.steps():
        if isinstance(step, ShowAddress):
            assert step.request is not None
            step.paste((await approve_async(step.request.url, user=user)).headers["location"])
        elif isinstance(step, Linked):
            assert step.account is not None
            return step.account
        elif isinstance(step, Failed):
            raise AssertionError(step.error)
    raise AssertionError("no Linked step")


def emulator(sandbox: Running) -> YouTubeServer:
    found = sandbox.sandbox.emulator(DEMO.host)
    assert isinstance(found, YouTubeServer)
    return found


def puts(sandbox: Running) -> list[dict[str, Any]]:
    return [r for r in sandbox.sandbox.requests if r["path"] == UPLOAD and r["method"] == "PUT"]


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return video(tmp_path / "harbour.mp4", size=(640, 360), seconds=2.0)


async def test_a_connection_dropped_at_half_resumes_from_the_servers_offset(
    youtube: Settings, store: Store, sandbox: Running, clip: Path, frozen_clock: clock.FrozenClock
) -> None:
    account = await link(youtube, store)
    size = clip.stat().st_size
    half = size // 2
    sandbox.sandbox.faults.append(Fault(UPLOAD, method="PUT", drop_after_bytes=half))
    post = store.create_post("Low tide\nThe boats wait for the sea.", [str(clip)], None)
    delivery = store.add_delivery(post.id, account)
    await run_due(store, Vault(youtube), clock=frozen_clock)

    sent = store.delivery(delivery.id)
    assert sent is not None and sent.state == DeliveryState.SENT, sent and sent.reason
    assert sent.url == f"https://www.youtube.com/watch?v={sent.remote_post_id}"
    dropped, probe, rest = puts(sandbox)
    assert (dropped["status"], dropped["body_bytes"]) == ("dropped", half)  # half arrived, then the drop
    assert (probe["status"], probe.get("body_bytes", 0)) == (308, 0)  # "where is it?" → bytes=0-(half-1)
    assert (rest["status"], rest["body_bytes"]) == (201, size - half)  # only the rest: resumed, not restarted
    arrived = sum(r.get("body_bytes", 0) for r in (dropped, probe, rest))
    assert arrived == size <= 1.1 * size
    [made] = emulator(sandbox).world.videos
    assert (made.size, made.title, made.description) == (size, "Low tide", "The boats wait for the sea.")
    assert (made.privacy, made.made_for_kids) == ("private", False)


async def test_a_lost_answer_to_the_last_bytes_is_found_by_asking_the_session(
    youtube: Settings, store: Store, sandbox: Running, clip: Path, frozen_clock: clock.FrozenClock
) -> None:
    account = await link(youtube, store)
    sandbox.sandbox.faults.append(Fault(UPLOAD, method="PUT", status=503, after=True))
    post = store.create_post("Made once", [str(clip)], None)
    delivery = store.add_delivery(post.id, account)
    await run_due(store, Vault(youtube), clock=frozen_clock)
    sent = store.delivery(delivery.id)
    assert sent is not None and sent.state == DeliveryState.SENT, sent and sent.reason
    assert [p["status"] for p in puts(sandbox)] == [503, 200]  # the upload, then the session's answer
    assert len(emulator(sandbox).world.videos) == 1


async def test_after_a_crash_the_video_is_looked_up_on_the_channel(
    youtube: Settings, store: Store, sandbox: Running, clip: Path, frozen_clock: clock.FrozenClock
) -> None:
    from providers.http import async_client
    from providers.networks.youtube.publish import YouTubePublisher
    from providers.networks.youtube.spec import SPEC

    account = await link(youtube, store)
    post = store.create_post("Found later\nafter a crash", [str(clip)], None)
    delivery = store.add_delivery(post.id, account)
    await run_due(store, Vault(youtube), clock=frozen_clock)
    sent = store.delivery(delivery.id)
    assert sent is not None and sent.remote_post_id
    token = Vault(youtube).get_token(account.vault_key)
    assert token is not None
    async with async_client() as client:
        publisher = YouTubePublisher(SPEC, client)
        found = await publisher.lookup(account, post, sent, token)
        assert found is not None and found.remote_post_id == sent.remote_post_id
        other = store.create_post("Never uploaded", [str(clip)], None)
        missing = store.add_delivery(other.id, account)
        assert await publisher.lookup(account, other, missing, token) is None


LONG_FIRST_LINE = "word " * 30  # 150 characters: the title is cut at a word, the line kept in the body


@pytest.mark.parametrize(
    ("caption", "why"),
    [
        ("A <b>bold</b> title", "refuses < and >"),
        ("Title\n" + "é" * 2498, "at most 5,000 bytes; this one is 5,002"),  # the caption, one over
        # Under 5,000 as a caption, but the cut first line goes whole into the description: 5,001.
        (LONG_FIRST_LINE.strip() + "\n" + "x" * (4999 - len(LONG_FIRST_LINE.strip())), "5,001 bytes"),
    ],
    ids=["angle brackets", "caption over", "description over"],
)
async def test_words_youtube_refuses_fail_before_anything_is_sent(
    youtube: Settings,
    store: Store,
    sandbox: Running,
    clip: Path,
    frozen_clock: clock.FrozenClock,
    caption: str,
    why: str,
) -> None:
    account = await link(youtube, store)
    delivery = store.add_delivery(store.create_post(caption, [str(clip)], None).id, account)
    await run_due(store, Vault(youtube), clock=frozen_clock)
    failed = store.delivery(delivery.id)
    assert failed is not None and failed.state == DeliveryState.FAILED
    assert "YouTube" in (failed.reason or "") and why in (failed.reason or ""), failed.reason
    assert [r for r in sandbox.sandbox.requests if r["path"] == UPLOAD] == []


async def test_a_description_of_exactly_5000_bytes_after_a_cut_title_is_sent(
    youtube: Settings, store: Store, sandbox: Running, clip: Path, frozen_clock: clock.FrozenClock
) -> None:
    account = await link(youtube, store)
    first = LONG_FIRST_LINE.strip()
    caption = f"{first}\n" + "x" * (4998 - len(first))  # the description: the whole first line + 2 + rest
    assert len(caption.encode()) == 4999
    delivery = store.add_delivery(store.create_post(caption, [str(clip)], None).id, account)
    await run_due(store, Vault(youtube), clock=frozen_clock)
    sent = store.delivery(delivery.id)
    assert sent is not None and sent.state == DeliveryState.SENT, sent and sent.reason
    [made] = emulator(sandbox).world.videos
    assert made.title == "word " * 18 + "word…" and made.description.startswith(first)
    assert len(made.description.encode()) == 5000


async def test_the_daily_upload_quota_one_inside_at_and_over(
    youtube: Settings, store: Store, sandbox: Running, clip: Path, frozen_clock: clock.FrozenClock
) -> None:
    account = await link(youtube, store)
    emulator(sandbox).configure({"uploads_per_day": 2})
    states = []
    for caption in ("one inside", "at the quota", "over it"):
        delivery = store.add_delivery(store.create_post(caption, [str(clip)], None).id, account)
        await run_due(store, Vault(youtube), clock=frozen_clock)
        found = store.delivery(delivery.id)
        assert found is not None
        states.append(found.state)
    assert states == [DeliveryState.SENT, DeliveryState.SENT, DeliveryState.SCHEDULED]
    assert found.reason is not None and "quotaExceeded" in found.reason and "Pacific Time" in found.reason
    assert found.next_attempt_at is not None and found.committed_at is None  # nothing was made


def resource(caption: str, media: str = "/videos/harbour-at-dawn.mp4") -> dict[str, Any]:
    from providers.networks.youtube.publish import YouTubePublisher
    from providers.networks.youtube.spec import SPEC

    publisher = YouTubePublisher(SPEC, None)  # type: ignore[arg-type]  # no request is made
    found: dict[str, Any] = publisher.resource(  # the post's times are not what is checked here
        Post(1, caption, [media], None, FIXED_NOW, FIXED_NOW), Path(media), "YouTube"
    )
    return found


@pytest.mark.parametrize(
    ("first_line", "title"),
    [
        ("t" * 99, "t" * 99),  # one inside
        ("t" * 100, "t" * 100),  # at the limit
        ("t" * 101, "t" * 99 + "…"),  # one over: cut, with an ellipsis, the line kept in the body
        ("", "harbour-at-dawn"),  # no caption: the file's name, as YouTube Studio does
    ],
    ids=["99", "100", "101", "empty"],
)
def test_the_title_is_the_first_line_within_100_characters(first_line: str, title: str) -> None:
    made = resource(first_line)
    assert made["snippet"]["title"] == title
    assert made["snippet"]["description"] == (first_line if len(first_line) > 100 else "")
    assert made["status"] == {"privacyStatus": "private", "selfDeclaredMadeForKids": False}


async def test_an_expired_upload_session_is_sent_again_later_not_looked_for(
    youtube: Settings, store: Store, sandbox: Running, clip: Path, frozen_clock: clock.FrozenClock
) -> None:
    account = await link(youtube, store)
    sandbox.sandbox.faults.append(Fault(UPLOAD, method="PUT", status=404))
    delivery = store.add_delivery(store.create_post("Later", [str(clip)], None).id, account)
    await run_due(store, Vault(youtube), clock=frozen_clock)
    later = store.delivery(delivery.id)
    assert later is not None and later.state == DeliveryState.SCHEDULED, later and later.reason
    assert "session expired" in (later.reason or "") and later.committed_at is None
    assert emulator(sandbox).world.videos == []
