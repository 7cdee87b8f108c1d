"""Google Business Profile against its emulation (in this process) and a real S3-compatible bucket
(moto in server mode): the authorize address as Google documents it, every account and location
walked page by page, the local post as sent (topic, one staged photo, the call to action), the
photo really fetched (and refused when it cannot be), SERVICE_DISABLED explained, the staged copy
deleted whether the post is made or refused, and the look-up after a lost answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from providers import linking
from providers.auth.oauth2 import AuthorizationCodeFlow
from providers.auth.types import RedirectKind
from providers.interface import Recovery
from providers.linking.steps import ChooseTarget, Failed, Linked, ShowAddress
from providers.networks import registry
from providers.networks.google_business.link import GoogleBusinessSignIn
from providers.networks.google_business.publish import PUBLISHER
from providers.networks.google_business.sandbox import CLIENT_ID, CLIENT_SECRET
from providers.outbox.runner import run_due
from providers.sandbox import Running
from providers.settings import NetworkSettings, Settings
from providers.store import Account, DeliveryState, Store
from providers.vault import Vault
from tests import media_corpus
from tests.sandbox_browser import approve_async
from tests.support.ports import free_port
from tests.support.s3 import SECRET_KEY, S3Server, running_s3

NETWORK = "google-business"


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with running_s3(tmp_path_factory.mktemp("s3")) as server:
        server.make_bucket()
        yield server


@pytest.fixture
def google(
    sandbox: Running, s3: S3Server, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Settings, Vault]]:
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("LINKDECK_GOOGLE_BUSINESS_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("LINKDECK_STAGING_CLIENT_SECRET", SECRET_KEY)
    settings = Settings(
        networks={NETWORK: NetworkSettings(client_id=CLIENT_ID, port=free_port())},
        allow_plaintext_secrets=True,
        staging=s3.settings(),
    )
    yield settings, Vault(settings)


async def link(settings: Settings, vault: Vault, store: Store, choice: int = 0) -> tuple[Account, list[str]]:
    session = await linking.begin_link(NETWORK, settings=settings, store=store, vault=vault)
    offered: list[str] = []
    async for step in session.steps():
        if isinstance(step, ShowAddress):
            assert step.request is not None
            step.paste((await approve_async(step.request.url)).headers["location"])
        elif isinstance(step, ChooseTarget):
            offered = [c.name for c in step.choices]
            step.choose(choice)
        elif isinstance(step, Linked):
            assert step.account is not None
            return step.account, offered
        elif isinstance(step, Failed):
            assert step.error is not None
            raise step.error
    raise AssertionError("no Linked step")


def requests(sandbox: Running, host: str, path: str | None = None) -> list[dict[str, Any]]:
    return [r for r in sandbox.sandbox.requests if r["host"] == host and (path is None or r["path"] == path)]


async def test_the_authorize_address_is_googles_with_state_s256_and_offline_access() -> None:
    settings = Settings(networks={NETWORK: NetworkSettings(client_id=CLIENT_ID)})
    vault = Vault(Settings(allow_plaintext_secrets=True))
    sign_in = registry.sign_in_for(NETWORK, settings=settings, store=None, vault=vault)  # type: ignore[arg-type]
    assert isinstance(sign_in, GoogleBusinessSignIn)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LINKDECK_GOOGLE_BUSINESS_CLIENT_SECRET", CLIENT_SECRET)
        flow = AuthorizationCodeFlow(sign_in.client_config(), redirect=RedirectKind.LOOPBACK, port=0)
        request = await flow.start()
        await flow.cancel()
    parts = urlsplit(request.url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "accounts.google.com", "/o/oauth2/v2/auth")
    assert query["scope"] == "https://www.googleapis.com/auth/business.manage"
    assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 16
    assert (query["access_type"], query["prompt"]) == ("offline", "consent")
    assert query["redirect_uri"].startswith("http://127.0.0.1:")


async def test_every_account_and_location_is_walked_page_by_page(
    google: tuple[Settings, Vault], sandbox: Running, store: Store
) -> None:
    settings, vault = google
    sandbox.sandbox.emulator("mybusinessbusinessinformation.googleapis.com").configure({"page_size": 1})
    account, offered = await link(settings, vault, store, choice=2)
    assert offered == [
        "Harbour Café, Portsmouth",
        "Harbour Bakery, Portsmouth (Harbour Shops)",
        "Harbour Books, Southsea (Harbour Shops)",
    ]
    assert (account.remote_id, account.handle) == ("1100001", "Alice Example")  # the personal account
    # The hour-long access token is renewed silently; the refresh token has no end: no expiry shown.
    token = vault.get_token(account.vault_key)
    assert token is not None and token["refresh_token"] and token["expires_at"] and account.expires_at is None
    assert (account.target_kind, account.target_id) == ("location", "accounts/1200002/locations/5003")
    listed = requests(sandbox, "mybusinessaccountmanagement.googleapis.com", "/v1/accounts")
    assert [r["params"].get("pageToken") for r in listed] == [None, "1"]  # two pages of one account
    group = requests(
        sandbox, "mybusinessbusinessinformation.googleapis.com", "/v1/accounts/1200002/locations"
    )
    assert [r["params"].get("pageToken") for r in group] == [None, "1"]
    assert {r["params"]["readMask"] for r in group} == {"name,title,storefrontAddress"}


async def publish(
    settings: Settings, vault: Vault, store: Store, caption: str, media: list[str], now: Any
) -> Any:
    account = (
        store.accounts_for(NETWORK)[0]
        if store.accounts_for(NETWORK)
        else (await link(settings, vault, store))[0]
    )
    post = store.create_post(caption, media, None)
    delivery = store.add_delivery(post.id, account)
    await run_due(store, vault, clock=now)
    return store.delivery(delivery.id)


async def test_a_photo_post_has_its_topic_photo_and_button_and_leaves_nothing_staged(
    google: tuple[Settings, Vault],
    sandbox: Running,
    store: Store,
    s3: S3Server,
    tmp_path: Path,
    frozen_clock: Any,
) -> None:
    settings, vault = google
    photo = media_corpus.jpeg(tmp_path / "cafe.jpg", (800, 600))
    caption = "New menu today! See https://harbour.example/menu. Open 8-4"
    sent = await publish(settings, vault, store, caption, [str(photo)], frozen_clock)
    assert sent.state == DeliveryState.SENT, sent.reason
    assert sent.url.startswith("https://local.google.com/place?id=5001&use=posts&lpsid=")
    [create] = [r for r in requests(sandbox, "mybusiness.googleapis.com") if r["method"] == "POST"]
    assert create["path"] == "/v4/accounts/1100001/locations/5001/localPosts"
    assert create["content_type"] == "application/json"
    assert create["keys"] == ["callToAction", "media", "summary", "topicType"]
    emulator = sandbox.sandbox.emulator("mybusiness.googleapis.com")
    [made] = emulator.google.posts["accounts/1100001/locations/5001"]  # type: ignore[attr-defined]
    assert made.body["callToAction"] == {"actionType": "LEARN_MORE", "url": "https://harbour.example/menu"}
    assert made.body["topicType"] == "STANDARD" and made.body["summary"] == caption
    assert [m["mediaFormat"] for m in made.media] == ["PHOTO"]
    assert s3.keys() == []


async def test_a_refused_post_still_deletes_its_staged_photo(
    google: tuple[Settings, Vault],
    sandbox: Running,
    store: Store,
    s3: S3Server,
    tmp_path: Path,
    frozen_clock: Any,
) -> None:
    from providers.sandbox.server import Fault

    settings, vault = google
    error = {"code": 400, "message": "Request contains an invalid argument.", "status": "INVALID_ARGUMENT"}
    fault = Fault("/v4/accounts/*/locations/*/localPosts", status=400, method="POST", body={"error": error})
    sandbox.sandbox.faults.append(fault)
    photo = media_corpus.jpeg(tmp_path / "cafe.jpg", (800, 600))
    failed = await publish(settings, vault, store, "Refused", [str(photo)], frozen_clock)
    assert failed.state == DeliveryState.FAILED and "INVALID_ARGUMENT" in failed.reason
    assert s3.keys() == []


async def test_service_disabled_says_to_enable_the_v4_api(
    google: tuple[Settings, Vault], sandbox: Running, store: Store, frozen_clock: Any
) -> None:
    settings, vault = google
    await link(settings, vault, store)
    sandbox.sandbox.emulator("mybusiness.googleapis.com").configure({"v4_enabled": False})
    failed = await publish(settings, vault, store, "Hello", [], frozen_clock)
    assert failed.state == DeliveryState.FAILED and not failed.retryable
    assert "SERVICE_DISABLED" in failed.reason and "Google My Business API (v4: local posts)" in failed.reason
    assert "enable it for the project" in failed.reason and "Linking works without it" in failed.reason


async def test_google_fetches_the_photo_address_and_refuses_one_it_cannot_fetch(
    google: tuple[Settings, Vault],
    sandbox: Running,
    store: Store,
    s3: S3Server,
    tmp_path: Path,
    refused_port: int,
) -> None:
    settings, vault = google
    account, _ = await link(settings, vault, store)
    token = vault.get_token(account.vault_key)
    assert token is not None
    url = f"{sandbox.url}/mybusiness.googleapis.com/v4/{account.target_id}/localPosts"
    headers = {"Authorization": f"Bearer {token['access_token']}"}

    def body(source: str) -> dict[str, Any]:
        return {
            "summary": "x",
            "topicType": "STANDARD",
            "media": [{"mediaFormat": "PHOTO", "sourceUrl": source}],
        }

    gone = s3.client().generate_presigned_url(
        "get_object", Params={"Bucket": "linkdeck-photos", "Key": "nope.jpg"}
    )
    closed = f"http://127.0.0.1:{refused_port}/photo.jpg"
    text = tmp_path / "notes.txt"
    text.write_text("not a photo" * 2000)
    s3.client().put_object(Bucket="linkdeck-photos", Key="notes.jpg", Body=text.read_bytes())
    not_photo = s3.client().generate_presigned_url(
        "get_object", Params={"Bucket": "linkdeck-photos", "Key": "notes.jpg"}
    )
    async with httpx2.AsyncClient(timeout=30) as client:
        for source, words in (
            (gone, "could not be fetched from its URL (HTTP 404)"),
            (closed, "could not be fetched from its URL"),
            (not_photo, "must be a JPEG or PNG"),
        ):
            answer = await client.post(url, json=body(source), headers=headers)
            assert answer.status_code == 400, answer.text
            error = answer.json()["error"]
            assert error["status"] == "INVALID_ARGUMENT"
            [detail] = error["details"][0]["errorDetails"]
            assert detail["field"] == "media.source_url" and words in detail["message"]
        missing = await client.post(url, json={"summary": "no topic"}, headers=headers)
        assert missing.json()["error"]["details"][0]["errorDetails"][0]["message"] == (
            "Topic type is required for post creation"
        )
    s3.client().delete_object(Bucket="linkdeck-photos", Key="notes.jpg")
    assert sandbox.sandbox.emulator("mybusiness.googleapis.com").published() == []


async def test_a_lost_answer_is_found_by_listing_the_locations_posts(
    google: tuple[Settings, Vault], sandbox: Running, store: Store, frozen_clock: Any
) -> None:
    from providers.sandbox.server import Fault

    assert PUBLISHER.recovery is Recovery.LOOKUP
    settings, vault = google
    await link(settings, vault, store)
    sandbox.sandbox.faults.append(Fault("/v4/*/localPosts", status=504, method="POST", after=True))
    first = await publish(settings, vault, store, "Made once", [], frozen_clock)
    assert first.state == DeliveryState.UNKNOWN and first.committed_at is not None
    frozen_clock.advance(hours=1, minutes=5)
    await run_due(store, vault, clock=frozen_clock)
    found = store.delivery(first.id)
    assert found is not None and found.state == DeliveryState.SENT and found.url
    assert found.remote_post_id.startswith("accounts/1100001/locations/5001/localPosts/")
    summaries = [p.text for p in sandbox.sandbox.emulator("mybusiness.googleapis.com").published()]
    assert summaries == ["Made once"]  # found, not made again


async def test_the_demo_links_and_posts_a_staged_photo(tmp_path: Path, frozen_clock: Any) -> None:
    """``linkdeck demo`` (``make demo``): the emulation's Desktop client and moto as the bucket."""
    from providers.settings import load
    from tui.demo import demo_environment

    photo = media_corpus.jpeg(tmp_path / "cafe.jpg", (800, 600))
    with demo_environment():
        settings = load()
        assert settings.staging is not None and settings.network(NETWORK).client_id == CLIENT_ID
        vault = Vault(settings)
        with Store.open() as store:
            sent = await publish(settings, vault, store, "From the demo", [str(photo)], frozen_clock)
            assert sent.state == DeliveryState.SENT and sent.url, sent.reason


async def test_linking_names_the_business_profile_api_to_enable(
    google: tuple[Settings, Vault], sandbox: Running, store: Store
) -> None:
    from providers.errors import LinkError
    from providers.sandbox.server import Fault

    settings, vault = google
    info = {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "SERVICE_DISABLED",
        "domain": "googleapis.com",
        "metadata": {"service": "mybusinessaccountmanagement.googleapis.com", "consumer": "projects/7"},
    }
    error = {"code": 403, "message": "API has not been used in project 7", "status": "PERMISSION_DENIED"}
    body = {"error": {**error, "details": [info]}}
    sandbox.sandbox.faults.append(
        Fault("/v1/accounts", status=403, host="mybusinessaccountmanagement.googleapis.com", body=body)
    )
    with pytest.raises(LinkError) as caught:
        await link(settings, vault, store)
    assert "My Business Account Management API is not enabled" in caught.value.message
    assert "APIs & Services → Library" in caught.value.message and store.accounts() == []


async def test_google_gives_a_refresh_token_only_for_offline_access(sandbox: Running) -> None:
    """The emulation, as Google: without ``access_type=offline`` no refresh token comes back."""
    from urllib.parse import urlencode

    from providers.auth.pkce import challenge, new_verifier

    async def exchange(offline: bool) -> dict[str, Any]:
        verifier = new_verifier()
        params = {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": "http://127.0.0.1:9/callback",
            "scope": "https://www.googleapis.com/auth/business.manage",
            "state": "s" * 20,
            "code_challenge": challenge(verifier),
            "code_challenge_method": "S256",
            **({"access_type": "offline"} if offline else {}),
        }
        answer = await approve_async(
            f"{sandbox.url}/accounts.google.com/o/oauth2/v2/auth?{urlencode(params)}"
        )
        code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
        async with httpx2.AsyncClient() as client:
            token = await client.post(
                f"{sandbox.url}/oauth2.googleapis.com/token",
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": params["redirect_uri"],
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "code_verifier": verifier,
                },
            )
        assert token.status_code == 200, token.text
        body: dict[str, Any] = token.json()
        return body

    online, offline = await exchange(False), await exchange(True)
    assert "refresh_token" not in online and online["expires_in"] == 3599
    assert offline["refresh_token"] and offline["token_type"] == "Bearer"


async def test_a_photo_without_staging_is_refused_by_the_runner_before_anything_is_sent(
    google: tuple[Settings, Vault], sandbox: Running, store: Store, tmp_path: Path, frozen_clock: Any
) -> None:
    """A scheduled post, or one from the Upload screen: the runner refuses it, naming the fix."""
    import dataclasses

    settings, _ = google
    bare = dataclasses.replace(settings, staging=None)
    photo = media_corpus.jpeg(tmp_path / "cafe.jpg", (800, 600))
    failed = await publish(bare, Vault(bare), store, "No bucket", [str(photo)], frozen_clock)
    assert failed.state == DeliveryState.FAILED and not failed.retryable
    assert "fetches photos from a public address" in failed.reason
    assert "linkdeck config set-secret staging" in failed.reason
    assert not [r for r in requests(sandbox, "mybusiness.googleapis.com") if r["method"] == "POST"]
    assert failed.committed_at is None
