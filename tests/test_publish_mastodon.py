"""Publishing to the strict Mastodon and Pixelfed sandboxes through the outbox, in one process:
photos with alt text, the 202 video flow, options, Retry-After, retry caps, refusals, 401s,
Pixelfed's rules, and crash recovery (same-key resend, look-up, "unknown — check")."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest

from providers import clock
from providers.interface import Recovery
from providers.networks.pixelfed.publish import PixelfedPublisher
from providers.outbox.events import DeliveryEvent
from providers.outbox.runner import publish_now, run_due
from providers.outbox_config import OutboxConfig
from providers.publishing import mastodon_api as mastodon_publish
from providers.sandbox import Running
from providers.sandbox.server import Fault
from providers.store import Account, Delivery, Store
from tests import media_corpus
from tests.support.crash import dead_owner, interrupted
from tests.support.linking import ALICE, link_async, opted_in_vault, statuses_async

FAST = OutboxConfig(max_attempts=3, backoff_seconds=0.05, backoff_max_seconds=0.1, concurrency=4)


@pytest.fixture
def store(store_sending_past_due: Store) -> Store:
    """This module's store sends past-due posts when they are released (conftest's
    ``store_sending_past_due``)."""
    return store_sending_past_due


@pytest.fixture
async def alice(sandbox: Running, store: Store) -> Account:
    return await link_async(store, f"{sandbox.url}/mastodon.example")


@pytest.fixture
async def pixel(sandbox: Running, store: Store) -> Account:
    return await link_async(store, f"{sandbox.url}/pixelfed.example", network="pixelfed")


def requests(sandbox: Running, path: str, method: str | None = None) -> list[dict[str, Any]]:
    return [
        r for r in sandbox.sandbox.requests if r["path"] == path and (method is None or r["method"] == method)
    ]


async def send(
    store: Store, post_id: int, accounts: list[Account], **kw: Any
) -> tuple[list[Delivery], list[DeliveryEvent]]:
    events: list[DeliveryEvent] = []
    post = store.post(post_id)
    assert post is not None
    kw.setdefault("config", FAST)
    final = await publish_now(store, opted_in_vault(), post, accounts, events.append, **kw)
    return final, events


async def test_a_photo_arrives_with_its_caption_and_alt_text(
    sandbox: Running, store: Store, alice: Account, tmp_path: Path
) -> None:
    photo = media_corpus.jpeg(tmp_path / "beach.jpg", (640, 480))
    post = store.create_post(
        "Low tide at dawn 🌅", [str(photo)], None, descriptions=["A wide empty beach at sunrise"]
    )
    [delivery], events = await send(store, post.id, [alice])
    assert delivery.state == "sent" and delivery.attempts == 1
    assert delivery.url and delivery.url.startswith("https://mastodon.example/@alice/")
    async with httpx2.AsyncClient() as client:
        status = (await client.get(f"{alice.instance}/api/v1/statuses/{delivery.remote_post_id}")).json()
        [media] = status["media_attachments"]
        image = await client.get(media["url"])
    assert status["url"] == delivery.url and "Low tide at dawn 🌅" in status["content"]
    assert (media["type"], media["description"]) == ("image", "A wide empty beach at sunrise")
    assert media["meta"]["original"]["width"] == 640
    assert image.content == photo.read_bytes()
    [upload] = requests(sandbox, "/api/v2/media")
    assert upload["content_type"] == "multipart/form-data" and upload["params"]["file"] == "<FileField>"
    kinds = [e.kind for e in events]
    assert kinds[0] == "queued" and kinds[-2:] == ["publishing", "sent"] and "uploading" in kinds
    last_upload = [e for e in events if e.kind == "uploading"][-1]
    assert last_upload.sent == last_upload.total == photo.stat().st_size and last_upload.fraction == 1.0
    assert events[-1].url == delivery.url and events[-1].network_name.startswith("Mastodon (")


async def test_a_video_goes_through_the_202_flow(
    sandbox: Running, store: Store, alice: Account, tmp_path: Path
) -> None:
    clip = media_corpus.video(tmp_path / "clip.mp4", (320, 180), 1.0)
    post = store.create_post("A short clip", [str(clip)], None)
    [delivery], events = await send(store, post.id, [alice])
    assert delivery.state == "sent"
    [upload] = requests(sandbox, "/api/v2/media")
    assert upload["status"] == 202
    polls = [r for r in sandbox.sandbox.requests if r["path"].startswith("/api/v1/media/")]
    assert [p["status"] for p in polls] == [206, 206, 200]
    [created] = requests(sandbox, "/api/v1/statuses", "POST")
    assert created["seq"] > polls[-1]["seq"]  # the post waits until the video is processed
    assert "processing" in [e.kind for e in events]
    async with httpx2.AsyncClient() as client:
        status = (await client.get(f"{alice.instance}/api/v1/statuses/{delivery.remote_post_id}")).json()
    assert status["media_attachments"][0]["type"] == "video"


async def test_visibility_content_warning_and_sensitive_are_sent(store: Store, alice: Account) -> None:
    post = store.create_post(
        "spoilers inside", [], None, visibility="unlisted", spoiler_text="Film ending", sensitive=True
    )
    [delivery], _ = await send(store, post.id, [alice])
    async with httpx2.AsyncClient() as client:
        status = (await client.get(f"{alice.instance}/api/v1/statuses/{delivery.remote_post_id}")).json()
    assert (status["visibility"], status["spoiler_text"], status["sensitive"]) == (
        "unlisted",
        "Film ending",
        True,
    )


async def test_fan_out_sends_to_several_networks_at_once(
    sandbox: Running, store: Store, alice: Account, pixel: Account, tmp_path: Path
) -> None:
    photo = media_corpus.jpeg(tmp_path / "p.jpg", (300, 300))
    post, made = store.create_post_with_deliveries("both", [str(photo)], None, [alice, pixel])
    final, events = await send(store, post.id, [alice, pixel])
    assert {d.id for d in final} == {d.id for d in made} and {d.state for d in final} == {"sent"}
    by_network = {d.network: d.url for d in final}
    assert by_network["pixelfed"] and "/p/alice/" in by_network["pixelfed"]
    assert {e.delivery_id for e in events if e.kind == "sent"} == {d.id for d in made}


# Failures ---------------------------------------------------------------------------------------


async def test_a_429_is_retried_after_its_retry_after(sandbox: Running, store: Store, alice: Account) -> None:
    sandbox.sandbox.faults.append(
        Fault(path="/api/v1/statuses", status=429, times=1, retry_after=1, method="POST")
    )
    post = store.create_post("patience", [], None)
    [delivery], events = await send(store, post.id, [alice])
    assert delivery.state == "sent" and delivery.attempts == 2
    first, second = requests(sandbox, "/api/v1/statuses", "POST")
    assert first["status"] == 429 and first["injected"] and second["status"] == 200
    waited = second["time"] - first["time"]
    assert 1.0 <= waited < 2.5, waited  # Retry-After: 1, within a tolerance window
    [retrying] = [e for e in events if e.kind == "retrying"]
    assert retrying.retry_at is not None and "rate-limiting" in retrying.reason
    scheduled_wait = retrying.retry_at.timestamp() - first["time"]
    assert 0.9 <= scheduled_wait < 1.5, scheduled_wait


async def test_retries_are_capped_then_failed(sandbox: Running, store: Store, alice: Account) -> None:
    sandbox.sandbox.faults.append(Fault(path="/api/v1/statuses", status=503, times=10, method="POST"))
    post = store.create_post("never", [], None)
    [delivery], events = await send(store, post.id, [alice])
    assert (delivery.state, delivery.retryable, delivery.attempts) == ("failed", True, 3)
    assert "Gave up after 3 attempts" in delivery.reason and "HTTP 503" in delivery.reason
    assert len(requests(sandbox, "/api/v1/statuses", "POST")) == 3
    assert [e.kind for e in events if e.final] == ["retrying", "retrying", "failed"]
    assert await statuses_async(str(alice.instance)) == []


async def test_a_refusal_is_fix_media_and_is_not_retried(
    sandbox: Running, store: Store, alice: Account
) -> None:
    body = {"error": "Validation failed: Text character limit of 500 exceeded"}
    sandbox.sandbox.faults.append(
        Fault(path="/api/v1/statuses", status=422, times=1, body=body, method="POST")
    )
    post = store.create_post("refused", [], None)
    [delivery], _ = await send(store, post.id, [alice])
    assert (delivery.state, delivery.retryable) == ("failed", False)
    assert (
        delivery.reason.startswith("Mastodon (") and "Text character limit of 500 exceeded" in delivery.reason
    )
    assert len(requests(sandbox, "/api/v1/statuses", "POST")) == 1


async def test_the_instance_limits_refuse_before_anything_is_sent(
    sandbox: Running, store: Store, alice: Account, tmp_path: Path
) -> None:
    emulator = sandbox.sandbox.emulator("mastodon.example")
    emulator.configure({"max_characters": 20})  # type: ignore[attr-defined]
    mastodon_publish._instances.clear()
    photo = media_corpus.jpeg(tmp_path / "p.jpg", (100, 100))
    post = store.create_post("This caption is longer than twenty characters", [str(photo)], None)
    [delivery], _ = await send(store, post.id, [alice])
    assert (delivery.state, delivery.retryable) == ("failed", False)
    assert "at most 20" in delivery.reason
    assert requests(sandbox, "/api/v2/media") == [] and requests(sandbox, "/api/v1/statuses") == []


async def test_a_missing_file_fails_without_an_upload(
    sandbox: Running, store: Store, alice: Account, tmp_path: Path
) -> None:
    post = store.create_post("gone", [str(tmp_path / "deleted.jpg")], None)
    [delivery], _ = await send(store, post.id, [alice])
    assert (
        delivery.state == "failed" and "deleted.jpg" in delivery.reason and "no such file" in delivery.reason
    )
    assert requests(sandbox, "/api/v2/media") == []


async def test_a_401_after_a_refresh_holds_the_account_for_reconnecting(
    sandbox: Running, store: Store, alice: Account
) -> None:
    body = {"error": "The access token was revoked"}
    sandbox.sandbox.faults.append(
        Fault(path="/api/v1/statuses", status=401, times=5, body=body, method="POST")
    )
    later = store.create_post("later", [], clock.now() + timedelta(days=1))
    waiting = store.add_delivery(later.id, alice)
    post = store.create_post("now", [], None)
    [delivery], events = await send(store, post.id, [alice])
    assert (delivery.state, delivery.hold_kind) == ("held", "reconnect")
    account = store.account(alice.id)
    assert account is not None and account.state == "reconnect"
    assert store.delivery(waiting.id).state == "held"  # type: ignore[union-attr]
    assert events[-1].kind == "held" and "reconnect" in events[-1].reason.lower()
    # Mastodon has no refresh token: one refresh attempt said so; nothing else was sent.
    assert len(requests(sandbox, "/api/v1/statuses", "POST")) == 1


async def test_pixelfed_refreshes_once_after_a_401_and_sends(
    sandbox: Running, store: Store, pixel: Account, tmp_path: Path
) -> None:
    sandbox.sandbox.faults.append(Fault(path="/api/v1/statuses", status=401, times=1, method="POST"))
    before = opted_in_vault().get_token(pixel.vault_key)
    post = store.create_post("photo day", [str(media_corpus.jpeg(tmp_path / "x.jpg", (50, 50)))], None)
    [delivery], _ = await send(store, post.id, [pixel])
    assert delivery.state == "sent"
    after = opted_in_vault().get_token(pixel.vault_key)
    assert before and after and after["access_token"] != before["access_token"]
    assert len(requests(sandbox, "/oauth/token", "POST")) == 2  # the link, then one refresh


async def test_pixelfed_is_photos_first_with_its_album_and_caption_limits(
    sandbox: Running, store: Store, pixel: Account, tmp_path: Path
) -> None:
    text_only = store.create_post("just words", [], None)
    [delivery], _ = await send(store, text_only.id, [pixel])
    assert delivery.state == "failed" and "Pixelfed posts need" in delivery.reason
    photos = [str(media_corpus.jpeg(tmp_path / f"{i}.jpg", (80, 80))) for i in range(5)]
    album = store.create_post("five", photos, None)
    [delivery], _ = await send(store, album.id, [pixel])
    assert delivery.state == "failed" and "at most 4 photos" in delivery.reason
    sandbox.sandbox.emulator("pixelfed.example").configure({"max_characters": 5})  # type: ignore[attr-defined]
    mastodon_publish._instances.clear()  # limits are cached for ten minutes per instance
    long_caption = store.create_post("more than five", photos[:1], None)
    [delivery], _ = await send(store, long_caption.id, [pixel])
    assert delivery.state == "failed" and "at most 5" in delivery.reason
    assert requests(sandbox, "/api/v1/statuses") == [] and requests(sandbox, "/api/v2/media") == []


# The sandbox's idempotency, as the outbox relies on it ------------------------------------------


async def test_one_status_per_idempotency_key_and_account(
    sandbox: Running, store: Store, alice: Account
) -> None:
    token = opted_in_vault().get_token(alice.vault_key)
    assert token is not None
    headers = {"Authorization": f"Bearer {token['access_token']}", "Idempotency-Key": "key-1"}
    url = f"{alice.instance}/api/v1/statuses"
    async with httpx2.AsyncClient() as client:
        first = (await client.post(url, data={"status": "once"}, headers=headers)).json()
        again = (await client.post(url, data={"status": "once"}, headers=headers)).json()
        other = (
            await client.post(url, data={"status": "once"}, headers=headers | {"Idempotency-Key": "key-2"})
        ).json()
        sandbox.sandbox.clock.offset += 3601  # Mastodon forgets a key after an hour
        late = (await client.post(url, data={"status": "once"}, headers=headers)).json()
    assert first["id"] == again["id"] and len({first["id"], other["id"], late["id"]}) == 3


# Crash recovery -----------------------------------------------------------------------------------


async def test_mastodon_resends_with_the_same_key_and_gets_one_status(
    sandbox: Running, store: Store, alice: Account
) -> None:
    delivery = await interrupted(store, alice, "survived a crash", post_it=True)
    report = await run_due(store, opted_in_vault(), config=FAST)
    assert report.recovery.unknown == [delivery.id] and report.recovery.resend == [delivery.id]
    sent = store.delivery(delivery.id)
    assert sent is not None and sent.state == "sent"
    posted = await statuses_async(str(alice.instance))
    assert [s["id"] for s in posted] == [sent.remote_post_id]
    assert len(requests(sandbox, "/api/v1/statuses", "POST")) == 2  # the lost one and the resend


async def test_a_send_interrupted_before_the_post_request_is_simply_sent_again(
    sandbox: Running, store: Store, alice: Account
) -> None:
    delivery = await interrupted(store, alice, "nothing went out", post_it=False)
    report = await run_due(store, opted_in_vault(), config=FAST)
    assert report.recovery.interrupted == [delivery.id]
    assert store.delivery(delivery.id).state == "sent"  # type: ignore[union-attr]
    assert len(await statuses_async(str(alice.instance))) == 1


async def test_pixelfed_looks_the_post_up_instead_of_resending(
    sandbox: Running, store: Store, pixel: Account, tmp_path: Path
) -> None:
    photo = media_corpus.jpeg(tmp_path / "p.jpg", (60, 60))
    token = opted_in_vault().get_token(pixel.vault_key)
    assert token is not None
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    async with httpx2.AsyncClient() as client:
        upload = await client.post(
            f"{pixel.instance}/api/v2/media", files={"file": photo.open("rb")}, headers=auth
        )
        media_id = upload.json()["id"]
    post = store.create_post("found me", [str(photo)], None)
    delivery = store.add_delivery(post.id, pixel)
    owner = dead_owner()
    store.claim_due(owner, lease_seconds=600, limit=1, ids=[delivery.id])
    store.mark_committing(delivery.id, owner)
    async with httpx2.AsyncClient() as client:
        made = await client.post(
            f"{pixel.instance}/api/v1/statuses",
            data={"status": "found me", "media_ids[]": [media_id]},
            headers=auth,
        )
    report = await run_due(store, opted_in_vault(), config=FAST)
    assert report.recovery.found == [delivery.id]
    found = store.delivery(delivery.id)
    assert found is not None and (found.state, found.remote_post_id) == ("sent", made.json()["id"])
    assert len(requests(sandbox, "/api/v1/statuses", "POST")) == 1  # never resent

    lost = await interrupted(store, pixel, "never arrived", post_it=False, committed=clock.now())
    store._conn.execute("UPDATE posts SET media = ? WHERE id = ?", (f'["{photo}"]', lost.post_id))
    report = await run_due(store, opted_in_vault(), config=FAST)
    assert report.recovery.not_found == [lost.id]
    assert store.delivery(lost.id).state == "sent"  # type: ignore[union-attr]
    assert len(await statuses_async(str(pixel.instance))) == 2


async def test_without_idempotency_or_look_up_it_waits_for_a_person(
    sandbox: Running, store: Store, pixel: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PixelfedPublisher, "recovery", Recovery.CHECK)
    monkeypatch.setattr(PixelfedPublisher, "can_lookup", False)
    delivery = await interrupted(store, pixel, "who knows", post_it=False, committed=clock.now())
    for _ in range(2):
        report = await run_due(store, opted_in_vault(), config=FAST)
    assert report.recovery.check == [] and report.deliveries == ()  # decided once, never resent
    checked = store.delivery(delivery.id)
    assert checked is not None and (checked.state, checked.check_needed) == ("unknown", True)
    assert checked.reason.startswith("unknown — check: Pixelfed (")
    assert checked.url == f"{pixel.instance}/alice"
    assert requests(sandbox, "/api/v1/statuses", "POST") == []


async def test_after_the_key_window_mastodon_looks_up_instead_of_resending(
    sandbox: Running, store: Store, alice: Account
) -> None:
    delivery = await interrupted(
        store, alice, "an hour ago", post_it=True, committed=clock.now() - timedelta(hours=2)
    )
    report = await run_due(store, opted_in_vault(), config=FAST)
    assert report.recovery.found == [delivery.id]
    assert len(requests(sandbox, "/api/v1/statuses", "POST")) == 1
    assert [s["account"]["id"] for s in await statuses_async(str(alice.instance))] == [ALICE]
