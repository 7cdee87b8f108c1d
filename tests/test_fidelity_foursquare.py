"""The sandbox's Foursquare as the independent v2 client sees it: mLewisLogic/foursquare
(``foursquare==1!2020.1.30``, pinned exactly in pyproject.toml's dev extra; the last release, the
one client networks-2026.md §7 names), pointed at the sandbox through its module globals
``AUTH_ENDPOINT``, ``TOKEN_ENDPOINT`` and ``API_ENDPOINT`` (read at call time).

It does what a v2 app does: the authorize URL (no state, no PKCE), the consent page approved as
tests/sandbox_browser.py approves it, ``oauth.get_token(code)`` (a GET with the client secret),
``users()``, ``venues.search`` near a place, ``checkins.add`` with a shout, ``photos.add`` for the
check-in (multipart ``photo``), ``users.checkins`` read back; the rate-limit headers as the
client reads them; and the refusals as the client raises them from ``meta.errorType``
(``ParamError``, ``FailedGeocode``, ``InvalidAuth``). The client is synchronous (requests), so
each scenario runs in a thread while the sandbox serves on the test's event loop.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import foursquare
import pytest

from providers.networks.foursquare.sandbox_oauth import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from providers.sandbox import Running
from tests import media_corpus
from tests.sandbox_browser import approve, query

REDIRECT = "http://127.0.0.1:8080/callback"  # never listened on: the consent page's 302 is read


@pytest.fixture(autouse=True)
def pointed_at_the_sandbox(sandbox: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(foursquare, "AUTH_ENDPOINT", f"{sandbox.url}/foursquare.com/oauth2/authenticate")
    monkeypatch.setattr(foursquare, "TOKEN_ENDPOINT", f"{sandbox.url}/foursquare.com/oauth2/access_token")
    monkeypatch.setattr(foursquare, "API_ENDPOINT", f"{sandbox.url}/api.foursquare.com/v2")


def signed_in() -> foursquare.Foursquare:
    app = foursquare.Foursquare(
        client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET, redirect_uri=REDIRECT
    )
    url = app.oauth.auth_url()
    assert query(url)["response_type"] == "code"
    answer = approve(url, user="alice")
    assert answer.status_code == 302, answer.text[:300]
    token = app.oauth.get_token(query(answer.headers["location"])["code"])
    assert isinstance(token, str) and token
    return foursquare.Foursquare(access_token=token)


async def test_the_v2_client_signs_in_finds_a_venue_checks_in_with_a_photo_and_reads_it_back(
    sandbox: Running, tmp_path: Path
) -> None:
    photo = media_corpus.jpeg(tmp_path / "cafe.jpg", (640, 480)).read_bytes()

    def scenario() -> None:
        client = signed_in()
        me = client.users()["user"]
        assert (me["firstName"], me["lastName"]) == ("Alice", "Example")
        assert client.base_requester.rate_limit == "500" and client.base_requester.rate_remaining == "499"
        venues = client.venues.search(params={"near": "Lisbon", "query": "harbour"})["venues"]
        assert [v["name"] for v in venues] == ["Harbour Café", "Harbour Lighthouse"]
        made = client.checkins.add(
            params={"venueId": venues[0]["id"], "shout": "Fidelity", "broadcast": "public"}
        )
        checkin = made["checkin"]
        assert checkin["venue"]["id"] == venues[0]["id"] and checkin["shout"] == "Fidelity"
        added = client.photos.add(photo, params={"checkinId": checkin["id"]})
        assert added["photo"]["checkin"]["id"] == checkin["id"]
        items = client.users.checkins(params={"limit": 5, "sort": "newest"})["checkins"]["items"]
        assert items[0]["id"] == checkin["id"] and items[0]["photos"]["count"] == 1
        assert int(client.base_requester.rate_remaining) == 495  # five calls

    await asyncio.to_thread(scenario)
    posts = sandbox.sandbox.emulator("api.foursquare.com").published()
    assert [(p.user, p.text, p.media) for p in posts] == [("alice", "Fidelity", 1)]


async def test_the_v2_client_raises_what_the_sandbox_refuses(sandbox: Running) -> None:
    def scenario() -> None:
        client = signed_in()
        venue = client.venues.search(params={"near": "Porto", "query": "tide"})["venues"][0]["id"]
        with pytest.raises(foursquare.ParamError, match="shout must be 140 characters or less"):
            client.checkins.add(params={"venueId": venue, "shout": "x" * 141})
        with pytest.raises(foursquare.FailedGeocode, match="Atlantis"):
            client.venues.search(params={"near": "Atlantis", "query": "x"})
        with pytest.raises(foursquare.InvalidAuth):
            foursquare.Foursquare(access_token="not-a-token").users()

    await asyncio.to_thread(scenario)
