"""Contract tests over the registry: every network whose package declares linking, publishing and a
sandbox emulator passes the same checks against its emulation, so a new network gets them by
existing (providers/networks/<id>/ with link.py, publish.py and sandbox.py, and its id in ORDER).

For each network: it links through the same steps a person sees (state on every browser sign-in,
PKCE S256 where its spec claims it, never ``plain``), on the base sign-in its spec names; the
profile names the account and the token is in the keyring only; unlinking revokes where the
spec says the network can (and the token stops working), or says where to remove access; text
and a photo (a short video where the spec takes no photos) are published through the outbox
with links; a send whose answer is lost is recovered the way the publisher declares (the same
idempotency key or a look-up) with exactly one post at the network; a 401 asks to reconnect and
holds the post; a 429 is tried later at Retry-After.
A network whose publisher stages media (it fetches photos from an address) gets a real
S3-compatible bucket (moto in server mode) as its ``[staging]``, and nothing is left in it.

The sandbox runs in this process; the vault is the real Secret Service under tests/with_keyring.sh
(else the opted-in plaintext file).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from providers import catalog, clock, linking, networks, unlinking
from providers.auth.types import RedirectKind
from providers.emulation.framework import SandboxDemo
from providers.interface import Recovery
from providers.linking.steps import (
    AskFields,
    AskInstance,
    ChooseTarget,
    Failed,
    Linked,
    ShowAddress,
    ShowDeviceCode,
    Step,
)
from providers.networks import registry
from providers.outbox.runner import run_due
from providers.sandbox import Running
from providers.settings import NetworkSettings, Settings
from providers.signin import base_for
from providers.spec import NetworkSpec
from providers.store import DeliveryState, Store
from providers.vault import Vault
from tests.sandbox_browser import approve_async
from tests.support.ports import free_port
from tests.support.s3 import SECRET_KEY, S3Server, running_s3

CONTRACT = [
    spec
    for spec in catalog.all_networks()
    if all(networks.has(spec.id, part) for part in (networks.LINK, networks.PUBLISH, networks.SANDBOX))
]


def test_the_contract_covers_every_network_that_links_or_publishes() -> None:
    """A network that links or publishes must have an emulator (else it is not tested here)."""
    building = [s.id for s in catalog.all_networks() if networks.can_link(s.id) or networks.can_publish(s.id)]
    assert building == [s.id for s in CONTRACT] and len(CONTRACT) >= 3


def access_of(token: Mapping[str, Any]) -> str:
    """The token's access credential: OAuth 2's access_token, or OAuth 1.0a's oauth_token."""
    return str(token.get("access_token") or token.get("oauth_token") or "")


def demo_of(spec: NetworkSpec) -> SandboxDemo:
    module = networks.part(spec.id, networks.SANDBOX)
    assert module is not None
    demo: SandboxDemo = module.DEMO
    return demo


@pytest.fixture
def photo(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """The post's media file: a photo, or a short video for a network whose spec takes no photos."""
    spec: NetworkSpec = request.getfixturevalue("network").spec
    if not spec.media.images:
        from tests.media_corpus import video

        return video(tmp_path / "harbour.mp4", seconds=1.0)
    path = tmp_path / "harbour.jpg"
    Image.new("RGB", (800, 600), (40, 90, 160)).save(path, quality=85)
    return path


def stages_media(spec: NetworkSpec) -> bool:
    module = networks.part(spec.id, networks.PUBLISH)
    return module is not None and bool(module.PUBLISHER.stages_media)


@pytest.fixture(scope="module")
def staging_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """moto's S3 server with a bucket, for the networks that stage media (one per module)."""
    with running_s3(tmp_path_factory.mktemp("s3")) as server:
        server.make_bucket()
        yield server


class Network:
    """One network under contract: its spec, its sandbox demo, settings, store and vault (and its
    staging bucket, when its publisher stages media)."""

    def __init__(
        self,
        spec: NetworkSpec,
        sandbox: Running,
        store: Store,
        monkeypatch: pytest.MonkeyPatch,
        s3: S3Server | None = None,
    ) -> None:
        self.spec, self.sandbox, self.store, self.s3 = spec, sandbox, store, s3
        self.demo = demo_of(spec)
        self.settings = Settings(
            networks={spec.id: NetworkSettings(port=free_port(), client_id=self.demo.client_id)},
            allow_plaintext_secrets=True,
            staging=s3.settings() if s3 is not None else None,
        )
        if s3 is not None:
            monkeypatch.setenv("LINKDECK_STAGING_CLIENT_SECRET", SECRET_KEY)
        self.vault = Vault(self.settings)
        if spec.capabilities.per_instance:
            self.instance = f"{sandbox.url}/{self.demo.host}"  # direct mode: the sandbox is the server
        else:
            monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)  # its fixed hosts, rewritten
            self.instance = None
        if self.demo.client_secret:
            monkeypatch.setenv(
                f"LINKDECK_{spec.id.upper().replace('-', '_')}_CLIENT_SECRET", self.demo.client_secret
            )
        self.seen: list[Step] = []

    @property
    def emulator(self):  # type: ignore[no-untyped-def]
        return self.sandbox.sandbox.emulator(self.demo.host)

    async def link(self) -> Linked:
        """Every step answered as a person would: the server, the demo credentials, Allow on the
        consent page (the redirect pasted back), the first target."""
        session = await linking.begin_link(
            self.spec.id, settings=self.settings, store=self.store, vault=self.vault
        )
        async for step in session.steps():
            self.seen.append(step)
            if isinstance(step, AskInstance):
                step.answer(self.instance or "")
            elif isinstance(step, AskFields):
                assert not step.error, step.error
                step.answer(dict(self.demo.fields))
            elif isinstance(step, ShowAddress):
                assert step.request is not None
                answer = await approve_async(step.request.url, user=self.demo.user)
                step.paste(answer.headers["location"])
            elif isinstance(step, ShowDeviceCode):
                raise AssertionError(
                    f"{self.spec.id}: the contract has no device approval in the sandbox yet"
                )
            elif isinstance(step, ChooseTarget):
                step.choose(0)
            elif isinstance(step, Linked):
                return step
            elif isinstance(step, Failed):
                assert step.error is not None
                raise step.error
        raise AssertionError("the steps ended without Linked or Failed")

    def fail(
        self, status: int, *, times: int = 1, retry_after: float | None = None, after: bool = False
    ) -> None:
        from providers.sandbox.server import Fault

        self.sandbox.sandbox.faults.append(
            Fault(self.demo.create_path, status=status, times=times, retry_after=retry_after, after=after)
        )


@pytest.fixture(params=CONTRACT, ids=[s.id for s in CONTRACT])
def network(
    request: pytest.FixtureRequest, sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch
) -> Network:
    s3 = request.getfixturevalue("staging_s3") if stages_media(request.param) else None
    return Network(request.param, sandbox, store, monkeypatch, s3)


# Linking -----------------------------------------------------------------------------------------


async def test_links_on_its_base_with_state_and_pkce_as_its_spec_says(network: Network) -> None:
    sign_in = registry.sign_in_for(
        network.spec.id, settings=network.settings, store=network.store, vault=network.vault
    )
    assert isinstance(sign_in, base_for(network.spec.sign_in))
    linked = await network.link()
    assert linked.account is not None and linked.account.network == network.spec.id
    addresses = [s for s in network.seen if isinstance(s, ShowAddress)]
    if not addresses:  # typed credentials only: nothing to redirect, so no state to carry
        assert network.spec.sign_in.value in ("credentials", "pasted_token")
        return
    for step in addresses:
        assert step.request is not None
        query = {k: v[0] for k, v in parse_qs(urlsplit(step.request.url).query).items()}
        if "request_uri" in query:  # pushed authorization (PAR): the parameters went ahead of the page
            continue
        if network.spec.sign_in.value == "oauth1":  # OAuth 1.0a: the request token plays the state
            assert len(query.get("oauth_token", "")) >= 16 and "state" not in query
            continue
        if step.request.redirect_kind is RedirectKind.HOSTED:  # nothing comes back through a redirect
            assert not step.request.redirect_uri
            continue
        assert len(query.get("state", "")) >= 16, "every browser sign-in carries a state"
        assert query.get("code_challenge_method") != "plain"
        if network.spec.capabilities.pkce:
            assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43


async def test_the_profile_names_the_account_and_the_token_stays_in_the_keyring(
    network: Network, linkdeck_home: Path
) -> None:
    linked = await network.link()
    account, profile = linked.account, linked.profile
    assert account is not None and profile is not None
    assert account.remote_id == profile.remote_id and account.handle == profile.handle and account.handle
    token = network.vault.get_token(account.vault_key)
    assert token and access_of(token)
    databases = sorted((linkdeck_home / "data").glob("linkdeck.sqlite3*"))
    assert databases, "no database file to search"  # else the check below would prove nothing
    for path in databases:
        assert access_of(token).encode() not in path.read_bytes()


async def test_unlinking_revokes_or_says_where_to_remove_access(network: Network) -> None:
    linked = await network.link()
    account = linked.account
    assert account is not None
    token = network.vault.get_token(account.vault_key)
    assert token is not None
    # What lasts longest is what revocation must end: the refresh token where there is one (an
    # access token already issued may run out by itself), else the access token.
    lasting = str(token.get("refresh_token") or access_of(token))
    assert network.emulator.accepts(lasting)
    plan = unlinking.plan(network.store, account)
    result = await unlinking.unlink(network.store, network.vault, account)
    assert network.vault.get_token(account.vault_key) is None and network.store.accounts() == []
    if network.spec.capabilities.provider_revoke:
        assert plan.can_revoke and result.revoked is True
        assert not network.emulator.accepts(lasting)  # the network no longer honours the grant
    else:  # honest: nothing could revoke it, and the summary says where to
        assert not plan.can_revoke and result.revoked is None and network.emulator.accepts(lasting)
        assert plan.settings_url and "connected-apps page" in result.summary()


# Publishing --------------------------------------------------------------------------------------


async def publish(network: Network, caption: str, media: list[str], now: clock.FrozenClock):  # type: ignore[no-untyped-def]
    account = (await network.link()).account
    assert account is not None
    post = network.store.create_post(caption, media, None)
    delivery = network.store.add_delivery(post.id, account)
    await run_due(network.store, network.vault, clock=now)
    return network.store.delivery(delivery.id), account


async def test_text_and_a_photo_are_published_with_links(
    network: Network, photo: Path, frozen_clock: clock.FrozenClock
) -> None:
    sent, _ = await publish(network, "Low tide at the harbour", [str(photo)], frozen_clock)
    assert sent is not None, "the delivery is recorded"
    assert sent.state == DeliveryState.SENT and sent.url and sent.remote_post_id, sent.reason
    posts = network.emulator.published()
    assert [(p.text, p.media) for p in posts] == [("Low tide at the harbour", 1)]
    if network.s3 is not None:  # the network fetched the staged photo; the bucket keeps nothing
        assert network.s3.keys() == []
    text, _ = await publish(network, "Only words today", [], frozen_clock)
    assert text is not None
    if network.spec.media.text_only:
        assert text.state == DeliveryState.SENT and text.url
        assert [p.text for p in network.emulator.published()][-1] == "Only words today"
    else:  # refused before anything is sent, naming the network and the rule
        assert text.state == DeliveryState.FAILED and network.spec.name in (text.reason or "")
        assert len(network.emulator.published()) == 1


async def test_a_lost_answer_is_recovered_as_the_publisher_declares(
    network: Network, photo: Path, frozen_clock: clock.FrozenClock
) -> None:
    publisher_class = networks.part(network.spec.id, networks.PUBLISH).PUBLISHER  # type: ignore[union-attr]
    network.fail(504, after=True)  # the post is made, but its answer never arrives
    first, _ = await publish(network, "Made once", [str(photo)], frozen_clock)
    assert first is not None and first.committed_at is not None
    frozen_clock.advance(hours=1 if publisher_class.recovery is Recovery.LOOKUP else 0, minutes=5)
    await run_due(network.store, network.vault, clock=frozen_clock)
    again = network.store.delivery(first.id)
    assert again is not None
    if publisher_class.recovery is Recovery.CHECK:
        assert again.state == DeliveryState.UNKNOWN and again.check_needed
    else:  # the same key answered with the post already made, or the look-up found it
        assert again.state == DeliveryState.SENT and again.url
    assert [p.text for p in network.emulator.published()] == ["Made once"]  # never twice


async def test_401_asks_to_reconnect_and_holds_the_post(
    network: Network, photo: Path, frozen_clock: clock.FrozenClock
) -> None:
    network.fail(401, times=5)
    held, account = await publish(network, "Not yet", [str(photo)], frozen_clock)
    assert held is not None and held.state == DeliveryState.HELD
    current = network.store.account(account.id)
    assert current is not None and current.state == "reconnect"
    assert network.emulator.published() == []


async def test_429_is_tried_later_at_retry_after(
    network: Network, photo: Path, frozen_clock: clock.FrozenClock
) -> None:
    network.fail(429, retry_after=120)
    later, _ = await publish(network, "In a while", [str(photo)], frozen_clock)
    assert later is not None and later.state == DeliveryState.SCHEDULED
    assert later.next_attempt_at is not None
    assert abs(later.next_attempt_at - (frozen_clock() + timedelta(seconds=120))) < timedelta(seconds=2)
    assert network.emulator.published() == []
