"""The sandbox's publishing endpoints are as strict as the servers they imitate: recorded shapes,
instance limits, scopes, processing, idempotency, visibility, and Pixelfed's differences. Shapes
are compared with real responses recorded by Mastodon.py (tests/fixtures/recorded/mastodon/
SOURCES.md: halcy/Mastodon.py@b9f2eff, MIT)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx2
import pytest

from providers.emulation.mastodon_api.statuses import status_length
from providers.media.sniff import mime_type as sniff_mime
from providers.sandbox import Running
from providers.store import Account, Store
from tests import cassettes, media_corpus
from tests.support.linking import ALICE, link_async, opted_in_vault

# Run on SQLite and on PostgreSQL (conftest's store_engine).
pytestmark = pytest.mark.both_engines


async def signed_in(store: Store, base: str, network: str = "mastodon") -> tuple[Account, dict[str, str]]:
    account = await link_async(store, base, network=network)
    token = opted_in_vault().get_token(account.vault_key)
    assert token is not None
    return account, {"Authorization": f"Bearer {token['access_token']}"}


def png() -> bytes:
    buffer = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (40, 30), "teal").save(buffer, "PNG")
    return buffer.getvalue()


async def upload(
    http: httpx2.AsyncClient, base: str, auth: dict[str, str], data: bytes, **form: str
) -> httpx2.Response:
    return await http.post(f"{base}/api/v2/media", files={"file": ("f.bin", data)}, data=form, headers=auth)


async def test_media_and_status_have_the_recorded_shapes(
    sandbox: Running, store: Store, http: httpx2.AsyncClient
) -> None:
    base = f"{sandbox.url}/mastodon.example"
    _, auth = await signed_in(store, base)
    media = await upload(http, base, auth, png(), description="teal")
    assert media.status_code == 200
    recorded_media = cassettes.find("test_media_post_file.yaml", "POST", "/api/v2/media").json()
    assert isinstance(recorded_media, dict) and set(media.json()) == set(recorded_media)
    status = await http.post(
        f"{base}/api/v1/statuses",
        data={"status": "Toot!", "visibility": "public", "media_ids[]": media.json()["id"]},
        headers=auth,
    )
    assert status.status_code == 200
    recorded = cassettes.find("test_status_post_public.yaml", "POST", "/api/v1/statuses").json()
    assert isinstance(recorded, dict) and set(status.json()) == set(recorded)
    body = status.json()
    assert body["content"] == "<p>Toot!</p>" and body["application"]["name"] == "linkdeck"
    assert body["media_attachments"][0]["description"] == "teal"
    fetched = await http.get(f"{base}/api/v1/statuses/{body['id']}")
    assert fetched.json() == body
    missing = await http.get(f"{base}/api/v1/statuses/0")
    assert (missing.status_code, missing.json()) == (
        404,
        cassettes.find("test_status_missing.yaml", "GET", "/api/v1/statuses/0").json(),
    )


async def test_video_is_processed_before_it_can_be_attached(
    sandbox: Running, store: Store, http: httpx2.AsyncClient, tmp_path: Path
) -> None:
    base = f"{sandbox.url}/mastodon.example"
    _, auth = await signed_in(store, base)
    clip = media_corpus.video(tmp_path / "v.mp4", (160, 90), 1.0)
    accepted = await upload(http, base, auth, clip.read_bytes())
    recorded = cassettes.find("test_media_post_video_async.yaml", "POST", "/api/v2/media")
    assert accepted.status_code == recorded.status == 202
    assert accepted.json()["url"] is None and accepted.json()["type"] == "video"
    media_id = accepted.json()["id"]
    early = await http.post(
        f"{base}/api/v1/statuses", data={"status": "x", "media_ids[]": media_id}, headers=auth
    )
    assert early.status_code == 422 and "not finished processing" in early.json()["error"]
    polls = [(await http.get(f"{base}/api/v1/media/{media_id}", headers=auth)).status_code for _ in range(3)]
    assert polls == [206, 206, 200]
    ready = await http.post(
        f"{base}/api/v1/statuses", data={"status": "x", "media_ids[]": media_id}, headers=auth
    )
    assert ready.status_code == 200
    again = await http.post(
        f"{base}/api/v1/statuses", data={"status": "y", "media_ids[]": media_id}, headers=auth
    )
    assert again.status_code == 422 and "already attached" in again.json()["error"]
    gif = media_corpus.animated_gif(tmp_path / "a.gif")
    assert (await upload(http, base, auth, gif.read_bytes())).json()["type"] == "gifv"


async def test_uploads_and_statuses_are_checked_against_the_instance(
    sandbox: Running, store: Store, http: httpx2.AsyncClient
) -> None:
    base = f"{sandbox.url}/mastodon.example"
    _, auth = await signed_in(store, base)
    sandbox.sandbox.emulator("mastodon.example").configure(  # type: ignore[attr-defined]
        {"image_size_limit": 20, "max_characters": 10, "max_media_attachments": 2, "description_limit": 5}
    )

    async def refused(response: httpx2.Response) -> str:
        assert response.status_code == 422, response.text
        message: str = response.json()["error"]
        return message

    assert "content type is invalid" in await refused(
        await upload(http, base, auth, b"plain text, not media")
    )
    assert "file size must be less than" in await refused(await upload(http, base, auth, png()))
    sandbox.sandbox.emulator("mastodon.example").configure({"image_size_limit": 10_000_000})  # type: ignore[attr-defined]
    assert "Description is too long" in await refused(
        await upload(http, base, auth, png(), description="too long")
    )
    ids = [(await upload(http, base, auth, png())).json()["id"] for _ in range(3)]
    post = f"{base}/api/v1/statuses"
    assert await refused(await http.post(post, data={"status": "x", "media_ids[]": ids}, headers=auth)) == (
        "Cannot attach more than 2 files"
    )
    assert "character limit of 10 exceeded" in await refused(
        await http.post(post, data={"status": "x" * 11}, headers=auth)
    )
    assert "Text can't be blank" in await refused(await http.post(post, data={"status": "  "}, headers=auth))
    # A URL counts 23 and the content warning counts too, as on Mastodon.
    assert status_length("see https://example.com/a/very/long/path", "", 23) == 4 + 23
    assert status_length("hi @bob@far.example", "cw", 23) == len("hi @bob") + 2
    assert (await http.post(post, data={"status": "x"})).status_code == 401


async def test_scopes_visibility_and_the_account_timeline(
    sandbox: Running, store: Store, http: httpx2.AsyncClient
) -> None:
    base = f"{sandbox.url}/mastodon.example"
    _, auth = await signed_in(store, base)
    post = f"{base}/api/v1/statuses"
    private = (await http.post(post, data={"status": "secret", "visibility": "private"}, headers=auth)).json()
    public = [(await http.post(post, data={"status": f"n{i}"}, headers=auth)).json() for i in range(3)]
    assert (await http.get(f"{base}/api/v1/statuses/{private['id']}")).status_code == 404
    assert (await http.get(f"{base}/api/v1/statuses/{private['id']}", headers=auth)).status_code == 200
    listed = (await http.get(f"{base}/api/v1/accounts/{ALICE}/statuses", params={"limit": 2})).json()
    assert [s["id"] for s in listed] == [public[2]["id"], public[1]["id"]]
    older = (
        await http.get(f"{base}/api/v1/accounts/{ALICE}/statuses", params={"max_id": public[1]["id"]})
    ).json()
    assert [s["id"] for s in older] == [public[0]["id"]]
    mine = (await http.get(f"{base}/api/v1/accounts/{ALICE}/statuses", headers=auth)).json()
    assert len(mine) == 4
    bad = await http.post(post, data={"status": "x", "visibility": "everyone"}, headers=auth)
    assert bad.status_code == 422


async def test_pixelfed_publishing_differences(
    sandbox: Running, store: Store, http: httpx2.AsyncClient, tmp_path: Path
) -> None:
    base = f"{sandbox.url}/pixelfed.example"
    _, auth = await signed_in(store, base, "pixelfed")
    empty = await http.post(f"{base}/api/v1/statuses", data={"status": "words only"}, headers=auth)
    assert (empty.status_code, empty.json()) == (403, {"message": "Empty statuses are not allowed"})
    webp = media_corpus.webp(tmp_path / "p.webp").read_bytes()
    refused = await upload(http, base, auth, webp)
    assert (
        refused.status_code == 422
        and refused.json()["message"] == "The file must be a file of type: jpeg, png, gif."
    )
    media_id = (await upload(http, base, auth, png())).json()["id"]
    long = await http.post(
        f"{base}/api/v1/statuses", data={"status": "x" * 501, "media_ids[]": media_id}, headers=auth
    )
    assert long.status_code == 422 and "may not be greater than 500 characters" in long.json()["message"]
    keyed = auth | {"Idempotency-Key": "same"}
    first = (
        await http.post(
            f"{base}/api/v1/statuses", data={"status": "a", "media_ids[]": media_id}, headers=keyed
        )
    ).json()
    other_id = (await upload(http, base, auth, png())).json()["id"]
    second = (
        await http.post(
            f"{base}/api/v1/statuses", data={"status": "a", "media_ids[]": other_id}, headers=keyed
        )
    ).json()
    assert first["id"] != second["id"]  # Pixelfed ignores Idempotency-Key
    assert first["url"].startswith("https://pixelfed.example/p/alice/") and first["content_text"] == "a"


async def test_deleting_a_status_as_recorded(
    sandbox: Running, store: Store, http: httpx2.AsyncClient
) -> None:
    """DELETE /api/v1/statuses/:id answers the status with its source ``text`` where ``content``
    was; ``delete_media=0`` frees its media for a redraft, ``delete_media=1`` deletes them; only the
    author may delete. Compared with Mastodon.py's recording (test_status_delete_media.yaml)."""
    base = f"{sandbox.url}/mastodon.example"
    _, auth = await signed_in(store, base)
    recorded = cassettes.interactions("test_status_delete_media.yaml")
    deletes = [i for i in recorded if i.method == "DELETE"]
    media = (await upload(http, base, auth, png())).json()["id"]
    made = await http.post(
        f"{base}/api/v1/statuses", data={"status": "Status with media", "media_ids[]": media}, headers=auth
    )
    first = await http.request(
        "DELETE", f"{base}/api/v1/statuses/{made.json()['id']}", data={"delete_media": "0"}, headers=auth
    )
    shape = deletes[0].json()
    assert first.status_code == deletes[0].status == 200 and isinstance(shape, dict)
    assert list(first.json()) == list(shape)  # the same keys in the same order: "text", no "content"
    assert first.json()["text"] == "Status with media" == shape["text"]
    assert (await http.get(f"{base}/api/v1/statuses/{made.json()['id']}")).status_code == 404
    redraft = await http.post(
        f"{base}/api/v1/statuses", data={"status": "reposted", "media_ids[]": media}, headers=auth
    )
    assert redraft.status_code == 200  # the media were kept and freed
    gone = await http.request(
        "DELETE", f"{base}/api/v1/statuses/{redraft.json()['id']}", data={"delete_media": "1"}, headers=auth
    )
    assert gone.status_code == 200
    reuse = await http.post(
        f"{base}/api/v1/statuses", data={"status": "x", "media_ids[]": media}, headers=auth
    )
    refused = next(i for i in recorded if i.method == "POST" and i.status != 200)  # worded in Japanese
    assert reuse.status_code == refused.status == 422
    again = await http.request("DELETE", f"{base}/api/v1/statuses/{redraft.json()['id']}", headers=auth)
    assert (again.status_code, again.json()) == (deletes[2].status, deletes[2].json())
    unsigned = await http.request("DELETE", f"{base}/api/v1/statuses/{made.json()['id']}")
    assert unsigned.status_code == 401


def test_uploads_are_recognised_by_their_bytes() -> None:
    cases: dict[bytes, Any] = {
        b"\xff\xd8\xff\xe0rest": "image/jpeg",
        b"\x89PNG\r\n\x1a\nrest": "image/png",
        b"GIF89a": "image/gif",
        b"RIFF\x00\x00\x00\x00WEBPVP8 ": "image/webp",
        b"\x00\x00\x00\x18ftypmp42": "video/mp4",
        b"\x00\x00\x00\x14ftypqt  ": "video/quicktime",
        b"\x00\x00\x00\x18ftypheic": "image/heic",
        # EBML headers: the DocType element says WebM or Matroska
        b"\x1a\x45\xdf\xa3\x9fB\x86\x81\x01B\xf7\x81\x01B\x82\x84webm": "video/webm",
        b"\x1a\x45\xdf\xa3\xa3B\x86\x81\x01B\xf7\x81\x01B\x82\x88matroska": "video/x-matroska",
        b"hello": None,
    }
    assert {head: sniff_mime(head) for head in cases} == cases
