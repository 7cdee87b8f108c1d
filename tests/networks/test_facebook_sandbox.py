"""Facebook in the sandbox (in this process): the Login dialog's rules, the Page chooser's data,
Graph's refusals and error injection, the rate-limit headers, and the 60-day expiry on the card."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from PIL import Image

from providers import clock, linking, overview
from providers.errors import LinkError
from providers.linking.steps import ChooseTarget, Failed, Linked, ShowAddress, Step
from providers.networks.facebook.sandbox_auth import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, LONG_SECONDS
from providers.networks.facebook.spec import SPEC
from providers.outbox.runner import run_due
from providers.sandbox import Running
from providers.settings import NetworkSettings, Settings
from providers.store import DeliveryState, Store
from providers.vault import Vault
from tests.sandbox_browser import approve_async
from tests.support.ports import free_port

GRAPH = "graph.facebook.com"


class Facebook:
    def __init__(self, sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
        monkeypatch.setenv("LINKDECK_FACEBOOK_CLIENT_SECRET", DEMO_CLIENT_SECRET)
        self.sandbox, self.store = sandbox, store
        self.settings = Settings(
            networks={"facebook": NetworkSettings(client_id=DEMO_CLIENT_ID, port=free_port())},
            allow_plaintext_secrets=True,
        )
        self.vault = Vault(self.settings)
        self.seen: list[Step] = []

    async def linked_page(self) -> tuple[str, dict[str, Any]]:
        """Link Alice to her first Page: the Page's id and the token document from the keyring."""
        linked = await self.link()
        assert linked.account is not None and linked.account.target_id
        token = self.vault.get_token(linked.account.vault_key)
        assert token is not None
        return linked.account.target_id, token

    @property
    def emulator(self) -> Any:
        return self.sandbox.sandbox.emulator(GRAPH)

    async def link(self, user: str = "alice", choice: int = 0) -> Linked:
        session = await linking.begin_link(
            "facebook", settings=self.settings, store=self.store, vault=self.vault
        )
        async for step in session.steps():
            self.seen.append(step)
            if isinstance(step, ShowAddress):
                assert step.request is not None
                step.paste((await approve_async(step.request.url, user=user)).headers["location"])
            elif isinstance(step, ChooseTarget):
                step.choose(choice)
            elif isinstance(step, Linked):
                return step
            elif isinstance(step, Failed):
                assert step.error is not None
                raise step.error
        raise AssertionError("no Linked or Failed")


@pytest.fixture
def fb(sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch) -> Facebook:
    return Facebook(sandbox, store, monkeypatch)


@pytest.fixture
def picture(tmp_path: Path) -> Path:
    path = tmp_path / "harbour.jpg"
    Image.new("RGB", (640, 480), (40, 90, 160)).save(path, quality=85)
    return path


# Login ---------------------------------------------------------------------------------------------


async def dialog(sandbox: Running, version: str = "v26.0", **params: str) -> httpx2.Response:
    query = {
        "client_id": DEMO_CLIENT_ID,
        "redirect_uri": "http://127.0.0.1:8080/callback",
        "response_type": "code",
        "scope": "pages_show_list pages_manage_posts",
        "state": "s" * 20,
        **params,
    }
    async with httpx2.AsyncClient() as client:
        return await client.get(f"{sandbox.url}/www.facebook.com/{version}/dialog/oauth", params=query)


async def call(method: str, url: str, **kw: Any) -> httpx2.Response:
    async with httpx2.AsyncClient(timeout=30) as client:
        return await client.request(method, url, **kw)


async def test_the_login_dialog_shows_consent_in_development_mode_only(sandbox: Running) -> None:
    page = await dialog(sandbox)
    assert page.status_code == 200 and "pages_manage_posts" in page.text
    sandbox.sandbox.emulator("www.facebook.com").configure({"development_mode": False})
    refused = await dialog(sandbox)
    assert "Insecure Login Blocked" in refused.text


async def test_an_expired_graph_version_is_refused(sandbox: Running) -> None:
    assert "v20.0" in (await dialog(sandbox, "v20.0")).text
    answer = await call("GET", f"{sandbox.url}/{GRAPH}/v20.0/me")
    assert answer.status_code == 400 and answer.json()["error"]["code"] == 12


async def test_the_chooser_offers_the_own_and_the_business_page(fb: Facebook) -> None:
    linked = await fb.link(choice=1)
    [choose] = [s for s in fb.seen if isinstance(s, ChooseTarget)]
    assert [(t.kind, t.name) for t in choose.choices] == [
        ("page", "Harbour Photo Co."),
        ("page", "Tide Club (Business)"),
    ]
    assert linked.account is not None and linked.account.target_name == "Tide Club (Business)"
    listed = [r["path"] for r in fb.sandbox.sandbox.requests if r["method"] == "GET"]
    assert "/v26.0/me/businesses" in listed and "/v26.0/2000000000000001/owned_pages" in listed


async def test_someone_without_pages_is_told_why_nothing_was_linked(fb: Facebook) -> None:
    with pytest.raises(LinkError, match=r"no Page linkdeck can post to.*Timeline"):
        await fb.link(user="bob")
    assert fb.store.accounts() == []


async def test_the_60_day_token_shows_days_left_and_turns_amber_a_week_ahead(
    fb: Facebook, frozen_clock: clock.FrozenClock
) -> None:
    linked = await fb.link()
    account = linked.account
    assert account is not None and account.expires_at is not None
    assert abs(account.expires_at - (frozen_clock() + timedelta(seconds=LONG_SECONDS))) < timedelta(seconds=5)
    card = overview.card_for(SPEC, fb.settings, [account], frozen_clock())
    assert card.days_left == 59 and not card.expiring_soon
    week_ahead = overview.card_for(SPEC, fb.settings, [account], frozen_clock.advance(days=53))
    assert week_ahead.days_left == 6 and week_ahead.expiring_soon


# Graph's refusals ---------------------------------------------------------------------------------


async def publish(fb: Facebook, caption: str, media: list[str], now: clock.FrozenClock) -> Any:
    account = fb.store.accounts()[0]
    post = fb.store.create_post(caption, media, None)
    delivery = fb.store.add_delivery(post.id, account)
    await run_due(fb.store, fb.vault, clock=now)
    return fb.store.delivery(delivery.id)


@pytest.mark.parametrize(
    ("injected", "state", "words"),
    [
        ("too_fast", DeliveryState.SCHEDULED, "1390008"),
        ("blocked", DeliveryState.SCHEDULED, "368"),
        ("expired", DeliveryState.HELD, "190"),
        ("permission", DeliveryState.HELD, "pages_manage_posts"),
    ],
)
async def test_injected_graph_errors_become_what_to_do(
    fb: Facebook,
    picture: Path,
    frozen_clock: clock.FrozenClock,
    injected: str,
    state: DeliveryState,
    words: str,
) -> None:
    await fb.link()
    fb.emulator.configure({"fail_next_posts": [injected]})
    done = await publish(fb, "Not yet", [str(picture)], frozen_clock)
    assert done.state == state and words in done.reason
    assert fb.emulator.published() == []


async def test_a_photo_over_4_mb_is_refused_as_graph_1366046(fb: Facebook) -> None:
    page, token = await fb.linked_page()
    big = b"\xff\xd8\xff" + b"0" * 4_000_001
    answer = await call(
        "POST",
        f"{fb.sandbox.url}/{GRAPH}/v26.0/{page}/photos",
        data={"published": "false"},
        files={"source": ("big.jpg", big, "image/jpeg")},
        headers={"Authorization": f"Bearer {token['page_tokens'][page]}"},
    )
    error = answer.json()["error"]
    assert (error["code"], error["error_subcode"]) == (100, 1366046)


async def test_a_user_token_cannot_post_as_the_page_and_headers_tell_usage(fb: Facebook) -> None:
    page, token = await fb.linked_page()
    url = f"{fb.sandbox.url}/{GRAPH}/v26.0/{page}/feed"
    as_user = await call(
        "POST", url, data={"message": "hi"}, headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert as_user.json()["error"]["code"] == 200
    as_page = await call(
        "POST", url, data={"message": "hi"}, headers={"Authorization": f"Bearer {token['page_tokens'][page]}"}
    )
    assert as_page.status_code == 200
    assert json.loads(as_page.headers["X-App-Usage"])["call_count"] > 0
    assert page in json.loads(as_page.headers["X-Business-Use-Case-Usage"])


async def test_the_share_dialog_shows_the_link(sandbox: Running) -> None:
    page = await call(
        "GET", f"{sandbox.url}/www.facebook.com/sharer/sharer.php", params={"u": "https://example.org/a"}
    )
    assert page.status_code == 200 and "https://example.org/a" in page.text


async def test_the_demo_links_facebook_with_its_pages_out_of_the_box() -> None:
    from providers.settings import load
    from tui.demo import demo_environment

    with demo_environment():  # developer-app networks get a free loopback port there
        settings = load()
        assert settings.network("facebook").client_id == DEMO_CLIENT_ID
        assert settings.network("facebook").port != 8080
        with Store.open() as store:
            vault = Vault(settings)
            [card] = [c for c in overview.cards(settings, store) if c.spec.id == "facebook"]
            assert card.state is overview.CardState.NOT_LINKED  # no set-up asked in the demo
            session = await linking.begin_link("facebook", settings=settings, store=store, vault=vault)
            async for step in session.steps():
                if isinstance(step, ShowAddress):
                    assert step.request is not None
                    step.paste((await approve_async(step.request.url)).headers["location"])
                elif isinstance(step, ChooseTarget):
                    step.choose(1)
            [account] = store.accounts()
            assert (account.network, account.target_name) == ("facebook", "Tide Club (Business)")


async def test_a_video_uploads_resumably_from_where_it_broke_and_is_posted(
    fb: Facebook, tmp_path: Path, frozen_clock: clock.FrozenClock
) -> None:
    import hashlib

    from providers.sandbox.server import Fault
    from tests.media_corpus import video

    await fb.link()
    clip = video(tmp_path / "tide.mp4", seconds=1.0)
    assert clip.stat().st_size > 4000
    fb.sandbox.sandbox.faults.append(Fault("/v26.0/upload:*", method="POST", drop_after_bytes=3000))
    done = await publish(fb, "The tide, filmed", [str(clip)], frozen_clock)
    assert done.state == DeliveryState.SENT, done.reason
    assert done.url == f"https://www.facebook.com/1010000000000001/videos/{done.remote_post_id}"
    assert [(p.text, p.media) for p in fb.emulator.published()] == [("The tide, filmed", 1)]
    calls = [(r["method"], r["status"]) for r in fb.sandbox.sandbox.requests if "/upload:" in r["path"]]
    assert calls == [("POST", "dropped"), ("GET", 200), ("POST", 200)]  # resumed from the offset
    [upload] = fb.emulator.world.uploads.values()
    assert upload.offset == clip.stat().st_size
    assert upload.digest.hexdigest() == hashlib.sha256(clip.read_bytes()).hexdigest()  # every byte, once


async def test_a_video_with_photos_is_refused_before_anything_is_sent(
    fb: Facebook, tmp_path: Path, picture: Path, frozen_clock: clock.FrozenClock
) -> None:
    from tests.media_corpus import video

    await fb.link()
    clip = video(tmp_path / "tide.mp4", seconds=1.0)
    done = await publish(fb, "Both", [str(picture), str(clip)], frozen_clock)
    assert done.state == DeliveryState.FAILED and "Facebook" in done.reason
    assert not [r for r in fb.sandbox.sandbox.requests if r["path"].endswith(("/photos", "/uploads"))]


async def test_login_for_devices_links_with_a_code_typed_at_facebook_com_device(
    fb: Facebook, monkeypatch: pytest.MonkeyPatch
) -> None:
    from providers.networks.facebook.sandbox_auth import DEMO_CLIENT_TOKEN

    monkeypatch.setenv("LINKDECK_FACEBOOK_CLIENT_TOKEN", DEMO_CLIENT_TOKEN)
    fb.emulator.configure({"device_interval": 0.05})
    session = await linking.begin_link("facebook", settings=fb.settings, store=fb.store, vault=fb.vault)
    linked = None
    async for step in session.steps():
        if isinstance(step, ShowAddress):
            assert (
                step.device is not None and step.device.verification_uri == "https://www.facebook.com/device"
            )
            page = f"{fb.sandbox.url}/www.facebook.com/device?user_code={step.device.user_code}"
            assert (await approve_async(page)).status_code == 200  # nothing pasted: the poll finds it
        elif isinstance(step, ChooseTarget):
            step.choose(0)
        elif isinstance(step, Linked):
            linked = step
        elif isinstance(step, Failed):
            raise AssertionError(step.error)
    assert linked is not None and linked.account is not None
    assert linked.account.target_name == "Harbour Photo Co."
    token = fb.vault.get_token(linked.account.vault_key)
    assert token is not None and set(token["page_tokens"]) == {"1010000000000001", "1010000000000002"}
    polls = [r for r in fb.sandbox.sandbox.requests if r["path"].endswith("/device/login_status")]
    assert polls and all(r["params"]["access_token"] != DEMO_CLIENT_TOKEN for r in polls)


async def test_without_a_client_token_no_device_code_is_offered(fb: Facebook) -> None:
    await fb.link()
    [address] = [s for s in fb.seen if isinstance(s, ShowAddress)]
    assert address.device is None


async def test_an_app_that_requires_the_app_secret_links_posts_and_unlinks(
    fb: Facebook, tmp_path: Path, picture: Path, frozen_clock: clock.FrozenClock
) -> None:
    from providers import unlinking
    from tests.media_corpus import video

    fb.emulator.configure({"require_app_secret": True})
    linked = await fb.link()
    assert linked.account is not None
    photo_post = await publish(fb, "With proof", [str(picture)], frozen_clock)
    assert photo_post.state == DeliveryState.SENT, photo_post.reason
    clip = await publish(fb, "Video with proof", [str(video(tmp_path / "v.mp4", seconds=1.0))], frozen_clock)
    assert clip.state == DeliveryState.SENT, clip.reason
    graph = [
        r
        for r in fb.sandbox.sandbox.requests
        if r["host"].startswith("graph") and not r["path"].endswith(("/access_token", "/picture"))
    ]  # the token exchanges take the secret itself; the profile picture is public
    missing = [
        r["path"] for r in graph if "appsecret_proof" not in r["params"] and "/device/" not in r["path"]
    ]
    assert missing == [] and all(r["status"] == 200 for r in graph)
    result = await unlinking.unlink(fb.store, fb.vault, linked.account)
    assert result.revoked is True
