"""Publishing to LinkedIn through the outbox, against the sandbox's LinkedIn: photos and a video
through initializeUpload (each video part to its own URL, ETags, finalize), the post read back
before it counts, a retired API version explained as "linkdeck needs an update", LinkedIn's false
success not taken for a post, the little-text escaping, and the limits at, inside and over."""

from __future__ import annotations

from pathlib import Path

import pytest

from providers import clock
from providers.networks.linkedin.publish import LinkedInPublisher, little_text
from providers.networks.linkedin.rest import API_VERSION
from providers.outbox.runner import run_due
from providers.sandbox import Running
from providers.sandbox.server import Fault
from providers.store import Delivery, DeliveryState, Store
from tests import media_corpus
from tests.networks.linkedin_support import LinkedIn

ALICE = "urn:li:person:yQ4cZ3aFk2"
HARBOUR = "urn:li:organization:2414183"


@pytest.fixture
def linkedin(sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch) -> LinkedIn:
    return LinkedIn(sandbox, store, monkeypatch)


@pytest.fixture(autouse=True)
def _quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LinkedInPublisher, "poll_first", 0.01)


async def post(
    linkedin: LinkedIn, caption: str, media: list[Path], now: clock.FrozenClock, *, choice: int = 0
) -> Delivery:
    account = (await linkedin.link(choice=choice)).account
    assert account is not None
    stored = linkedin.store.create_post(caption, [str(m) for m in media], None)
    delivery = linkedin.store.add_delivery(stored.id, account)
    await run_due(linkedin.store, linkedin.vault, clock=now)
    found = linkedin.store.delivery(delivery.id)
    assert found is not None
    return found


def published(linkedin: LinkedIn) -> list[tuple[str, str, int]]:
    return [(p.user, p.text, p.media) for p in linkedin.emulator.published()]


async def test_a_photo_as_the_member_gives_a_link_and_is_read_back(
    linkedin: LinkedIn,
    tmp_path: Path,
    frozen_clock: clock.FrozenClock,
) -> None:
    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (800, 600))
    sent = await post(linkedin, "Low tide at the harbour", [photo], frozen_clock)
    assert sent.state == DeliveryState.SENT, sent.reason
    assert sent.url == f"https://www.linkedin.com/feed/update/{sent.remote_post_id}"
    assert published(linkedin) == [(ALICE, "Low tide at the harbour", 1)]
    [init] = linkedin.requests("POST", "/rest/images")
    assert init["params"]["action"] == "initializeUpload" and init["keys"] == ["initializeUploadRequest"]
    [image] = linkedin.emulator.world.assets.values()
    assert image.owner == ALICE and image.urn.startswith("urn:li:image:")
    [upload] = [r for r in linkedin.sandbox.sandbox.requests if r["method"] == "PUT"]
    assert upload["host"] == "www.linkedin.com" and upload["path"].startswith("/dms-uploads/")
    # Read back: LinkedIn keeps a member's posts from apps without r_member_social (403), so the
    # 201 and its URN are what the post is taken on.
    [read] = linkedin.requests("GET", "/rest/posts/")
    assert read["status"] == 403


async def test_a_page_post_counts_only_once_linkedin_has_it(
    sandbox: Running,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    frozen_clock: clock.FrozenClock,
) -> None:
    linkedin = LinkedIn(sandbox, store, monkeypatch, pages=True)
    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (800, 600))
    sent = await post(linkedin, "From the Page", [photo], frozen_clock, choice=1)
    assert sent.state == DeliveryState.SENT and sent.url
    assert [r["status"] for r in linkedin.requests("GET", "/rest/posts/")] == [200]
    # LinkedIn answers 201 with an id, but keeps nothing (postiz-app#989): not a success.
    linkedin.configure(lose_next_posts=1)
    lost = await post(linkedin, "Never there", [], frozen_clock, choice=1)
    assert lost.state == DeliveryState.UNKNOWN and lost.remote_post_id is None
    assert "does not count it as published" in lost.reason
    await run_due(linkedin.store, linkedin.vault, clock=frozen_clock)  # recovery: CHECK, never resent
    checked = linkedin.store.delivery(lost.id)
    assert checked is not None and checked.state == DeliveryState.UNKNOWN and checked.check_needed
    assert checked.url == "https://www.linkedin.com/company/2414183/"
    assert [t for _, t, _ in published(linkedin)] == ["From the Page"]
    # A Page post LinkedIn will not show linkdeck (403 where it should answer) is not taken on trust.
    linkedin.sandbox.sandbox.faults.append(Fault("/rest/posts/*", status=403, times=3, method="GET"))
    unread = await post(linkedin, "Hidden", [], frozen_clock, choice=1)
    assert unread.state == DeliveryState.UNKNOWN and "does not count it as published" in unread.reason


async def test_a_video_goes_up_in_parts_each_to_its_own_url_then_finalized(
    linkedin: LinkedIn,
    tmp_path: Path,
    frozen_clock: clock.FrozenClock,
) -> None:
    clip = media_corpus.video(tmp_path / "waves.mp4", seconds=3.0)
    size = clip.stat().st_size
    part = max(1024, size // 3 + 1)
    linkedin.configure(video_part_bytes=part, processing_polls=2)
    sent = await post(linkedin, "Waves", [clip], frozen_clock)
    assert sent.state == DeliveryState.SENT, sent.reason
    puts = [r for r in linkedin.sandbox.sandbox.requests if r["method"] == "PUT"]
    assert len(puts) == 3 and len({p["path"] for p in puts}) == 3  # one URL per part
    actions = [r["params"]["action"] for r in linkedin.requests("POST", "/rest/videos")]
    assert actions == ["initializeUpload", "finalizeUpload"]
    [video] = linkedin.emulator.world.assets.values()
    slots = [linkedin.emulator.world.slots[key] for key in video.slots]
    assert video.finalized and [len(s.data or b"") for s in slots][:2] == [part, part]
    assert sum(len(s.data or b"") for s in slots) == size and all(s.etag for s in slots)
    assert len(linkedin.requests("GET", "/rest/videos/")) >= 3  # PROCESSING twice, then AVAILABLE
    assert published(linkedin) == [(ALICE, "Waves", 1)]


async def test_a_retired_api_version_says_linkdeck_needs_an_update(
    linkedin: LinkedIn, frozen_clock: clock.FrozenClock
) -> None:
    later = str(int(API_VERSION) + 100)  # a year on: LinkedIn has sunset linkdeck's version
    linkedin.configure(oldest_version=later)
    failed = await post(linkedin, "Too old", [], frozen_clock)
    assert failed.state == DeliveryState.FAILED and failed.retryable is False
    assert "NONEXISTENT_VERSION" in failed.reason and "linkdeck needs an update" in failed.reason
    assert "Trying again will not help" in failed.reason and "try again later" not in failed.reason
    assert published(linkedin) == []
    statuses = [call["status"] for call in linkedin.requests("POST", "/rest/posts")]
    assert statuses and set(statuses) == {426}, statuses  # it was asked, and refused each time


async def test_an_empty_error_body_still_says_its_status(
    linkedin: LinkedIn, frozen_clock: clock.FrozenClock
) -> None:
    linkedin.sandbox.sandbox.faults.append(Fault("/rest/posts", status=400, body={}))
    failed = await post(linkedin, "BadBody", [], frozen_clock)
    assert (
        failed.state == DeliveryState.FAILED
        and "LinkedIn refused creating the post: HTTP 400" in failed.reason
    )


def test_little_text_escapes_linkedins_reserved_characters() -> None:
    assert little_text("a (b) #c @d [e] {f} <g> *h* _i_ ~j~ |k| \\l") == (
        "a \\(b\\) \\#c \\@d \\[e\\] \\{f\\} \\<g\\> \\*h\\* \\_i\\_ \\~j\\~ \\|k\\| \\\\l"
    )


async def test_reserved_characters_show_as_written(
    linkedin: LinkedIn, frozen_clock: clock.FrozenClock
) -> None:
    caption = "Tides (spring) — #harbour @noon [1/2] *calm* ~ok~ 100% \\o/"
    sent = await post(linkedin, caption, [], frozen_clock)
    assert sent.state == DeliveryState.SENT
    assert published(linkedin) == [(ALICE, caption, 0)]


@pytest.mark.parametrize(("length", "ok"), [(2999, True), (3000, True), (3001, False)])
async def test_the_caption_limit_at_inside_and_over(
    length: int,
    ok: bool,
    linkedin: LinkedIn,
    frozen_clock: clock.FrozenClock,
) -> None:
    done = await post(linkedin, "x" * length, [], frozen_clock)
    if ok:
        assert done.state == DeliveryState.SENT
    else:  # refused before anything is sent, naming LinkedIn and the rule
        assert (
            done.state == DeliveryState.FAILED
            and "LinkedIn" in done.reason
            and "3000" in done.reason.replace(",", "")
        )
        assert linkedin.requests("POST", "/rest/posts") == []


@pytest.mark.parametrize(("count", "ok"), [(19, True), (20, True), (21, False)])
async def test_the_photo_limit_at_inside_and_over(
    count: int,
    ok: bool,
    linkedin: LinkedIn,
    tmp_path: Path,
    frozen_clock: clock.FrozenClock,
) -> None:
    photos = [media_corpus.jpeg(tmp_path / f"p{i}.jpg", (64, 48)) for i in range(count)]
    done = await post(linkedin, "Many", photos, frozen_clock)
    if ok:
        assert done.state == DeliveryState.SENT, done.reason
        assert published(linkedin) == [(ALICE, "Many", count)]
    else:
        assert done.state == DeliveryState.FAILED and "LinkedIn" in done.reason and "20" in done.reason
        assert linkedin.requests("POST", "/rest/images") == []


async def test_a_photo_and_a_video_together_are_refused_before_sending(
    linkedin: LinkedIn,
    tmp_path: Path,
    frozen_clock: clock.FrozenClock,
) -> None:
    photo = media_corpus.jpeg(tmp_path / "p.jpg", (64, 48))
    clip = media_corpus.video(tmp_path / "v.mp4", seconds=3.0)
    done = await post(linkedin, "Mixed", [photo, clip], frozen_clock)
    assert done.state == DeliveryState.FAILED and "LinkedIn" in done.reason
    assert linkedin.requests("POST", "/rest/images") == [] and linkedin.requests("POST", "/rest/videos") == []
