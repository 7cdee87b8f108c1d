"""Flickr's pieces on their own, against real OAuth 1.0a verifiers and the in-process sandbox:

- the request-token call is signed HMAC-SHA1 and the authorize URL asks for ``perms=write``,
  checked by authlib's OAuth 1.0a server (tests/servers/oauth1_server.py, a verifier written
  apart from the client) and by the sandbox's Flickr (its own RFC 5849 verifier, stdlib only);
- an upload signed the way Flickr documents it (every multipart field signed, the file not) is
  accepted by authlib's resource server, and refused once a field is changed after signing;
- the sandbox answers in Flickr's error shapes (REST JSON ``{"stat":"fail","code","message"}``,
  upload ``<rsp stat="fail"><err code msg/></rsp>``);
- Flickr's upload error codes mapped to what the outbox does; the title and tags taken from the
  caption; the account's limits from getLimits at their boundaries (at, one under, one over).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx2
import pytest

from providers import catalog
from providers.auth.oauth1 import OAuth1Flow
from providers.auth.types import RedirectKind
from providers.emulation.oauth1 import base_string, hmac_sha1
from providers.errors import LinkError, PublishError
from providers.http import async_client
from providers.media.judge import judge
from providers.media.model import MediaInfo, MediaKind
from providers.networks.flickr.api import (
    DEFAULT_ICON,
    REST,
    TITLE_LIMIT,
    UPLOAD,
    authorization,
    buddyicon,
    parse_rsp,
    rest_params,
)
from providers.networks.flickr.link import FlickrSignIn
from providers.networks.flickr.publish import ERROR_RULES, FlickrPublisher, apply_limits, upload_fields
from providers.networks.flickr.sandbox import UP, FlickrServer
from providers.networks.flickr.sandbox_oauth import DEMO_KEY, DEMO_SECRET, Access
from providers.publishing.multipart import StreamedMultipart
from providers.sandbox import Running
from providers.settings import NetworkSettings, Settings
from providers.spec import NetworkSpec
from providers.store import Account, Store
from providers.vault import Vault
from tests import media_corpus
from tests.sandbox_browser import query
from tests.servers import oauth1_server
from tests.servers.oauth1_server import CONSUMER_KEY, CONSUMER_SECRET, OAuth1Server, pin_from_page

SPEC = catalog.get("flickr")


@pytest.fixture
def oauth1() -> Iterator[OAuth1Server]:
    with oauth1_server.serve() as server:
        yield server


def on(server: OAuth1Server) -> NetworkSpec:
    """Flickr's spec with its three OAuth addresses on authlib's server."""
    endpoints = dataclasses.replace(
        SPEC.endpoints,
        request_token=server.request_token_url,
        authorize=server.authorize_url,
        token=server.access_token_url,
    )
    return dataclasses.replace(SPEC, endpoints=endpoints)


def sign_in(spec: NetworkSpec, key: str, store: Store, vault: Vault) -> FlickrSignIn:
    settings = Settings(networks={"flickr": NetworkSettings(client_id=key)}, allow_plaintext_secrets=True)
    return FlickrSignIn(spec, store, vault, settings)


# The request token and the authorize URL ----------------------------------------------------------


async def test_authlib_verifies_the_request_token_signature_and_the_url_asks_for_write(
    oauth1: OAuth1Server, store: Store, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKDECK_FLICKR_CLIENT_SECRET", CONSUMER_SECRET)
    config = sign_in(on(oauth1), CONSUMER_KEY, store, vault).client_config()
    flow = OAuth1Flow(config, redirect=RedirectKind.OOB)
    request = await flow.start()  # authlib's server checked the HMAC-SHA1 signature to answer
    assert request.url.startswith(f"{oauth1.authorize_url}?oauth_token=")
    shown = query(request.url)
    assert set(shown) == {"oauth_token", "perms"} and shown["perms"] == "write"
    assert len(shown["oauth_token"]) >= 16
    await flow.cancel()


async def test_authlib_refuses_a_request_token_signed_with_another_secret(
    oauth1: OAuth1Server, store: Store, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKDECK_FLICKR_CLIENT_SECRET", "not-the-secret")
    config = sign_in(on(oauth1), CONSUMER_KEY, store, vault).client_config()
    with pytest.raises(LinkError, match="Flickr refused the request for a sign-in token"):
        await OAuth1Flow(config, redirect=RedirectKind.OOB).start()


async def test_the_sandbox_verifies_the_request_token_on_flickrs_own_addresses(
    sandbox: Running, store: Store, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("LINKDECK_FLICKR_CLIENT_SECRET", DEMO_SECRET)
    flow = OAuth1Flow(sign_in(SPEC, DEMO_KEY, store, vault).client_config(), redirect=RedirectKind.OOB)
    request = await flow.start()
    parts = urlsplit(request.url)
    # https://www.flickr.com/services/oauth/authorize?oauth_token=…&perms=write, under the sandbox
    assert f"{parts.scheme}://{parts.netloc}" == sandbox.url
    assert parts.path == "/www.flickr.com/services/oauth/authorize"
    assert list(query(request.url)) == ["oauth_token", "perms"] and query(request.url)["perms"] == "write"
    [asked] = [r for r in sandbox.sandbox.requests if r["path"] == "/services/oauth/request_token"]
    assert asked["status"] == 200 and asked["authorization"].startswith("OAuth ")  # signature checked
    await flow.cancel()

    monkeypatch.setenv("LINKDECK_FLICKR_CLIENT_SECRET", "not-the-secret")
    wrong = OAuth1Flow(sign_in(SPEC, DEMO_KEY, store, vault).client_config(), redirect=RedirectKind.OOB)
    with pytest.raises(LinkError, match=r"Flickr refused the request for a sign-in token \(HTTP 401\)"):
        await wrong.start()


def test_the_sandbox_verifier_computes_rfc5849s_own_example() -> None:
    """RFC 5849 §3.4.1.1's example request, signed with §1.2's secrets (kd94hf93k423kf44 and
    pfkkdhi9sl3r4s00): the signature §3.4.1 gives, ``tR3+Ty81lMeYAr/Fid0kMTYa/WM=``."""
    params = [
        ("oauth_consumer_key", "dpf43f3p2l4k3l03"), ("oauth_token", "nnch734d00sl2jdk"),
        ("oauth_signature_method", "HMAC-SHA1"), ("oauth_timestamp", "1191242096"),
        ("oauth_nonce", "kllo9940pd9333jh"), ("oauth_version", "1.0"),
        ("file", "vacation.jpg"), ("size", "original"),
    ]  # fmt: skip
    base = base_string("GET", "http://photos.example.net/photos", params)
    assert hmac_sha1(base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00") == "tR3+Ty81lMeYAr/Fid0kMTYa/WM="


# Uploads signed as Flickr signs them ------------------------------------------------------------------


async def authlib_token(server: OAuth1Server) -> tuple[str, str]:
    flow = OAuth1Flow(_config(server), redirect=RedirectKind.OOB)
    request = await flow.start()
    async with httpx2.AsyncClient(timeout=10) as browser:
        page = await browser.get(request.url)
    flow.submit(pin_from_page(page.text))
    token = await flow.wait()
    return str(token["oauth_token"]), str(token["oauth_token_secret"])


def _config(server: OAuth1Server) -> Any:
    from providers.auth.types import ClientConfig

    return ClientConfig(
        network_name="Flickr", client_id=CONSUMER_KEY, client_secret=CONSUMER_SECRET,
        authorize_url=server.authorize_url, token_url=server.access_token_url,
        request_token_url=server.request_token_url, access_token_url=server.access_token_url, pkce=False,
    )  # fmt: skip


async def test_an_upload_is_signed_over_its_fields_and_not_its_file(
    oauth1: OAuth1Server, tmp_path: Path
) -> None:
    token = await authlib_token(oauth1)
    photo = media_corpus.jpeg(tmp_path / "dawn.jpg", (320, 240))
    fields = {"title": "Dawn", "description": "Boats, leaving & more", "tags": "harbour boats", "async": "1"}
    url = f"{oauth1.base_url}/api/upload"
    header = authorization("POST", url, fields, consumer=(CONSUMER_KEY, CONSUMER_SECRET), token=token)
    assert header.startswith("OAuth ") and 'oauth_signature_method="HMAC-SHA1"' in header
    async with httpx2.AsyncClient(timeout=10) as client:
        stream = StreamedMultipart(list(fields.items()), "photo", photo, content_type="image/jpeg")
        accepted = await client.post(url, content=stream, headers={**stream.headers, "Authorization": header})
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["fields"] == fields
        assert accepted.json()["files"] == {"photo": photo.stat().st_size}
        changed = [*fields.items()][:-1]
        changed.append(("async", "0"))  # a field changed after signing
        stream = StreamedMultipart(changed, "photo", photo, content_type="image/jpeg")
        refused = await client.post(url, content=stream, headers={**stream.headers, "Authorization": header})
    assert refused.status_code == 401


# The sandbox's error shapes ---------------------------------------------------------------------------


@pytest.fixture
async def flickr(sandbox: Running, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FlickrServer]:
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    server = sandbox.sandbox.emulator(UP)
    assert isinstance(server, FlickrServer)
    yield server


def minted(server: FlickrServer, perms: str = "write") -> dict[str, str]:
    from providers.emulation import people

    access = Access(f"token-{perms}-0123456789", "token-secret", people.DEFAULT_USER, perms)
    server.world.oauth.tokens[access.token] = access
    return {
        "oauth_token": access.token, "oauth_token_secret": access.secret,
        "consumer_key": DEMO_KEY, "consumer_secret": DEMO_SECRET,
    }  # fmt: skip


async def rest(token: dict[str, str], secret: str, **params: str) -> httpx2.Response:
    url = f"{REST}?{urlencode(params)}"
    header = authorization(
        "GET", url, {}, consumer=(DEMO_KEY, secret), token=(token["oauth_token"], token["oauth_token_secret"])
    )
    async with async_client() as client:
        return await client.get(url, headers={"Authorization": header})


async def test_rest_refusals_have_flickrs_json_and_xml_shapes(flickr: FlickrServer) -> None:
    token = minted(flickr)
    bad = await rest(token, "not-the-secret", **rest_params("flickr.test.login"))
    assert bad.status_code == 200 and bad.json() == {
        "stat": "fail",
        "code": 96,
        "message": "Invalid signature",
    }
    xml = await rest(token, "not-the-secret", method="flickr.test.login")  # no format: Flickr's XML
    assert parse_rsp(xml.text) == {"stat": "fail", "code": 96, "message": "Invalid signature"}
    assert xml.text.lstrip().startswith("<?xml") and '<err code="96"' in xml.text
    good = await rest(token, DEMO_SECRET, **rest_params("flickr.test.login"))
    assert good.json()["stat"] == "ok" and good.json()["user"]["username"] == {"_content": "alice"}
    unknown = await rest({**token, "oauth_token": "nobody"}, DEMO_SECRET, **rest_params("flickr.test.login"))
    assert unknown.json() == {"stat": "fail", "code": 98, "message": "Invalid auth token"}


async def test_a_read_only_token_may_not_upload(flickr: FlickrServer, store: Store, tmp_path: Path) -> None:
    reader = minted(flickr, perms="read")
    with pytest.raises(PublishError) as refused:
        await publish(store, reader, media_corpus.jpeg(tmp_path / "a.jpg", (64, 64)))
    assert refused.value.kind == "reconnect" and "(99: Insufficient permissions)" in str(refused.value)
    assert "write" in str(refused.value)


# Publishing against the sandbox -------------------------------------------------------------------------


def account(store: Store) -> Account:
    return store.upsert_account("flickr", "00000001@N01", handle="alice")


async def publish(store: Store, token: dict[str, str], path: Path, caption: str = "Dawn") -> Any:
    owner = account(store)
    post, [delivery] = store.create_post_with_deliveries(caption, [str(path)], None, [owner])
    async with async_client() as client:
        return await FlickrPublisher(SPEC, client).publish(owner, post, delivery, token)


async def test_a_photo_at_the_accounts_limit_is_taken_and_one_byte_over_is_code_8(
    flickr: FlickrServer, store: Store, tmp_path: Path
) -> None:
    token = minted(flickr)
    flickr.configure({"photo_maxupload": 4096})
    at = tmp_path / "at.jpg"
    at.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * (4096 - 4))
    result = await publish(store, token, at)
    assert result.url == f"https://www.flickr.com/photos/00000001@N01/{result.remote_post_id}/"
    over = tmp_path / "over.jpg"
    over.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * (4097 - 4))
    with pytest.raises(PublishError) as refused:
        await publish(store, token, over)
    assert refused.value.kind == "fix_media" and not refused.value.maybe_published
    assert "Flickr refused uploading over.jpg (8: Filesize was too large)" in str(refused.value)


async def test_a_full_free_account_is_code_6_and_a_ticket_is_polled_until_complete(
    flickr: FlickrServer, store: Store, tmp_path: Path
) -> None:
    token = minted(flickr)
    photo = media_corpus.jpeg(tmp_path / "a.jpg", (64, 64))
    flickr.configure({"ticket_checks": 0})
    first = await publish(store, token, photo)
    assert first.remote_post_id == flickr.world.photos[-1].id
    flickr.configure({"upload_quota": 1})
    with pytest.raises(PublishError) as refused:
        await publish(store, token, photo)
    assert refused.value.kind == "refused" and "(6: User exceeded upload limit)" in str(refused.value)


async def test_limits_are_read_from_get_limits(flickr: FlickrServer, store: Store, vault: Vault) -> None:
    token = minted(flickr)
    flickr.configure({"photo_maxupload": 1000, "video_maxupload": 5000, "video_maxduration": 30})
    owner = account(store)
    vault.set_token(owner.vault_key, token)
    async with async_client() as client:
        spec = await FlickrPublisher(SPEC, client, vault).limits(owner)
    assert (spec.media.image_max_bytes, spec.media.video_max_bytes, spec.media.video_max_seconds) == (
        1000, 5000, 30,
    )  # fmt: skip


# Rules at their boundaries ----------------------------------------------------------------------------


def photo_of(size: int) -> MediaInfo:
    return MediaInfo(Path("p.jpg"), MediaKind.IMAGE, "jpeg", size, 800, 600, mode="RGB")


def video_of(size: int, seconds: float) -> MediaInfo:
    return MediaInfo(
        Path("v.mp4"), MediaKind.VIDEO, "mp4", size, 640, 360, duration=seconds,
        codec="h264", container="mov,mp4,m4a,3gp,3g2,mj2",
    )  # fmt: skip


def test_get_limits_boundaries_at_one_under_and_one_over() -> None:
    body = parse_rsp(
        '<rsp stat="ok"><person nsid="30135021@N05"><photos maxdisplaypx="1024" maxupload="15728640" />'
        '<videos maxduration="90" maxupload="157286400" /></person></rsp>'
    )  # the getLimits documentation's example, as XML
    assert body is not None
    spec = apply_limits(SPEC, body)

    def too_large(info: MediaInfo) -> bool:
        return any(p.code == "too_large_bytes" for p in judge(info, spec).problems)

    assert [too_large(photo_of(n)) for n in (15728639, 15728640, 15728641)] == [False, False, True]
    assert [too_large(video_of(n, 10)) for n in (157286399, 157286400, 157286401)] == [False, False, True]
    long = [
        any(p.code.startswith("too_long") for p in judge(video_of(1000, s), spec).problems)
        for s in (89, 90, 91)
    ]
    assert long == [False, False, True]


def test_upload_fields_title_description_tags_privacy_and_safety() -> None:
    from datetime import UTC, datetime

    from providers.store.models import Post

    now = datetime(2026, 11, 25, tzinfo=UTC)
    first = "x" * (TITLE_LIMIT + 1)
    post = Post(1, f"{first}\nAt the #harbour, #boats and #harbour again", [], None, now, now)
    fields = upload_fields(post, is_video=False)
    assert len(fields["title"]) == TITLE_LIMIT and fields["title"].endswith("…")
    assert fields["description"].startswith(first)  # the whole first line is kept
    assert fields["tags"] == "harbour boats"
    assert (fields["is_public"], fields["safety_level"], fields["content_type"], fields["async"]) == (
        "1", "1", "1", "1",
    )  # fmt: skip
    private = dataclasses.replace(post, caption="Just this", visibility="private", sensitive=True)
    fields = upload_fields(private, is_video=True)
    assert (fields["title"], fields["description"], fields["tags"]) == ("Just this", "", "")
    assert (fields["is_public"], fields["is_friend"], fields["is_family"]) == ("0", "0", "0")
    assert fields["safety_level"] == "2" and "content_type" not in fields


@pytest.mark.parametrize(
    ("code", "message", "kind"),
    [
        ("2", "No photo specified", "fix_media"),
        ("3", "General upload failure", "try_later"),
        ("4", "Filesize was zero", "fix_media"),
        ("5", "Filetype was not recognised", "fix_media"),
        ("6", "User exceeded upload limit", "refused"),
        ("7", "User exceeded video upload limit", "refused"),
        ("8", "Filesize was too large", "fix_media"),
        ("9", "Duplicate photo/video detected", "refused"),
        ("96", "Invalid signature", "refused"),
        ("98", "Invalid auth token", "reconnect"),
        ("99", "Insufficient permissions", "reconnect"),
        ("100", "Invalid API Key", "refused"),
        ("105", "Service currently unavailable", "try_later"),
    ],
)
def test_upload_error_codes_are_mapped(code: str, message: str, kind: str) -> None:
    xml = '<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat="fail">\n'
    xml += f'\t<err code="{code}" msg="{message}" />\n</rsp>\n'
    answer = httpx2.Response(200, text=xml, request=httpx2.Request("POST", UPLOAD))
    publisher = FlickrPublisher(SPEC, httpx2.AsyncClient())
    assert publisher.error_code(answer) == code and code in ERROR_RULES
    error = publisher._refusal(answer, "uploading a.jpg", (code, message))
    assert error.kind == kind and f"Flickr refused uploading a.jpg ({code}: {message})" in str(error)


def test_an_unknown_code_is_a_refusal_in_flickrs_words() -> None:
    answer = httpx2.Response(200, json={"stat": "fail", "code": 116, "message": "Bad URL found"})
    error = FlickrPublisher(SPEC, httpx2.AsyncClient())._refusal(answer, "checking", ("116", "Bad URL found"))
    assert error.kind == "refused" and str(error) == "Flickr refused checking (116: Bad URL found)."


def test_the_buddy_icon_and_the_default_icon() -> None:
    assert buddyicon("12037949754@N01", 66, "65535") == (
        "https://farm66.staticflickr.com/65535/buddyicons/12037949754@N01.jpg"
    )
    assert buddyicon("12037949754@N01", 0, "0") == DEFAULT_ICON
    assert buddyicon("12037949754@N01", 0, 0) == DEFAULT_ICON


async def test_a_ticket_is_checked_until_flickr_has_processed_the_upload(
    flickr: FlickrServer, store: Store, tmp_path: Path, sandbox: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("providers.networks.flickr.publish.TICKET_WAITS", (0.0, 0.0, 0.0))  # no real waits
    token = minted(flickr)
    flickr.configure({"ticket_checks": 2})
    result = await publish(store, token, media_corpus.jpeg(tmp_path / "a.jpg", (64, 64)))
    checks = [
        r
        for r in sandbox.sandbox.requests
        if r["params"].get("method") == "flickr.photos.upload.checkTickets"
    ]
    assert len(checks) == 3 and result.remote_post_id == flickr.world.photos[-1].id


async def test_a_ticket_still_open_after_the_waits_is_looked_up_not_uploaded_again(
    flickr: FlickrServer, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("providers.networks.flickr.publish.TICKET_WAITS", (0.0,))
    token = minted(flickr)
    flickr.configure({"ticket_checks": 5})
    owner = account(store)
    photo = media_corpus.jpeg(tmp_path / "a.jpg", (64, 64))
    post, [delivery] = store.create_post_with_deliveries("Harbour\nat noon", [str(photo)], None, [owner])
    async with async_client() as client:
        publisher = FlickrPublisher(SPEC, client)
        with pytest.raises(PublishError) as open_ticket:
            await publisher.publish(owner, post, delivery, token)
        assert open_ticket.value.kind == "try_later" and open_ticket.value.maybe_published
        found = await publisher.lookup(owner, post, delivery, token)
    assert found is not None and found.remote_post_id == flickr.world.photos[-1].id
    assert [p.text for p in flickr.published()] == ["Harbour\nat noon"]


async def test_over_ssh_flickr_shows_a_verifier_to_type_back(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from providers import linking
    from providers.linking.steps import Linked, ShowAddress
    from tests.sandbox_browser import approve_async, oob_code
    from tests.support.ports import free_port

    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("LINKDECK_FLICKR_CLIENT_SECRET", DEMO_SECRET)
    settings = Settings(
        networks={"flickr": NetworkSettings(client_id=DEMO_KEY, port=free_port())},
        allow_plaintext_secrets=True,
    )
    vault = Vault(settings)
    session = await linking.begin_link("flickr", settings=settings, store=store, vault=vault)
    async for step in session.steps():
        if isinstance(step, ShowAddress):
            assert step.code_page is not None and query(step.code_page.url)["perms"] == "write"
            page = await approve_async(step.code_page.url, user="bob")
            code = oob_code(page.text)
            assert len(code) == 11 and code.count("-") == 2  # Flickr's 123-456-789 form
            step.paste(code)
        elif isinstance(step, Linked):
            assert step.account is not None and step.profile is not None
            assert step.account.handle == "bob" and step.profile.display_name == "Bob Example"
            assert step.profile.avatar_url == DEFAULT_ICON  # bob has no buddy icon (iconserver 0)
            token = vault.get_token(step.account.vault_key)
            assert token is not None and token["consumer_key"] == DEMO_KEY and token["user_nsid"]
            return
    raise AssertionError("Flickr was not linked by the typed verifier")


async def test_removing_linkdeck_on_flickrs_apps_page_ends_the_token(
    flickr: FlickrServer, sandbox: Running
) -> None:
    import re
    from urllib.parse import urljoin

    token = minted(flickr)
    page_url = f"{sandbox.url}/www.flickr.com/services/auth/list.gne"
    async with httpx2.AsyncClient(timeout=10) as browser:
        page = await browser.get(page_url, params={"user": "alice"})
        assert page.status_code == 200 and "linkdeck" in page.text and "write" in page.text
        action = re.search(r"<form method='post' action='([^']+)'>", page.text)
        assert action is not None
        fields = dict(re.findall(r"<input type='hidden' name='([^']+)' value='([^']*)'>", page.text))
        assert fields == {"client_id": DEMO_KEY, "user": "alice"}
        after = await browser.post(urljoin(page_url, action.group(1)), data=fields)
    assert "No authorized apps." in after.text
    assert not flickr.accepts(token["oauth_token"])
    refused = await rest(token, DEMO_SECRET, **rest_params("flickr.test.login"))
    assert refused.json() == {"stat": "fail", "code": 98, "message": "Invalid auth token"}
