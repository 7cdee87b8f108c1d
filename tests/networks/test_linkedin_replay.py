"""LinkedIn against *recorded* real answers, replayed by a local server at the paths they were
recorded on: the member's profile (GET /v2/me, 200), the API's refusals (401 "Invalid access
token", 403, 400, 404, 500) and the token endpoint's 503 ``temporarily_unavailable``.

The recordings are Ruby VCR cassettes made against the real api.linkedin.com and www.linkedin.com
in May 2018 by mdesjardins/linkedin-v2 (MIT), copied to tests/fixtures/recorded/linkedin/ with
their SOURCES.md and licence. They are the legacy v2 era: no /rest/posts or /v2/userinfo answer
was recorded, so they check what they can, that linkdeck reads LinkedIn's real account and error
shapes and words every refusal as the user's next step, naming LinkedIn.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx2
import pytest
from aiohttp import web

from providers.errors import LinkError
from providers.http import client_kwargs
from providers.linking.session import LinkSession
from providers.linking.steps import Failed, ShowAddress
from providers.networks.linkedin.link import LinkedInSignIn
from providers.networks.linkedin.publish import LinkedInPublisher
from providers.networks.linkedin.spec import SPEC
from providers.settings import NetworkSettings, Settings
from providers.store import Store
from providers.vault import Vault
from tests.cassettes import _scalar
from tests.link_driver import next_shown
from tests.sandbox_browser import query
from tests.support.http import serving

RECORDED = Path(__file__).resolve().parent.parent / "fixtures/recorded/linkedin/linkedin-v2"


@dataclass(frozen=True)
class Recorded:
    method: str
    uri: str
    status: int
    content_type: str
    body: str


def recording(name: str) -> Recorded:
    """The (one) interaction of a Ruby VCR cassette: request method and URI, response status,
    Content-Type and body (PyYAML is no linkdeck dependency; VCR writes one regular shape)."""
    lines = (RECORDED / name).read_text(encoding="utf-8").splitlines()
    found: dict[str, str] = {}
    in_response = False
    for index, line in enumerate(lines):
        if line.startswith("  response:"):
            in_response = True
        elif line.startswith("    method: ") and not in_response:
            found["method"] = line.split(": ", 1)[1].strip().upper()
        elif line.startswith("    uri: ") and not in_response:
            found["uri"] = line.split(": ", 1)[1].strip()
        elif in_response and line.startswith("      code: "):
            found["status"] = line.split(": ", 1)[1].strip()
        elif in_response and line.startswith("      Content-Type:"):
            found["content_type"] = lines[index + 1].strip().removeprefix("- ")
        elif in_response and line.startswith("      string: "):
            found["body"] = _scalar(lines, index, len("      string: "))[0]
    return Recorded(found["method"], found["uri"], int(found["status"]), found["content_type"], found["body"])


@asynccontextmanager
async def replaying(*names: str) -> AsyncIterator[str]:
    """A server answering each recording at ``/<host><path>`` (the sandbox rewrite's shape), by
    method and path; yields its URL."""
    answers = {}
    for name in names:
        found = recording(name)
        parts = urlsplit(found.uri)
        answers[(found.method, f"/{parts.netloc}{unquote(parts.path)}")] = found

    async def handler(request: web.Request) -> web.Response:
        found = answers.get((request.method, request.path))
        if found is None:
            return web.Response(status=599, text=f"nothing recorded for {request.method} {request.path}")
        content_type, _, charset = found.content_type.partition(";charset=")
        return web.Response(
            status=found.status, text=found.body, content_type=content_type, charset=charset or None
        )

    async with serving(handler) as url:
        yield url


def signed_in(store: Store, vault: Vault, **endpoints: str) -> LinkedInSignIn:
    spec = dataclasses.replace(SPEC, endpoints=dataclasses.replace(SPEC.endpoints, **endpoints))
    settings = Settings(
        networks={"linkedin": NetworkSettings(client_id="dummy_client_id")}, allow_plaintext_secrets=True
    )
    return LinkedInSignIn(spec, store, vault, settings)


async def test_the_recorded_profile_names_the_member(
    store: Store, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = recording("people_profile_own.yml")
    async with replaying("people_profile_own.yml") as url:
        monkeypatch.setenv("LINKDECK_SANDBOX_URL", url)
        profile = await signed_in(store, vault, profile=me.uri).profile({"access_token": "recorded"}, None)
    assert (profile.remote_id, profile.handle) == ("MpkAFJTlPY", "Miguel Santos del Nariz")
    assert profile.targets == [
        ("profile", "urn:li:person:MpkAFJTlPY", "Miguel Santos del Nariz (your profile)")
    ]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        (
            "organization_data.yml",
            "did not accept linkdeck's sign-in when reading the linked account: Invalid access token",
        ),
        ("people_profile_lang_spanish.yml", "Unpermitted fields present in PARAMETER"),
        ("people_profile_fields_simple.yml", "Illegal field name '['"),
        ("people_profile_skills.yml", "(HTTP 404): Resource me does not exist"),
        (
            "people_profile_other_url.yml",
            "server problem (HTTP 500) when reading the linked account: INTERNAL SERVER ERROR",
        ),
    ],
)
async def test_recorded_refusals_of_the_account_call_say_what_linkedin_said(
    name: str, words: str, store: Store, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = recording(name)
    async with replaying(name) as url:
        monkeypatch.setenv("LINKDECK_SANDBOX_URL", url)
        with pytest.raises(LinkError) as refused:
            await signed_in(store, vault, profile=found.uri.split("?")[0]).profile(
                {"access_token": "x"}, None
            )
    assert refused.value.message.startswith("LinkedIn") and words in refused.value.message


@pytest.mark.parametrize(
    ("name", "kind", "code"),
    [
        ("organization_data.yml", "reconnect", "65600"),  # Invalid access token
        ("people_profile_lang_spanish.yml", "refused", "100"),  # 403 with LinkedIn's words
        ("people_profile_fields_simple.yml", "fix_media", None),  # 400, serviceErrorCode 0
        ("people_profile_skills.yml", "refused", None),  # 404
        ("people_profile_other_url.yml", "try_later", None),  # 500
    ],
)
async def test_recorded_errors_map_to_what_the_outbox_does(
    name: str, kind: str, code: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = recording(name)
    async with replaying(name) as url:
        monkeypatch.setenv("LINKDECK_SANDBOX_URL", url)
        async with httpx2.AsyncClient(**client_kwargs()) as client:
            response = await client.get(found.uri.split("?")[0])
            publisher = LinkedInPublisher(SPEC, client)
            error = publisher.refused(response, "LinkedIn", "creating the post", committing=True)
    assert response.status_code == found.status
    assert publisher.error_code(response) == code
    assert error.kind == kind and error.message.startswith("LinkedIn")
    assert error.unauthorized is (found.status == 401)
    assert not error.maybe_published  # a clear refusal: the post was not made


async def test_the_recorded_503_of_the_token_endpoint_ends_the_link_saying_so(
    store: Store, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = recording("unavailable.yml")
    async with replaying("unavailable.yml") as url:
        monkeypatch.setenv("LINKDECK_SANDBOX_URL", url)
        sign_in = signed_in(store, vault, token=token.uri)
        session = LinkSession(sign_in.spec, sign_in, settings=sign_in.settings, store=store, vault=vault)
        step = await next_shown(session)
        assert isinstance(step, ShowAddress) and step.request is not None
        state = query(step.request.url)["state"]
        step.paste(f"{step.request.redirect_uri}?code=dummy_code&state={state}")
        end = await session.next_step()
        while not isinstance(end, Failed):
            end = await session.next_step()
    assert end.error is not None
    message = str(end.error)
    assert message.startswith("LinkedIn") and "HTTP 503" in message
    assert "is temporarily unavailable (temporarily_unavailable). Try again in a moment." in message
    assert "dummy_code" not in message and store.accounts() == []
