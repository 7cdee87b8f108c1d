"""Flickr's publisher and sign-in on *recorded* real Flickr answers, replayed by a local server.

The answers are in tests/fixtures/recorded/flickr/flickrapi/ (provenance in its SOURCES.md, the
flickrapi licence in LICENSE.md): real ``flickr.photos.search`` and ``flickr.photos.getInfo``
answers in Flickr's ``<rsp>`` XML, kept by flickrapi's tests. A search answer has the shape of
``flickr.people.getPhotos`` (``photos`` → ``photo`` with ``id``, ``owner``, ``title``…), so it is
served where the look-up of a lost upload asks; the getInfo answer's ``owner`` carries the
``iconfarm``/``iconserver`` the buddy icon is built from. What linkdeck sends is checked on the way
(the REST method, JSON asked without the JSONP wrapper, an HMAC-SHA1 OAuth header).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlencode
from xml.etree import ElementTree

import pytest
from aiohttp import web

from providers import catalog, clock
from providers.emulation import people
from providers.errors import PublishError
from providers.http import async_client
from providers.networks.flickr.api import REST, authorization, content, parse_rsp
from providers.networks.flickr.link import parse_person
from providers.networks.flickr.publish import FlickrPublisher, find_upload
from providers.networks.flickr.sandbox import FlickrServer
from providers.networks.flickr.sandbox_oauth import DEMO_KEY, DEMO_SECRET, Access
from providers.sandbox import Running
from providers.store import Account, Delivery, Post, Store
from tests import media_corpus
from tests.support.http import serving

RECORDED = Path(__file__).resolve().parent.parent / "fixtures" / "recorded" / "flickr" / "flickrapi"
SPEC = catalog.get("flickr")
TOKEN = {
    "oauth_token": "recorded-token",
    "oauth_token_secret": "recorded-secret",
    "consumer_key": "recorded-key",
    "consumer_secret": "recorded-consumer-secret",
}


def recorded(name: str) -> str:
    return (RECORDED / name).read_text(encoding="utf-8")


class Replay:
    """One recorded body for every REST call; remembers what was asked."""

    def __init__(self) -> None:
        self.body = ""
        self.asked: list[tuple[str, str, dict[str, str], str]] = []

    async def handle(self, request: web.Request) -> web.Response:
        path = "/" + request.path.lstrip("/").partition("/")[2]
        self.asked.append(
            (request.method, path, dict(request.query), request.headers.get("Authorization", ""))
        )
        return web.Response(text=self.body, content_type="text/xml")


@pytest.fixture
async def replay(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Replay]:
    state = Replay()
    async with serving(state.handle) as url:
        monkeypatch.setenv("LINKDECK_SANDBOX_URL", url)
        yield state


def oauth_fields(header: str) -> dict[str, str]:
    assert header.startswith("OAuth ")
    pairs = (item.strip().partition("=") for item in header[6:].split(","))
    return {key: unquote(value.strip('"')) for key, _, value in pairs}


def sent(replay: Replay, store: Store, caption: str) -> tuple[Account, Post, Delivery]:
    """A delivery of ``caption`` to the recorded list's owner, the list served to the look-up."""
    replay.body = recorded("photos_search_walk_page1.xml")
    owner = store.upsert_account("flickr", "145345281@N05", handle="someone")
    post, [delivery] = store.create_post_with_deliveries(caption, ["a.jpg"], None, [owner])
    return owner, post, delivery


async def test_a_lost_upload_is_found_in_the_recorded_photo_list_by_its_title(
    replay: Replay, store: Store, frozen_clock: clock.FrozenClock
) -> None:
    owner, post, delivery = sent(replay, store, "Photo\nfrom the walk")
    async with async_client() as client:
        found = await FlickrPublisher(SPEC, client).lookup(owner, post, delivery, TOKEN)
    assert found is not None
    assert found.remote_post_id == "11627471650"  # the recorded photo titled "Photo"
    assert found.url == "https://www.flickr.com/photos/145345281@N05/11627471650/"
    [(method, path, params, header)] = replay.asked
    assert (method, path) == ("GET", "/services/rest/")
    assert params["method"] == "flickr.people.getPhotos" and params["user_id"] == "me"
    assert (params["format"], params["nojsoncallback"], params["extras"]) == ("json", "1", "date_upload")
    assert params["min_upload_date"].isdigit()
    signed = oauth_fields(header)
    assert signed["oauth_signature_method"] == "HMAC-SHA1" and signed["oauth_consumer_key"] == "recorded-key"
    assert signed["oauth_token"] == "recorded-token" and signed["oauth_signature"]


async def test_a_title_not_in_the_recorded_list_waits_then_is_not_found(
    replay: Replay, store: Store, frozen_clock: clock.FrozenClock
) -> None:
    owner, post, delivery = sent(replay, store, "Never uploaded")
    async with async_client() as client:
        publisher = FlickrPublisher(SPEC, client)
        with pytest.raises(PublishError) as waiting:  # Flickr may not list it yet
            await publisher.lookup(owner, post, delivery, TOKEN)
        assert waiting.value.kind == "try_later"
        frozen_clock.advance(minutes=31)
        assert await publisher.lookup(owner, post, delivery, TOKEN) is None  # never made: send it


def test_the_newest_of_many_recorded_photos_with_one_title_is_taken() -> None:
    body = parse_rsp(recorded("photos_search_kitten.xml"))
    assert body is not None and body["stat"] == "ok"
    photos = body["photos"]["photo"]
    assert len(photos) == 100 and body["photos"]["total"] == "361690"
    assert find_upload(body, "16/04/16", 0) == "26390287861"  # the first listed: Flickr lists newest first
    assert find_upload(body, "not there", 0) is None


def test_the_recorded_get_info_gives_the_owners_buddy_icon_and_names() -> None:
    body = parse_rsp(recorded("photos_getInfo_7955646798.xml"))
    assert body is not None and body["stat"] == "ok"
    photo = body["photo"]
    assert content(photo["title"]) == "Drowned trees"
    assert content(photo["description"]) == "Near our camping in Belavići, Croatia."
    assert content(photo["urls"]["url"]) == "https://www.flickr.com/photos/sybrenstuvel/7955646798/"
    owner = photo["owner"]
    profile = parse_person(owner, owner["nsid"], "")
    assert (profile.remote_id, profile.handle, profile.display_name) == (
        "73509078@N00",
        "Sybren A. Stüvel",
        "Sybren Stüvel",
    )
    assert profile.avatar_url == "https://farm9.staticflickr.com/8546/buddyicons/73509078@N00.jpg"


def test_recorded_answers_read_the_same_as_flickrs_json() -> None:
    """The XML reader gives Flickr's JSON rendering: attributes as keys, text as ``_content``,
    repeated elements as a list."""
    body = parse_rsp(recorded("photos_getInfo_7955646798.xml"))
    assert body is not None
    tags = body["photo"]["tags"]["tag"]
    assert [t["raw"] for t in tags] == ["6x6", "Hasselblad 500 C/M"]
    assert tags[1]["_content"] == "hasselblad500cm"
    assert body["photo"]["visibility"] == {"ispublic": "1", "isfriend": "0", "isfamily": "0"}
    assert timedelta(seconds=int(body["photo"]["dateuploaded"])) > timedelta(0)


# The sandbox's Flickr against the recordings ---------------------------------------------------------


async def test_the_sandboxs_photo_lists_and_info_have_the_recorded_shape(
    sandbox: Running, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked in Flickr's XML, the emulator's people.getPhotos and photos.getInfo carry the elements
    and attributes the recorded real answers carry (a subset of getInfo's: no tags, location,
    notes or editability here)."""
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    server = sandbox.sandbox.emulator("up.flickr.com")
    assert isinstance(server, FlickrServer)
    access = Access("replay-shape-token-0123", "replay-shape-secret", people.DEFAULT_USER, "write")
    server.world.oauth.tokens[access.token] = access
    token = {
        "oauth_token": access.token, "oauth_token_secret": access.secret,
        "consumer_key": DEMO_KEY, "consumer_secret": DEMO_SECRET,
    }  # fmt: skip
    owner = store.upsert_account("flickr", "00000001@N01", handle="alice")
    post, [delivery] = store.create_post_with_deliveries(
        "Drowned trees\nNear the camp", [str(media_corpus.jpeg(tmp_path / "t.jpg", (64, 64)))], None, [owner]
    )
    async with async_client() as client:
        made = await FlickrPublisher(SPEC, client).publish(owner, post, delivery, token)

    async def xml(method: str, **params: str) -> ElementTree.Element:
        url = f"{REST}?{urlencode({'method': method, **params})}"
        header = authorization(
            "GET", url, {}, consumer=(DEMO_KEY, DEMO_SECRET), token=(access.token, access.secret)
        )
        async with async_client() as client:
            answer = await client.get(url, headers={"Authorization": header})
        root = ElementTree.fromstring(answer.text.encode())
        assert root.get("stat") == "ok", answer.text
        return root

    recorded_list = ElementTree.fromstring(recorded("photos_search_walk_page1.xml").encode())
    listed = await xml("flickr.people.getPhotos", user_id="me")
    assert set(listed.find("photos").attrib) == set(recorded_list.find("photos").attrib)
    assert set(listed.find("photos/photo").attrib) == set(recorded_list.find("photos/photo").attrib)

    recorded_info = ElementTree.fromstring(recorded("photos_getInfo_7955646798.xml").encode())
    info = await xml("flickr.photos.getInfo", photo_id=made.remote_post_id)
    theirs, ours = recorded_info.find("photo"), info.find("photo")
    assert set(ours.attrib) <= set(theirs.attrib) and {"id", "secret", "server", "farm", "media"} <= set(
        ours.attrib
    )
    for part in ("owner", "visibility"):
        assert set(ours.find(part).attrib) == set(theirs.find(part).attrib), part
    assert set(ours.find("dates").attrib) <= set(theirs.find("dates").attrib)
    assert ours.find("title").text == "Drowned trees" and ours.find("description").text == "Near the camp"
    assert ours.find("urls/url").get("type") == theirs.find("urls/url").get("type") == "photopage"
