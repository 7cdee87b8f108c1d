"""The delivery state machine on a real SQLite file: every legal move, every illegal one, claims,
holds and releases, the Posts-screen actions, the queue listing, settings and times."""

from __future__ import annotations

import itertools
import json
import socket
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from providers import clock
from providers.errors import SetupError, UsageError
from providers.outbox import actions
from providers.outbox.owner import claim_is_live, runner_id
from providers.outbox.queue import entries
from providers.outbox.timing import parse_at
from providers.outbox_config import OutboxConfig
from providers.outbox_config import load as load_config
from providers.store import Account, Delivery, DeliveryState, Store
from providers.store import db as store_db
from providers.store.transitions import TRANSITIONS, IllegalTransition
from tests.support.processes import ended_pid

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
FUTURE = NOW + timedelta(days=1)
PAST = NOW - timedelta(hours=1)


# Every test with a store runs on SQLite and on PostgreSQL (conftest's store_engine).
pytestmark = pytest.mark.both_engines


@pytest.fixture
def store(store_sending_past_due: Store) -> Store:
    """This module's store sends past-due posts when they are released (conftest's
    ``store_sending_past_due``)."""
    return store_sending_past_due


def _account(store: Store, remote_id: str = "1", **kw: Any) -> Account:
    instance = kw.pop("instance", "https://mastodon.example")
    return store.upsert_account(
        "mastodon", remote_id, handle=f"@u{remote_id}@mastodon.example", instance=instance, **kw
    )


def _delivery(store: Store, account: Account, when: datetime | None = None) -> Delivery:
    post = store.create_post("hello", [], when)
    return store.add_delivery(post.id, account)


FIELDS: dict[str, dict[str, Any]] = {
    "sent": {"remote_post_id": "9", "url": "https://mastodon.example/@u/9"},
    "failed": {"reason": "Mastodon refused it: too long", "retryable": False},
    "held": {"reason": "needs reconnecting", "hold_kind": "reconnect"},
    "unknown": {"reason": "the process stopped"},
    "scheduled": {"next_attempt_at": FUTURE},
    "due": {},
    "sending": {"owner": "runner-a", "lease_until": FUTURE},
}


def _in_state(store: Store, account: Account, state: str) -> Delivery:
    delivery = _delivery(store, account)
    return store.set_delivery_state(delivery.id, state, "set up by the test")


LEGAL = [(a, b) for a, targets in TRANSITIONS.items() for b in sorted(targets)]
ILLEGAL = [(a, b) for a, b in itertools.product(DeliveryState, DeliveryState) if b not in TRANSITIONS[a]]


@pytest.mark.parametrize(("current", "wanted"), LEGAL)
def test_every_legal_transition_is_recorded(store: Store, current: str, wanted: str) -> None:
    delivery = _in_state(store, _account(store), current)
    moved = store.transition(delivery.id, wanted, now=NOW, **FIELDS[wanted])
    assert moved.state == wanted == store.delivery(delivery.id).state  # type: ignore[union-attr]
    assert moved.updated_at == NOW
    if wanted == "sent":
        assert (moved.remote_post_id, moved.url, moved.sent_at) == ("9", "https://mastodon.example/@u/9", NOW)
    if wanted == "failed":
        assert moved.retryable is False and "too long" in moved.reason
    if wanted == "held":
        assert moved.hold_kind == "reconnect"
    else:
        assert moved.hold_kind is None
    if wanted == "scheduled":
        assert moved.next_attempt_at == FUTURE
    if wanted == "sending":
        assert (moved.lease_owner, moved.lease_until, moved.attempts) == ("runner-a", FUTURE, 1)
    assert moved.idempotency_key == delivery.idempotency_key  # fixed for the delivery's life


@pytest.mark.parametrize(("current", "wanted"), ILLEGAL)
def test_every_illegal_transition_raises_and_changes_nothing(store: Store, current: str, wanted: str) -> None:
    delivery = _in_state(store, _account(store), current)
    with pytest.raises(IllegalTransition, match=f"is {current}; it cannot become {wanted}"):
        store.transition(delivery.id, wanted, now=NOW, **FIELDS[wanted])
    assert store.delivery(delivery.id) == delivery


def test_sent_is_final_and_the_machine_covers_every_state() -> None:
    assert TRANSITIONS["sent"] == frozenset()
    assert set(TRANSITIONS) == set(DeliveryState)
    assert len(LEGAL) + len(ILLEGAL) == len(DeliveryState) ** 2


def test_required_fields_are_checked(store: Store) -> None:
    account = _account(store)
    cases = [
        ("failed", {"reason": "x"}, "whether retrying can help"),
        ("held", {"reason": "x", "hold_kind": "lost"}, "a reason and a kind"),
        ("sent", {}, "post id or URL"),
        ("unknown", {}, "what to check"),
        ("sending", {}, "an owner and a lease"),
    ]
    for wanted, fields, message in cases:
        source = {"failed": "due", "held": "due", "sent": "sending", "unknown": "sending", "sending": "due"}[
            wanted
        ]
        delivery = _in_state(store, account, source)
        with pytest.raises(ValueError, match=message):
            store.transition(delivery.id, wanted, **fields)
        assert store.delivery(delivery.id) == delivery
    with pytest.raises(KeyError):
        store.transition(99999, "due")


# Claims ---------------------------------------------------------------------------------------


def test_a_due_delivery_is_claimed_once_and_only_its_owner_ends_the_claim(store: Store) -> None:
    account = _account(store)
    delivery = _delivery(store, account)
    assert delivery.state == "due"
    [claimed] = store.claim_due("runner-a", lease_seconds=60, limit=10, now=NOW)
    assert (claimed.id, claimed.state, claimed.lease_owner, claimed.attempts) == (
        delivery.id,
        "sending",
        "runner-a",
        1,
    )
    assert claimed.lease_until == NOW + timedelta(seconds=60)
    assert store.claim_due("runner-b", lease_seconds=60, limit=10, now=NOW) == []
    with pytest.raises(IllegalTransition, match="claimed by runner-a, not runner-b"):
        store.transition(delivery.id, "sent", owner="runner-b", remote_post_id="1")
    done = store.transition(delivery.id, "sent", owner="runner-a", remote_post_id="1")
    assert done.state == "sent" and done.lease_owner == "runner-a" and done.lease_until is None


def test_scheduled_deliveries_are_claimed_when_due_and_retries_wait_for_their_time(store: Store) -> None:
    account = _account(store)
    later = _delivery(store, account, FUTURE)
    assert store.claim_due("r", lease_seconds=60, limit=10, now=NOW) == []
    assert store.next_due_at(now=NOW) == FUTURE
    [claimed] = store.claim_due("r", lease_seconds=60, limit=10, now=FUTURE)
    assert claimed.id == later.id
    retry_at = FUTURE + timedelta(seconds=30)
    store.transition(later.id, "scheduled", owner="r", next_attempt_at=retry_at, reason="429", now=FUTURE)
    assert store.next_due_at(now=FUTURE) == retry_at
    assert store.claim_due("r", lease_seconds=60, limit=10, now=retry_at - timedelta(seconds=1)) == []
    assert [d.id for d in store.claim_due("r", lease_seconds=60, limit=10, now=retry_at)] == [later.id]


def test_claims_by_two_connections_in_threads_never_overlap(store_engine: str) -> None:
    with Store.open() as setup:
        account = _account(setup)
        setup.create_post_with_deliveries("x", [], None, [account])
        for _ in range(199):
            setup.create_post_with_deliveries("x", [], None, [account])
    got: dict[str, list[int]] = {"a": [], "b": []}

    def work(name: str) -> None:
        with Store.open() as store:
            while batch := store.claim_due(name, lease_seconds=60, limit=3):
                got[name] += [d.id for d in batch]

    threads = [threading.Thread(target=work, args=(n,)) for n in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got["a"]) + len(got["b"]) == 200
    assert set(got["a"]).isdisjoint(got["b"])


def test_due_deliveries_of_gone_or_reconnecting_accounts_are_held_not_claimed(store: Store) -> None:
    gone = _account(store, "1")
    later = _account(store, "2")
    d_gone = _delivery(store, gone)
    store.set_delivery_state(d_gone.id, "due")
    store._conn.execute("DELETE FROM accounts WHERE id = ?", (gone.id,))  # removed behind our back
    store.set_state(later.id, "reconnect", "token revoked")
    d_later = _delivery(store, later, PAST)  # scheduled to an account that already needs reconnecting
    assert store.claim_due("r", lease_seconds=60, limit=10, now=NOW) == []
    held = {d.id: d for d in store.deliveries(["held"])}
    assert held[d_gone.id].hold_kind == "unlinked" and "not linked" in held[d_gone.id].reason
    assert held[d_later.id].hold_kind == "reconnect" and "token revoked" in held[d_later.id].reason


def test_a_gone_target_holds_the_delivery(store: Store) -> None:
    account = store.upsert_account("mastodon", "5", handle="@p", instance="https://m.example")
    store.set_targets(account.id, [("page", "p1", "Page one"), ("page", "p2", "Page two")])
    account = store.set_target(account.id, "page", "p1", "Page one")
    delivery = _delivery(store, account)
    store.set_targets(account.id, [("page", "p2", "Page two")])  # p1 no longer offered
    assert store.claim_due("r", lease_seconds=60, limit=10) == []
    moved = store.delivery(delivery.id)
    assert moved is not None and (moved.state, moved.hold_kind) == ("held", "target_gone")


# Hold and release -------------------------------------------------------------------------------


def test_reconnect_holds_queued_deliveries_and_relinking_releases_them(store: Store) -> None:
    account = _account(store)
    queued = _delivery(store, account, FUTURE)
    sending = store.set_delivery_state(_delivery(store, account).id, "sending")
    store.set_state(account.id, "reconnect", "refresh failed")
    held = store.delivery(queued.id)
    assert held is not None and (held.state, held.hold_kind) == ("held", "reconnect")
    assert "refresh failed" in held.reason
    assert store.delivery(sending.id) == sending  # in flight: never held
    store.set_state(account.id, "linked")
    assert store.delivery(queued.id).state == "scheduled"  # type: ignore[union-attr]
    store.set_state(account.id, "reconnect", "again")
    _account(store)  # relinking (upsert) releases too
    assert store.delivery(queued.id).state == "scheduled"  # type: ignore[union-attr]


def test_release_past_due_ask_keeps_missed_posts_held_until_confirmed(
    linkdeck_home: Path, store_engine: str, frozen_clock: clock.FrozenClock
) -> None:
    config = linkdeck_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[outbox]\nrelease_past_due = "ask"\n')
    with Store.open() as store:
        account = _account(store)
        missed = _delivery(store, account, frozen_clock.at + timedelta(seconds=1))
        upcoming = _delivery(store, account, frozen_clock.at + timedelta(days=2))
        post_now = _delivery(store, account)
        assert store.remove_account(account.id) == 3
        frozen_clock.advance(hours=1)  # relinked an hour later: the first post's time has passed
        relinked = _account(store)
        states = {d.id: d for d in store.deliveries()}
        assert (states[missed.id].state, states[missed.id].hold_kind) == ("held", "ask")
        assert (states[post_now.id].state, states[post_now.id].hold_kind) == ("held", "ask")
        assert "confirm it on the Posts screen" in states[missed.id].reason
        assert states[upcoming.id].state == "scheduled"
        assert states[missed.id].account_id == relinked.id
        assert {d.id for d in actions.held_to_confirm(store)} == {missed.id, post_now.id}
        assert actions.confirm_past_due(store, missed.id).state == "due"
        with pytest.raises(IllegalTransition, match="only posts held to ask"):
            actions.confirm_past_due(store, upcoming.id)
        # "send" (the default) releases everything, past due or not.
        assert store.release_deliveries_for(relinked, past_due="send") == 1
        assert store.delivery(post_now.id).state == "due"  # type: ignore[union-attr]


# What a person does on Posts ----------------------------------------------------------------------


def test_retry_cancel_reschedule_and_mark_sent(store: Store, frozen_clock: clock.FrozenClock) -> None:
    account = _account(store)
    failed = store.transition(
        _in_state(store, account, "due").id, "failed", reason="x", retryable=True, now=NOW
    )
    store._conn.execute("UPDATE deliveries SET attempts = 5 WHERE id = ?", (failed.id,))
    retried = actions.retry(store, failed.id)
    assert (retried.state, retried.attempts, retried.reason) == ("due", 0, "retried by you")
    with pytest.raises(IllegalTransition):
        actions.retry(store, retried.id)  # due is not failed/unknown

    cancelled = actions.cancel(store, retried.id)
    assert (cancelled.state, cancelled.reason, cancelled.retryable) == ("failed", "cancelled by you", True)
    assert actions.cancel(store, cancelled.id) == cancelled
    for state in ("sending", "sent"):
        with pytest.raises(IllegalTransition):
            actions.cancel(store, _in_state(store, account, state).id)

    scheduled = _delivery(store, account, FUTURE)
    with pytest.raises(UsageError, match="in the past"):
        actions.reschedule(store, scheduled.post_id, frozen_clock.at - timedelta(minutes=1))
    with pytest.raises(UsageError, match="offset"):
        actions.reschedule(store, scheduled.post_id, datetime(2999, 1, 1))
    later = frozen_clock.at + timedelta(days=3)
    [moved] = actions.reschedule(store, scheduled.post_id, later)
    assert moved.state == "scheduled" and store.post(scheduled.post_id).scheduled_at == later  # type: ignore[union-attr]

    unknown = _in_state(store, account, "unknown")
    sent = actions.mark_sent(store, unknown.id, " https://mastodon.example/@u/1 ")
    assert (sent.state, sent.url) == ("sent", "https://mastodon.example/@u/1")


def test_move_held_gives_the_post_to_another_account(store: Store) -> None:
    old = _account(store, "1")
    new = _account(store, "2")
    delivery = _delivery(store, old, FUTURE)
    store.remove_account(old.id)
    moved = actions.move_held(store, delivery.id, new.id)
    assert (moved.state, moved.remote_id, moved.account_id) == ("scheduled", "2", new.id)
    assert moved.idempotency_key != delivery.idempotency_key and moved.attempts == 0
    with pytest.raises(IllegalTransition, match="only held"):
        actions.move_held(store, moved.id, new.id)
    twin = store.add_delivery(delivery.post_id, new)
    store.transition(twin.id, "held", reason="x", hold_kind="unlinked")
    with pytest.raises(ValueError, match="already goes to"):
        actions.move_held(store, twin.id, new.id)
    with pytest.raises(KeyError):
        actions.move_held(store, twin.id, 999)


# The queue, migrations, settings, times -----------------------------------------------------------


def test_queue_entries_spell_every_state_and_list_queued_first(store: Store) -> None:
    account = _account(store)
    made = {state: _in_state(store, account, state) for state in DeliveryState}
    listed = entries(store)
    assert [e.state for e in listed] == ["scheduled", "held", "due", "sending", "unknown", "failed", "sent"]
    as_json = {e.delivery.id: e.to_json() for e in listed}
    for state, delivery in made.items():
        assert as_json[delivery.id]["state"] == state
        assert as_json[delivery.id]["account"] == "@u1@mastodon.example"
    # What `linkdeck queue --json` prints: each state and count spelled as the database stores it.
    document = {"deliveries": [e.to_json() for e in listed], "counts": store.counts_by_state()}
    printed = json.loads(json.dumps(document))
    spelled = ["scheduled", "held", "due", "sending", "unknown", "failed", "sent"]
    assert [d["state"] for d in printed["deliveries"]] == spelled
    assert printed["counts"] == dict.fromkeys(spelled, 1)
    assert [e.state for e in entries(store, ["held"])] == ["held"]


def test_a_version_2_database_is_migrated_keeping_held_deliveries(linkdeck_home: Path) -> None:
    path = linkdeck_home / "old.sqlite3"
    raw = sqlite3.connect(path, isolation_level=None)
    store_db.migrate(raw, store_db.MIGRATIONS[:2])
    now = NOW.isoformat()
    raw.execute("INSERT INTO posts (caption, created_at, updated_at) VALUES ('old', ?, ?)", (now, now))
    raw.execute(
        "INSERT INTO deliveries (post_id, network, remote_id, state, idempotency_key, created_at, "
        "updated_at) VALUES (1, 'mastodon', '7', 'held', 'k', ?, ?)",
        (now, now),
    )
    raw.close()
    with Store.open(path) as store:
        assert store.schema_version() == len(store_db.MIGRATIONS)
        [held] = store.deliveries()
        assert (held.state, held.hold_kind, held.check_needed, held.committed_at) == (
            "held",
            "unlinked",
            False,
            None,
        )
        assert store.post(1).visibility == "public"  # type: ignore[union-attr]


def test_outbox_settings_are_read_and_checked(linkdeck_home: Path) -> None:
    assert load_config() == OutboxConfig()
    config = linkdeck_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[outbox]\nmax_attempts = 3\nbackoff_seconds = 10\nbackoff_max_seconds = 25\n")
    loaded = load_config()
    assert loaded.max_attempts == 3 and [loaded.backoff(n) for n in (1, 2, 3)] == [10.0, 20.0, 25.0]
    for text, message in (
        ('release_past_due = "later"', '"send" or "ask"'),
        ("max_attempts = 0", "whole number"),
        ("lease_seconds = 1", "at least 10"),
    ):
        config.write_text(f"[outbox]\n{text}\n")
        with pytest.raises(SetupError, match=message):
            load_config()
    config.write_text("[outbox]\ncolour = 1\n")  # unknown keys: a warning in doctor, not a refusal
    assert load_config() == OutboxConfig()


def test_at_needs_an_offset_and_a_future_time() -> None:
    assert parse_at("2026-12-01T09:00+01:00", now=NOW) == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert parse_at("2026-12-01T09:00Z", now=NOW).tzinfo == UTC
    with pytest.raises(UsageError, match="no UTC offset"):
        parse_at("2026-12-01T09:00", now=NOW)
    with pytest.raises(UsageError, match="in the past"):
        parse_at("2026-11-25T11:00+00:00", now=NOW)
    with pytest.raises(UsageError, match="not a time"):
        parse_at("tomorrow at nine", now=NOW)


def test_a_claim_is_live_only_while_its_process_runs() -> None:
    host = socket.gethostname()
    assert claim_is_live(runner_id(), None, NOW)
    pid = ended_pid()
    assert not claim_is_live(f"{host}:{pid}:12345", NOW + timedelta(hours=1), NOW)  # dead: lease ignored
    assert claim_is_live("elsewhere:1:1", NOW + timedelta(seconds=5), NOW)  # another host: the lease decides
    assert not claim_is_live("elsewhere:1:1", NOW - timedelta(seconds=5), NOW)
    assert not claim_is_live(None, None, NOW)
