"""Ayrshare's rules as linkdeck applies them (shared/reference/networks-2026.md §14): its error codes
mapped to what the user can do, a 429 honoured (Retry-After, else Ayrshare's 5-minute window),
the networks it does not offer refused before anything is asked of it, the linking address made
again when it runs out, and the emulation's 300-requests-per-5-minutes limit and JWT expiry at
their boundaries."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest

from providers import clock, linking, networks
from providers.errors import LinkError
from providers.linking.steps import AskFields, Failed, Linked, ShowAddress
from providers.networks import registry
from providers.networks.ayrshare.api import API as API_BASE
from providers.networks.ayrshare.link import AyrshareSignIn, duplicate_message
from providers.networks.ayrshare.publish import AyrsharePublisher
from providers.networks.ayrshare.sandbox import API, DEMO_KEY, LIMIT, PROFILE
from providers.sandbox import Running
from providers.settings import Settings
from providers.spec import NetworkSpec
from providers.store import Account, Store
from providers.vault import Vault
from tests.sandbox_browser import approve_async


def answer(status: int, body: object, **headers: str) -> httpx2.Response:
    return httpx2.Response(
        status, json=body, headers=headers, request=httpx2.Request("POST", f"{API_BASE}/post")
    )


def publisher() -> AyrsharePublisher:
    from providers.networks.ayrshare.spec import SPEC

    return AyrsharePublisher(SPEC, httpx2.AsyncClient())


def error(code: int, message: str = "said") -> dict[str, object]:
    return {
        "status": "error",
        "errors": [{"action": "post", "status": "error", "code": code, "message": message}],
    }


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (110, "refused"),
        (107, "refused"),
        (161, "reconnect"),
        (156, "reconnect"),
        (272, "reconnect"),
        (106, "refused"),
    ],
)
def test_ayrshare_error_codes_say_what_to_do(code: int, kind: str) -> None:
    found = publisher()._refused(answer(400, error(code)), "Instagram via Ayrshare", "creating the post")
    assert found.kind == kind and f"({code}: said)" in found.message
    if code in (110, 107):
        assert "duplicate" in found.message
    if code == 106:
        assert "quota" in found.message and "1st" in found.message
    if kind == "reconnect":
        assert "linkdeck link ayrshare" in found.message


def test_an_unknown_code_falls_back_to_the_status() -> None:
    found = publisher()._refused(
        answer(401, error(999, "API Key not valid")), "Ayrshare", "creating the post"
    )
    assert found.kind == "reconnect" and "API Key not valid" in found.message


def test_a_429_waits_for_retry_after_or_the_5_minute_window() -> None:
    told = publisher()._refused(
        answer(429, error(429), **{"Retry-After": "60"}), "Ayrshare", "creating the post"
    )
    assert told.kind == "try_later" and told.retry_after == 60
    silent = publisher()._refused(
        answer(429, error(429), **{"x-ratelimit-max": "300"}), "Ayrshare", "posting"
    )
    assert (
        silent.kind == "try_later"
        and silent.retry_after == 300
        and "300 requests per 5 minutes" in silent.message
    )


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("tumblr", "does not offer Tumblr"),
        ("Flickr", "does not offer Flickr"),
        ("foursquare", "does not offer Foursquare"),
        ("x", "own X app keys since 2026-03-31"),
        ("twitter", "own X app keys since 2026-03-31"),
        ("myspace", "no network called 'myspace'"),
    ],
)
def test_networks_ayrshare_does_not_link_here_are_refused_with_the_reason(typed: str, words: str) -> None:
    from providers.networks.ayrshare.api import platform_of

    sign_in = AyrshareSignIn.__new__(AyrshareSignIn)
    with pytest.raises(LinkError) as caught:
        sign_in._check_platform(platform_of(typed))
    assert words in caught.value.message


def test_the_duplicate_brand_message_explains_why_and_what_to_do() -> None:
    said = duplicate_message("Harbour")
    assert "titles must be unique" in said and "only once" in said and "Choose another title" in said


# The emulation's limits, at the boundary ---------------------------------------------------------------


async def test_the_emulation_allows_300_requests_per_5_minutes_then_429s(sandbox: Running) -> None:
    auth = {"Authorization": f"Bearer {DEMO_KEY}"}
    async with httpx2.AsyncClient(base_url=f"{sandbox.url}/{API}/api", headers=auth) as client:
        statuses = [(await client.get("/user")).status_code for _ in range(LIMIT - 1)]
        at_limit = await client.get("/user")
        over = await client.get("/user")
        assert set(statuses) == {200} and at_limit.status_code == 200
        assert over.status_code == 429 and over.headers["x-ratelimit-max"] == "300"
        sandbox.sandbox.clock.offset += 300.0  # the window has passed
        assert (await client.get("/user")).status_code == 200


async def test_a_linking_address_expires_after_5_minutes(sandbox: Running) -> None:
    auth = {"Authorization": f"Bearer {DEMO_KEY}"}
    async with httpx2.AsyncClient(base_url=f"{sandbox.url}/{API}/api", headers=auth) as client:
        key = (await client.post("/profiles", json={"title": "Clockwork"})).json()["profileKey"]
        jwt = (await client.post("/profiles/generateJWT", json={"profileKey": key})).json()
    page = jwt["url"].replace(f"https://{PROFILE}", f"{sandbox.url}/{PROFILE}/")
    sandbox.sandbox.clock.offset += 299.0  # one second inside
    async with httpx2.AsyncClient() as browser:
        assert (await browser.get(page)).status_code == 200
        sandbox.sandbox.clock.offset += 1.0  # at 5 minutes: gone
        expired = await browser.get(page)
    assert expired.status_code == 401 and "expired" in expired.text


# Linking: a new address when one runs out; refreshDaysRemaining becomes the expiry -------------------


async def test_an_expired_linking_address_is_made_again_and_the_second_one_links(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch, frozen_clock: clock.FrozenClock
) -> None:
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("LINKDECK_AYRSHARE_CLIENT_SECRET", DEMO_KEY)
    monkeypatch.setattr(AyrshareSignIn, "page_seconds", 0.0)  # every address runs out at once
    settings = Settings(allow_plaintext_secrets=True)
    vault = Vault(settings)
    session = await linking.begin_link("ayrshare", settings=settings, store=store, vault=vault)
    shown: list[str] = []
    async for step in session.steps():
        if isinstance(step, AskFields):
            step.answer({"profile": "Second Try", "network": "linkedin"})
        elif isinstance(step, ShowAddress):
            assert step.request is not None
            shown.append(step.request.url)
            if len(shown) == 2:  # the first ran out unanswered; the second is finished
                monkeypatch.setattr(AyrshareSignIn, "page_seconds", 300.0)
                answered = await approve_async(step.request.url)
                step.paste(answered.headers["location"])
        elif isinstance(step, Linked):
            break
        elif isinstance(step, Failed):
            raise AssertionError(step.error)
    assert len(shown) >= 2 and len(set(shown)) == len(shown)
    [account] = store.accounts()
    assert account.target_id == "linkedin" and account.target_name == "LinkedIn via Ayrshare"
    # refreshDaysRemaining (58 in the sandbox), counted from the engine's clock
    assert account.expires_at == frozen_clock.at + timedelta(days=58)
    token = vault.get_token(account.vault_key)
    assert token is not None and token["platform"] == "linkedin" and token["profile_key"]
    sign_in = registry.sign_in_for("ayrshare", settings=settings, store=store, vault=vault)
    spec: NetworkSpec = sign_in.spec
    assert spec.capabilities.provider_revoke


async def linked(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch, platform: str
) -> tuple[Account, dict[str, Any]]:
    """One network linked through the sandbox's linking page: its account and token."""
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("LINKDECK_AYRSHARE_CLIENT_SECRET", DEMO_KEY)
    settings = Settings(allow_plaintext_secrets=True)
    vault = Vault(settings)
    session = await linking.begin_link("ayrshare", settings=settings, store=store, vault=vault)
    async for step in session.steps():
        if isinstance(step, AskFields):
            step.answer({"profile": "History", "network": platform})
        elif isinstance(step, ShowAddress):
            assert step.request is not None
            step.paste((await approve_async(step.request.url)).headers["location"])
        elif isinstance(step, Linked | Failed):
            assert isinstance(step, Linked), step
            break
    [account] = [a for a in store.accounts() if a.target_id == platform]
    token = vault.get_token(account.vault_key)
    assert token is not None
    return account, token


async def test_a_post_past_its_key_window_is_found_in_the_profiles_history(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from providers.http import async_client

    account, token = await linked(sandbox, store, monkeypatch, "threads")
    post = store.create_post("Found again", [], None)
    delivery = store.add_delivery(post.id, account)
    async with async_client() as client:
        made = await AyrsharePublisher(networks.spec_of("ayrshare"), client).publish(
            account, post, delivery, token
        )
        from dataclasses import replace

        sent = replace(delivery, committed_at=post.created_at)
        found = await AyrsharePublisher(networks.spec_of("ayrshare"), client).lookup(
            account, post, sent, token
        )
        later = replace(delivery, committed_at=post.created_at + timedelta(hours=2))  # made before: not it
        missing = await AyrsharePublisher(networks.spec_of("ayrshare"), client).lookup(
            account, post, later, token
        )
    assert found == made and made.url and made.url.startswith("https://threads.example/")
    assert missing is None


@pytest.mark.parametrize(
    ("platform", "images", "caption", "text_alone"),
    [
        ("instagram", 10, 2200, False),
        ("linkedin", 9, 3000, True),
        ("gmb", 1, None, True),
        ("bluesky", 10, 300, True),
    ],
)
async def test_each_networks_own_limits_apply_through_ayrshare(
    platform: str, images: int, caption: int | None, text_alone: bool
) -> None:
    from types import SimpleNamespace

    account = SimpleNamespace(target_id=platform)
    found = await publisher().limits(account)  # type: ignore[arg-type]
    assert found.media.max_images == images and found.caption.max_length == caption
    assert found.media.text_only is text_alone
    youtube = await publisher().limits(SimpleNamespace(target_id="youtube"))  # type: ignore[arg-type]
    assert not youtube.media.images and not youtube.media.text_only


def signing_in(sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch) -> AyrshareSignIn:
    """Ayrshare's sign-in against the sandbox, with the sandbox's API key."""
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("LINKDECK_AYRSHARE_CLIENT_SECRET", DEMO_KEY)
    settings = Settings(allow_plaintext_secrets=True)
    sign_in = registry.sign_in_for("ayrshare", settings=settings, store=store, vault=Vault(settings))
    assert isinstance(sign_in, AyrshareSignIn)
    return sign_in


async def test_an_empty_title_lists_the_profiles_and_which_linkdeck_can_use(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in = signing_in(sandbox, store, monkeypatch)
    with pytest.raises(LinkError) as none_yet:
        await sign_in._choose({"profile": "", "network": "facebook"})
    assert "no profiles yet" in none_yet.value.message
    mine = await sign_in._choose({"profile": "Mine", "network": "facebook"})  # created here
    async with httpx2.AsyncClient() as client:
        await client.post(
            f"{sandbox.url}/{API}/api/profiles",
            json={"title": "Theirs"},
            headers={"Authorization": f"Bearer {DEMO_KEY}"},
        )
    with pytest.raises(LinkError) as listed:
        await sign_in._choose({"profile": " ", "network": "facebook"})
    assert (
        "linkdeck can use: Mine" in listed.value.message
        and "not in linkdeck): Theirs" in listed.value.message
    )
    assert mine.title == "Mine" and mine.profile_key not in listed.value.message


async def test_a_kept_key_of_a_profile_deleted_at_ayrshare_is_forgotten_and_the_title_made_again(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from providers.networks.ayrshare.api import profile_secret

    sign_in = signing_in(sandbox, store, monkeypatch)
    vault = sign_in.vault
    vault.set_client_secret("ayrshare", "STALE-KEY-0000", instance=profile_secret("Gone"))
    chosen = await sign_in._choose({"profile": "Gone", "network": "facebook"})
    assert chosen.profile_key != "STALE-KEY-0000"
    assert vault.get_client_secret("ayrshare", instance=profile_secret("Gone")) == chosen.profile_key


@pytest.mark.parametrize(("extra", "presigned"), [(-1, False), (0, False), (1, True)])
async def test_files_over_10_mb_go_through_the_presigned_upload_address(
    sandbox: Running,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    extra: int,
    presigned: bool,
) -> None:
    from providers.http import async_client
    from providers.networks.ayrshare.publish import LARGE_FILE

    account, token = await linked(sandbox, store, monkeypatch, "facebook")
    video = tmp_path / "harbour.mp4"
    with video.open("wb") as handle:
        handle.truncate(LARGE_FILE + extra)
    post = store.create_post("Big one", [str(video)], None)
    delivery = store.add_delivery(post.id, account)
    async with async_client() as client:
        made = await AyrsharePublisher(networks.spec_of("ayrshare"), client).publish(
            account, post, delivery, token
        )
    assert made.url
    paths = [r["path"] for r in sandbox.sandbox.requests]
    assert any("/api/media/uploadUrl" in p for p in paths) is presigned
    assert any(p.endswith("/api/media/upload") for p in paths) is not presigned
    [made_post] = [p for p in sandbox.sandbox.emulator(API).published() if p.text == "Big one"]
    assert made_post.media == 1


async def test_the_business_domain_and_private_key_file_go_to_generatejwt_and_the_key_to_the_keyring(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from providers.networks.ayrshare.link import PRIVATE_KEY, LinkingPage

    pem = tmp_path / "ayrshare.key"
    pem.write_text("-----BEGIN RSA PRIVATE KEY-----\nMIIsandbox\n-----END RSA PRIVATE KEY-----\n")
    monkeypatch.setenv("LINKDECK_AYRSHARE_PRIVATE_KEY_FILE", str(pem))
    monkeypatch.setenv("LINKDECK_AYRSHARE_CLIENT_ID", "harbour.example")
    sign_in = signing_in(sandbox, store, monkeypatch)
    chosen = await sign_in._choose({"profile": "Business", "network": "facebook"})
    request = await LinkingPage(sign_in, chosen).start()
    assert "domain=harbour.example" in request.url and request.expires_in == 300
    [sent] = [r for r in sandbox.sandbox.requests if r["path"].endswith("/profiles/generateJWT")]
    assert sent["status"] == 200
    assert sign_in.vault.get_client_secret("ayrshare", instance=PRIVATE_KEY) == pem.read_text().strip()
