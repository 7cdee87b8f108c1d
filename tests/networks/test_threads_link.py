"""Linking Threads: the Authorization Window as Meta documents it, the short-lived token exchanged
for a 60-day one at once, its renewal in the last week (th_refresh_token, only for a token at
least a day old), the days left on the card (amber a week before), and no revocation.

The address is checked with no sandbox (Meta's real host); the rest against the sandbox's Threads
(providers/networks/threads/sandbox*.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from providers import clock, overview, unlinking
from providers.errors import LinkError
from providers.linking.session import LinkSession
from providers.linking.steps import ShowAddress
from providers.networks.threads.link import RENEW_AHEAD_SECONDS, ThreadsSignIn
from providers.networks.threads.spec import SPEC
from providers.outbox.tokens import Tokens
from providers.redirects import redirect_to_register
from providers.sandbox import Running
from providers.settings import NetworkSettings, Settings
from providers.store import Store
from providers.vault import Vault
from tests.link_driver import next_shown
from tests.networks.threads_support import GRAPH, Threads
from tests.support.ports import free_port

DAY = timedelta(days=1)


async def test_the_authorize_address_is_the_documented_authorization_window(
    store: Store, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """developers.facebook.com/documentation/threads/get-started/get-access-tokens-and-permissions
    (2026-08-12): threads.com/oauth/authorize, client_id, redirect_uri, scope, response_type=code,
    state. No PKCE (none documented); the secret never in the address."""
    monkeypatch.delenv("LINKDECK_SANDBOX_URL", raising=False)
    monkeypatch.setenv("LINKDECK_THREADS_CLIENT_SECRET", "the-app-secret")
    port = free_port()
    settings = Settings(
        networks={"threads": NetworkSettings(client_id="990602627938098", port=port)},
        allow_plaintext_secrets=True,
    )
    sign_in = ThreadsSignIn(SPEC, store, Vault(settings), settings)
    session = LinkSession(SPEC, sign_in, settings=settings, store=store, vault=Vault(settings))
    step = await next_shown(session)
    assert isinstance(step, ShowAddress) and step.request is not None
    url, redirect = step.request.url, step.request.redirect_uri
    await session.cancel()
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "threads.com", "/oauth/authorize")
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["response_type"] == "code" and query["client_id"] == "990602627938098"
    assert query["scope"] == "threads_basic,threads_content_publish"  # comma-separated, as Meta writes it
    assert query["redirect_uri"] == redirect == f"http://127.0.0.1:{port}/callback"
    assert len(query["state"]) >= 16
    assert "code_challenge" not in query and "code_challenge_method" not in query
    assert "the-app-secret" not in url


def test_the_redirect_to_register_is_the_one_the_guide_names() -> None:
    assert redirect_to_register(SPEC, Settings()) == "http://127.0.0.1:8080/callback"
    assert "`http://127.0.0.1:8080/callback`" in SPEC.setup_guide


async def test_linking_exchanges_the_hour_token_for_a_60_day_one_and_names_the_account(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = Threads(sandbox, store, monkeypatch)
    before = clock.now()
    account = await threads.link()
    assert (account.handle, account.display_name) == ("@alice", "Alice Example")
    assert account.remote_id == "109000000000000001"
    assert account.avatar_url == "https://threads.net/sandbox-avatars/alice.png"
    assert account.avatar_path  # threads_profile_picture_url, fetched and cached for the card
    [code_call] = threads.requests("POST", "/oauth/access_token")
    assert "client_secret" in code_call["keys"] and "code_verifier" not in code_call["keys"]
    [exchange] = threads.requests("GET", "/access_token")
    assert exchange["params"]["grant_type"] == "th_exchange_token" and exchange["status"] == 200
    [me] = threads.requests("GET", "/v1.0/me")
    assert me["params"]["fields"] == "id,username,name,threads_profile_picture_url"
    token = threads.vault.get_token(account.vault_key)
    assert token is not None and token["token_type"] == "bearer" and token["user_id"] == account.remote_id
    assert token["renew_ahead_seconds"] == RENEW_AHEAD_SECONDS == 7 * 24 * 3600  # renewed in its last week
    config = ThreadsSignIn(SPEC, store, threads.vault, threads.settings).client_config()
    assert config.renew_url == "https://graph.threads.net/refresh_access_token"
    assert (config.renew_grant, config.renew_ahead_seconds) == ("th_refresh_token", RENEW_AHEAD_SECONDS)
    assert account.expires_at is not None
    assert timedelta(days=59, hours=23) < account.expires_at - before <= timedelta(days=60, seconds=5)


async def test_the_token_is_renewed_in_its_last_week_and_the_card_counts_the_days(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = Threads(sandbox, store, monkeypatch)
    account = await threads.link()
    old = threads.vault.get_token(account.vault_key)
    assert old is not None and account.expires_at is not None
    linked_at = datetime.fromtimestamp(old["expires_at"], UTC) - timedelta(seconds=old["expires_in"])

    card = overview.card_for(SPEC, threads.settings, [account], linked_at + 10 * DAY)
    assert card.state is overview.CardState.LINKED and not card.expiring_soon and card.days_left == 49
    card = overview.card_for(SPEC, threads.settings, [account], linked_at + 54 * DAY)
    assert card.expiring_soon and card.days_left is not None and card.days_left <= 6  # amber

    # Before its last week nothing is renewed; in it, the first post's token read renews it.
    with clock.frozen(linked_at + 50 * DAY):
        assert await Tokens(store, threads.vault).get(account) == old
    threads.later(54 * DAY)
    with clock.frozen(linked_at + 54 * DAY):
        fresh = await Tokens(store, threads.vault).get(account)
    assert fresh["access_token"] != old["access_token"]
    assert fresh["renew_ahead_seconds"] == RENEW_AHEAD_SECONDS  # the renewed token is renewed ahead too
    [renewal] = threads.requests("GET", "/refresh_access_token")
    assert renewal["params"]["grant_type"] == "th_refresh_token" and renewal["status"] == 200
    renewed = store.account(account.id)
    assert renewed is not None and renewed.expires_at is not None and renewed.state == "linked"
    assert renewed.expires_at - (linked_at + 54 * DAY) > timedelta(days=59)  # the card moves with it
    assert threads.sandbox.sandbox.emulator(GRAPH).accepts(fresh["access_token"])


async def test_a_renewal_threads_refuses_keeps_a_valid_token_and_relinks_an_ending_one(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Threads renews only a token at least a day old and still valid. Renewing early, a refusal
    keeps the token (it works on; tried again next time); for a token about to run out it is a
    reconnect."""
    threads = Threads(sandbox, store, monkeypatch)
    account = await threads.link()
    token = threads.vault.get_token(account.vault_key)
    assert token is not None
    # In its last week (3 days left) so due now, but Threads knows it is only an hour old.
    due = {**token, "expires_at": int(clock.timestamp()) + 3 * 24 * 3600}
    threads.vault.set_token(account.vault_key, due)
    assert await Tokens(store, threads.vault).get(account) == due
    assert threads.vault.get_token(account.vault_key) == due
    [refused] = threads.requests("GET", "/refresh_access_token")
    assert refused["status"] == 400
    current = store.account(account.id)
    assert current is not None and current.state == "linked"

    ending = {**token, "expires_at": int(clock.timestamp()) + 30}
    threads.vault.set_token(account.vault_key, ending)
    with pytest.raises(LinkError, match="Threads"):
        await Tokens(store, threads.vault).get(account)
    current = store.account(account.id)
    assert current is not None and current.state == "reconnect"


async def test_unlinking_forgets_the_token_and_points_to_the_threads_settings(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = Threads(sandbox, store, monkeypatch)
    account = await threads.link()
    plan = unlinking.plan(store, account)
    assert not plan.can_revoke and plan.settings_url == SPEC.settings_url
    result = await unlinking.unlink(store, threads.vault, account)
    assert result.revoked is None and threads.vault.get_token(account.vault_key) is None
    assert any("Website permissions" in note for note in SPEC.notes)


def test_the_demo_links_threads_with_the_sandboxs_app() -> None:
    """``make demo``: Threads is set up with the app its emulation knows (id in the config, the
    secret in the environment), so it links with one Allow."""
    from providers.networks.threads.sandbox import CLIENT_ID, CLIENT_SECRET
    from tui.demo import demo_config

    text, env = demo_config()
    assert f'[networks.threads]\nclient_id = "{CLIENT_ID}"' in text
    assert env["LINKDECK_THREADS_CLIENT_SECRET"] == CLIENT_SECRET
