"""Foursquare linking and publishing through the real session and outbox against the in-process
sandbox: the venue found from a typed place and name (asked again when Foursquare finds none), a
check-in with a photo, and what happens when the photo fails after the check-in exists — it is
never made twice: a lost photo is added when the check-in is looked up, a refused one fails the
delivery saying the check-in is there without it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from providers import catalog, clock, linking
from providers.linking.steps import AskFields, ChooseTarget, Failed, Linked, ShowAddress
from providers.networks.foursquare.sandbox import API
from providers.outbox.runner import run_due
from providers.sandbox import Running
from providers.sandbox.server import Fault
from providers.store import DeliveryState, Store
from tests import media_corpus
from tests.sandbox_browser import approve_async
from tests.test_contract import Network, publish


@pytest.fixture
def foursquare(sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch) -> Network:
    return Network(catalog.get("foursquare"), sandbox, store, monkeypatch)


async def test_the_venue_is_asked_again_until_foursquare_finds_one(foursquare: Network) -> None:
    answers = iter(
        [
            {"near": "Atlantis", "query": "Harbour"},
            {"near": "Lisbon", "query": "Tide"},
            {"near": "Porto", "query": "tide"},
        ]
    )
    errors: list[str] = []
    session = await linking.begin_link(
        "foursquare", settings=foursquare.settings, store=foursquare.store, vault=foursquare.vault
    )
    async for step in session.steps():
        if isinstance(step, ShowAddress):
            assert step.request is not None
            step.paste((await approve_async(step.request.url)).headers["location"])
        elif isinstance(step, AskFields):
            if step.error:
                errors.append(step.error)
            step.answer(next(answers))
        elif isinstance(step, ChooseTarget):
            raise AssertionError("one venue found: nothing to choose")
        elif isinstance(step, Failed):
            raise AssertionError(step.error)
        elif isinstance(step, Linked):
            assert step.account is not None
            assert (step.account.target_kind, step.account.target_name) == (
                "location", "Tide Bakery (Rua das Flores 12, Porto)",
            )  # fmt: skip
            break
    assert "failed_geocode" in errors[0] and "Atlantis" in errors[0]
    assert errors[1] == "Foursquare found no venue named 'Tide' near 'Lisbon'; try other words."


async def test_a_lost_photo_is_added_when_the_checkin_is_looked_up_never_a_second_checkin(
    foursquare: Network, tmp_path: Path, frozen_clock: clock.FrozenClock
) -> None:
    photo = media_corpus.jpeg(tmp_path / "cafe.jpg", (800, 600))
    foursquare.sandbox.sandbox.faults.append(Fault("/v2/photos/add", status=504))
    first, _ = await publish(foursquare, "Coffee by the water", [str(photo)], frozen_clock)
    assert first is not None and first.state == DeliveryState.UNKNOWN
    assert "looks it up" in (first.reason or "")
    assert [(p.text, p.media) for p in foursquare.emulator.published()] == [("Coffee by the water", 0)]
    frozen_clock.advance(minutes=5)
    await run_due(foursquare.store, foursquare.vault, clock=frozen_clock)
    again = foursquare.store.delivery(first.id)
    assert again is not None and again.state == DeliveryState.SENT
    assert again.url and again.url.startswith("https://www.swarmapp.com/c/")
    assert [(p.text, p.media) for p in foursquare.emulator.published()] == [("Coffee by the water", 1)]


async def test_a_refused_photo_fails_the_delivery_and_says_the_checkin_is_there(
    foursquare: Network, tmp_path: Path, frozen_clock: clock.FrozenClock
) -> None:
    photo = media_corpus.jpeg(tmp_path / "cafe.jpg", (800, 600))
    body = {
        "meta": {"code": 400, "errorType": "param_error", "errorDetail": "Photo is too large"},
        "response": {},
    }
    foursquare.sandbox.sandbox.faults.append(Fault("/v2/photos/add", status=400, body=body))
    sent, _ = await publish(foursquare, "Too big a view", [str(photo)], frozen_clock)
    assert sent is not None and sent.state == DeliveryState.FAILED
    reason = sent.reason or ""
    assert "param_error: Photo is too large" in reason and "without its photo" in reason
    assert "https://www.swarmapp.com/c/" in reason
    assert len(foursquare.emulator.published()) == 1


async def test_a_checkin_goes_to_the_chosen_venue_with_the_shout_and_one_photo(
    foursquare: Network, tmp_path: Path, frozen_clock: clock.FrozenClock
) -> None:
    photo = media_corpus.jpeg(tmp_path / "cafe.jpg", (800, 600))
    sent, account = await publish(foursquare, "Low tide", [str(photo)], frozen_clock)
    assert sent is not None and sent.state == DeliveryState.SENT, sent.reason
    assert account.target_name == "Harbour Café (Rua do Cais 3, Lisbon)"  # the first of two found
    [checkin] = [r for r in foursquare.sandbox.sandbox.requests if r["path"] == "/v2/checkins/add"]
    assert checkin["params"]["venueId"] == account.target_id and checkin["params"]["shout"] == "Low tide"
    assert checkin["params"]["broadcast"] == "public" and "oauth_token" not in checkin["query_keys"]
    [added] = [r for r in foursquare.sandbox.sandbox.requests if r["path"] == "/v2/photos/add"]
    assert (
        added["content_type"] == "multipart/form-data" and added["params"]["checkinId"] == sent.remote_post_id
    )
    assert foursquare.emulator.host == API


async def test_a_spent_hour_of_calls_waits_an_hour_and_checks_in_nothing(
    foursquare: Network, frozen_clock: clock.FrozenClock
) -> None:
    from datetime import timedelta

    account = (await foursquare.link()).account
    assert account is not None
    foursquare.emulator.configure({"rate_limit": 0})  # every call now answers rate_limit_exceeded
    post = foursquare.store.create_post("Later", [], None)
    delivery = foursquare.store.add_delivery(post.id, account)
    await run_due(foursquare.store, foursquare.vault, clock=frozen_clock)
    later = foursquare.store.delivery(delivery.id)
    assert later is not None and later.state == DeliveryState.SCHEDULED
    assert "rate_limit_exceeded" in (later.reason or "")
    assert later.next_attempt_at == frozen_clock() + timedelta(hours=1)
    assert foursquare.emulator.published() == []
