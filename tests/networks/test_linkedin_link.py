"""Linking LinkedIn: the authorize address as LinkedIn documents it, the two flows (native PKCE
without a secret, the standard flow with it), the member and their Pages as targets, LinkedIn's
refusals, the 60-day token on the card, and the Permitted services page that ends the access.

Against the sandbox's LinkedIn (providers/networks/linkedin/sandbox*.py) where a server is needed;
the address itself is checked with no sandbox at all, against the documented host."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from providers import clock, overview, unlinking
from providers.errors import LinkError
from providers.linking.session import LinkSession
from providers.linking.steps import ChooseTarget, ShowAddress
from providers.networks.linkedin.link import LinkedInSignIn
from providers.networks.linkedin.sandbox_sessions import STANDARD_CLIENT_ID, STANDARD_CLIENT_SECRET
from providers.networks.linkedin.spec import SPEC
from providers.redirects import redirect_to_register
from providers.sandbox import Running
from providers.settings import NetworkSettings, Settings
from providers.store import Store
from providers.vault import Vault
from tests.link_driver import next_shown
from tests.networks.linkedin_support import LinkedIn
from tests.support.ports import free_port

MEMBER_SCOPES = ["openid", "profile", "w_member_social"]
PAGE_SCOPES = ["w_organization_social", "r_organization_social", "rw_organization_admin"]


async def address_of(settings: Settings, store: Store, vault: Vault) -> tuple[str, str]:
    """The authorize URL and redirect the user is shown (no sandbox: LinkedIn's real address)."""
    sign_in = LinkedInSignIn(SPEC, store, vault, settings)
    session = LinkSession(SPEC, sign_in, settings=settings, store=store, vault=vault)
    step = await next_shown(session)
    assert isinstance(step, ShowAddress) and step.request is not None
    url, redirect = step.request.url, step.request.redirect_uri
    await session.cancel()
    return url, redirect


@pytest.mark.parametrize("secret", [None, "the-app-secret"], ids=["native-pkce", "standard"])
async def test_the_authorize_address_is_linkedins_documented_one(
    secret: str | None, store: Store, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LINKDECK_SANDBOX_URL", raising=False)
    if secret:
        monkeypatch.setenv("LINKDECK_LINKEDIN_CLIENT_SECRET", secret)
    port = free_port()
    settings = Settings(
        networks={"linkedin": NetworkSettings(client_id="my-app", port=port)}, allow_plaintext_secrets=True
    )
    url, redirect = await address_of(settings, store, vault)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "www.linkedin.com",
        "/oauth/v2/authorization",
    )
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["response_type"] == "code" and query["client_id"] == "my-app"
    assert query["scope"].split(" ") == MEMBER_SCOPES
    assert query["redirect_uri"] == redirect == f"http://127.0.0.1:{port}/callback"
    assert len(query["state"]) >= 16
    if secret:  # the standard flow: the secret authenticates the app, no PKCE parameters
        assert "code_challenge" not in query and "code_challenge_method" not in query
    else:  # LinkedIn's native flow: S256, never plain
        assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert "client_secret" not in query  # the secret goes only in the back-channel token request
    if secret:
        assert secret not in url


async def test_pages_add_the_community_management_scopes_only_when_asked(
    store: Store, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LINKDECK_SANDBOX_URL", raising=False)
    settings = Settings(
        networks={"linkedin": NetworkSettings(client_id="my-app", port=free_port(), optional_scopes=True)},
        allow_plaintext_secrets=True,
    )
    url, _ = await address_of(settings, store, vault)
    assert parse_qs(urlsplit(url).query)["scope"][0].split(" ") == MEMBER_SCOPES + PAGE_SCOPES


def test_the_redirect_to_register_is_the_one_the_guide_names() -> None:
    assert redirect_to_register(SPEC, Settings()) == "http://127.0.0.1:8080/callback"
    assert "`http://127.0.0.1:8080/callback`" in SPEC.setup_guide


async def test_the_member_links_on_the_native_app_and_the_token_lasts_60_days(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    linkedin = LinkedIn(sandbox, store, monkeypatch)
    before = clock.now()
    linked = await linkedin.link()
    account = linked.account
    assert account is not None and account.handle == "Alice Example"
    assert (account.target_kind, account.target_id) == ("profile", "urn:li:person:yQ4cZ3aFk2")
    assert not any(isinstance(s, ChooseTarget) for s in linkedin.seen)  # one target: chosen at once
    token = linkedin.vault.get_token(account.vault_key)
    assert token is not None and token["expires_in"] == 5_183_999 and "refresh_token" not in token
    assert token["scope"] == "openid,profile,w_member_social"
    assert account.expires_at is not None
    assert timedelta(days=59, hours=23) < account.expires_at - before <= timedelta(days=60, seconds=5)
    assert account.avatar_path  # the userinfo picture, fetched from media.licdn.com


async def test_with_pages_the_member_chooses_where_posts_go(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    linkedin = LinkedIn(sandbox, store, monkeypatch, pages=True)
    linked = await linkedin.link(choice=2)
    [choose] = [s for s in linkedin.seen if isinstance(s, ChooseTarget)]
    assert [(c.kind, c.name) for c in choose.choices] == [
        ("profile", "Alice Example (your profile)"),
        ("organization", "Harbour Photo Co."),
        ("organization", "Tide Club"),
    ]
    assert linked.account is not None
    assert (linked.account.target_id, linked.account.target_name) == (
        "urn:li:organization:5550001",
        "Tide Club",
    )


async def test_the_standard_flow_links_with_the_secret_and_the_exact_redirect(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKDECK_LINKEDIN_CLIENT_SECRET", STANDARD_CLIENT_SECRET)
    linkedin = LinkedIn(sandbox, store, monkeypatch, client_id=STANDARD_CLIENT_ID)
    linkedin.configure(standard_redirect=f"http://127.0.0.1:{linkedin.port}/callback")
    linked = await linkedin.link()
    assert linked.account is not None and linked.account.handle == "Alice Example"
    token_call = linkedin.requests("POST", "/oauth/v2/accessToken")[-1]
    assert "client_secret" in token_call["keys"] and "code_verifier" not in token_call["keys"]


async def test_without_the_secret_an_app_linkedin_did_not_enable_pkce_for_is_refused(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    linkedin = LinkedIn(sandbox, store, monkeypatch, client_id=STANDARD_CLIENT_ID)
    linkedin.configure(standard_redirect=f"http://127.0.0.1:{linkedin.port}/callback")
    with pytest.raises(LinkError) as refused:
        await linkedin.link()
    assert refused.value.message.startswith("LinkedIn did not accept linkdeck's app credentials")
    assert store.accounts() == []


async def test_pages_asked_of_an_app_without_community_management_say_linkedins_words(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    linkedin = LinkedIn(sandbox, store, monkeypatch, pages=True)
    linkedin.configure(community_management=False)
    with pytest.raises(LinkError) as refused:
        await linkedin.link()
    assert (
        "LinkedIn" in refused.value.message
        and "is not authorized for your application" in refused.value.message
    )
    assert store.accounts() == []


async def test_unlinking_points_to_permitted_services_where_the_access_ends(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch, http: object
) -> None:
    import httpx2

    linkedin = LinkedIn(sandbox, store, monkeypatch)
    account = (await linkedin.link()).account
    assert account is not None
    token = linkedin.vault.get_token(account.vault_key)
    assert token is not None
    plan = unlinking.plan(store, account)
    assert (
        not plan.can_revoke
        and plan.settings_url == "https://www.linkedin.com/mypreferences/d/permitted-services"
    )
    assert "offers no revoke call" in plan.explain()
    result = await unlinking.unlink(store, linkedin.vault, account)
    assert result.revoked is None and "connected-apps page" in result.summary()
    assert linkedin.emulator.accepts(token["access_token"])  # honest: nothing could revoke it
    # The member removes linkdeck on LinkedIn's page; then the token stops working.
    page = f"{sandbox.url}/www.linkedin.com/mypreferences/d/permitted-services"
    async with httpx2.AsyncClient() as client:
        listed = await client.get(page, params={"user": "alice"})
        assert "linkdeck (sandbox app)" in listed.text
        await client.post(page, data={"user": "alice", "client_id": "linkdeck-sandbox-native"})
    assert not linkedin.emulator.accepts(token["access_token"])


@pytest.mark.parametrize(
    ("days_left", "amber"), [(8, False), (7, False), (6.99, True), (1, True)], ids=["8d", "7d", "<7d", "1d"]
)
async def test_the_card_turns_amber_a_week_before_the_60_days_end(
    days_left: float, amber: bool, sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    linkedin = LinkedIn(sandbox, store, monkeypatch)
    account = (await linkedin.link()).account
    assert account is not None and account.expires_at is not None
    now = account.expires_at - timedelta(days=days_left)
    card = overview.card_for(SPEC, linkedin.settings, [account], now)
    assert card.state is overview.CardState.LINKED and card.expiring_soon is amber
    assert card.days_left == int(days_left)
    expired = overview.card_for(SPEC, linkedin.settings, [account], account.expires_at)
    assert expired.state is overview.CardState.RECONNECT


async def test_the_demo_links_linkedin_with_its_pages_out_of_the_box() -> None:
    from providers import linking
    from providers.settings import load
    from tests.sandbox_browser import approve_async
    from tui.demo import demo_environment

    with demo_environment():  # the demo gives each developer app a free loopback port, not 8080
        settings = load()
        assert settings.network("linkedin").port != 8080
        assert settings.network("linkedin").client_id and settings.network("linkedin").optional_scopes
        with Store.open() as store:
            vault = Vault(settings)
            [card] = [c for c in overview.cards(settings, store) if c.spec.id == "linkedin"]
            assert card.state is overview.CardState.NOT_LINKED  # no set-up asked in the demo
            session = await linking.begin_link("linkedin", settings=settings, store=store, vault=vault)
            async for step in session.steps():
                if isinstance(step, ShowAddress):
                    assert step.request is not None
                    step.paste((await approve_async(step.request.url)).headers["location"])
                elif isinstance(step, ChooseTarget):
                    step.choose(1)
            [account] = store.accounts()
            assert (account.network, account.target_name) == ("linkedin", "Harbour Photo Co.")
