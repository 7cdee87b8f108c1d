"""Crash recovery and the send-time guards, decision by decision, against the real store and the
sandbox's Mastodon (issue 18, items 5 and 7). Each test pins one branch of
providers/outbox/recovery.py (or send.py's guards) with its exact end state and reason, so
`make mutate` leaves no survivor there; two of them catch bugs once planted on purpose: the
idempotency window's margin flipped (a resend after Mastodon forgot the key) and the guard for an
account removed between claim and send disabled.

The clock is the engine's frozen clock: the age of a send is set exactly, never slept for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from providers.clock import FrozenClock
from providers.interface import Recovery
from providers.networks.pixelfed.publish import PixelfedPublisher
from providers.outbox.context import RunContext
from providers.outbox.events import DeliveryEvent
from providers.outbox.owner import runner_id
from providers.outbox.recovery import RecoveryReport, recover
from providers.outbox.send import WINDOW_MARGIN, send
from providers.outbox_config import OutboxConfig
from providers.publishing.mastodon_api import MastodonApiPublisher
from providers.sandbox import Running
from providers.store import Account, Delivery, Store
from tests.support import crash
from tests.support.linking import link_async, opted_in_vault, statuses_async

FAST = OutboxConfig(max_attempts=3, backoff_seconds=0.05, backoff_max_seconds=0.1, concurrency=1)
WINDOW = 3600.0  # Mastodon keeps an Idempotency-Key for an hour


@pytest.fixture
async def alice(sandbox: Running, store: Store, frozen_clock: FrozenClock) -> Account:
    return await link_async(store, f"{sandbox.url}/mastodon.example")


@pytest.fixture
async def ctx(
    store: Store, frozen_clock: FrozenClock
) -> AsyncIterator[tuple[RunContext, list[DeliveryEvent]]]:
    events: list[DeliveryEvent] = []
    async with RunContext(
        store, opted_in_vault(), config=FAST, clock=frozen_clock, progress=events.append
    ) as context:
        yield context, events


async def interrupted(
    store: Store, account: Account, caption: str, *, committed_ago: float | None, post_it: bool = False
) -> Delivery:
    """tests.support.crash.interrupted, its creating request ``committed_ago`` seconds ago (None:
    it never went out)."""
    from providers import clock

    committed = None if committed_ago is None else clock.now() - timedelta(seconds=committed_ago)
    return await crash.interrupted(store, account, caption, post_it=post_it, committed=committed)


def lists(report: RecoveryReport) -> dict[str, list[int]]:
    return {
        name: getattr(report, name)
        for name in ("interrupted", "unknown", "resend", "found", "not_found", "check")
        if getattr(report, name)
    }


def test_mastodon_declares_the_window_these_tests_assume() -> None:
    assert MastodonApiPublisher.recovery is Recovery.IDEMPOTENT
    assert MastodonApiPublisher.idempotency_seconds == WINDOW and MastodonApiPublisher.can_lookup
    assert WINDOW_MARGIN == 300.0


async def test_nothing_went_out_so_it_is_simply_due_again(
    store: Store, alice: Account, ctx: tuple[RunContext, list[DeliveryEvent]]
) -> None:
    delivery = await interrupted(store, alice, "never sent", committed_ago=None)
    report = await recover(ctx[0])
    assert lists(report) == {"interrupted": [delivery.id]} and report.changed == 1
    after = store.delivery(delivery.id)
    assert after is not None and after.state == "due" and after.committed_at is None
    assert after.reason == "the process sending it stopped before anything was published; sending it again"


# The key window: resend with the same key strictly before (window - margin), never at or after.
@pytest.mark.parametrize("age", [0.0, WINDOW - WINDOW_MARGIN - 1])
async def test_inside_the_window_it_is_resent_with_the_same_key(
    store: Store, alice: Account, ctx: tuple[RunContext, list[DeliveryEvent]], age: float
) -> None:
    delivery = await interrupted(store, alice, f"resent at {age}", committed_ago=age)
    report = await recover(ctx[0])
    assert lists(report) == {"unknown": [delivery.id], "resend": [delivery.id]}
    assert report.changed == 1  # the sending → unknown step is not counted on its own
    after = store.delivery(delivery.id)
    assert after is not None and after.state == "due"
    assert after.committed_at == delivery.committed_at  # kept: the window is counted from it
    assert after.idempotency_key == delivery.idempotency_key
    assert after.reason == (
        "resending with the same idempotency key after an interrupted send; "
        "the network keeps one post per key"
    )


@pytest.mark.parametrize(
    "age", [WINDOW - WINDOW_MARGIN, WINDOW - WINDOW_MARGIN + 1, WINDOW + WINDOW_MARGIN + 1]
)
async def test_at_or_past_the_margin_it_is_looked_up_not_resent(
    store: Store, alice: Account, ctx: tuple[RunContext, list[DeliveryEvent]], age: float
) -> None:
    delivery = await interrupted(store, alice, f"looked up at {age}", committed_ago=age)
    report = await recover(ctx[0])
    assert lists(report) == {"unknown": [delivery.id], "not_found": [delivery.id]}
    after = store.delivery(delivery.id)
    assert after is not None and after.state == "due" and after.committed_at is None
    assert after.reason == "not found on the network after an interrupted send; sending it again"


async def test_a_post_that_arrived_is_found_and_marked_sent(
    store: Store, alice: Account, ctx: tuple[RunContext, list[DeliveryEvent]]
) -> None:
    delivery = await interrupted(store, alice, "it did arrive", committed_ago=WINDOW, post_it=True)
    [status] = await statuses_async(str(alice.instance))
    report = await recover(ctx[0])
    assert lists(report) == {"unknown": [delivery.id], "found": [delivery.id]}
    after = store.delivery(delivery.id)
    assert after is not None and after.state == "sent"
    assert (after.remote_post_id, after.url) == (status["id"], status["url"])
    assert after.reason == "found on the network after an interrupted send"
    sent = [e for e in ctx[1] if e.kind == "sent"]
    assert [(e.delivery_id, e.url) for e in sent] == [(delivery.id, status["url"])]


async def test_a_failing_look_up_leaves_it_unknown_for_the_next_pass(
    store: Store, alice: Account, ctx: tuple[RunContext, list[DeliveryEvent]]
) -> None:
    delivery = await interrupted(store, alice, "offline", committed_ago=WINDOW)
    opted_in_vault().delete_token(alice.vault_key)  # the look-up cannot sign in
    report = await recover(ctx[0])
    assert lists(report) == {"unknown": [delivery.id]} and report.changed == 0
    after = store.delivery(delivery.id)
    assert after is not None and (after.state, after.check_needed) == ("unknown", False)


async def test_an_account_removed_before_recovery_waits_for_a_person(
    store: Store, alice: Account, ctx: tuple[RunContext, list[DeliveryEvent]]
) -> None:
    delivery = await interrupted(store, alice, "whose account went", committed_ago=WINDOW)
    store.remove_account(alice.id)
    report = await recover(ctx[0])
    assert lists(report) == {"unknown": [delivery.id], "check": [delivery.id]}
    after = store.delivery(delivery.id)
    assert after is not None and (after.state, after.check_needed, after.url) == ("unknown", True, None)
    assert after.reason == (
        "unknown — check: mastodon may or may not have published it (the send was interrupted). Look at "
        "the account on the network; if the post is there, mark it sent; if not, retry it."
    )
    again = await recover(ctx[0])  # decided once: a row marked for a person is left alone
    assert lists(again) == {} and store.delivery(delivery.id) == after


async def test_without_a_look_up_the_reason_links_the_account_page(
    sandbox: Running, store: Store, frozen_clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    pixel = await link_async(store, f"{sandbox.url}/pixelfed.example", network="pixelfed")
    monkeypatch.setattr(PixelfedPublisher, "recovery", Recovery.CHECK)
    monkeypatch.setattr(PixelfedPublisher, "can_lookup", False)
    delivery = await interrupted(store, pixel, "who knows", committed_ago=0)
    async with RunContext(store, opted_in_vault(), config=FAST, clock=frozen_clock) as context:
        report = await recover(context)
    assert lists(report) == {"unknown": [delivery.id], "check": [delivery.id]}
    after = store.delivery(delivery.id)
    assert after is not None and after.url == f"{pixel.instance}/alice"
    assert after.reason == (
        f"unknown — check: Pixelfed ({str(pixel.instance).removeprefix('http://')}) may or may not "
        f"have published it (the send was interrupted). Look at {pixel.instance}/alice; "
        "if the post is there, mark it sent; if not, retry it."
    )


async def test_a_live_claim_and_unwanted_ids_are_left_alone(
    store: Store, alice: Account, ctx: tuple[RunContext, list[DeliveryEvent]]
) -> None:
    wanted = await interrupted(store, alice, "wanted", committed_ago=None)
    other = await interrupted(store, alice, "not asked about", committed_ago=None)
    post = store.create_post("mine, alive", [], None)
    live = store.add_delivery(post.id, alice)
    store.claim_due(runner_id(), lease_seconds=600, limit=1, ids=[live.id])
    report = await recover(ctx[0], ids=[wanted.id, live.id])
    assert lists(report) == {"interrupted": [wanted.id]}
    assert [store.delivery(d.id).state for d in (other, live)] == ["sending", "sending"]  # type: ignore[union-attr]
    everything = await recover(ctx[0])
    assert lists(everything) == {"interrupted": [other.id]}
    assert store.delivery(live.id).state == "sending"  # type: ignore[union-attr]


async def test_an_account_removed_between_claim_and_send_is_held_never_sent(
    sandbox: Running, store: Store, alice: Account, ctx: tuple[RunContext, list[DeliveryEvent]]
) -> None:
    post = store.create_post("claimed, then unlinked", [], None)
    store.add_delivery(post.id, alice)
    [claimed] = store.claim_due(ctx[0].owner, lease_seconds=600, limit=1)
    store.remove_account(alice.id)
    after = await send(ctx[0], claimed)
    assert (after.state, after.hold_kind) == ("held", "unlinked")
    assert after.reason == (
        f"mastodon account {alice.remote_id} is not linked; held until it is linked again"
    )
    assert [r for r in sandbox.sandbox.requests if r["path"] == "/api/v1/statuses"] == []
    assert await statuses_async(str(alice.instance)) == []


@pytest.mark.parametrize(
    ("age", "resent"), [(WINDOW - WINDOW_MARGIN - 1, True), (WINDOW - WINDOW_MARGIN, False)]
)
async def test_send_time_window_check_matches_recovery(
    sandbox: Running,
    store: Store,
    alice: Account,
    ctx: tuple[RunContext, list[DeliveryEvent]],
    age: float,
    resent: bool,
) -> None:
    """A retry of a send whose request went out: with the key still remembered it is resent; from
    the margin on it goes to ``unknown`` (looked up) instead of a second POST."""
    post = store.create_post(f"retry at {age}", [], None)
    store.add_delivery(post.id, alice)
    [claimed] = store.claim_due(ctx[0].owner, lease_seconds=600, limit=1)
    from providers import clock

    committed = store.mark_committing(claimed.id, ctx[0].owner, now=clock.now() - timedelta(seconds=age))
    after = await send(ctx[0], committed)
    posts = [r for r in sandbox.sandbox.requests if r["path"] == "/api/v1/statuses" and r["method"] == "POST"]
    if resent:
        assert after.state == "sent" and len(posts) == 1
    else:
        assert after.state == "unknown" and posts == []
        assert after.reason == (
            "an earlier try may have published it and Mastodon "
            f"({str(alice.instance).removeprefix('http://')}) no longer "
            "recognises its idempotency key; looking it up instead of sending again"
        )
