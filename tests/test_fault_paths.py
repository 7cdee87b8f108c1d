"""Fault paths of "never resend blindly", through real outbox runs against the sandbox.

Each fault hits the request that creates the post (the sandbox's fault injection, matched on
``POST /api/v1/statuses``): a read timeout, a dropped connection, a 502 and a 504 from a proxy.
Whether the network made the post (``after``/``drop_after_bytes``/``delay``: it did) or not, the
delivery ends in the state the engine documents (providers/failures.py, providers/outbox/send.py,
providers/outbox/recovery.py) and the emulator holds exactly one post:

- Mastodon (``Recovery.IDEMPOTENT``): tried later, then resent with the SAME idempotency key;
  the network answers with the post it already made.
- Pixelfed (``Recovery.LOOKUP``): ``unknown``, then looked up: ``sent`` when found, sent again
  (clearing the commit) only when the look-up says it is not there.
- a network that can neither (Pixelfed with ``Recovery.CHECK``): ``unknown`` with
  ``check_needed``, never resent.

Also: a runner whose claim is taken over mid-send sends nothing itself, and an account removed
between the claim and the send holds the delivery (``HoldKind.UNLINKED``) without a request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

from providers import clock
from providers.interface import Recovery
from providers.networks.pixelfed.publish import PixelfedPublisher
from providers.outbox import context
from providers.outbox.events import DeliveryEvent
from providers.outbox.runner import RunReport, run_due
from providers.outbox_config import OutboxConfig
from providers.sandbox import Running
from providers.sandbox.server import Fault
from providers.store import Account, Delivery, DeliveryState, Store
from providers.store.models import HoldKind
from tests import media_corpus
from tests.support.linking import link_async, opted_in_vault

FAST = OutboxConfig(max_attempts=3, backoff_seconds=30, backoff_max_seconds=60, concurrency=2)
CREATE = "/api/v1/statuses"
# Each fault on the creating request, and whether the network made the post before it struck.
# "timeout": the answer is held back past the client's read timeout (set short below).
FAULTS: dict[str, tuple[dict[str, Any], bool]] = {
    "read timeout": ({"after": True, "delay": 3.0}, True),
    "dropped connection": ({"drop_after_bytes": 0}, True),
    "502 after the post was made": ({"status": 502, "after": True}, True),
    "504 after the post was made": ({"status": 504, "after": True}, True),
    "502 before it reached the network": ({"status": 502}, False),
    "504 before it reached the network": ({"status": 504}, False),
}


@pytest.fixture
def store(store_sending_past_due: Store) -> Store:
    return store_sending_past_due


@pytest.fixture(autouse=True)
def short_read_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner's HTTP client gives up reading after 0.5 s (120 s in the product), so a held-back
    answer is a real read timeout in a short test."""
    monkeypatch.setattr(context, "_timeout", lambda: httpx2.Timeout(10.0, read=0.5))


@pytest.fixture
async def alice(sandbox: Running, store: Store) -> Account:
    return await link_async(store, f"{sandbox.url}/mastodon.example")


@pytest.fixture
async def pixel(sandbox: Running, store: Store) -> Account:
    return await link_async(store, f"{sandbox.url}/pixelfed.example", network="pixelfed")


def creates(sandbox: Running, host: str) -> list[dict[str, Any]]:
    """Every creating request the sandbox received for ``host``."""
    return [
        r
        for r in sandbox.sandbox.requests
        if r["host"] == host and r["path"] == CREATE and r["method"] == "POST"
    ]


def posts(sandbox: Running, host: str) -> list[str]:
    """The captions of the posts the emulated server holds (what a person would see)."""
    return [p.text for p in sandbox.sandbox.emulator(host).published()]


def inject(sandbox: Running, fault: dict[str, Any]) -> None:
    sandbox.sandbox.faults.append(Fault(path=CREATE, method="POST", **({"status": 504} | fault)))


async def run(store: Store, now: clock.FrozenClock, **kw: Any) -> RunReport:
    return await run_due(store, opted_in_vault(), config=FAST, clock=now, **kw)


def queue(store: Store, account: Account, caption: str, media: list[str] | None = None) -> Delivery:
    post = store.create_post(caption, media or [], None)
    return store.add_delivery(post.id, account)


def current(store: Store, delivery: Delivery) -> Delivery:
    found = store.delivery(delivery.id)
    assert found is not None
    return found


@pytest.mark.parametrize("fault", list(FAULTS), ids=list(FAULTS))
async def test_mastodon_retries_with_the_same_key_and_gets_one_post(
    fault: str, sandbox: Running, store: Store, alice: Account, frozen_clock: clock.FrozenClock
) -> None:
    injected, made = FAULTS[fault]
    inject(sandbox, injected)
    delivery = queue(store, alice, f"once, despite a {fault}")
    await run(store, frozen_clock)
    first = current(store, delivery)
    # Tried later (the network dedupes the key), with the commit kept: the post may exist.
    assert (first.state, first.attempts) == (DeliveryState.SCHEDULED, 1), first.reason
    assert first.committed_at is not None and first.next_attempt_at is not None
    assert "Attempt 1 of 3" in (first.reason or "")
    assert posts(sandbox, "mastodon.example") == ([first_caption(delivery, store)] if made else [])
    frozen_clock.advance(seconds=FAST.backoff(1))
    await run(store, frozen_clock)
    sent = current(store, delivery)
    assert sent.state == DeliveryState.SENT, sent.reason
    emulator: Any = sandbox.sandbox.emulator("mastodon.example")
    [status] = emulator.statuses.values()
    assert status.text == f"once, despite a {fault}" and sent.remote_post_id == status.id
    assert status.idempotency_key == delivery.idempotency_key
    assert len(creates(sandbox, "mastodon.example")) == 2  # the faulted one and the resend


def first_caption(delivery: Delivery, store: Store) -> str:
    post = store.post(delivery.post_id)
    assert post is not None
    return post.caption


@pytest.mark.parametrize("fault", list(FAULTS), ids=list(FAULTS))
async def test_pixelfed_marks_it_unknown_and_looks_it_up(
    fault: str,
    sandbox: Running,
    store: Store,
    pixel: Account,
    frozen_clock: clock.FrozenClock,
    tmp_path: Path,
) -> None:
    injected, made = FAULTS[fault]
    photo = media_corpus.jpeg(tmp_path / "p.jpg", (60, 60))
    inject(sandbox, injected)
    delivery = queue(store, pixel, f"looked up after a {fault}", [str(photo)])
    events: list[DeliveryEvent] = []
    await run(store, frozen_clock, progress=events.append)
    # The first run ends it "unknown" (never scheduled for a blind resend)...
    assert [e.kind for e in events if e.final] == ["unknown"]
    assert "looks it up before sending again" in next(e.reason for e in events if e.kind == "unknown")
    # ...and the next one looks it up: found when the network made it, else sent again.
    report = await run(store, frozen_clock)
    sent = current(store, delivery)
    assert sent.state == DeliveryState.SENT, sent.reason
    assert (report.recovery.found, report.recovery.not_found) == (
        ([delivery.id], []) if made else ([], [delivery.id])
    )
    assert posts(sandbox, "pixelfed.example") == [f"looked up after a {fault}"]
    assert len(creates(sandbox, "pixelfed.example")) == (1 if made else 2)


@pytest.mark.parametrize("fault", [f for f, (_, made) in FAULTS.items() if made])
async def test_without_a_key_or_a_look_up_a_person_checks(
    fault: str,
    sandbox: Running,
    store: Store,
    pixel: Account,
    frozen_clock: clock.FrozenClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(PixelfedPublisher, "recovery", Recovery.CHECK)
    monkeypatch.setattr(PixelfedPublisher, "can_lookup", False)
    photo = media_corpus.jpeg(tmp_path / "p.jpg", (60, 60))
    inject(sandbox, FAULTS[fault][0])
    delivery = queue(store, pixel, f"a person checks after a {fault}", [str(photo)])
    for _ in range(3):
        await run(store, frozen_clock)
        frozen_clock.advance(hours=2)
    checked = current(store, delivery)
    assert (checked.state, checked.check_needed) == (DeliveryState.UNKNOWN, True)
    assert (checked.reason or "").startswith("unknown — check: Pixelfed")
    assert checked.url == f"{pixel.instance}/alice"
    assert len(creates(sandbox, "pixelfed.example")) == 1
    assert posts(sandbox, "pixelfed.example") == [f"a person checks after a {fault}"]


# A claim taken over mid-send -----------------------------------------------------------------------


async def test_a_runner_that_lost_its_claim_sends_nothing(
    sandbox: Running,
    store: Store,
    alice: Account,
    frozen_clock: clock.FrozenClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Runner A is presumed dead while it uploads (its lease ran out: another host cannot check its
    pid); runner B recovers the delivery and sends it. A must not create a second post."""
    monkeypatch.setattr(context, "_timeout", lambda: httpx2.Timeout(30.0))  # A's slow upload succeeds
    photo = media_corpus.jpeg(tmp_path / "p.jpg", (60, 60))
    delivery = queue(store, alice, "sent by the runner that holds the claim", [str(photo)])
    uploading = asyncio.Event()

    def on_event(event: DeliveryEvent) -> None:
        if event.kind == "uploading":
            uploading.set()

    sandbox.sandbox.latency = 1.0  # A's upload takes a while: B takes over meanwhile
    a = asyncio.create_task(run(store, frozen_clock, owner="elsewhere-a:101:1", progress=on_event))
    await uploading.wait()
    frozen_clock.advance(seconds=FAST.lease_seconds + 1)
    b = await run(store, frozen_clock, owner="elsewhere-b:202:1")
    a_report = await a
    assert b.recovery.interrupted == [delivery.id]  # nothing had gone out: simply sent again
    sent = current(store, delivery)
    assert (sent.state, sent.lease_owner) == (DeliveryState.SENT, "elsewhere-b:202:1")
    assert "claim lost before publishing; nothing was sent by this runner" in caplog.text
    # A reports the row as B holds it, and records nothing itself.
    assert [d.lease_owner for d in a_report.deliveries] == ["elsewhere-b:202:1"]
    assert len(creates(sandbox, "mastodon.example")) == 1
    assert posts(sandbox, "mastodon.example") == ["sent by the runner that holds the claim"]


async def test_a_runner_whose_claim_was_lost_while_its_upload_failed_records_nothing(
    sandbox: Running,
    store: Store,
    alice: Account,
    frozen_clock: clock.FrozenClock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A's upload times out after B took the delivery over: A's "try later" is not its to record.
    It leaves B's row alone and says so in a warning, not as an error with a traceback."""
    photo = media_corpus.jpeg(tmp_path / "p.jpg", (60, 60))
    delivery = queue(store, alice, "B's to send", [str(photo)])
    uploading = asyncio.Event()

    def on_event(event: DeliveryEvent) -> None:
        if event.kind == "uploading":
            uploading.set()

    # A's upload is answered late, past its 0.5 s read timeout; B's (the next one) at once.
    sandbox.sandbox.faults.append(Fault(path="/api/v2/media", method="POST", after=True, delay=2.0))
    a = asyncio.create_task(run(store, frozen_clock, owner="elsewhere-a:101:1", progress=on_event))
    await uploading.wait()
    frozen_clock.advance(seconds=FAST.lease_seconds + 1)
    await run(store, frozen_clock, owner="elsewhere-b:202:1")
    await a
    sent = current(store, delivery)
    assert (sent.state, sent.lease_owner, sent.attempts) == (DeliveryState.SENT, "elsewhere-b:202:1", 2)
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []
    assert "claim lost before this runner could record scheduled" in caplog.text
    assert posts(sandbox, "mastodon.example") == ["B's to send"]


# An account removed between the claim and the send ----------------------------------------------


def unlink_after_claim(store: Store, account: Account) -> Callable[..., list[Delivery]]:
    """``store.claim_due`` that removes ``account`` right after the claim commits, as an unlink in
    another process landing between the runner's claim and its send would."""
    claim = store.claim_due

    def claim_then_unlink(*args: Any, **kwargs: Any) -> list[Delivery]:
        claimed = claim(*args, **kwargs)
        if claimed and store.account(account.id) is not None:
            store.remove_account(account.id)
        return claimed

    return claim_then_unlink


async def test_an_account_removed_after_the_claim_holds_its_delivery(
    sandbox: Running,
    store: Store,
    alice: Account,
    frozen_clock: clock.FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    delivery = queue(store, alice, "held for the relinked account")
    monkeypatch.setattr(store, "claim_due", unlink_after_claim(store, alice))
    await run(store, frozen_clock)
    held = current(store, delivery)
    assert (held.state, held.hold_kind) == (DeliveryState.HELD, HoldKind.UNLINKED)
    assert held.reason == (f"mastodon account {alice.remote_id} is not linked; held until it is linked again")
    assert held.lease_until is None and creates(sandbox, "mastodon.example") == []  # claim ended
    monkeypatch.undo()
    # Linked again: the delivery is released and sent, once.
    again = await link_async(store, str(alice.instance))
    assert again.remote_id == alice.remote_id
    await run(store, frozen_clock)
    assert current(store, delivery).state == DeliveryState.SENT
    assert posts(sandbox, "mastodon.example") == ["held for the relinked account"]


async def test_an_account_removed_while_a_dead_runner_held_the_claim(
    sandbox: Running, store: Store, alice: Account, frozen_clock: clock.FrozenClock
) -> None:
    """A runner on another host claimed it and died, the account was unlinked (which leaves
    ``sending`` rows alone); the next runner recovers it, and its claim holds it (the store's
    ``hold_unsendable``), so send.py's guard is not what stops it here: the test above is."""
    delivery = queue(store, alice, "claimed, then unlinked")
    store.claim_due("elsewhere-dead:303:1", lease_seconds=FAST.lease_seconds, limit=1, now=frozen_clock())
    assert store.remove_account(alice.id) == 0  # a sending delivery is not held by the unlink
    frozen_clock.advance(seconds=FAST.lease_seconds + 1)
    report = await run(store, frozen_clock)
    assert report.recovery.interrupted == [delivery.id]
    held = current(store, delivery)
    assert (held.state, held.hold_kind) == (DeliveryState.HELD, HoldKind.UNLINKED)
    assert creates(sandbox, "mastodon.example") == []


# The classifier's half: which failures of the creating request may have made the post ------------


def _request() -> httpx2.Request:
    return httpx2.Request("POST", "https://mastodon.example/api/v1/statuses")


# (the failure, whether the request can have reached the network and been acted on)
NO_ANSWER = [
    (httpx2.ConnectError("refused", request=_request()), False),
    (httpx2.ConnectTimeout("no route", request=_request()), False),
    (httpx2.PoolTimeout("pool full", request=_request()), False),
    (httpx2.WriteError("broken pipe", request=_request()), False),
    (httpx2.WriteTimeout("stalled", request=_request()), False),
    (httpx2.ReadTimeout("no answer", request=_request()), True),
    (httpx2.ReadError("reset", request=_request()), True),
    (httpx2.RemoteProtocolError("closed without answer", request=_request()), True),
]


@pytest.mark.parametrize(("exc", "maybe"), NO_ANSWER, ids=[type(e).__name__ for e, _ in NO_ANSWER])
def test_only_a_lost_answer_to_the_creating_request_may_have_made_the_post(
    exc: Exception, maybe: bool
) -> None:
    from providers.failures import from_exception

    creating = from_exception(exc, "Mastodon", "creating the post", committing=True)
    uploading = from_exception(exc, "Mastodon", "uploading p.jpg", committing=False)
    assert (creating.kind, creating.maybe_published) == ("try_later", maybe)
    assert (uploading.kind, uploading.maybe_published) == ("try_later", False)


@pytest.mark.parametrize(("status", "maybe"), [(500, False), (502, True), (503, False), (504, True)])
def test_only_a_gateway_failure_on_the_creating_request_may_have_made_the_post(
    status: int, maybe: bool
) -> None:
    from providers.failures import classify

    answer = httpx2.Response(status, request=_request())
    creating = classify(answer, "Mastodon", "creating the post", committing=True)
    assert (creating.kind, creating.maybe_published) == ("try_later", maybe)
    assert classify(answer, "Mastodon", "uploading p.jpg").maybe_published is False
