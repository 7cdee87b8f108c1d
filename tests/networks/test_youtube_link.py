"""Linking YouTube: the authorize URL as Google's native-app guide wants it, the channel as the
target, the device code only with a TV client and the scope Google's device flow allows, each
token renewed and revoked with the client that issued it, and Google's error reasons mapped."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from providers import linking
from providers.auth.device import DeviceFlow
from providers.auth.oauth2 import AuthorizationCodeFlow
from providers.auth.types import RedirectKind
from providers.emulation.google import YOUTUBE_TV_CLIENT_ID as TV_CLIENT_ID
from providers.emulation.google import YOUTUBE_TV_CLIENT_SECRET as TV_CLIENT_SECRET
from providers.errors import LinkError
from providers.linking.steps import ShowAddress
from providers.networks.youtube.link import DEVICE_SCOPES, TV_MARK, MarkedDeviceFlow, YouTubeSignIn
from providers.networks.youtube.publish import YouTubePublisher
from providers.networks.youtube.sandbox import DEMO
from providers.networks.youtube.spec import SPEC
from providers.sandbox import Running
from providers.settings import NetworkSettings, Settings
from providers.store import Store
from providers.vault import Vault
from tests.sandbox_browser import approve_async
from tests.support.ports import free_port

UPLOAD, READONLY, YOUTUBE = (
    "https://www.googleapis.com/auth/youtube.upload",
    "https://www.googleapis.com/auth/youtube.readonly",
    "https://www.googleapis.com/auth/youtube",
)


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LINKDECK_YOUTUBE_CLIENT_SECRET", str(DEMO.client_secret))
    return Settings(
        networks={"youtube": NetworkSettings(port=free_port(), client_id=DEMO.client_id)},
        allow_plaintext_secrets=True,
    )


@pytest.fixture
def with_tv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINKDECK_YOUTUBE_TV_CLIENT_ID", TV_CLIENT_ID)
    monkeypatch.setenv("LINKDECK_YOUTUBE_TV_CLIENT_SECRET", TV_CLIENT_SECRET)


def sign_in(settings: Settings, store: Store) -> YouTubeSignIn:
    return YouTubeSignIn(SPEC, store, Vault(settings), settings)


async def test_the_authorize_url_is_googles_with_pkce_state_offline_access_and_the_chooser(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LINKDECK_SANDBOX_URL", raising=False)
    flow = AuthorizationCodeFlow(
        sign_in(settings, store).client_config(), redirect=RedirectKind.LOOPBACK, path="/callback"
    )
    request = await flow.start()
    await flow.cancel()
    url = urlsplit(request.url)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert (url.scheme, url.netloc, url.path) == ("https", "accounts.google.com", "/o/oauth2/v2/auth")
    assert query["scope"].split() == [UPLOAD, READONLY]  # not the broader "youtube"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 16 and query["response_type"] == "code"
    assert query["access_type"] == "offline"
    assert query["prompt"].split() == ["select_account", "consent"]
    assert query["client_id"] == DEMO.client_id
    assert query["redirect_uri"].startswith("http://127.0.0.1:") and query["redirect_uri"].endswith(
        "/callback"
    )


async def test_the_linked_channel_is_the_target_and_the_chooser_picks_it(
    settings: Settings, store: Store, sandbox: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    session = await linking.begin_link("youtube", settings=settings, store=store, vault=Vault(settings))
    step = await session.next_step()
    while not isinstance(step, ShowAddress):
        step = await session.next_step()
    assert step.request is not None and step.device is None  # no TV client: no device code
    step.paste((await approve_async(step.request.url, user="bob")).headers["location"])  # the chooser
    linked = await session.finish()
    account = linked.account
    assert account is not None and account.handle == "@bob" and account.display_name == "Bob Example"
    assert (account.target_kind, account.target_id, account.target_name) == (
        "channel",
        account.remote_id,
        "Bob Example",
    )
    assert account.remote_id.startswith("UC")


async def test_the_device_code_uses_the_tv_client_and_the_youtube_scope(
    settings: Settings, store: Store, sandbox: Running, monkeypatch: pytest.MonkeyPatch, with_tv: None
) -> None:
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    youtube = sign_in(settings, store)
    tv = youtube.tv_config()
    assert tv is not None and tv.client_id == TV_CLIENT_ID and tv.scopes == DEVICE_SCOPES == (YOUTUBE,)
    waits: list[float] = []

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)

    flow = MarkedDeviceFlow(DeviceFlow(tv, sleep=no_wait))
    code = await flow.start()
    assert code.verification_uri == f"{sandbox.url}/www.google.com/device"
    async with httpx2.AsyncClient() as browser:  # approved on the phone
        done = await browser.post(
            code.verification_uri, data={"user_code": code.user_code, "decision": "allow"}
        )
    assert done.status_code == 200
    token = await flow.wait()
    assert token[TV_MARK] == "tv" and token["scope"] == YOUTUBE and token["refresh_token"]
    assert (await youtube.profile(token, None)).handle == "@alice"  # "youtube" reads the channel too
    renew = await youtube.refresh_config_for(token, None)
    assert renew.client_id == TV_CLIENT_ID  # renewed by the client that issued it
    assert (await youtube.refresh_config_for({"access_token": "x"}, None)).client_id == DEMO.client_id
    assert await youtube.revoke(token, None) is True
    assert not sandbox.sandbox.emulator(DEMO.host).accepts(token["refresh_token"])


@pytest.mark.parametrize(
    ("client_id", "scope", "error", "words"),
    [
        (TV_CLIENT_ID, UPLOAD, "invalid_scope", "Invalid device flow scope"),
        (DEMO.client_id, YOUTUBE, "invalid_client", "Only clients of type 'TVs and Limited Input devices'"),
    ],
    ids=["upload scope", "desktop client"],
)
async def test_googles_device_flow_refuses_the_upload_scope_and_other_client_types(
    sandbox: Running, client_id: str | None, scope: str, error: str, words: str
) -> None:
    async with httpx2.AsyncClient() as client:
        answer = await client.post(
            f"{sandbox.url}/oauth2.googleapis.com/device/code", data={"client_id": client_id, "scope": scope}
        )
    assert answer.status_code in (400, 401)
    assert answer.json()["error"] == error and words in answer.json()["error_description"]


async def test_a_google_account_without_a_channel_is_told_how_to_get_one(
    settings: Settings, store: Store
) -> None:
    with pytest.raises(LinkError, match="has no YouTube channel"):
        sign_in(settings, store).parse_profile({"kind": "youtube#channelListResponse", "items": []})


def google_error(status: int, reason: str, message: str = "words") -> httpx2.Response:
    body: dict[str, Any] = {"error": {"code": status, "message": message, "errors": [{"reason": reason}]}}
    return httpx2.Response(status, json=body)


@pytest.mark.parametrize(
    ("status", "reason", "kind"),
    [
        (403, "quotaExceeded", "try_later"),
        (400, "uploadLimitExceeded", "try_later"),
        (401, "authError", "reconnect"),
        (403, "insufficientPermissions", "reconnect"),
        (401, "youtubeSignupRequired", "reconnect"),
        (400, "invalidTitle", "fix_media"),
        (400, "invalidDescription", "fix_media"),
        (403, "forbidden", "refused"),
        (500, "backendError", "try_later"),
    ],
)
def test_googles_error_reasons_become_what_the_user_can_do(status: int, reason: str, kind: str) -> None:
    publisher = YouTubePublisher(SPEC, httpx2.AsyncClient())
    response = google_error(status, reason, "Google's own words")
    assert publisher.error_code(response) == reason
    error = publisher.refused(response, "YouTube", "uploading clip.mp4")
    assert error.kind == kind and "YouTube" in error.message and "Google's own words" in error.message
    if reason == "quotaExceeded":
        assert error.retry_after == 6 * 3600 and "midnight Pacific Time" in error.message
    assert error.unauthorized is (status == 401 and kind == "reconnect")


def test_the_demo_links_youtube_with_the_sandboxs_desktop_client() -> None:
    import os

    from providers.settings import load
    from tui.demo import demo_environment

    with demo_environment():
        assert load().network("youtube").client_id == DEMO.client_id  # from the demo's config.toml
        assert os.environ["LINKDECK_YOUTUBE_CLIENT_SECRET"] == DEMO.client_secret
    assert os.environ.get("LINKDECK_YOUTUBE_CLIENT_SECRET") != DEMO.client_secret


async def test_google_keeps_the_refresh_token_and_ends_a_testing_apps_sign_in_after_7_days(
    settings: Settings, store: Store, sandbox: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    from providers.auth.refresh import TokenKeeper

    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    vault = Vault(settings)
    session = await linking.begin_link("youtube", settings=settings, store=store, vault=vault)
    step = await session.next_step()
    while not isinstance(step, ShowAddress):
        step = await session.next_step()
    assert step.request is not None
    step.paste((await approve_async(step.request.url)).headers["location"])
    account = (await session.finish()).account
    assert account is not None
    first = vault.get_token(account.vault_key)
    assert first is not None and first["refresh_token"] and first["expires_in"] == 3599
    youtube = sign_in(settings, store)
    keeper = TokenKeeper(vault, store)
    config = await youtube.refresh_config_for(first, None)
    renewed = await keeper.after_unauthorized(account, config)
    assert renewed["access_token"] != first["access_token"]
    assert renewed["refresh_token"] == first["refresh_token"]  # Google does not rotate it
    sandbox.sandbox.clock.offset += 7 * 24 * 3600 + 60  # a Testing project: consent ends after 7 days
    with pytest.raises(LinkError, match="YouTube"):
        await keeper.after_unauthorized(account, config)
    current = store.account(account.id)
    assert current is not None and current.state == "reconnect"


async def test_with_a_tv_client_the_device_code_is_offered_beside_the_address(
    settings: Settings, store: Store, sandbox: Running, monkeypatch: pytest.MonkeyPatch, with_tv: None
) -> None:
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    session = await linking.begin_link("youtube", settings=settings, store=store, vault=Vault(settings))
    step = await session.next_step()
    while not isinstance(step, ShowAddress):
        step = await session.next_step()
    assert step.request is not None and "youtube.upload" in query_of(step.request.url)["scope"]
    assert step.device is not None and step.device.verification_uri == f"{sandbox.url}/www.google.com/device"
    [asked] = [r for r in sandbox.sandbox.requests if r["path"] == "/device/code"]
    assert asked["params"]["scope"] == YOUTUBE and asked["params"]["client_id"] == TV_CLIENT_ID
    await session.cancel()


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
