"""X's rules as linkdeck applies them: the authorize address the docs describe, each limit at its
boundary (at, one inside, one over), and X's error answers in words that name X, the rule and the
fix (402 credits with the catalog's price, 403 tier problems, 429 with the rate-limit headers).

The error bodies are X's documented shapes (problem JSON; XO ``Problem``): the 402 body was not
seen recorded (networks-2026.md §4a says so), so the status alone must be enough there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from PIL import Image

from providers import catalog, clock
from providers.captions import count
from providers.errors import PublishError
from providers.linking.session import LinkSession
from providers.linking.steps import ShowAddress
from providers.networks.x.link import XSignIn
from providers.networks.x.publish import XPublisher
from providers.networks.x.spec import PRICE_PER_POST, PRICE_PER_POST_WITH_URL, SUBSCRIBED_MAX_LENGTH
from providers.outbox.checks import inspect_all, problems
from providers.settings import NetworkSettings, Settings
from providers.store import Store
from providers.vault import Vault
from tests.link_driver import next_shown

SPEC = catalog.get("x")


# The authorize address -------------------------------------------------------------------------


async def test_authorize_address_is_x_with_s256_state_the_five_scopes_and_the_fixed_port(
    store: Store, vault: Vault
) -> None:
    settings = Settings(networks={"x": NetworkSettings(client_id="my-client")}, allow_plaintext_secrets=True)
    session = LinkSession(
        SPEC, XSignIn(SPEC, store, vault, settings), settings=settings, store=store, vault=vault
    )
    step = await next_shown(session)
    assert isinstance(step, ShowAddress) and step.request is not None
    url = urlsplit(step.request.url)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    await session.cancel()
    assert (url.scheme, url.netloc, url.path) == ("https", "x.com", "/i/oauth2/authorize")
    assert query["response_type"] == "code" and query["client_id"] == "my-client"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32
    assert query["scope"].split(" ") == [
        "tweet.read",
        "tweet.write",
        "users.read",
        "media.write",
        "offline.access",
    ]
    assert query["redirect_uri"] == "http://127.0.0.1:8080/callback"  # the port Help tells you to register
    assert "client_secret" not in query


# Limits ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "fits"), [("a" * 280, True), ("a" * 279, True), ("a" * 281, False)])
def test_280_weighted_at_inside_and_over(text: str, fits: bool) -> None:
    assert (not count(text, SPEC).problems) is fits


@pytest.mark.parametrize(("emoji", "fits"), [(140, True), (139, True), (141, False)])
def test_emoji_count_twice(emoji: int, fits: bool) -> None:
    assert (not count("😀" * emoji, SPEC).problems) is fits


def test_a_link_counts_23_whatever_its_length() -> None:
    link = "https://example.com/" + "a" * 200
    assert not count("a" * 256 + " " + link, SPEC).problems  # 256 + 1 + 23 = 280
    assert count("a" * 257 + " " + link, SPEC).problems


async def test_a_subscriber_may_post_longer(store: Store, vault: Vault) -> None:
    account = store.upsert_account("x", "1", handle="@alice")
    vault.set_token(account.vault_key, {"access_token": "a", "x_subscription_type": "Premium"})
    limits = await XPublisher(SPEC, httpx2.AsyncClient(), vault).limits(account)
    assert limits.caption.max_length == SUBSCRIBED_MAX_LENGTH
    assert not count("a" * SUBSCRIBED_MAX_LENGTH, limits).problems
    assert count("a" * (SUBSCRIBED_MAX_LENGTH + 1), limits).problems
    vault.set_token(account.vault_key, {"access_token": "a", "x_subscription_type": "None"})
    assert (await XPublisher(SPEC, httpx2.AsyncClient(), vault).limits(account)).caption.max_length == 280


def photos(tmp_path: Path, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        path = tmp_path / f"p{i}.jpg"
        Image.new("RGB", (640, 480), (i * 40, 90, 160)).save(path)
        paths.append(path)
    return paths


@pytest.mark.parametrize(("n", "fits"), [(4, True), (3, True), (5, False)])
def test_up_to_4_photos(tmp_path: Path, n: int, fits: bool) -> None:
    found = problems(SPEC, inspect_all([str(p) for p in photos(tmp_path, n)]), "caption")
    assert (not found) is fits


def post_of(store: Store, media: list[str], descriptions: list[str] | None = None) -> Any:
    account = store.upsert_account("x", "1", handle="@alice")
    post, [delivery] = store.create_post_with_deliveries(
        "hi", media, None, [account], descriptions=descriptions
    )
    return account, post, delivery


async def test_a_gif_goes_alone_and_is_refused_with_photos_before_sending(
    store: Store, tmp_path: Path
) -> None:
    gif = tmp_path / "a.gif"
    Image.new("P", (40, 40)).save(gif)
    account, post, delivery = post_of(store, [str(gif), str(photos(tmp_path, 1)[0])])
    async with httpx2.AsyncClient() as client:  # nothing may be sent: no server behind it
        with pytest.raises(PublishError, match="X takes a GIF only on its own") as error:
            await XPublisher(SPEC, client).publish(account, post, delivery, {"access_token": "a"})
    assert error.value.kind == "fix_media"


@pytest.mark.parametrize(("length", "fits"), [(1000, True), (999, True), (1001, False)])
async def test_alt_text_up_to_1000(store: Store, tmp_path: Path, length: int, fits: bool) -> None:
    account, post, delivery = post_of(store, [str(photos(tmp_path, 1)[0])], ["a" * length])
    async with httpx2.AsyncClient(base_url="http://127.0.0.1:9") as client:
        with pytest.raises(PublishError) as error:
            await XPublisher(SPEC, client).publish(account, post, delivery, {"access_token": "a"})
    # Within the limit the upload is tried (and cannot reach this closed port); over it, refused first.
    assert ("alt text must be at most 1,000" in error.value.message) is not fits


# Errors ----------------------------------------------------------------------------------------


def answer(
    status: int, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> httpx2.Response:
    content = json.dumps(body).encode() if body is not None else b""
    return httpx2.Response(
        status, content=content, headers={"Content-Type": "application/json", **(headers or {})}
    )


def refusal(response: httpx2.Response, caption: str = "hello") -> PublishError:
    publisher = XPublisher(SPEC, httpx2.AsyncClient())
    return publisher.refused(response, "X", "creating the post", committing=True, with_url="http" in caption)


@pytest.mark.parametrize(
    ("caption", "price"),
    [("hello", f"${PRICE_PER_POST}"), ("see https://e.com", f"${PRICE_PER_POST_WITH_URL:.2f}")],
)
def test_402_says_credits_ran_out_with_the_price(caption: str, price: str) -> None:
    body = {
        "title": "CreditsDepleted",
        "detail": "Your enrolled account does not have any credits to fulfill this request.",
        "type": "https://api.twitter.com/2/problems/credits",
    }
    for response in (answer(402, body), answer(402)):
        error = refusal(response, caption)
        assert error.kind == "refused" and error.status == 402
        assert "no API credits left" in error.message and price in error.message
        assert "2026-02-06" in error.message and "console.x.com" in error.message


def test_403_client_not_enrolled_explains_the_project_and_plan() -> None:
    body = {
        "client_id": "123",
        "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use keys and "
        "tokens "
        "from a Twitter developer App that is attached to a Project.",
        "title": "Client Forbidden",
        "reason": "client-not-enrolled",
        "type": "https://api.twitter.com/2/problems/client-forbidden",
    }
    error = refusal(answer(403, body))
    assert error.kind == "refused" and "client-not-enrolled" in error.message
    assert "attach the app to a Project" in error.message and "attached to a Project" in error.message


def test_403_duplicate_is_refused_in_xs_words() -> None:
    body = {
        "title": "Forbidden",
        "detail": "You are not allowed to create a Tweet with duplicate content.",
        "type": "about:blank",
        "status": 403,
    }
    error = refusal(answer(403, body))
    assert error.kind == "refused" and "duplicate content" in error.message and error.message.startswith("X ")


def test_400_invalid_request_gives_each_message() -> None:
    body = {
        "errors": [{"parameters": {"text": ["…"]}, "message": "Your Post text is too long"}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }
    error = refusal(answer(400, body))
    assert error.kind == "fix_media" and "Your Post text is too long" in error.message


def test_429_waits_for_the_reset_and_shows_what_is_left(frozen_clock: clock.FrozenClock) -> None:
    reset = int(frozen_clock().timestamp()) + 300
    headers = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)}
    body = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
    error = refusal(answer(429, body, headers))
    assert error.kind == "try_later" and error.retry_after == pytest.approx(300, abs=1)
    assert "0 of 100 left" in error.message and "12:05 UTC" in error.message


def test_usage_capped_is_tried_later() -> None:
    body = {
        "title": "UsageCapExceeded",
        "detail": "Usage cap exceeded: Monthly product cap",
        "type": "https://api.twitter.com/2/problems/usage-capped",
    }
    error = refusal(answer(429, body))
    assert error.kind == "try_later" and error.retry_after is not None


def test_401_asks_to_reconnect() -> None:
    error = refusal(
        answer(401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})
    )
    assert error.kind == "reconnect" and error.unauthorized


def test_the_demo_configures_the_sandboxs_native_app_client() -> None:
    from providers.networks.x.sandbox_oauth import DEMO_CLIENT_ID
    from tui.demo import demo_config

    assert f'[networks.x]\nclient_id = "{DEMO_CLIENT_ID}"' in demo_config()[0]
