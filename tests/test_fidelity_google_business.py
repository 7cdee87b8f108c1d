"""The sandbox's Google Business Profile as Google's own Python client sees it:
google-api-python-client (pinned in pyproject.toml's dev extra) built from the discovery documents
it ships for ``mybusinessaccountmanagement`` v1 and ``mybusinessbusinessinformation`` v1, with
google-auth credentials, pointed at the sandbox (``client_options.api_endpoint``; networks-2026.md
§11c). Paths, parameter names (``pageSize``, ``pageToken``, ``readMask``, ``parent``) and paging
(``list_next``) are Google's, not ours, so an emulator shaped wrongly fails here; the expired
access token is renewed by google-auth at the emulated token endpoint, as a Google client does.

The v4 local posts API has no discovery document in the client (§11c), so it is not covered
here; tests/networks/test_google_business_sandbox.py checks it. The client is synchronous
(httplib2), so each call runs in a thread while the sandbox serves on the test's event loop.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build

from providers.linking.steps import Linked, ShowAddress
from providers.networks.google_business.sandbox import CLIENT_ID, CLIENT_SECRET, SCOPE
from providers.sandbox import Running
from providers.settings import NetworkSettings, Settings
from providers.store import Store
from providers.vault import Vault
from tests.sandbox_browser import approve_async
from tests.support.ports import free_port


async def signed_in(sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Alice's token, from linking through linkdeck (its refresh token is what google-auth uses)."""
    from providers import linking

    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("LINKDECK_GOOGLE_BUSINESS_CLIENT_SECRET", CLIENT_SECRET)
    settings = Settings(
        networks={"google-business": NetworkSettings(client_id=CLIENT_ID, port=free_port())},
        allow_plaintext_secrets=True,
    )
    vault = Vault(settings)
    session = await linking.begin_link("google-business", settings=settings, store=store, vault=vault)
    async for step in session.steps():
        if isinstance(step, ShowAddress):
            assert step.request is not None
            step.paste((await approve_async(step.request.url)).headers["location"])
        elif hasattr(step, "choose"):
            step.choose(0)
        elif isinstance(step, Linked):
            assert step.account is not None
            token = vault.get_token(step.account.vault_key)
            assert token is not None
            return token
    raise AssertionError("not linked")


def service(sandbox: Running, name: str, credentials: Credentials) -> Any:
    return build(
        name,
        "v1",
        credentials=credentials,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": f"{sandbox.url}/{name}.googleapis.com/"},
    )


def walk(sandbox: Running, credentials: Credentials) -> list[tuple[str, str, str]]:
    """Every account and location, page by page, the way Google's client pages them."""
    accounts_api = service(sandbox, "mybusinessaccountmanagement", credentials)
    locations_api = service(sandbox, "mybusinessbusinessinformation", credentials)
    found: list[tuple[str, str, str]] = []
    request = accounts_api.accounts().list(pageSize=1)
    while request is not None:
        page = request.execute()
        for account in page.get("accounts", []):
            listing = locations_api.accounts().locations()
            inner = listing.list(parent=account["name"], readMask="name,title,storefrontAddress", pageSize=1)
            while inner is not None:
                locations = inner.execute()
                for location in locations.get("locations", []):
                    found.append((account["name"], location["name"], location["title"]))
                inner = listing.list_next(inner, locations)
        request = accounts_api.accounts().list_next(request, page)
    return found


async def test_googles_client_walks_accounts_and_locations_after_renewing_the_token(
    sandbox: Running, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = await signed_in(sandbox, store, monkeypatch)
    credentials = Credentials(
        token="expired-access-token",
        refresh_token=token["refresh_token"],
        token_uri=f"{sandbox.url}/oauth2.googleapis.com/token",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scopes=[SCOPE],
        expiry=datetime(2000, 1, 1),  # naive UTC, as google-auth keeps it: expired by any clock
    )
    sandbox.sandbox.requests.clear()  # only the client's own requests from here
    found = await asyncio.to_thread(walk, sandbox, credentials)
    assert found == [
        ("accounts/1100001", "locations/5001", "Harbour Café"),
        ("accounts/1200002", "locations/5002", "Harbour Bakery"),
        ("accounts/1200002", "locations/5003", "Harbour Books"),
    ]
    assert credentials.token != "expired-access-token" and credentials.valid  # renewed by google-auth
    assert credentials.refresh_token == token["refresh_token"]  # Google keeps the refresh token
    paged = [r for r in sandbox.sandbox.requests if r["path"] == "/v1/accounts/1200002/locations"]
    assert [r["params"].get("pageToken") for r in paged] == [None, "1"]
    assert all(r["params"]["readMask"] == "name,title,storefrontAddress" for r in paged)
    [renewal] = [r for r in sandbox.sandbox.requests if r["path"] == "/token"]
    assert renewal["host"] == "oauth2.googleapis.com" and renewal["params"]["grant_type"] == "refresh_token"
