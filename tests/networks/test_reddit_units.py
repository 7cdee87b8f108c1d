"""Reddit's pieces on their own and against the in-process sandbox: the authorize URL as the docs
describe it, the installed app's client authentication, title and link rules at their
boundaries, refusals inside HTTP 200 answers mapped to what the outbox does, the typed-subreddit
fallback, an upload over the bucket's limit.

No recorded Reddit responses exist in shared/fixtures/recorded (none were available), so answers
come from the sandbox, which tests/test_fidelity_reddit.py checks against PRAW.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest

from providers import clock, linking
from providers.auth.oauth2 import AuthorizationCodeFlow
from providers.auth.types import RedirectKind
from providers.linking.steps import AskFields, ChooseTarget, Failed, Linked, ShowAddress
from providers.networks.reddit.api import split_target, submit_errors, target_id, user_agent
from providers.networks.reddit.link import RedditSignIn, subreddit_name
from providers.networks.reddit.publish import ERROR_RULES, RedditPublisher, post_kind
from providers.networks.reddit.sandbox_oauth import DEMO_CLIENT_ID
from providers.networks.reddit.spec import SPEC
from providers.outbox.runner import run_due
from providers.publishing.titles import ELLIPSIS
from providers.sandbox import Running
from providers.settings import NetworkSettings, Settings
from providers.store import Account, DeliveryState, Store
from providers.vault import Vault
from tests import media_corpus
from tests.sandbox_browser import approve_async, query
from tests.support.ports import free_port

# The authorize URL ------------------------------------------------------------------------------


def settings(port: int | None = None) -> Settings:
    return Settings(
        networks={"reddit": NetworkSettings(client_id=DEMO_CLIENT_ID, port=port)},
        allow_plaintext_secrets=True,
    )


async def test_the_authorize_url_is_reddits_with_scopes_state_and_a_permanent_duration(
    store: Store, vault: Vault
) -> None:
    port = free_port()
    sign_in = RedditSignIn(SPEC, store, vault, settings(port))
    config = sign_in.client_config()
    flow = AuthorizationCodeFlow(config, redirect=RedirectKind.LOOPBACK, port=port, path="/callback")
    request = await flow.start()
    await flow.cancel()
    parts = urlsplit(request.url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.reddit.com", "/api/v1/authorize")
    shown = query(request.url)
    assert shown["scope"] == "identity submit mysubreddits flair read history"  # space separated
    assert shown["duration"] == "permanent" and shown["response_type"] == "code"
    assert shown["client_id"] == DEMO_CLIENT_ID and len(shown["state"]) >= 32
    assert shown["redirect_uri"] == f"http://127.0.0.1:{port}/callback"
    assert "code_challenge" not in shown  # Reddit has no PKCE
    assert SPEC.capabilities.fixed_port == 8080 and "http://127.0.0.1:8080/callback" in SPEC.setup_guide


def test_the_installed_app_authenticates_with_basic_and_an_empty_secret(store: Store, vault: Vault) -> None:
    config = RedditSignIn(SPEC, store, vault, settings()).client_config()
    assert (config.token_auth_method, config.client_secret) == ("client_secret_basic", "")
    assert config.token_url == "https://www.reddit.com/api/v1/access_token"
    assert config.revoke_url == "https://www.reddit.com/api/v1/revoke_token"
    assert config.user_agent is not None and config.user_agent.startswith(
        f"python:linkdeck.{DEMO_CLIENT_ID}:"
    )
    assert user_agent("abc", "alice").endswith(" (by /u/alice)")


def test_the_setup_guide_explains_reddits_approval_before_anything_else() -> None:
    guide = SPEC.setup_guide
    assert guide.index("approve") < guide.index("prefs/apps") and "November 2025" in guide
    assert any("approve" in note for note in SPEC.notes)


# Titles, kinds, targets ----------------------------------------------------------------------------


@pytest.mark.parametrize("length", [299, 300])
def test_a_first_line_up_to_300_characters_is_the_whole_title(length: int) -> None:
    first = "a" * length
    assert post_kind(f"{first}\nthe body") == ("self", first, "the body", None)


def test_a_first_line_of_301_characters_is_cut_and_kept_whole_in_the_body() -> None:
    first = ("word " * 61)[:301]
    kind, title, body, _ = post_kind(f"{first}\nmore")
    assert kind == "self" and len(title) <= 300 and title.endswith(ELLIPSIS)
    assert body.startswith(first.strip()) and body.endswith("more")


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("Worth reading\nhttps://example.com/a", ("link", "Worth reading", "", "https://example.com/a")),
        ("https://example.com/a", ("link", "https://example.com/a", "", "https://example.com/a")),
        ("Read https://example.com/a today", ("self", "Read https://example.com/a today", "", None)),
        (
            "Two\nhttps://a.example/ and https://b.example/",
            ("self", "Two", "https://a.example/ and https://b.example/", None),
        ),
    ],
)
def test_one_address_alone_makes_a_link_post(caption: str, expected: tuple[Any, ...]) -> None:
    assert post_kind(caption) == expected


def test_a_flair_rides_in_the_target_id() -> None:
    assert split_target(target_id("pics", "abc-123")) == ("pics", "abc-123")
    assert split_target(target_id("pics")) == ("pics", None)
    typed = ("r/Pics", "/r/pics/", "https://www.reddit.com/r/pics", "no way", "x")
    assert [subreddit_name(t) for t in typed] == ["Pics", "pics", "pics", "", ""]


# Refusals inside HTTP 200 -------------------------------------------------------------------------


def answer(body: Any, status: int = 200) -> httpx2.Response:
    return httpx2.Response(
        status, json=body, request=httpx2.Request("POST", "https://oauth.reddit.com/api/submit")
    )


def refusal(code: str, message: str, **extra: Any) -> Any:
    body = {"json": {"errors": [[code, message, "x"]], **extra}}
    publisher = RedditPublisher(SPEC, httpx2.AsyncClient())
    return publisher.submit_refusal(answer(body), body, submit_errors(body))


def test_refusals_in_a_200_become_what_the_outbox_does() -> None:
    later = refusal("RATELIMIT", "Take a break for 5 minutes", ratelimit=312.5)
    assert later.kind == "try_later" and later.retry_after == 312.5
    assert refusal("RATELIMIT", "doing that a lot").retry_after == ERROR_RULES["RATELIMIT"].wait
    flair = refusal("SUBMIT_VALIDATION_FLAIR_REQUIRED", "Your post must contain post flair.")
    assert flair.kind == "refused" and "flair" in flair.message and "Reddit" in flair.message
    assert refusal("TOO_LONG", "this is too long (max: 300)").kind == "fix_media"
    assert refusal("USER_REQUIRED", "Please log in to do that.").kind == "reconnect"
    odd = refusal("SOMETHING_NEW", "a rule linkdeck does not know")
    assert odd.kind == "refused" and "SOMETHING_NEW: a rule linkdeck does not know" in odd.message


def test_an_error_code_is_read_from_json_errors_never_from_the_text() -> None:
    publisher = RedditPublisher(SPEC, httpx2.AsyncClient())
    assert publisher.error_code(answer({"json": {"errors": [["NO_SELFS", "no", "sr"]]}}, 400)) == "NO_SELFS"
    assert publisher.error_code(answer({"message": "Forbidden RATELIMIT", "error": 403}, 403)) is None


# Against the sandbox ---------------------------------------------------------------------------------


async def link(sandbox: Running, store: Store, vault: Vault, user: str, **answers: Any) -> Linked | Failed:
    """Link ``user``; typed fields from ``answers["typed"]`` (a list, one per ask), the target whose
    name is ``answers["choose"]``."""
    session = await linking.begin_link("reddit", settings=vault.settings, store=store, vault=vault)
    typed: list[str] = list(answers.get("typed", []))
    async for step in session.steps():
        if isinstance(step, ShowAddress):
            assert step.request is not None
            step.paste((await approve_async(step.request.url, user=user)).headers["location"])
        elif isinstance(step, AskFields):
            answers.setdefault("errors", []).append(step.error)
            step.answer({"subreddit": typed.pop(0)})
        elif isinstance(step, ChooseTarget):
            names = [c.name for c in step.choices]
            step.choose(names.index(answers["choose"]))
        elif isinstance(step, Linked | Failed):
            return step
    raise AssertionError("no end")


@pytest.fixture
def reddit_vault(sandbox: Running, monkeypatch: pytest.MonkeyPatch, plaintext_ok: None) -> Vault:
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    return Vault(settings(free_port()))


async def test_an_account_with_no_subreddit_types_one_and_a_wrong_name_is_asked_again(
    sandbox: Running, store: Store, reddit_vault: Vault
) -> None:
    errors: list[str] = []
    linked = await link(
        sandbox, store, reddit_vault, "bob", typed=["r/nosuchplace", "r/test"], errors=errors, choose="r/test"
    )
    assert isinstance(linked, Linked) and linked.profile is not None
    assert [t[2] for t in linked.profile.targets] == ["r/test", "u/bob (your profile)"]
    assert errors[0] == "" and "no subreddit r/nosuchplace" in errors[1]


async def post_to(
    sandbox: Running, store: Store, vault: Vault, target: str, caption: str, media: list[str], now: Any
) -> Any:
    linked = await link(sandbox, store, vault, "alice", choose=target)
    assert isinstance(linked, Linked) and linked.account is not None
    account: Account = linked.account
    post = store.create_post(caption, media, None)
    delivery = store.add_delivery(post.id, account)
    await run_due(store, vault, clock=now)
    return store.delivery(delivery.id)


async def test_a_link_post_and_a_photo_refused_inside_a_200_by_a_text_only_subreddit(
    sandbox: Running, store: Store, reddit_vault: Vault, tmp_path: Path, frozen_clock: clock.FrozenClock
) -> None:
    caption = "A link\nhttps://example.com/x"
    sent = await post_to(sandbox, store, reddit_vault, "r/linkdeck", caption, [], frozen_clock)
    assert sent.state == DeliveryState.SENT and "/r/linkdeck/comments/" in sent.url
    [made] = sandbox.sandbox.emulator("oauth.reddit.com").world.submissions  # type: ignore[attr-defined]
    assert (made.kind, made.url, made.title) == ("link", "https://example.com/x", "A link")
    photo = media_corpus.jpeg(tmp_path / "a.jpg", (64, 64))
    refused = await post_to(
        sandbox, store, reddit_vault, "r/textonly", "No photos here", [str(photo)], frozen_clock
    )
    assert refused.state == DeliveryState.FAILED
    assert (
        "Reddit refused creating the post (NO_LINKS: that subreddit only allows text posts)" in refused.reason
    )
    assert len(sandbox.sandbox.emulator("oauth.reddit.com").published()) == 1


async def test_a_rate_limit_inside_a_200_is_tried_again_when_reddit_says(
    sandbox: Running, store: Store, reddit_vault: Vault, frozen_clock: clock.FrozenClock
) -> None:
    sandbox.sandbox.emulator("oauth.reddit.com").configure({"ratelimit_seconds": 420})
    later = await post_to(sandbox, store, reddit_vault, "u/alice (your profile)", "Soon", [], frozen_clock)
    assert later.state == DeliveryState.SCHEDULED and "RATELIMIT" in later.reason
    assert later.next_attempt_at is not None
    assert (later.next_attempt_at - frozen_clock()).total_seconds() == pytest.approx(420, abs=2)
    assert sandbox.sandbox.emulator("oauth.reddit.com").published() == []


async def test_a_photo_over_the_buckets_limit_names_the_limit(
    sandbox: Running, store: Store, reddit_vault: Vault, tmp_path: Path, frozen_clock: clock.FrozenClock
) -> None:
    sandbox.sandbox.emulator("oauth.reddit.com").configure({"image_max_bytes": 1000})
    photo = media_corpus.jpeg(tmp_path / "big.jpg", (400, 300))
    failed = await post_to(sandbox, store, reddit_vault, "r/linkdeck", "Too big", [str(photo)], frozen_clock)
    assert failed.state == DeliveryState.FAILED
    assert "larger than the 1,000 bytes Reddit takes" in failed.reason
    assert sandbox.sandbox.emulator("oauth.reddit.com").published() == []


async def test_a_401_refreshes_with_the_installed_apps_basic_auth_and_keeps_the_refresh_token(
    sandbox: Running, store: Store, reddit_vault: Vault, frozen_clock: clock.FrozenClock
) -> None:
    from providers.sandbox.server import Fault

    linked = await link(sandbox, store, reddit_vault, "alice", choose="r/linkdeck")
    assert isinstance(linked, Linked) and linked.account is not None
    before = reddit_vault.get_token(linked.account.vault_key)
    assert before is not None
    sandbox.sandbox.faults.append(Fault("/api/submit", status=401))
    post = store.create_post("After a refresh", [], None)
    delivery = store.add_delivery(post.id, linked.account)
    await run_due(store, reddit_vault, clock=frozen_clock)
    sent = store.delivery(delivery.id)
    assert sent is not None and sent.state == DeliveryState.SENT, sent.reason if sent else None
    [renewal] = [r for r in sandbox.sandbox.requests if r["params"].get("grant_type") == "refresh_token"]
    assert renewal["path"] == "/api/v1/access_token" and renewal["authorization"].startswith("Basic ")
    after = reddit_vault.get_token(linked.account.vault_key)
    assert after is not None and after["refresh_token"] == before["refresh_token"]
    assert after["access_token"] != before["access_token"]


async def test_a_lost_submit_is_looked_up_not_sent_again_until_reddit_surely_lacks_it(
    sandbox: Running, store: Store, reddit_vault: Vault, frozen_clock: clock.FrozenClock
) -> None:
    from providers.sandbox.server import Fault

    sandbox.sandbox.faults.append(Fault("/api/submit", status=504))  # lost before reaching Reddit
    lost = await post_to(sandbox, store, reddit_vault, "r/linkdeck", "Maybe made", [], frozen_clock)
    assert lost.state == DeliveryState.UNKNOWN and lost.committed_at is not None
    frozen_clock.advance(minutes=5)
    await run_due(store, reddit_vault, clock=frozen_clock)
    waiting = store.delivery(lost.id)
    assert waiting is not None and waiting.state == DeliveryState.UNKNOWN and not waiting.check_needed
    submits = [r for r in sandbox.sandbox.requests if r["path"] == "/api/submit"]
    assert len(submits) == 1  # looked up, not submitted again
    frozen_clock.advance(minutes=30)
    for _ in range(2):
        await run_due(store, reddit_vault, clock=frozen_clock)
    sent = store.delivery(lost.id)
    assert sent is not None and sent.state == DeliveryState.SENT, sent.reason if sent else None
    assert [p.text for p in sandbox.sandbox.emulator("oauth.reddit.com").published()] == ["Maybe made"]


async def test_the_sandbox_wants_a_permanent_duration_and_basic_auth(sandbox: Running) -> None:
    base = f"{sandbox.url}/www.reddit.com/api/v1"
    common = f"client_id={DEMO_CLIENT_ID}&response_type=code&state=s&scope=identity"
    async with httpx2.AsyncClient() as http:
        page = await http.get(f"{base}/authorize?{common}&redirect_uri=http://127.0.0.1:9/cb")
        assert page.status_code == 400 and "duration must be permanent" in page.text
        body_auth = await http.post(
            f"{base}/access_token",
            data={"grant_type": "authorization_code", "code": "x", "client_id": DEMO_CLIENT_ID},
        )
        assert body_auth.status_code == 401 and body_auth.json() == {"message": "Unauthorized", "error": 401}
