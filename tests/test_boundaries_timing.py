"""Time boundaries, each just before, at and just after its edge: the idempotency window (a resend
must never reach a network that has forgotten the key), token refresh ahead of expiry, Retry-After
in both its forms, and the retry cap and backoff.

The expected values are the documented ones, written here, never read from the code under test:

- Mastodon keeps an Idempotency-Key for one hour (mastodon/mastodon
  app/services/post_status_service.rb, ``idempotency_duration`` 3600 s; the sandbox does the same);
  linkdeck resends with the key only until 5 minutes before that (providers/outbox/send.py
  ``WINDOW_MARGIN``, providers/outbox/recovery.py's docstring: "an hour ... less a margin").
- A token is refreshed when it expires within 60 s (providers/auth/refresh.py's docstring); a
  card turns amber in a sign-in's last week and asks to reconnect once it has ended (the specs'
  notes: "the card shows the days left and turns amber the last week").
- Retry-After is delta seconds or an HTTP date (RFC 9110 §10.2.3), at most a day
  (providers/failures.py); ``[outbox]``: 5 tries, 30 s first wait doubling to at most 1,800 s
  (providers/outbox_config.py's docstring).
"""

from __future__ import annotations

import asyncio
import email.utils
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
import pytest

from providers import clock, failures
from providers.outbox import send as outbox_send
from providers.outbox.runner import RunReport, run_due
from providers.outbox.tokens import Tokens
from providers.outbox_config import OutboxConfig
from providers.publishing.mastodon_api import MastodonApiPublisher
from providers.sandbox import Running
from providers.sandbox.server import Fault
from providers.store import Account, Delivery, DeliveryState, Store
from tests.support.linking import link_async, opted_in_vault

KEY_SECONDS = 3600  # how long Mastodon remembers an Idempotency-Key
MARGIN_SECONDS = 300  # linkdeck's safety margin before that
LAST_RESEND = KEY_SECONDS - MARGIN_SECONDS  # the first age at which a resend is refused
REFRESH_LEEWAY = 60
MAX_RETRY_AFTER = 24 * 3600
DEFAULTS = {"max_attempts": 5, "backoff_seconds": 30.0, "backoff_max_seconds": 1800.0}
FAST = OutboxConfig(max_attempts=3, backoff_seconds=30, backoff_max_seconds=60, concurrency=2)
CREATE = "/api/v1/statuses"


@pytest.fixture
def store(store_sending_past_due: Store) -> Store:
    return store_sending_past_due


@pytest.fixture
async def alice(sandbox: Running, store: Store) -> Account:
    return await link_async(store, f"{sandbox.url}/mastodon.example")


def creates(sandbox: Running, host: str = "mastodon.example") -> int:
    return sum(
        1
        for r in sandbox.sandbox.requests
        if r["host"] == host and r["path"] == CREATE and r["method"] == "POST"
    )


def statuses(sandbox: Running) -> list[str]:
    return [p.text for p in sandbox.sandbox.emulator("mastodon.example").published()]


async def run(store: Store, now: clock.FrozenClock, **kw: Any) -> RunReport:
    return await run_due(store, opted_in_vault(), config=FAST, clock=now, **kw)


def later(sandbox: Running, now: clock.FrozenClock, seconds: float) -> None:
    """Time passes for linkdeck and for the emulated network alike."""
    now.advance(seconds=seconds)
    sandbox.sandbox.clock.offset += seconds


def current(store: Store, delivery: Delivery) -> Delivery:
    found = store.delivery(delivery.id)
    assert found is not None
    return found


# The idempotency window ------------------------------------------------------------------------------


def test_the_window_is_the_documented_one() -> None:
    assert MastodonApiPublisher.idempotency_seconds == KEY_SECONDS
    assert outbox_send.WINDOW_MARGIN == MARGIN_SECONDS
    assert 0 < MARGIN_SECONDS < KEY_SECONDS


# The networks whose publishers resend with a key, and how long each keeps one: Mastodon's is
# documented (above); Ayrshare's is not (networks-2026.md §14 names idempotencyKey only), and the
# publisher assumes an hour.
KEY_WINDOWS = {"mastodon": KEY_SECONDS, "ayrshare": 3600}


def test_every_publisher_that_resends_with_a_key_has_a_known_window() -> None:
    from providers import catalog, networks
    from providers.interface import Recovery

    found = {}
    for spec in catalog.all_networks():
        module = networks.part(spec.id, networks.PUBLISH) if networks.can_publish(spec.id) else None
        publisher = getattr(module, "PUBLISHER", None)
        if publisher is not None and publisher.recovery is Recovery.IDEMPOTENT:
            found[spec.id] = publisher.idempotency_seconds
            assert publisher.can_lookup, f"{spec.id}: after the window it must look the post up"
    assert found == KEY_WINDOWS


# (seconds after the first request, whether linkdeck may still resend with the key)
WINDOW_EDGES = [
    (LAST_RESEND - 1, True),
    (LAST_RESEND, False),
    (LAST_RESEND + 1, False),
    (KEY_SECONDS - 1, False),
    (KEY_SECONDS + 1, False),  # the network has forgotten the key: a resend would post twice
]


@pytest.mark.parametrize(("age", "resend"), WINDOW_EDGES, ids=[f"{a}s" for a, _ in WINDOW_EDGES])
async def test_a_retry_resends_with_the_key_only_inside_the_window(
    age: int, resend: bool, sandbox: Running, store: Store, alice: Account, frozen_clock: clock.FrozenClock
) -> None:
    """A 504 after the post was made, then the scheduled retry ``age`` seconds later (send.py)."""
    sandbox.sandbox.faults.append(Fault(path=CREATE, method="POST", status=504, after=True))
    post = store.create_post(f"once at {age}s", [], None)
    delivery = store.add_delivery(post.id, alice)
    await run(store, frozen_clock)
    assert current(store, delivery).state == DeliveryState.SCHEDULED
    later(sandbox, frozen_clock, age)
    await run(store, frozen_clock)
    retried = current(store, delivery)
    if resend:
        assert retried.state == DeliveryState.SENT and creates(sandbox) == 2, retried.reason
    else:  # refused to resend: looked up on the next run instead
        assert retried.state == DeliveryState.UNKNOWN and creates(sandbox) == 1, retried.reason
        assert "no longer recognises its idempotency key" in (retried.reason or "")
        report = await run(store, frozen_clock)
        assert report.recovery.found == [delivery.id]
        assert current(store, delivery).state == DeliveryState.SENT
    assert statuses(sandbox) == [f"once at {age}s"]


@pytest.mark.parametrize(("age", "resend"), WINDOW_EDGES, ids=[f"{a}s" for a, _ in WINDOW_EDGES])
async def test_recovery_resends_with_the_key_only_inside_the_window(
    age: int, resend: bool, sandbox: Running, store: Store, alice: Account, frozen_clock: clock.FrozenClock
) -> None:
    """A runner stopped while its creating request was out (the network made the post), then
    recovery ``age`` seconds later (recovery.py)."""
    # The answer is held back: the runner is stopped while it waits, after the post was made.
    sandbox.sandbox.faults.append(Fault(path=CREATE, method="POST", after=True, delay=2.0))
    post = store.create_post(f"crashed at {age}s", [], None)
    delivery = store.add_delivery(post.id, alice)
    task = asyncio.create_task(run(store, frozen_clock, owner="elsewhere-a:101:1"))
    for _ in range(500):  # until the network holds the post (a bounded wait on a condition)
        if statuses(sandbox):
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    stopped = current(store, delivery)
    assert stopped.state == DeliveryState.SENDING and stopped.committed_at == frozen_clock()
    later(sandbox, frozen_clock, age)
    report = await run(store, frozen_clock)
    assert report.recovery.unknown == [delivery.id]
    if resend:
        assert report.recovery.resend == [delivery.id] and creates(sandbox) == 2
    else:
        assert report.recovery.resend == [] and report.recovery.found == [delivery.id]
        assert creates(sandbox) == 1
    assert current(store, delivery).state == DeliveryState.SENT
    assert statuses(sandbox) == [f"crashed at {age}s"]


# Refreshing ahead of expiry ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "refreshed"),
    [(REFRESH_LEEWAY + 1, False), (REFRESH_LEEWAY, True), (REFRESH_LEEWAY - 1, True), (0, True)],
)
async def test_a_token_is_refreshed_within_its_leeway(
    left: int, refreshed: bool, sandbox: Running, store: Store, frozen_clock: clock.FrozenClock
) -> None:
    """Pixelfed's tokens expire (a year); the outbox's token read refreshes one expiring within
    60 s, through the network's token endpoint."""
    account = await link_async(store, f"{sandbox.url}/pixelfed.example", network="pixelfed")
    vault = opted_in_vault()
    stored = vault.get_token(account.vault_key)
    assert stored is not None and isinstance(stored.get("expires_at"), int | float)
    expires = float(stored["expires_at"])
    frozen_clock.at = datetime.fromtimestamp(expires - left, UTC)
    sandbox.sandbox.requests.clear()
    token = await Tokens(store, vault).get(account)
    refreshes = [r for r in sandbox.sandbox.requests if r["params"].get("grant_type") == "refresh_token"]
    assert len(refreshes) == (1 if refreshed else 0)
    assert (token["access_token"] != stored["access_token"]) is refreshed
    if refreshed:
        assert float(token["expires_at"]) > expires


# Retry-After -------------------------------------------------------------------------------------


def answer(status: int, **headers: str) -> httpx2.Response:
    return httpx2.Response(status, headers=headers)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("0", 0.0),
        ("1", 1.0),
        ("120", 120.0),
        (str(MAX_RETRY_AFTER - 1), MAX_RETRY_AFTER - 1.0),
        (str(MAX_RETRY_AFTER), float(MAX_RETRY_AFTER)),
        (str(MAX_RETRY_AFTER + 1), float(MAX_RETRY_AFTER)),  # clamped to a day
        ("-5", 0.0),
    ],
)
def test_retry_after_in_seconds(value: str, seconds: float, fixed_now: Any) -> None:
    assert failures.retry_after(answer(503, **{"Retry-After": value}), fixed_now) == seconds


@pytest.mark.parametrize(
    ("offset", "seconds"),
    [
        (-1, 0.0),  # already past: at once
        (0, 0.0),
        (1, 1.0),
        (120, 120.0),
        (MAX_RETRY_AFTER, float(MAX_RETRY_AFTER)),
        (MAX_RETRY_AFTER + 1, float(MAX_RETRY_AFTER)),
    ],
)
def test_retry_after_as_an_http_date(offset: int, seconds: float, fixed_now: Any) -> None:
    date = email.utils.format_datetime(fixed_now + timedelta(seconds=offset), usegmt=True)
    assert failures.retry_after(answer(429, **{"Retry-After": date}), fixed_now) == seconds


def test_retry_after_that_is_neither_form_is_ignored(fixed_now: Any) -> None:
    assert failures.retry_after(answer(503, **{"Retry-After": "soon"}), fixed_now) is None
    assert failures.retry_after(answer(503), fixed_now) is None


@pytest.mark.parametrize("form", ["seconds", "HTTP date"])
async def test_the_outbox_retries_at_retry_after_in_either_form(
    form: str, sandbox: Running, store: Store, alice: Account, frozen_clock: clock.FrozenClock
) -> None:
    wait = 600
    value: float | str = (
        wait
        if form == "seconds"
        else email.utils.format_datetime(frozen_clock() + timedelta(seconds=wait), usegmt=True)
    )
    sandbox.sandbox.faults.append(Fault(path=CREATE, method="POST", status=429, retry_after=value))
    post = store.create_post(f"after a {form} Retry-After", [], None)
    delivery = store.add_delivery(post.id, alice)
    await run(store, frozen_clock)
    later_one = current(store, delivery)
    assert later_one.state == DeliveryState.SCHEDULED
    assert later_one.next_attempt_at == frozen_clock() + timedelta(seconds=wait)
    frozen_clock.advance(seconds=wait - 1)  # a second early: nothing is due
    report = await run(store, frozen_clock)
    assert report.deliveries == () and creates(sandbox) == 1
    frozen_clock.advance(seconds=1)
    await run(store, frozen_clock)
    assert current(store, delivery).state == DeliveryState.SENT and creates(sandbox) == 2


# Retry caps and backoff --------------------------------------------------------------------------


def test_the_outbox_defaults_are_the_documented_ones() -> None:
    config = OutboxConfig()
    assert {k: getattr(config, k) for k in DEFAULTS} == DEFAULTS


@pytest.mark.parametrize(
    ("attempt", "wait"),
    [(1, 30.0), (2, 60.0), (3, 120.0), (6, 960.0), (7, 1800.0), (8, 1800.0), (30, 1800.0)],
)
def test_backoff_doubles_up_to_its_cap(attempt: int, wait: float) -> None:
    assert OutboxConfig().backoff(attempt) == wait


async def test_the_last_allowed_try_is_made_then_it_fails(
    sandbox: Running, store: Store, alice: Account, frozen_clock: clock.FrozenClock
) -> None:
    """``max_attempts`` 3: tries 1 and 2 are scheduled again at their backoff; try 3 is the last."""
    sandbox.sandbox.faults.append(Fault(path=CREATE, method="POST", status=503, times=10))
    post = store.create_post("capped", [], None)
    delivery = store.add_delivery(post.id, alice)
    for attempt in (1, 2):
        await run(store, frozen_clock)
        again = current(store, delivery)
        assert (again.state, again.attempts) == (DeliveryState.SCHEDULED, attempt)
        assert again.next_attempt_at == frozen_clock() + timedelta(seconds=FAST.backoff(attempt))
        frozen_clock.advance(seconds=FAST.backoff(attempt))
    await run(store, frozen_clock)
    failed = current(store, delivery)
    assert (failed.state, failed.attempts, failed.retryable) == (DeliveryState.FAILED, 3, True)
    assert "Gave up after 3 attempts" in (failed.reason or "") and creates(sandbox) == 3
    frozen_clock.advance(hours=1)
    assert (await run(store, frozen_clock)).deliveries == ()  # no fourth try
    assert creates(sandbox) == 3 and statuses(sandbox) == []


# A sign-in's end, as the card shows it ----------------------------------------------------------

WARN_DAYS = 7  # "the card shows the days left and turns amber the last week" (the specs' notes)
WARNED = ["ayrshare", "facebook", "instagram", "linkedin", "threads", "tumblr"]


def test_the_networks_that_warn_are_the_documented_ones() -> None:
    from providers import catalog

    warned = {s.id: s.warn_before_expiry_days for s in catalog.all_networks() if s.warn_before_expiry_days}
    assert warned == dict.fromkeys(WARNED, WARN_DAYS)


# (time left before the sign-in ends, the card's state, whether it is amber)
EXPIRY_EDGES = [
    (timedelta(days=WARN_DAYS, seconds=1), "linked", False),
    (timedelta(days=WARN_DAYS), "linked", False),  # a full week left is not yet the last week
    (timedelta(days=WARN_DAYS, seconds=-1), "linked", True),
    (timedelta(seconds=1), "linked", True),
    (timedelta(0), "reconnect", False),  # it ends at that instant
    (timedelta(seconds=-1), "reconnect", False),
]


@pytest.mark.parametrize("network", WARNED)
@pytest.mark.parametrize(("left", "state", "amber"), EXPIRY_EDGES, ids=[str(e[0]) for e in EXPIRY_EDGES])
def test_the_card_turns_amber_in_the_last_week_and_asks_to_reconnect_at_the_end(
    network: str, left: timedelta, state: str, amber: bool, store: Store, fixed_now: datetime
) -> None:
    from providers import catalog, overview
    from providers.settings import Settings

    store.upsert_account(network, "42", "someone", expires_at=fixed_now + left)
    card = overview.card_for(catalog.get(network), Settings(), store.accounts(), fixed_now)
    assert (card.state, card.expiring_soon) == (state, amber)
