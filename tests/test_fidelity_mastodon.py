"""The sandbox's Mastodon and Pixelfed as Mastodon.py sees them: a client library no one here wrote
(halcy/Mastodon.py, pinned in pyproject.toml's dev extra), the most-used Python client of the
Mastodon API, which Pixelfed's Mastodon-compatible API serves too.

Each test does what a Mastodon.py user does, pointed at the sandbox in direct mode
(``http://127.0.0.1:PORT/<host>``): register an app, send the user to the authorize URL (the
consent page is driven as tests/sandbox_browser.py drives it), log in with the code, upload a
photo with alt text, post it, read it back, delete it and revoke the token where the API has a
revoke endpoint. Mastodon.py sends no PKCE, which Mastodon accepts; the sandbox must too.

No Mastodon server runs here, so the answers are compared with what Mastodon.py recorded from a
real one (tests/fixtures/recorded/mastodon, halcy/Mastodon.py@b9f2eff, MIT; tests/cassettes.py):
the same keys for each entity, the same refusals. Mastodon.py is synchronous (requests), so each
scenario runs in a thread while the sandbox serves on the test's event loop.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

import httpx2
import pytest
from mastodon import Mastodon, MastodonAPIError, MastodonNotFoundError, MastodonUnauthorizedError
from mastodon.return_types import Account, MediaAttachment, Status, try_cast_recurse

from providers.sandbox import Running
from tests import cassettes
from tests.sandbox_browser import approve, oob_code, query

LOOPBACK = "http://127.0.0.1:8765/callback"  # never listened on: the consent page's 302 is read
OOB = "urn:ietf:wg:oauth:2.0:oob"  # Mastodon.py's default redirect


def jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def like_recorded(ours: dict[str, Any], kind: type, real: object, *, filled: bool = True) -> None:
    """Our answer against a real Mastodon's, both as Mastodon.py parses them into ``kind`` (it
    adds every field its type declares, as None when absent): the same fields, and (``filled``)
    none that the real server filled left empty here."""
    theirs = try_cast_recurse(kind, real)
    assert isinstance(theirs, dict)
    assert set(ours) == set(theirs)
    if filled:
        empty = (None, "", [], {})
        assert {k for k, v in theirs.items() if v not in empty} <= {
            k for k, v in ours.items() if v not in empty
        }


def with_media(name: str, method: str) -> object:
    """The first recorded answer of ``name`` whose status (or media list) carries media."""
    for answer in cassettes.interactions(name):
        body = answer.json() if answer.method == method and answer.status == 200 else None
        if isinstance(body, dict) and body.get("media_attachments"):
            return body
    raise AssertionError(f"{name} has no {method} answer with media")


def authorized(base: str, redirect: str) -> tuple[Mastodon, str]:
    """An app registered with Mastodon.py and the code the consent page gave for it."""
    client_id, secret = Mastodon.create_app("fidelity", api_base_url=base, redirect_uris=redirect)
    api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=base, request_timeout=10)
    url = api.auth_request_url(redirect_uris=redirect, state="fidelity-state", allow_http=True)
    assert url.startswith(f"{base}/oauth/authorize?")  # found through the discovery document
    assert "code_challenge" not in url  # Mastodon.py's default: no PKCE
    answer = approve(url)
    assert answer.status_code == 302, answer.text[:300]
    location = answer.headers["location"]
    if redirect == OOB:  # the code is shown on a page, for the user to paste
        return api, oob_code(httpx2.get(location, timeout=10).text)
    assert query(location)["state"] == "fidelity-state"
    return api, query(location)["code"]


def mastodon_scenario(base: str) -> None:
    api, code = authorized(base, OOB)
    token = api.log_in(code=code, redirect_uri=OOB, allow_http=True)  # checks the granted scopes too
    me = api.account_verify_credentials()
    assert (me.username, me.acct) == ("alice", "alice")
    real_me = cassettes.find("test_verify_credentials.yaml", "GET", "/verify_credentials").json()
    like_recorded(me, Account, real_me, filled=False)  # another account, on Mastodon 4.5: fields only

    media = api.media_post(jpeg(), mime_type="image/jpeg", description="A red square")
    like_recorded(
        media, MediaAttachment, cassettes.find("test_media_post_file.yaml", "POST", "/api/v2/media").json()
    )
    assert (media.type, media.description) == ("image", "A red square")
    status = api.status_post("Hello from Mastodon.py", media_ids=[media], idempotency_key="fidelity-1")
    like_recorded(status, Status, with_media("test_status_delete_media.yaml", "POST"))
    again = api.status_post("Hello from Mastodon.py", media_ids=[media], idempotency_key="fidelity-1")
    assert again.id == status.id  # the Idempotency-Key header Mastodon.py sends is honoured

    read = api.status(status.id)
    assert read.content == "<p>Hello from Mastodon.py</p>" == status.content
    assert [m.description for m in read.media_attachments] == ["A red square"]
    assert [s.id for s in api.account_statuses(me.id)] == [status.id]
    with pytest.raises(MastodonAPIError) as empty:
        api.status_post("")  # refused as Mastodon refuses it (recorded in Japanese: 422)
    assert empty.value.args[1] == cassettes.find("test_status_empty.yaml", "POST", "/api/v1/statuses").status

    deleted = api.status_delete(status.id)
    like_recorded(deleted, Status, with_media("test_status_delete_media.yaml", "DELETE"))
    assert deleted.content is None  # Mastodon.py's empty field: the source "text" is in its place
    assert deleted.text == "Hello from Mastodon.py"
    with pytest.raises(MastodonNotFoundError):
        api.status(status.id)

    api.revoke_access_token(allow_http=True)
    stale = Mastodon(access_token=token, api_base_url=base, request_timeout=10)
    with pytest.raises(MastodonUnauthorizedError) as revoked:
        stale.status_post("after the revoke")
    assert revoked.value.args[1] == 401 and revoked.value.args[3] == "The access token was revoked"


async def test_mastodon_py_links_posts_reads_deletes_and_revokes(sandbox: Running) -> None:
    """Against the emulated Mastodon 4.4, with Mastodon.py's own defaults: the out-of-band
    redirect and no PKCE; compared with the entities Mastodon.py recorded from a real server."""
    await asyncio.to_thread(mastodon_scenario, f"{sandbox.url}/mastodon.example")


def pixelfed_scenario(base: str) -> None:
    api, code = authorized(base, LOOPBACK)
    # Passport's token answer has no "scope", which Mastodon.py's log_in reads after keeping the
    # token: a KeyError on a real Pixelfed too (Moshidon#481: "Required field 'scope' … was null").
    with pytest.raises(KeyError, match="scope"):
        api.log_in(code=code, redirect_uri=LOOPBACK, allow_http=True)
    assert api.access_token
    me = api.account_verify_credentials()
    assert (me.username, me.url) == ("alice", "https://pixelfed.example/alice")

    media = api.media_post(jpeg(), mime_type="image/jpeg", description="A red square")
    assert (media.type, media.description) == ("image", "A red square")
    with pytest.raises(MastodonAPIError) as photos_first:
        api.status_post("text alone")  # Pixelfed is photos first (statusCreate)
    assert photos_first.value.args[1] == 403
    status = api.status_post("Hello from Mastodon.py", media_ids=[media])
    assert status.url.startswith("https://pixelfed.example/p/alice/")
    read = api.status(status.id)
    assert (read.content_text, read.media_attachments[0].description) == (
        "Hello from Mastodon.py",
        "A red square",
    )

    deleted = api.status_delete(status.id)
    assert deleted.text == read.content  # statusDelete moves the HTML itself to "text"
    with pytest.raises(MastodonNotFoundError):
        api.status(status.id)
    with pytest.raises(MastodonNotFoundError):
        api.revoke_access_token(allow_http=True)  # no revoke endpoint on Pixelfed: the user's page
    assert api.account_verify_credentials().username == "alice"  # so the token still works


async def test_mastodon_py_on_pixelfed_links_posts_reads_and_deletes(sandbox: Running) -> None:
    """Against the emulated Pixelfed: Mastodon.py's code flow with a loopback redirect and no PKCE
    (Passport has PKCE optional), then the photo post a Pixelfed needs, read back and deleted."""
    await asyncio.to_thread(pixelfed_scenario, f"{sandbox.url}/pixelfed.example")
