"""The Bluesky adapter and publisher against *recorded* real responses, replayed by a local server.

The responses are the bskyr cassettes (R vcr recordings against the real https://bsky.social PDS,
May 2025; christopherkenny/bskyr@929c1641c83283947d6d384102b62d9b3a77049c, MIT) and the atproto
Python SDK's test data (MarshalX/atproto@568529bbf35f9956ebb7760e1bc997040171c903, MIT), copied
from the shared recordings to tests/fixtures/recorded/bluesky/ with the provenance in its SOURCES.md
and the licences in LICENSE.md; the recordings' JWTs were blanked by their author. They check
that linkdeck reads the real shapes (createSession with its DID document, getProfile,
resolveHandle, uploadBlob, createRecord, getRecord) and turns the real refusals (401 "Invalid
identifier or password", 400 InvalidRequest on a too-long post) into sentences that name Bluesky,
the rule and the fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import astuple
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx2
import pytest
from aiohttp import web

from providers import catalog, clock
from providers.errors import LinkError, PublishError
from providers.http import client_kwargs
from providers.networks.bluesky.facets import detect
from providers.networks.bluesky.link import BlueskySignIn
from providers.networks.bluesky.publish import BlueskyPublisher, refusal
from providers.networks.bluesky.xrpc import pds_of, resolve_handle, session_token
from providers.networks.registry import publisher_for, sign_in_for
from providers.store import Store
from providers.vault import Vault
from tests.cassettes import Interaction
from tests.support.http import serving

RECORDED = Path(__file__).resolve().parent / "fixtures/recorded/bluesky"
# A JWT-shaped stand-in for the blanked recorded tokens: {"exp": 4102444800} (year 2100).
FAKE_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOiA0MTAyNDQ0ODAwfQ.c2ln"


def _unquote(text: str) -> str:
    """A YAML quoted scalar (already joined by :func:`cassette`) as its string value."""
    quote, inner = text[0], text[1:-1]
    if quote == "'":
        return inner.replace("''", "'")
    inner = re.sub(r"\\U([0-9A-Fa-f]{8})", lambda m: chr(int(m.group(1), 16)), inner)
    return str(json.loads(f'"{inner}"'))


def cassette(name: str) -> list[Interaction]:
    """The interactions of one bskyr vcr cassette. PyYAML is no linkdeck dependency, and vcr writes
    one regular shape: method, uri, status, then ``string:`` with a quoted, folded scalar."""
    lines = (RECORDED / "bskyr" / name).read_text(encoding="utf-8").splitlines()
    found: list[Interaction] = []
    fields: dict[str, str] = {}
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if line.startswith(("method: ", "uri: ", "status: ")):
            key, value = line.split(": ", 1)
            fields[key] = value
        elif line.startswith("string: "):
            text = line[len("string: ") :]
            parts, quote = [text], text[0]
            while (
                len(parts[-1]) < (2 if len(parts) == 1 else 1)
                or not text.endswith(quote)
                or text.endswith("\\" + quote)
            ):
                index += 1
                text = lines[index].strip()
                parts.append(text)
            joined = " ".join(p for p in parts)  # vcr folds long lines at spaces
            found.append(
                Interaction(fields["method"], fields["uri"], int(fields["status"]), _unquote(joined))
            )
        index += 1
    return found


def recorded(name: str, path_end: str) -> Interaction:
    return next(r for r in cassette(name) if r.uri.split("?")[0].endswith(path_end))


def sdk(name: str) -> Any:
    return json.loads((RECORDED / "atproto-python" / name).read_text(encoding="utf-8"))


class Replay:
    """Serves one recorded answer per XRPC method; records what was asked."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, str]] = {}
        self.seen: list[tuple[str, dict[str, str], bytes]] = []

    def serve(self, nsid: str, answer: Interaction | tuple[int, Any]) -> None:
        if isinstance(answer, Interaction):
            self.answers[nsid] = (answer.status, answer.body)
        else:
            self.answers[nsid] = (answer[0], json.dumps(answer[1]))

    async def handle(self, request: web.Request) -> web.Response:
        nsid = request.path.removeprefix("/xrpc/")
        self.seen.append((nsid, dict(request.query), await request.read()))
        status, body = self.answers.get(nsid, (501, '{"error":"MethodNotImplemented"}'))
        return web.Response(text=body, status=status, content_type="application/json")

    def asked(self, nsid: str) -> list[tuple[dict[str, str], bytes]]:
        return [(query, body) for seen, query, body in self.seen if seen == nsid]


@pytest.fixture
async def replay() -> AsyncIterator[tuple[Replay, str]]:
    state = Replay()
    async with serving(state.handle) as url:
        yield state, url


@pytest.fixture
def adapter(store: Store, vault: Vault) -> BlueskySignIn:
    found = sign_in_for("bluesky", settings=vault.settings, store=store, vault=vault)
    assert isinstance(found, BlueskySignIn)
    return found


SESSION = recorded("repo_auth_direct.yml", "createSession")


def test_recorded_session_shape_is_read() -> None:
    body = SESSION.json()
    assert body["accessJwt"] == "" and body["refreshJwt"] == ""  # blanked by the recording's author
    with pytest.raises(LinkError, match="without a session"):
        session_token(body, "https://bsky.social")
    token = session_token({**body, "accessJwt": FAKE_JWT, "refreshJwt": FAKE_JWT}, "https://bsky.social")
    assert token["did"] == "did:plc:5c2r73erhng4bszmxlfdtscf"
    assert token["handle"] == "bskyr.bsky.social"
    # Repo calls go to the account's own PDS named in the DID document, not the entryway.
    assert token["pds"] == "https://puffball.us-east.host.bsky.network"
    assert token["expires_at"] == 4102444800 and token["method"] == "app_password"


async def test_recorded_sign_in_through_the_adapter(
    replay: tuple[Replay, str], adapter: BlueskySignIn
) -> None:
    server, url = replay
    body = {**SESSION.json(), "accessJwt": FAKE_JWT, "refreshJwt": FAKE_JWT}
    server.serve("com.atproto.server.createSession", (200, body))
    instance, token = astuple(
        await adapter.sign_in(url, {"handle": "@BskyR.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"})
    )
    assert instance == url
    assert token["refresh_token"] == FAKE_JWT and token["did"] == "did:plc:5c2r73erhng4bszmxlfdtscf"
    ((_, sent),) = server.asked("com.atproto.server.createSession")
    assert json.loads(sent) == {"identifier": "bskyr.bsky.social", "password": "abcd-efgh-ijkl-mnop"}


async def test_recorded_wrong_password_names_app_passwords(
    replay: tuple[Replay, str], adapter: BlueskySignIn
) -> None:
    server, url = replay
    refused = recorded("repo_auth_cache.yml", "createSession")
    assert refused.status == 401
    server.serve("com.atproto.server.createSession", refused)
    with pytest.raises(LinkError) as caught:
        await adapter.sign_in(url, {"handle": "bskyr.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"})
    message = caught.value.message
    assert message.startswith("Bluesky did not accept that handle and app password")
    assert "Invalid identifier or password" in message  # the server's own words
    assert "APP password" in message and "Settings → Privacy and security → App passwords" in message
    assert "abcd-efgh-ijkl-mnop" not in message


async def test_recorded_profile_is_read(replay: tuple[Replay, str], adapter: BlueskySignIn) -> None:
    server, url = replay
    profiles = recorded("a_profile.yml", "getProfiles").json()["profiles"]
    server.serve("app.bsky.actor.getProfile", (200, profiles[0]))  # getProfile answers one of these
    token = {
        "access_token": FAKE_JWT,
        "did": profiles[0]["did"],
        "handle": "chriskenny.bsky.social",
        "pds": url,
    }
    profile = await adapter.profile(token, url)
    assert profile.remote_id == "did:plc:wpe35pganb6d4pg4ekmfy6u5"
    assert profile.handle == "@chriskenny.bsky.social"
    assert profile.display_name == "Chris Kenny"
    assert profile.avatar_url is not None and profile.avatar_url.startswith(
        "https://cdn.bsky.app/img/avatar/"
    )
    ((query, _),) = server.asked("app.bsky.actor.getProfile")
    assert query == {"actor": "did:plc:wpe35pganb6d4pg4ekmfy6u5"}


async def test_recorded_resolve_handle_and_did_document(replay: tuple[Replay, str]) -> None:
    server, url = replay
    server.serve("com.atproto.identity.resolveHandle", recorded("i_resolveh.yml", "resolveHandle"))
    assert await resolve_handle(url, "chriskenny.bsky.social") == "did:plc:wpe35pganb6d4pg4ekmfy6u5"
    assert sdk("resolve_handle.json")["did"].startswith("did:plc:")
    assert pds_of(sdk("did_doc.json")["didDoc"]) == "https://shimeji.us-east.host.bsky.network"
    assert pds_of({"service": [{"id": "#atproto_pds", "serviceEndpoint": "http://evil.example"}]}) is None


def test_recorded_facets_match_our_byte_offsets() -> None:
    """The official app's link facets on a real post (an emoji and a curly quote before them)
    are exactly where linkdeck puts them."""
    value = recorded("r_getRecord.yml", "getRecord").json()["value"]
    ours = [(s.start, s.end, s.value) for s in detect(value["text"]) if s.kind == "link"]
    theirs = [
        (
            f["index"]["byteStart"],
            f["index"]["byteEnd"],
            f["features"][0]["uri"].replace("http://", "https://"),
        )
        for f in value["facets"]
    ]
    assert ours == theirs  # (140, 153, localview.net) and (257, 275, rstats.ai/gov.html)


def test_recorded_too_long_post_is_a_clear_message() -> None:
    answer = recorded("r_post_errors.yml", "createRecord")
    assert answer.status == 400
    response = httpx2.Response(
        400, content=answer.body.encode(), headers={"Content-Type": "application/json"}
    )
    error = refusal(response, "creating the post", committing=True)
    assert error.kind == "fix_media" and not error.retryable and not error.maybe_published
    assert error.message.startswith("Bluesky refused creating the post (InvalidRequest: ")
    assert "Record/text must not be longer than 300 graphemes" in error.message  # the server names the rule


def test_rate_limit_uses_ratelimit_reset(frozen_clock: clock.FrozenClock) -> None:
    reset = int(frozen_clock.at.timestamp()) + 120
    response = httpx2.Response(
        429,
        json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        headers={"RateLimit-Reset": str(reset)},
    )
    error = refusal(response, "creating the post")
    assert error.kind == "try_later" and error.retry_after == 120  # counted on the engine's clock


async def _linked(store: Store, vault: Vault, url: str) -> Any:
    account = store.upsert_account(
        "bluesky", "did:plc:5c2r73erhng4bszmxlfdtscf", handle="@bskyr.bsky.social", instance=url
    )
    token = {"access_token": FAKE_JWT, "refresh_token": FAKE_JWT, "expires_at": 4102444800}
    vault.set_token(
        account.vault_key, {**token, "did": account.remote_id, "handle": "bskyr.bsky.social", "pds": url}
    )
    return account


def _post(caption: str, media: list[str], alts: list[str]) -> tuple[Any, Any]:
    post = SimpleNamespace(caption=caption, media=media, descriptions=alts)
    delivery = SimpleNamespace(created_at=datetime(2026, 11, 25, 12, 0, tzinfo=UTC), idempotency_key="k" * 32)
    return post, delivery


NOT_FOUND = (400, {"error": "RecordNotFound", "message": "Could not locate record"})  # a local PDS's words


async def test_recorded_image_post_gives_the_bsky_app_url(
    replay: tuple[Replay, str], store: Store, vault: Vault, tmp_path: Path
) -> None:
    server, url = replay
    server.serve("com.atproto.repo.getRecord", NOT_FOUND)
    server.serve("com.atproto.repo.uploadBlob", recorded("r_post_image.yml", "uploadBlob"))
    server.serve("com.atproto.repo.createRecord", recorded("r_post_image.yml", "createRecord"))
    from PIL import Image

    photo = tmp_path / "photo.png"
    Image.new("RGB", (30, 20), (1, 2, 3)).save(photo)
    account = await _linked(store, vault, url)
    async with httpx2.AsyncClient(**client_kwargs()) as client:
        publisher = publisher_for("bluesky", client=client)
        assert isinstance(publisher, BlueskyPublisher)
        result = await publisher.publish(account, *_post("hello", [str(photo)], ["three colours"]), token={})
    assert result.url == "https://bsky.app/profile/bskyr.bsky.social/post/3lprdugwhey2i"
    assert result.remote_post_id == "at://did:plc:5c2r73erhng4bszmxlfdtscf/app.bsky.feed.post/3lprdugwhey2i"
    ((_, body),) = server.asked("com.atproto.repo.createRecord")
    record = json.loads(body)["record"]
    image = record["embed"]["images"][0]
    assert image["alt"] == "three colours" and image["aspectRatio"] == {"width": 30, "height": 20}
    assert image["image"]["mimeType"] == "image/png"  # the recorded blob, passed on as it came


async def test_recorded_too_long_post_through_the_publisher(
    replay: tuple[Replay, str], store: Store, vault: Vault
) -> None:
    """A server that counts differently (here: the recorded refusal) still gets a clear message."""
    server, url = replay
    server.serve("com.atproto.repo.getRecord", NOT_FOUND)
    server.serve("com.atproto.repo.createRecord", recorded("r_post_errors.yml", "createRecord"))
    account = await _linked(store, vault, url)
    async with httpx2.AsyncClient(**client_kwargs()) as client:
        publisher = BlueskyPublisher(catalog.get("bluesky"), client, vault, store)
        with pytest.raises(PublishError) as caught:
            await publisher.publish(account, *_post("short enough here", [], []), token={})
    assert caught.value.kind == "fix_media" and "300 graphemes" in caught.value.message
