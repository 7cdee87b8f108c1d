"""The sandbox's LinkedIn as LinkedIn's own Python client sees it: linkedin-api-client 0.3.0, the
official library, written by LinkedIn, not by us.

Not a dependency of linkdeck, on purpose: its licence ("LinkedIn API Development Software License
Agreement", License :: Other/Proprietary) allows its use only under a LinkedIn API agreement, so
the project does not install it. These tests are skipped unless it is installed; a developer who
may use it runs them with ``pip install linkedin-api-client==0.3.0`` (they passed so when written).

What a user of that library does, pointed at the sandbox by its module constants (the only way
it can be: shared/reference/networks-2026.md §8c, §16): build the member authorization URL, sign
in on the consent page (driven as tests/sandbox_browser.py drives it), exchange the code with the
client secret, read ``/v2/userinfo``, then with ``LinkedIn-Version`` create a Page post through
Rest.li (the new post's id from ``x-restli-id``), get it and find it by author. The library is
synchronous (requests), so each scenario runs in a thread while the sandbox serves on the test's
event loop.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytest.importorskip("linkedin_api", reason="linkedin-api-client is not installed (see the docstring)")

from linkedin_api.clients.auth.client import AuthClient
from linkedin_api.clients.restli.client import RestliClient

from providers.networks.linkedin.rest import API_VERSION
from providers.networks.linkedin.sandbox_sessions import (
    STANDARD_CLIENT_ID,
    STANDARD_CLIENT_SECRET,
)
from providers.sandbox import Running
from tests.sandbox_browser import approve, query

REDIRECT = "http://127.0.0.1:8765/callback"  # never listened on: the consent page's 302 is read
PAGE = "urn:li:organization:2414183"


@pytest.fixture
def pointed(sandbox: Running, monkeypatch: pytest.MonkeyPatch) -> Running:
    """The library's base URLs at the sandbox (its constants, and the copy its OAuth helper
    imported by name), and the sandbox app's registered redirect."""
    import linkedin_api.clients.auth.utils.oauth as oauth
    import linkedin_api.common.constants as constants

    monkeypatch.setattr(constants, "OAUTH_BASE_URL", f"{sandbox.url}/www.linkedin.com/oauth/v2")
    monkeypatch.setattr(oauth, "OAUTH_BASE_URL", f"{sandbox.url}/www.linkedin.com/oauth/v2")
    monkeypatch.setattr(constants, "NON_VERSIONED_BASE_URL", f"{sandbox.url}/api.linkedin.com/v2")
    monkeypatch.setattr(constants, "VERSIONED_BASE_URL", f"{sandbox.url}/api.linkedin.com/rest")
    sandbox.sandbox.emulator("api.linkedin.com").configure({"standard_redirect": REDIRECT})
    return sandbox


def sign_in(scopes: list[str]) -> dict[str, Any]:
    auth = AuthClient(
        client_id=STANDARD_CLIENT_ID, client_secret=STANDARD_CLIENT_SECRET, redirect_url=REDIRECT
    )
    url = auth.generate_member_auth_url(scopes=scopes, state="fidelity-state-0123456789")
    consent = approve(url)
    assert consent.status_code == 302, consent.text[:300]
    answer = query(consent.headers["location"])
    assert answer["state"] == "fidelity-state-0123456789"
    token = auth.exchange_auth_code_for_access_token(code=answer["code"])
    assert token.status_code == 200, token.response.text
    return {"access_token": token.access_token, "expires_in": token.expires_in, "scope": token.scope}


def member_and_page_post() -> dict[str, Any]:
    token = sign_in(
        ["openid", "profile", "w_member_social", "w_organization_social", "r_organization_social"]
    )
    restli = RestliClient()
    me = restli.get(resource_path="/userinfo", access_token=token["access_token"])
    created = restli.create(
        resource_path="/posts",
        entity={
            "author": PAGE,
            "commentary": "Sample text post from the official client",
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
        },
        access_token=token["access_token"],
        version_string=API_VERSION,
    )
    got = restli.get(
        resource_path="/posts/{id}",
        path_keys={"id": created.decoded_entity_id},
        access_token=token["access_token"],
        version_string=API_VERSION,
    )
    found = restli.finder(
        resource_path="/posts",
        finder_name="author",
        query_params={"author": PAGE},
        access_token=token["access_token"],
        version_string=API_VERSION,
    )
    retired = restli.get(
        resource_path="/posts/{id}",
        path_keys={"id": created.decoded_entity_id},
        access_token=token["access_token"],
        version_string="202401",
    )
    return {"token": token, "me": me, "created": created, "got": got, "found": found, "retired": retired}


async def test_the_official_client_signs_in_posts_as_a_page_and_reads_it_back(pointed: Running) -> None:
    done = await asyncio.to_thread(member_and_page_post)
    token, me = done["token"], done["me"]
    assert token["expires_in"] == 5_183_999 and token["scope"].split(",")[:3] == [
        "openid",
        "profile",
        "w_member_social",
    ]
    assert me.status_code == 200 and me.entity["sub"] and me.entity["name"] == "Alice Example"
    created = done["created"]
    assert created.status_code == 201 and str(created.decoded_entity_id).startswith("urn:li:share:")
    got = done["got"]
    assert (
        got.status_code == 200
        and got.entity["author"] == PAGE
        and got.entity["lifecycleState"] == "PUBLISHED"
    )
    found = done["found"]
    assert found.status_code == 200 and [e["id"] for e in found.elements] == [created.decoded_entity_id]
    assert done["retired"].status_code == 426  # a sunset version, as LinkedIn answers it
    assert done["retired"].response.json()["code"] == "NONEXISTENT_VERSION"


def member_post_reads() -> tuple[int, int]:
    token = sign_in(["openid", "profile", "w_member_social"])
    restli = RestliClient()
    sub = restli.get(resource_path="/userinfo", access_token=token["access_token"]).entity["sub"]
    created = restli.create(
        resource_path="/posts",
        entity={
            "author": f"urn:li:person:{sub}",
            "commentary": "As myself",
            "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED"},
            "lifecycleState": "PUBLISHED",
        },
        access_token=token["access_token"],
        version_string=API_VERSION,
    )
    got = restli.get(
        resource_path="/posts/{id}",
        path_keys={"id": created.decoded_entity_id},
        access_token=token["access_token"],
        version_string=API_VERSION,
    )
    return created.status_code, got.status_code


async def test_a_member_without_r_member_social_cannot_read_their_post_back(pointed: Running) -> None:
    assert await asyncio.to_thread(member_post_reads) == (201, 403)
