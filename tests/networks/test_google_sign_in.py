"""One Google sign-in per sandbox for every Google network (providers/emulation/google.py): its
hosts belong to no network, so YouTube's and Google Business Profile's clients both sign in there,
in one sandbox, and each network's API host accepts the token it issued."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2

from providers import networks
from providers.emulation.google import (
    BUSINESS_CLIENT_ID,
    BUSINESS_CLIENT_SECRET,
    BUSINESS_MANAGE,
    YOUTUBE_DESKTOP_CLIENT_ID,
    YOUTUBE_DESKTOP_CLIENT_SECRET,
    YT,
    GoogleSignIn,
)
from providers.sandbox import Running, registry
from tests.sandbox_browser import approve_async


def test_the_sign_in_hosts_belong_to_the_shared_emulation_not_a_network() -> None:
    assert GoogleSignIn.hosts  # else the loop below checks nothing
    for host in GoogleSignIn.hosts:
        assert registry.kind_for(host) == GoogleSignIn.kind
    for package in networks.ORDER:
        module = networks.part(package, networks.SANDBOX)
        if module is not None:
            assert not set(module.HOSTS) & set(GoogleSignIn.hosts), package
    assert registry.kind_for("www.googleapis.com") == "youtube"
    assert registry.kind_for("mybusiness.googleapis.com") == "google-business"


async def sign_in(sandbox: Running, client_id: str, secret: str, scope: str) -> dict[str, Any]:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": "http://127.0.0.1:9/callback",
        "scope": scope,
        "state": "s" * 20,
        "access_type": "offline",
    }
    answer = await approve_async(f"{sandbox.url}/accounts.google.com/o/oauth2/v2/auth?{urlencode(params)}")
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    async with httpx2.AsyncClient() as client:
        token = await client.post(
            f"{sandbox.url}/oauth2.googleapis.com/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": params["redirect_uri"],
                "client_id": client_id,
                "client_secret": secret,
            },
        )
    assert token.status_code == 200, token.text
    body: dict[str, Any] = token.json()
    return body


async def test_youtube_and_business_profile_sign_in_to_one_google(sandbox: Running) -> None:
    desktop = (YOUTUBE_DESKTOP_CLIENT_ID, YOUTUBE_DESKTOP_CLIENT_SECRET)
    youtube = await sign_in(sandbox, *desktop, f"{YT}.readonly")
    business = await sign_in(sandbox, BUSINESS_CLIENT_ID, BUSINESS_CLIENT_SECRET, BUSINESS_MANAGE)
    assert youtube["refresh_token"] and business["refresh_token"]
    async with httpx2.AsyncClient() as client:
        channels = await client.get(
            f"{sandbox.url}/www.googleapis.com/youtube/v3/channels?part=snippet&mine=true",
            headers={"Authorization": f"Bearer {youtube['access_token']}"},
        )
        accounts = await client.get(
            f"{sandbox.url}/mybusinessaccountmanagement.googleapis.com/v1/accounts",
            headers={"Authorization": f"Bearer {business['access_token']}"},
        )
        # Each token is known to both (one Google) but refused for its scopes by the other network.
        not_youtube = await client.get(
            f"{sandbox.url}/www.googleapis.com/youtube/v3/channels?part=snippet&mine=true",
            headers={"Authorization": f"Bearer {business['access_token']}"},
        )
        not_business = await client.get(
            f"{sandbox.url}/mybusinessaccountmanagement.googleapis.com/v1/accounts",
            headers={"Authorization": f"Bearer {youtube['access_token']}"},
        )
    assert channels.status_code == 200 and channels.json()["items"]
    assert accounts.status_code == 200 and accounts.json()["accounts"]
    assert not_youtube.status_code == 403 and not_business.status_code == 403
