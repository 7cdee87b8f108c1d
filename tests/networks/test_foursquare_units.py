"""Foursquare's pieces on their own and against the in-process sandbox: the authorize URL and token
exchange as the v2 client (mLewisLogic/foursquare 1!2020.1.30) has them, the legacy rule (what the
card, the catalog and ``link`` say with and without a legacy project's client id), the shout and
photo limits at their boundaries, v2 errors mapped to what the outbox does, and the sandbox's
v2 shapes (meta errors, version parameter, rate-limit headers).

No recorded Foursquare responses exist in shared/fixtures/recorded; the sandbox's shapes follow
the independent client's reading of them (``meta``/``response``, ``error_types``,
``X-RateLimit-*`` headers).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest

from providers import captions
from providers.auth.oauth2 import AuthorizationCodeFlow
from providers.auth.types import RedirectKind
from providers.errors import SetupError
from providers.linking.checks import check_linkable
from providers.media.judge import judge
from providers.media.probe import inspect
from providers.networks.foursquare.api import VERSION, params, venue_label
from providers.networks.foursquare.link import FoursquareSignIn
from providers.networks.foursquare.publish import ERROR_RULES, FoursquarePublisher, checkin_url
from providers.networks.foursquare.sandbox import API
from providers.networks.foursquare.sandbox_oauth import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from providers.networks.foursquare.spec import SPEC
from providers.overview import CardState, card_for
from providers.sandbox import Running
from providers.settings import NetworkSettings, Settings
from providers.spec import Availability
from providers.store import Store
from providers.vault import Vault
from tests import media_corpus
from tests.sandbox_browser import query
from tests.support.ports import free_port

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def settings(client_id: str | None = DEMO_CLIENT_ID, port: int | None = None) -> Settings:
    return Settings(
        networks={"foursquare": NetworkSettings(client_id=client_id, port=port)},
        allow_plaintext_secrets=True,
    )


# Legacy: said before any set-up, open with a legacy project's client id ---------------------------


def test_without_a_legacy_client_id_the_card_says_legacy_with_the_reason() -> None:
    card = card_for(SPEC, settings(client_id=None), [], NOW)
    assert SPEC.availability is Availability.LEGACY
    assert card.state is CardState.UNAVAILABLE and card.label == "legacy"
    assert "before 18 Nov 2021" in card.reason and "Places API" in card.reason
    assert "linkdeck config set foursquare client_id" in card.reason  # what opens it, given a project
    assert "linkdeck config set-secret foursquare" in card.reason
    assert "18 Nov 2021" in SPEC.summary  # the card's body says it too


def test_without_a_legacy_client_id_linking_refuses_before_anything_starts() -> None:
    with pytest.raises(SetupError) as refused:
        check_linkable("foursquare", settings(client_id=None))
    assert refused.value.message.startswith("Foursquare is legacy: Check-ins need Foursquare's legacy v2 API")


def test_with_a_legacy_projects_client_id_it_links_like_any_network() -> None:
    card = card_for(SPEC, settings(), [], NOW)
    assert card.state is CardState.NOT_LINKED and card.label == "not linked"
    check_linkable("foursquare", settings())  # no error


# The authorize URL and the token exchange ----------------------------------------------------------


async def test_the_authorize_url_is_foursquares_with_state_and_no_pkce_or_scope(
    store: Store, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKDECK_FOURSQUARE_CLIENT_SECRET", DEMO_CLIENT_SECRET)
    port = free_port()
    config = FoursquareSignIn(SPEC, store, vault, settings(port=port)).client_config()
    assert config.token_url == "https://foursquare.com/oauth2/access_token"
    assert (config.client_secret, config.token_auth_method) == (DEMO_CLIENT_SECRET, "client_secret_post")
    flow = AuthorizationCodeFlow(config, redirect=RedirectKind.LOOPBACK, port=port, path="/callback")
    request = await flow.start()
    await flow.cancel()
    parts = urlsplit(request.url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "foursquare.com", "/oauth2/authenticate")
    shown = query(request.url)
    assert shown["response_type"] == "code" and shown["client_id"] == DEMO_CLIENT_ID
    assert shown["redirect_uri"] == f"http://127.0.0.1:{port}/callback" and len(shown["state"]) >= 32
    assert "code_challenge" not in shown and "scope" not in shown  # v2 has neither
    assert SPEC.capabilities.fixed_port == 8080 and "http://127.0.0.1:8080/callback" in SPEC.setup_guide


def test_the_client_secret_is_required(store: Store, vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINKDECK_FOURSQUARE_CLIENT_SECRET", raising=False)
    with pytest.raises(SetupError) as missing:
        FoursquareSignIn(SPEC, store, vault, settings()).client_config()
    assert "client secret" in missing.value.message


def test_every_call_names_one_version_and_the_users_token() -> None:
    assert params({"access_token": "T"}, venueId="v1") == {"venueId": "v1", "v": VERSION, "oauth_token": "T"}
    assert len(VERSION) == 8 and VERSION.isdigit()


# The shout and the photo at their boundaries ---------------------------------------------------------


@pytest.mark.parametrize(("length", "fits"), [(139, True), (140, True), (141, False)])
def test_the_shout_is_at_most_140_characters(length: int, fits: bool) -> None:
    counted = captions.count("é" * length, SPEC)
    assert counted.ok is fits and counted.limit == 140
    if not fits:
        assert "Foursquare" in counted.message and "140" in counted.message


def test_one_jpeg_is_taken_and_a_png_is_refused_before_sending(tmp_path: Path) -> None:
    photo = media_corpus.jpeg(tmp_path / "cafe.jpg", (800, 600))
    assert judge(inspect(photo), SPEC).problems == ()
    png = media_corpus.png16_rgb(tmp_path / "cafe.png")
    problems = judge(inspect(png), SPEC).problems
    assert problems and "Foursquare" in problems[0].message
    assert (SPEC.media.max_images, SPEC.media.videos) == (1, False)


# v2 errors and what the outbox does with them ------------------------------------------------------


def answer(
    status: int, kind: str | None, detail: str = "", headers: dict[str, str] | None = None
) -> httpx2.Response:
    body: dict[str, Any] = {"meta": {"code": status}, "response": {}}
    if kind:
        body["meta"].update(errorType=kind, errorDetail=detail)
    request = httpx2.Request("POST", "https://api.foursquare.com/v2/checkins/add")
    return httpx2.Response(status, json=body, headers=headers, request=request)


@pytest.mark.parametrize(
    ("status", "kind", "outcome"),
    [
        (400, "param_error", "fix_media"),
        (401, "invalid_auth", "reconnect"),
        (403, "not_authorized", "refused"),
        (403, "rate_limit_exceeded", "try_later"),
        (500, "server_error", "try_later"),
        (410, "deprecated", "refused"),
    ],
)
def test_v2_error_types_become_what_the_outbox_does(status: int, kind: str, outcome: str) -> None:
    publisher = FoursquarePublisher(SPEC, httpx2.AsyncClient())
    error = publisher.refused(answer(status, kind, "Value x is invalid"), "Foursquare", "checking in")
    assert error.kind == outcome and kind in error.message and "Foursquare" in error.message
    assert "Value x is invalid" in error.message  # Foursquare's own words, from meta.errorDetail
    assert set(ERROR_RULES) >= {"invalid_auth", "param_error", "rate_limit_exceeded"}
    if kind == "invalid_auth":
        assert error.unauthorized
    if kind == "rate_limit_exceeded":
        assert error.retry_after == 3600.0


def test_the_link_is_the_short_url_else_the_swarm_page() -> None:
    assert checkin_url({"id": "c1", "checkinShortUrl": "https://www.swarmapp.com/c/ab"}, "u1") == (
        "https://www.swarmapp.com/c/ab"
    )
    assert checkin_url({"id": "c1"}, "u1") == "https://www.swarmapp.com/user/u1/checkin/c1"
    assert venue_label({"id": "v", "name": "Café", "location": {"address": "Rua 3", "city": "Lisbon"}}) == (
        "Café (Rua 3, Lisbon)"
    )


# The sandbox's v2 shapes -----------------------------------------------------------------------------


def token_for(sandbox: Running) -> str:
    emulator: Any = sandbox.sandbox.emulator(API)
    oauth = emulator.world.oauth
    issued = oauth.issue(oauth.apps[DEMO_CLIENT_ID], "109000000000000001", ["checkins"])
    return str(issued.token)


async def test_the_sandbox_answers_in_v2_shapes_with_rate_limit_headers(sandbox: Running) -> None:
    token = token_for(sandbox)
    base = f"{sandbox.url}/{API}/v2"
    async with httpx2.AsyncClient() as client:
        me = await client.get(f"{base}/users/self", params={"v": VERSION, "oauth_token": token})
        assert me.status_code == 200 and me.json()["meta"]["code"] == 200
        assert me.json()["response"]["user"]["firstName"] == "Alice"
        assert me.headers["X-RateLimit-Limit"] == "500" and me.headers["X-RateLimit-Remaining"] == "499"
        no_version = await client.get(f"{base}/users/self", params={"oauth_token": token})
        assert no_version.status_code == 400
        assert no_version.json()["meta"]["errorType"] == "param_error" and no_version.json()["response"] == {}
        no_token = await client.get(f"{base}/users/self", params={"v": VERSION})
        assert (no_token.status_code, no_token.json()["meta"]["errorType"]) == (401, "invalid_auth")
        nowhere = await client.get(
            f"{base}/venues/search",
            params={"v": VERSION, "oauth_token": token, "near": "Atlantis", "query": "x"},
        )
        assert (nowhere.status_code, nowhere.json()["meta"]["errorType"]) == (400, "failed_geocode")
        long = await client.post(
            f"{base}/checkins/add",
            data={
                "v": VERSION,
                "oauth_token": token,
                "venueId": "4b5d2f1ef964a520b95a29e3",
                "shout": "x" * 141,
            },
        )
        assert long.status_code == 400 and long.json()["meta"] == {
            "code": 400, "errorType": "param_error", "errorDetail": "shout must be 140 characters or less",
        }  # fmt: skip
        sandbox.sandbox.emulator(API).configure({"rate_limit": 4})  # four calls made so far
        spent = await client.get(f"{base}/users/self", params={"v": VERSION, "oauth_token": token})
        assert spent.status_code == 403 and spent.json()["meta"]["errorType"] == "rate_limit_exceeded"
        assert spent.headers["X-RateLimit-Remaining"] == "0"


async def test_the_sandbox_takes_only_a_jpeg_photo_for_the_users_own_checkin(
    sandbox: Running, tmp_path: Path
) -> None:
    token = token_for(sandbox)
    base = f"{sandbox.url}/{API}/v2"
    auth = {"v": VERSION, "oauth_token": token}
    async with httpx2.AsyncClient() as client:
        made = await client.post(f"{base}/checkins/add", data={**auth, "venueId": "4b5d2f1ef964a520b95a29e3"})
        checkin = made.json()["response"]["checkin"]["id"]
        png = media_corpus.png16_rgb(tmp_path / "p.png").read_bytes()
        refused = await client.post(
            f"{base}/photos/add",
            data={**auth, "checkinId": checkin},
            files={"photo": ("p", png, "image/png")},
        )
        assert refused.status_code == 400 and refused.json()["meta"]["errorType"] == "param_error"
        jpeg = media_corpus.jpeg(tmp_path / "p.jpg", (64, 64)).read_bytes()
        added = await client.post(
            f"{base}/photos/add",
            data={**auth, "checkinId": checkin},
            files={"photo": ("p", jpeg, "image/jpeg")},
        )
        assert added.status_code == 200 and added.json()["response"]["photo"]["checkin"]["id"] == checkin
    [record] = [r for r in sandbox.sandbox.requests if r["path"] == "/v2/checkins/add"]
    assert record["params"]["oauth_token"].startswith("sha256:")  # the request log hides the token
