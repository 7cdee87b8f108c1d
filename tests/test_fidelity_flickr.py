"""flickrapi 2.4.0 (sybrenstuvel/flickrapi, the most-used Python client, written by others) pointed
at the sandbox's Flickr: its OAuth 1.0a (requests-oauthlib signs, the sandbox verifies), the
``oob`` verifier, REST calls in parsed JSON and in XML, a signed multipart upload without the
file in the signature, an asynchronous upload's ticket, and Flickr's errors as flickrapi raises
them. flickrapi reads its addresses from class attributes at call time (networks-2026.md §6b), so
the test sets them to the sandbox's.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import flickrapi
import pytest
from flickrapi.auth import OAuthFlickrInterface
from flickrapi.exceptions import FlickrError

from providers.networks.flickr.sandbox_oauth import DEMO_KEY, DEMO_SECRET
from providers.sandbox import Running
from tests import media_corpus
from tests.sandbox_browser import approve, oob_code, query


@pytest.fixture
def pointed(sandbox: Running, monkeypatch: pytest.MonkeyPatch) -> str:
    base = sandbox.url
    monkeypatch.setattr(flickrapi.FlickrAPI, "REST_URL", f"{base}/api.flickr.com/services/rest/")
    monkeypatch.setattr(flickrapi.FlickrAPI, "UPLOAD_URL", f"{base}/up.flickr.com/services/upload/")
    for name, path in (
        ("REQUEST_TOKEN_URL", "request_token"),
        ("AUTHORIZE_URL", "authorize"),
        ("ACCESS_TOKEN_URL", "access_token"),
    ):
        monkeypatch.setattr(OAuthFlickrInterface, name, f"{base}/www.flickr.com/services/oauth/{path}")
    return base


def signed_in(base: str, fmt: str = "parsed-json") -> flickrapi.FlickrAPI:
    flickr = flickrapi.FlickrAPI(DEMO_KEY, DEMO_SECRET, format=fmt, store_token=False)
    flickr.get_request_token(oauth_callback="oob")
    url = flickr.auth_url(perms="write")
    assert url.startswith(f"{base}/www.flickr.com/services/oauth/authorize?oauth_token=")
    assert query(url)["perms"] == "write"
    page = approve(url, user="alice")
    assert page.status_code == 200, page.text[:300]
    flickr.get_access_token(oob_code(page.text))
    return flickr


async def test_flickrapi_links_by_verifier_reads_the_account_and_uploads(
    pointed: str, sandbox: Running, tmp_path: Path
) -> None:
    photo = media_corpus.jpeg(tmp_path / "dawn.jpg", (320, 240))

    def scenario() -> tuple[str, str]:
        flickr = signed_in(pointed)
        login = flickr.test.login()
        nsid = login["user"]["id"]
        assert login["user"]["username"]["_content"] == "alice"
        person = flickr.people.getInfo(user_id=nsid)["person"]
        assert (person["iconserver"], person["iconfarm"]) == ("65535", 66)
        limits = flickr.people.getLimits()["person"]
        assert limits["photos"]["maxupload"] == "15728640" and limits["videos"]["maxduration"] == "90"
        as_xml = flickr.people.getLimits(format="etree")
        assert as_xml.find("person/videos").attrib["maxupload"] == "157286400"

        made = flickr.upload(str(photo), title="Dawn", description="Boats", tags="harbour", format="etree")
        photo_id = made.find("photoid").text
        ticket = (
            flickr.upload(str(photo), title="Noon", format="etree", **{"async": "1"}).find("ticketid").text
        )
        [checked] = flickr.photos.upload.checkTickets(tickets=ticket)["uploader"]["ticket"]
        assert checked["complete"] == 1 and checked["id"] == ticket
        listed = flickr.people.getPhotos(user_id="me", extras="date_upload")["photos"]
        assert [p["title"] for p in listed["photo"]] == ["Noon", "Dawn"]
        assert {p["id"] for p in listed["photo"]} == {photo_id, checked["photoid"]}
        info = flickr.photos.getInfo(photo_id=photo_id)["photo"]
        assert info["title"]["_content"] == "Dawn" and info["description"]["_content"] == "Boats"
        return nsid, photo_id

    nsid, photo_id = await asyncio.to_thread(scenario)
    posts = sandbox.sandbox.emulator("up.flickr.com").published()
    assert [(p.user, p.text, p.media) for p in posts] == [("alice", "Dawn\nBoats", 1), ("alice", "Noon", 1)]
    assert nsid.endswith("@N01") and photo_id.isdigit()


async def test_flickrs_refusals_are_what_flickrapi_raises(pointed: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    text = tmp_path / "notes.jpg"
    text.write_bytes(b"just some words, not a photo")

    def scenario() -> None:
        wrong = flickrapi.FlickrAPI(DEMO_KEY, "not-the-secret", format="parsed-json", store_token=False)
        with pytest.raises(FlickrError, match="Status code 401"):  # request token: oauth_problem
            wrong.get_request_token(oauth_callback="oob")
        flickr = signed_in(pointed)
        with pytest.raises(FlickrError, match="Error: 112: Method not found") as unknown:
            flickr.photos.notAMethod()
        assert unknown.value.code == 112
        with pytest.raises(FlickrError, match="Error: 4: Filesize was zero") as zero:
            flickr.upload(str(empty), format="etree")
        assert zero.value.code == 4
        with pytest.raises(FlickrError, match="Error: 5: Filetype was not recognised"):
            flickr.upload(str(text), format="etree")
        flickr.flickr_oauth.oauth.client.resource_owner_secret = "tampered"
        with pytest.raises(FlickrError, match="Error: 96: Invalid signature"):
            flickr.test.login()

    await asyncio.to_thread(scenario)
