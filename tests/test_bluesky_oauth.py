"""atproto OAuth (PAR + DPoP + PKCE, loopback client) against the REAL local PDS, with Debian's
Chromium (Playwright) as the user's browser on the PDS's own sign-in page (a JS app).

The link starts like an app-password link with the app password left empty; linkdeck discovers
the PDS's authorization server, pushes the request (PAR, DPoP nonce dance), the browser signs in
and approves, and the PDS sends it back to linkdeck's one-shot loopback listener. Then a post goes
out with DPoP-bound requests, the token is refreshed (rotated) and unlinking revokes the sign-in.
The PDS is conftest's ``pds`` fixture (tests/servers/pds.py, one per module).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx2
import pytest

from providers import catalog, linking, unlinking
from providers.errors import LinkError
from providers.http import client_kwargs
from providers.networks.bluesky.dpop import DPoPKey, discover
from providers.networks.bluesky.oauth import AtprotoOAuthFlow
from providers.networks.bluesky.publish import BlueskyPublisher
from providers.networks.bluesky.xrpc import PLC_ENV
from providers.settings import Settings
from providers.store import Store
from providers.vault import Vault
from tests.link_driver import to_address
from tests.servers.pds import Pds
from tests.support.bluesky import delivery, photo
from tests.support.cli import CLI, ROOT
from tests.support.required import chromium_or_missing, module_or_missing

CHROMIUM = Path("/usr/bin/chromium")
chromium_or_missing(str(CHROMIUM))
async_api: Any = module_or_missing("playwright.async_api", "needs the playwright Python package")


async def approve_in_browser(url: str, password: str) -> str:
    """What the user does on the PDS's page: type the password, sign in, authorize. Returns the
    address the browser ends on (linkdeck's loopback listener answers it)."""
    async with async_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = await browser.new_page()
            await page.goto(url)
            await page.get_by_placeholder("Password").fill(password)
            await page.get_by_role("button", name="Sign in").click()
            await page.get_by_role("button", name="Authorize").click()
            await page.wait_for_url("http://127.0.0.1:*/callback?*", timeout=30_000)
            assert "Linked" in await page.content()  # the listener's own page
            return page.url
        finally:
            await browser.close()


@pytest.fixture
def oauth_env(pds: Pds, monkeypatch: pytest.MonkeyPatch, plaintext_ok: None) -> Pds:
    monkeypatch.setenv(PLC_ENV, pds.plc)  # the account's DID document comes from the local PLC
    return pds


async def test_discovery_and_dpop_keys(oauth_env: Pds) -> None:
    server = await discover(oauth_env.url)
    assert server is not None and server.issuer.startswith("http://localhost:")
    assert server.par_endpoint == f"{server.issuer}/oauth/par" and server.revocation_endpoint
    key = DPoPKey.new()
    again = DPoPKey.from_jwk(key.private_jwk())
    assert again.public_jwk() == key.public_jwk() and "d" not in key.public_jwk()
    proof = key.proof("POST", "https://pds.example/xrpc/x?y=1", "nonce", "token")
    assert proof.count(".") == 2


async def test_oauth_link_post_refresh_and_revoke(
    oauth_env: Pds, linkdeck_home: Path, tmp_path: Path
) -> None:
    pds_ = oauth_env
    handle, did, _ = pds_.account("erin")
    vault = Vault(Settings(allow_plaintext_secrets=True))
    with Store.open() as store:
        session = await linking.begin_link(
            "bluesky",
            settings=Settings(allow_plaintext_secrets=True),
            store=store,
            vault=vault,
            instance=pds_.url,
        )
        session = await to_address(session, fields={"handle": handle, "app_password": ""})  # no app password
        assert "/oauth/authorize?" in session.request.url
        assert "request_uri=urn" in session.request.url and "code_challenge" not in session.request.url  # PAR
        finishing = asyncio.ensure_future(session.finish())
        landed = await approve_in_browser(session.request.url, "main-erin-password")
        result = await asyncio.wait_for(finishing, 30)
        assert "code=" in landed and "iss=" in landed

        account = result.account
        assert account.handle == f"@{handle}" and account.remote_id == did and account.instance == pds_.url
        token = vault.get_token(account.vault_key) or {}
        assert token["method"] == "oauth" and token["token_type"] == "DPoP" and "d" in token["dpop_jwk"]
        assert token["pds"].startswith("http://localhost:")  # from the DID document, checked

        picture = photo(tmp_path / "oauth.jpg")
        post = SimpleNamespace(
            caption=f"Posted with OAuth by @{handle}",
            media=[str(tmp_path / "oauth.jpg")],
            descriptions=["Red"],
        )
        async with httpx2.AsyncClient(**client_kwargs()) as client:
            publisher = BlueskyPublisher(catalog.get("bluesky"), client, vault, store)
            posted = await publisher.publish(account, post, delivery("o" * 32), token)
            vault.set_token(account.vault_key, {**token, "expires_at": 0})  # an hour later
            again = await publisher.publish(
                account,
                SimpleNamespace(caption="and again", media=[], descriptions=[]),
                delivery("p" * 32),
                {},
            )
        renewed = vault.get_token(account.vault_key) or {}
        assert renewed["refresh_token"] != token["refresh_token"] and renewed["dpop_jwk"] == token["dpop_jwk"]
        for made in (posted, again):
            rkey = made.remote_post_id.rsplit("/", 1)[-1]
            read = pds_.xrpc(
                "GET",
                "com.atproto.repo.getRecord",
                params={"repo": did, "collection": "app.bsky.feed.post", "rkey": rkey},
            )
            assert read.status_code == 200
        image = pds_.xrpc(
            "GET",
            "com.atproto.repo.getRecord",
            params={
                "repo": did,
                "collection": "app.bsky.feed.post",
                "rkey": posted.remote_post_id.rsplit("/", 1)[-1],
            },
        ).json()["value"]["embed"]["images"][0]
        assert image["alt"] == "Red" and image["aspectRatio"] == {"width": 48, "height": 64}
        assert image["image"]["size"] == len(picture)

        done = await unlinking.unlink(store, vault, store.account(account.id) or account)
        assert done.revoked is True and vault.get_token(account.vault_key) is None
    refused = await _refresh_with(renewed)
    assert refused == 400  # the revoked sign-in cannot be renewed


async def _refresh_with(token: dict[str, object]) -> int:
    from providers.networks.bluesky.dpop import dpop_request

    form = {
        "grant_type": "refresh_token",
        "refresh_token": token["refresh_token"],
        "client_id": token["client_id"],
    }
    async with httpx2.AsyncClient(**client_kwargs()) as client:
        response = await dpop_request(
            client, "POST", str(token["token_endpoint"]), token, data=form, authorize=False
        )
    return response.status_code


async def test_a_forged_callback_is_refused(oauth_env: Pds) -> None:
    server = await discover(oauth_env.url)
    assert server is not None
    flow = AtprotoOAuthFlow(server, oauth_env.url, "nobody.test", timeout=30)
    request = await flow.start()
    try:
        forged = f"{request.redirect_uri}?state=wrong&code=cod-x&iss={server.issuer}"
        with pytest.raises(LinkError, match="state"):
            flow.submit(forged)
        other = f"{request.redirect_uri}?state={flow.state}&code=cod-x&iss=https://evil.example"
        with pytest.raises(LinkError, match="another sign-in server"):
            flow.submit(other)
    finally:
        await flow.cancel()


async def test_cli_links_with_oauth_when_no_app_password_is_given(
    oauth_env: Pds, env: dict[str, str]
) -> None:
    """``linkdeck link bluesky --instance URL --no-browser`` with the handle and an empty line:
    the CLI prints the PDS's sign-in address and finishes when the browser comes back."""
    import sys

    handle, _, _ = oauth_env.account("frank")
    process = await asyncio.create_subprocess_exec(
        *CLI,
        "link",
        "bluesky",
        "--instance",
        oauth_env.url,
        "--no-browser",
        cwd=ROOT,
        env=env | {PLC_ENV: oauth_env.plc},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None and sys.executable
    process.stdin.write(f"{handle}\n\n".encode())
    await process.stdin.drain()
    shown = []
    while True:
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        assert line, "".join(shown)
        shown.append(line)
        if line.startswith("http"):
            break
    await approve_in_browser(line.strip(), "main-frank-password")
    process.stdin.close()
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()
    assert f"Linked @{handle} ({handle}) on Bluesky" in out.decode()
