"""X through the outbox against the in-process sandbox, beyond the contract: the 2-hour token
refreshed once (single-flight) as a public client when two posts need it at the same time; a
video through initialize/append/finalize/STATUS; the sandbox's rate window, credits and tier
answers turned into what the user can do."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest

from providers import clock, linking
from providers.networks.x.publish import XPublisher
from providers.networks.x.sandbox_oauth import DEMO_CLIENT_ID
from providers.outbox.runner import run_due
from providers.outbox_config import OutboxConfig
from providers.sandbox import Running
from providers.settings import NetworkSettings, Settings
from providers.store import Account, DeliveryState, Store
from providers.vault import Vault
from tests import media_corpus
from tests.link_driver import next_shown
from tests.sandbox_browser import approve_async
from tests.support.ports import free_port


@pytest.fixture
def settings() -> Settings:
    return Settings(
        networks={"x": NetworkSettings(client_id=DEMO_CLIENT_ID, port=free_port())},
        allow_plaintext_secrets=True,
    )


@pytest.fixture
def x_sandbox(sandbox: Running, monkeypatch: pytest.MonkeyPatch) -> Iterator[Running]:
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("LINKDECK_X_CLIENT_ID", DEMO_CLIENT_ID)  # what the outbox refreshes with
    yield sandbox
    XPublisher.exhausted.clear()  # the per-process memory of spent rate windows


async def linked(settings: Settings, store: Store, vault: Vault) -> Account:
    session = await linking.begin_link("x", settings=settings, store=store, vault=vault)
    step = await next_shown(session)
    answer = await approve_async(step.request.url)  # type: ignore[attr-defined]
    step.paste(answer.headers["location"])  # type: ignore[attr-defined]
    account = (await session.finish()).account
    assert account is not None and account.handle == "@alice"
    return account


def requests(sandbox: Running, path: str) -> list[dict[str, Any]]:
    return [r for r in sandbox.sandbox.requests if r["path"] == path]


async def configure(sandbox: Running, **values: Any) -> None:
    async with httpx2.AsyncClient() as client:
        answer = await client.post(
            f"{sandbox.url}/__sandbox__/instance", json={"host": "api.x.com", **values}
        )
        assert answer.status_code == 200, answer.text


async def test_an_expired_token_is_refreshed_once_for_two_posts(
    x_sandbox: Running, settings: Settings, store: Store, vault: Vault, frozen_clock: clock.FrozenClock
) -> None:
    account = await linked(settings, store, vault)
    first = vault.get_token(account.vault_key)
    assert first is not None and first["refresh_token"] and first["expires_in"] == 7200
    assert first["x_subscription_type"] == "None"
    frozen_clock.advance(hours=2)  # the access token's two hours are over
    for caption in ("one", "two"):
        post = store.create_post(caption, [], None)
        store.add_delivery(post.id, account)
    await run_due(store, vault, clock=frozen_clock)
    assert [d.state for d in store.deliveries()] == [DeliveryState.SENT, DeliveryState.SENT]
    [refresh] = [
        r for r in requests(x_sandbox, "/2/oauth2/token") if r["params"]["grant_type"] == "refresh_token"
    ]
    assert refresh["authorization"] is None and refresh["params"]["client_id"] == DEMO_CLIENT_ID  # public
    assert "client_secret" not in refresh["params"]
    second = vault.get_token(account.vault_key)
    assert second is not None and second["access_token"] != first["access_token"]
    assert second["x_subscription_type"] == "None"  # kept across the refresh
    emulator = x_sandbox.sandbox.emulator("api.x.com")
    assert not emulator.accepts(first["refresh_token"]) and emulator.accepts(second["refresh_token"])


async def test_a_video_is_sent_in_chunks_and_posted_once_processed(
    x_sandbox: Running,
    settings: Settings,
    store: Store,
    vault: Vault,
    tmp_path: Path,
    frozen_clock: clock.FrozenClock,
) -> None:
    await configure(x_sandbox, processing_seconds=0)
    account = await linked(settings, store, vault)
    clip = media_corpus.video(tmp_path / "clip.mp4", seconds=1.0)
    post = store.create_post("Waves", [str(clip)], None, descriptions=["Waves on a beach"])
    delivery = store.add_delivery(post.id, account)
    await run_due(store, vault, clock=frozen_clock)
    sent = store.delivery(delivery.id)
    assert sent is not None and sent.state == DeliveryState.SENT, sent and sent.reason
    [start] = requests(x_sandbox, "/2/media/upload/initialize")
    assert (
        start["params"]["media_category"] == "tweet_video"
        and start["params"]["total_bytes"] == clip.stat().st_size
    )
    assert [p.media for p in x_sandbox.sandbox.emulator("api.x.com").published()] == [1]
    assert requests(x_sandbox, "/2/media/metadata")


async def test_a_spent_rate_window_waits_for_its_reset(
    x_sandbox: Running, settings: Settings, store: Store, vault: Vault, frozen_clock: clock.FrozenClock
) -> None:
    await configure(x_sandbox, posts_per_window=1)
    account = await linked(settings, store, vault)
    for caption in ("first", "second"):
        post = store.create_post(caption, [], None)
        store.add_delivery(post.id, account)
    # One at a time, so the order is known: the first post spends the window, and the second must
    # wait on what X's answer to the first said (x-rate-limit-remaining: 0), without asking X.
    await run_due(store, vault, clock=frozen_clock, config=OutboxConfig(concurrency=1))
    by_state = {d.state: d for d in store.deliveries()}
    sent, waiting = by_state[DeliveryState.SENT], by_state[DeliveryState.SCHEDULED]
    assert waiting.state == DeliveryState.SCHEDULED and waiting.next_attempt_at is not None
    assert waiting.next_attempt_at - frozen_clock() > timedelta(minutes=10)  # the 15-minute window
    assert "has no posts left in X's 15-minute window; linkdeck waits" in (waiting.reason or "")
    assert len([r for r in requests(x_sandbox, "/2/tweets") if r["method"] == "POST"]) == 1
    assert [p.text for p in x_sandbox.sandbox.emulator("api.x.com").published()] == [
        store.post(sent.post_id).caption
    ]  # type: ignore[union-attr]


async def test_no_credits_left_fails_with_the_price_and_where_to_add_credits(
    x_sandbox: Running, settings: Settings, store: Store, vault: Vault, frozen_clock: clock.FrozenClock
) -> None:
    await configure(x_sandbox, credits=0)
    account = await linked(settings, store, vault)
    post = store.create_post("Read https://example.com", [], None)
    delivery = store.add_delivery(post.id, account)
    await run_due(store, vault, clock=frozen_clock)
    failed = store.delivery(delivery.id)
    assert failed is not None and failed.state == DeliveryState.FAILED
    assert "HTTP 402" in (failed.reason or "") and "$0.20" in (failed.reason or "")


async def test_an_app_outside_a_project_is_told_how_to_fix_it(
    x_sandbox: Running, settings: Settings, store: Store, vault: Vault, frozen_clock: clock.FrozenClock
) -> None:
    account = await linked(settings, store, vault)
    await configure(x_sandbox, enrolled=False)
    post = store.create_post("hello", [], None)
    delivery = store.add_delivery(post.id, account)
    await run_due(store, vault, clock=frozen_clock)
    failed = store.delivery(delivery.id)
    assert failed is not None and failed.state == DeliveryState.FAILED
    assert "client-not-enrolled" in (failed.reason or "") and "Project" in (failed.reason or "")


async def test_the_sandbox_refuses_an_authorization_without_state_or_pkce(sandbox: Running) -> None:
    base = f"{sandbox.url}/x.com/i/oauth2/authorize"
    query = {
        "response_type": "code",
        "client_id": DEMO_CLIENT_ID,
        "redirect_uri": "http://127.0.0.1:8080/callback",
        "scope": "tweet.read users.read",
    }
    async with httpx2.AsyncClient() as client:
        no_state = await client.get(
            base, params={**query, "code_challenge": "a" * 43, "code_challenge_method": "S256"}
        )
        no_pkce = await client.get(base, params={**query, "state": "s" * 20})
    assert no_state.status_code == 400 and "state" in no_state.text
    assert no_pkce.status_code == 302 and "Code+challenge+is+required" in no_pkce.headers["location"]
