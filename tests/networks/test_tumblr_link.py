"""Linking Tumblr: the authorize URL as tumblr/docs@708be10 api.md describes it, who signed in
(``/v2/user/info``) with the blogs as targets, and the 42-day refresh token as the account's expiry
(tumblr/docs#134), through the card's date and amber state, moved on by each refresh.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from providers import catalog, linking, overview
from providers.auth.refresh import TokenKeeper
from providers.clock import FrozenClock
from providers.errors import LinkError, SetupError
from providers.linking.steps import ShowAddress
from providers.networks import registry
from providers.networks.tumblr.link import blog_and_state, parse_user_info
from providers.networks.tumblr.sandbox import world_for
from providers.sandbox import Running
from providers.store import Store
from providers.vault import Vault
from tests.conftest import FIXED_NOW
from tests.link_driver import next_shown
from tests.support.tumblr import link_alice, settings_for

SPEC = catalog.get("tumblr")
DAY = timedelta(days=1)
# api.md "/user/info" example (its elisions filled with the listed fields).
DOCUMENTED_USER_INFO = {
    "meta": {"status": 200, "msg": "OK"},
    "response": {
        "user": {
            "following": 263,
            "default_post_format": "html",
            "name": "derekg",
            "likes": 606,
            "blogs": [
                {
                    "name": "derekg",
                    "title": "Derek Gottfrid",
                    "url": "https://derekg.org/",
                    "tweet": "auto",
                    "primary": True,
                    "followers": 33004929,
                },
                {"name": "ihatehipstrz", "title": "I Hate Hipstrz", "primary": False},
            ],
        }
    },
}


async def test_the_authorize_url_is_tumblrs_with_the_scopes_and_a_state(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LINKDECK_SANDBOX_URL", raising=False)
    monkeypatch.setenv("LINKDECK_TUMBLR_CLIENT_SECRET", "my-secret-key")
    settings = settings_for("my-consumer-key")
    vault = Vault(settings)
    states = []
    for _ in range(2):
        session = await linking.begin_link("tumblr", settings=settings, store=store, vault=vault)
        step = await next_shown(session)
        assert isinstance(step, ShowAddress) and step.request is not None
        url = urlsplit(step.request.url)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert (url.scheme, url.netloc, url.path) == ("https", "www.tumblr.com", "/oauth2/authorize")
        assert query["client_id"] == "my-consumer-key" and query["response_type"] == "code"
        assert query["scope"] == "basic write offline_access"
        assert query["redirect_uri"] == f"http://127.0.0.1:{settings.network('tumblr').port}/callback"
        assert len(query["state"]) >= 16
        # Tumblr documents no PKCE, and the spec claims none: nothing pretends otherwise.
        assert SPEC.capabilities.pkce is False and "code_challenge" not in query
        assert "my-secret-key" not in step.request.url
        states.append(query["state"])
        await session.cancel()
    assert states[0] != states[1]


async def test_without_the_secret_linking_says_how_to_store_it(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LINKDECK_TUMBLR_CLIENT_SECRET", raising=False)
    settings = settings_for("my-consumer-key")
    session = await linking.begin_link("tumblr", settings=settings, store=store, vault=Vault(settings))
    with pytest.raises(SetupError, match="linkdeck config set-secret tumblr"):
        await next_shown(session)


def test_the_documented_user_info_gives_the_primary_blog_and_every_blog_three_ways() -> None:
    profile = parse_user_info(DOCUMENTED_USER_INFO)
    assert (profile.remote_id, profile.handle, profile.display_name) == ("derekg", "derekg", "Derek Gottfrid")
    assert profile.avatar_url == "https://api.tumblr.com/v2/blog/derekg/avatar/128"
    assert profile.targets == [
        ("blog", "derekg", "derekg (publish now)"),
        ("blog", "derekg#queue", "derekg (add to queue)"),
        ("blog", "derekg#draft", "derekg (save as draft)"),
        ("blog", "ihatehipstrz", "ihatehipstrz (publish now)"),
        ("blog", "ihatehipstrz#queue", "ihatehipstrz (add to queue)"),
        ("blog", "ihatehipstrz#draft", "ihatehipstrz (save as draft)"),
    ]
    assert [blog_and_state(t[1]) for t in profile.targets[:3]] == [
        ("derekg", "published"),
        ("derekg", "queue"),
        ("derekg", "draft"),
    ]
    with pytest.raises(LinkError, match="Tumblr answered the account lookup without"):
        parse_user_info({"meta": {"status": 200, "msg": "OK"}, "response": []})


async def test_a_linked_blog_shows_the_refresh_tokens_42_days_and_turns_amber_a_week_before(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch, frozen_clock: FrozenClock
) -> None:
    account, vault, settings = await link_alice(sandbox, store, monkeypatch, "alice-sketches (add to queue)")
    assert (account.handle, account.display_name) == ("alice", "Alice Example")
    assert (account.target_kind, account.target_id) == ("blog", "alice-sketches#queue")
    assert account.avatar_url == "https://api.tumblr.com/v2/blog/alice/avatar/128"
    assert account.expires_at == FIXED_NOW + 42 * DAY
    token = vault.get_token(account.vault_key)
    assert token is not None and token["refresh_expires_at"] == int((FIXED_NOW + 42 * DAY).timestamp())

    def card(at: timedelta) -> overview.Card:
        return overview.card_for(SPEC, settings, [account], FIXED_NOW + at)

    assert card(35 * DAY).state is overview.CardState.LINKED and not card(35 * DAY).expiring_soon
    assert card(35 * DAY + timedelta(seconds=1)).expiring_soon  # inside the last week: amber
    assert card(42 * DAY).state is overview.CardState.RECONNECT


async def test_a_refresh_gets_a_new_refresh_token_and_moves_the_expiry_on(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch, frozen_clock: FrozenClock
) -> None:
    account, vault, settings = await link_alice(sandbox, store, monkeypatch, "alice (publish now)")
    old = vault.get_token(account.vault_key)
    assert old is not None
    frozen_clock.advance(days=10)
    sign_in = registry.sign_in_for("tumblr", settings=settings, store=store, vault=vault)
    assert sign_in is not None
    keeper = TokenKeeper(vault, store, now=frozen_clock)
    fresh = await keeper.fresh_token(account, await sign_in.refresh_config(None))
    assert fresh["refresh_token"] != old["refresh_token"] and fresh["access_token"] != old["access_token"]
    moved = store.account(account.id)
    assert moved is not None and moved.expires_at == FIXED_NOW + 10 * DAY + 42 * DAY
    tumblr = world_for(sandbox.sandbox.clock)
    assert not tumblr.oauth.accepts(old["refresh_token"]) and tumblr.oauth.accepts(fresh["refresh_token"])
