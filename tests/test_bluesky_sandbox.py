"""Bluesky against the built-in sandbox (providers/sandbox/bluesky.py): the credential route of the
link orchestrator, handle → DID → PDS resolution with no --instance (rewrite mode, as ``linkdeck
demo`` runs), the session keeper (single-flight refresh, reconnect on refusal), and the strict
record checks (a too-long post, a too-big file, a rate limit)."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx2
import pytest

from providers import catalog, clock, linking
from providers.errors import LinkCancelled, LinkError, PublishError
from providers.http import client_kwargs
from providers.linking.steps import AskFields, AskInstance, Linked
from providers.networks.bluesky import publish as bluesky_publish
from providers.networks.bluesky.link import sign_in_problem
from providers.networks.bluesky.publish import BlueskyPublisher
from providers.networks.bluesky.sandbox_lexicon import TOO_LONG
from providers.networks.bluesky.sandbox_sessions import APP_PASSWORD, MAIN_PASSWORD
from providers.networks.bluesky.session import SessionKeeper
from providers.networks.bluesky.xrpc import jwt_expiry
from providers.sandbox import Running
from providers.settings import Settings
from providers.store import Account, Store
from providers.vault import Vault
from tests.link_driver import next_shown, sign_in_with
from tests.support.bluesky import delivery
from tests.support.cli import run_cli
from tests.support.processes import SandboxProcess


@pytest.fixture
def sandbox(sandbox: Running, monkeypatch: pytest.MonkeyPatch, plaintext_ok: None) -> Running:
    """Conftest's in-process sandbox, in rewrite mode: https://bsky.social and plc.directory go to
    it (LINKDECK_SANDBOX_URL), as ``linkdeck demo`` runs."""
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)  # https://bsky.social → the sandbox
    return sandbox


def requests(sandbox: Running, nsid: str) -> list[dict[str, Any]]:
    return [r for r in sandbox.sandbox.requests if r["path"] == f"/xrpc/{nsid}"]


async def link(store: Store, vault: Vault, handle: str = "alice.bsky.social") -> Linked:
    session = await linking.begin_link("bluesky", settings=Settings(), store=store, vault=vault)
    return await sign_in_with(session, {"handle": handle, "app_password": APP_PASSWORD})


async def test_link_without_instance_resolves_the_handle(
    sandbox: Running, store: Store, vault: Vault
) -> None:
    session = await linking.begin_link("bluesky", settings=Settings(), store=store, vault=vault)
    server = await next_shown(session)
    assert isinstance(server, AskInstance) and not server.required and server.prefill == "bsky.social"
    server.answer("")  # left to the handle
    ask = await next_shown(session)
    assert isinstance(ask, AskFields) and session.instance is None
    assert [(f.name, f.secret) for f in ask.fields] == [("handle", False), ("app_password", True)]
    assert "App passwords" in ask.fields[1].hint
    ask.answer({"handle": "@Alice.bsky.social", "app_password": "wxyz-wxyz-wxyz-wxyz"})
    again = await next_shown(session)  # a refusal keeps the session open and asks again
    assert isinstance(again, AskFields) and again.error.startswith("Bluesky did not accept")
    again.answer({"handle": "@Alice.bsky.social", "app_password": APP_PASSWORD})
    result = await session.finish()

    account = result.account
    assert account.handle == "@alice.bsky.social" and account.display_name == "Alice Example"
    assert account.remote_id.startswith("did:plc:") and account.instance == f"{sandbox.url}/bsky.social"
    assert account.avatar_path is not None  # the AppView's avatar, cached
    assert account.expires_at is not None and (account.expires_at - clock.now()).days >= 89
    assert [r["path"] for r in sandbox.sandbox.requests][:3] == [
        "/xrpc/com.atproto.identity.resolveHandle",  # at bsky.social (rewritten to the sandbox)
        f"/{account.remote_id}",  # the DID document at plc.directory
        "/xrpc/com.atproto.server.createSession",
    ]
    sent = requests(sandbox, "com.atproto.server.createSession")[-1]["params"]
    assert sent["identifier"] == "alice.bsky.social" and sent["password"].startswith("sha256:")
    token = vault.get_token(account.vault_key)
    assert token is not None and token["handle"] == "alice.bsky.social" and "password" not in token


async def test_credential_session_can_be_cancelled(store: Store, vault: Vault) -> None:
    session = await linking.begin_link("bluesky", settings=Settings(), store=store, vault=vault)
    server = await next_shown(session)
    assert isinstance(server, AskInstance)
    await session.cancel()
    with pytest.raises(LinkCancelled):
        await session.finish()
    assert store.accounts() == []
    fresh = await linking.begin_link("bluesky", settings=Settings(), store=store, vault=vault)
    with pytest.raises(LinkError, match="needs your Bluesky handle"):
        await sign_in_with(fresh, {"app_password": APP_PASSWORD})


def test_two_factor_and_rate_limit_messages() -> None:
    factor = httpx2.Response(
        401,
        json={
            "error": "AuthFactorTokenRequired",
            "message": "A sign in code has been sent to your email address",
        },
    )
    assert "two-factor" in sign_in_problem(factor) and "APP password" in sign_in_problem(factor)
    limited = httpx2.Response(429, json={"error": "RateLimitExceeded"}, headers={"Retry-After": "300"})
    assert "after 300 s" in sign_in_problem(limited) and "30 sign-ins per 5 minutes" in sign_in_problem(
        limited
    )


def post(caption: str, media: list[str] | None = None, alts: list[str] | None = None) -> Any:
    return SimpleNamespace(caption=caption, media=media or [], descriptions=alts or [])


async def publish(account: Account, vault: Vault, store: Store, *args: Any) -> Any:
    async with httpx2.AsyncClient(**client_kwargs()) as client:
        publisher = BlueskyPublisher(catalog.get("bluesky"), client, vault, store)
        return await publisher.publish(account, *args, {})


async def test_too_long_post_is_refused(
    sandbox: Running, store: Store, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = (await link(store, vault)).account
    too_long = "é" * 301  # 301 graphemes, 602 bytes
    with pytest.raises(PublishError) as local:
        await publish(account, vault, store, post(too_long), delivery())
    assert local.value.kind == "fix_media" and "at most 300 graphemes" in local.value.message
    assert requests(sandbox, "com.atproto.repo.createRecord") == []  # nothing was sent

    # Without linkdeck's own check, the emulated PDS refuses it the way bsky.social did.
    monkeypatch.setattr(bluesky_publish, "check_caption", lambda text, spec: None)
    with pytest.raises(PublishError) as server:
        await publish(account, vault, store, post(too_long), delivery())
    assert server.value.kind == "fix_media" and TOO_LONG.split(": ")[1] in server.value.message
    (refused,) = requests(sandbox, "com.atproto.repo.createRecord")
    assert refused["status"] == 400


async def test_images_rate_limit_and_upload_limit(
    sandbox: Running, store: Store, vault: Vault, tmp_path: Path
) -> None:
    from PIL import Image

    account = (await link(store, vault)).account
    files = []
    for n in range(5):
        files.append(tmp_path / f"p{n}.png")
        Image.new("RGB", (40 + n, 30), (n * 40, 0, 0)).save(files[-1])
    with pytest.raises(PublishError, match="up to 4 images"):
        await publish(account, vault, store, post("five", [str(f) for f in files]), delivery())
    result = await publish(
        account, vault, store, post("four", [str(f) for f in files[:4]], ["a", "b"]), delivery()
    )
    assert re.fullmatch(r"https://bsky\.app/profile/alice\.bsky\.social/post/[2-7a-z]{13}", result.url)

    async with httpx2.AsyncClient() as control:
        await control.post(
            f"{sandbox.url}/__sandbox__/fail",
            json={
                "path": "/xrpc/com.atproto.repo.createRecord",
                "status": 429,
                "retry_after": 42,
                "body": {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            },
        )
        await control.post(
            f"{sandbox.url}/__sandbox__/instance", json={"host": "bsky.social", "blob_upload_limit": 20}
        )
    with pytest.raises(PublishError) as limited:
        await publish(account, vault, store, post("later"), delivery("e" * 32))
    assert limited.value.kind == "try_later" and limited.value.retry_after == 42
    with pytest.raises(PublishError) as too_big:
        await publish(account, vault, store, post("big", [str(files[0])]), delivery("f" * 32))
    assert too_big.value.kind == "fix_media" and "(PayloadTooLarge: " in too_big.value.message
    assert "compress" in too_big.value.message


async def test_refresh_is_single_flight_and_a_refusal_asks_to_reconnect(
    sandbox: Running, store: Store, vault: Vault
) -> None:
    account = (await link(store, vault)).account
    first = vault.get_token(account.vault_key) or {}
    vault.set_token(account.vault_key, {**first, "expires_at": 0})
    keeper = SessionKeeper(vault, store)
    tokens = await asyncio.gather(*(keeper.fresh_token(account) for _ in range(5)))
    assert len(requests(sandbox, "com.atproto.server.refreshSession")) == 1
    assert (
        len({t["refresh_token"] for t in tokens}) == 1
        and tokens[0]["refresh_token"] != first["refresh_token"]
    )

    # The sandbox clock passes the access JWT's two hours: one refresh, then the post goes out.
    async with httpx2.AsyncClient() as control:
        await control.post(f"{sandbox.url}/__sandbox__/clock", json={"advance": 3 * 3600})
    assert (await publish(account, vault, store, post("after two hours"), delivery())).url
    assert len(requests(sandbox, "com.atproto.server.refreshSession")) == 2

    # The user deleted the app password (here: the session is revoked) → reconnect, token kept.
    current = vault.get_token(account.vault_key) or {}
    async with httpx2.AsyncClient() as control:
        revoke = f"{sandbox.url}/bsky.social/xrpc/com.atproto.server.deleteSession"
        assert (
            await control.post(revoke, headers={"Authorization": f"Bearer {current['refresh_token']}"})
        ).status_code == 200
        await control.post(f"{sandbox.url}/__sandbox__/clock", json={"advance": 3 * 3600})
    with pytest.raises(PublishError) as caught:
        await publish(account, vault, store, post("no longer"), delivery("g" * 32))
    assert caught.value.kind == "reconnect" and "link the account again" in caught.value.message.lower()
    changed = store.account(account.id)
    assert changed is not None and changed.state == "reconnect" and "app password" in changed.state_reason
    assert (vault.get_token(account.vault_key) or {}).get("refresh_token") == current["refresh_token"]


def test_cli_links_bluesky_in_the_sandbox(env: dict[str, str], sandbox_process: SandboxProcess) -> None:
    """``linkdeck sandbox`` + ``linkdeck link bluesky`` (handle then app password on stdin)."""
    url = sandbox_process.url

    def link(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
        return run_cli(env | {"LINKDECK_SANDBOX_URL": url}, "link", "bluesky", *args, stdin=stdin)

    direct = link("--instance", f"{url}/bsky.social", stdin=f"bob.bsky.social\n{APP_PASSWORD}\n")
    assert direct.returncode == 0, direct.stderr
    assert direct.stdout.strip().startswith("Linked @bob.bsky.social (Bob Example) on Bluesky")
    resolved = link(stdin=f"alice.bsky.social\n{APP_PASSWORD}\n")
    assert resolved.returncode == 0, resolved.stderr
    assert "Linked @alice.bsky.social (Alice Example) on Bluesky" in resolved.stdout
    unknown = link(stdin=f"nobody.bsky.social\n{APP_PASSWORD}\n")
    assert unknown.returncode == 1 and "could not find the handle @nobody.bsky.social" in unknown.stderr
    for shown in (direct, resolved, unknown):
        assert APP_PASSWORD not in shown.stdout + shown.stderr


async def test_the_emulated_pds_tells_app_passwords_from_account_passwords(sandbox: Running) -> None:
    url = f"{sandbox.url}/bsky.social/xrpc/com.atproto.server.createSession"
    async with httpx2.AsyncClient() as client:
        factor = await client.post(url, json={"identifier": "bob.bsky.social", "password": MAIN_PASSWORD})
        full = await client.post(url, json={"identifier": "alice.bsky.social", "password": MAIN_PASSWORD})
        app = await client.post(url, json={"identifier": "alice.bsky.social", "password": APP_PASSWORD})
        wrong = await client.post(
            url, json={"identifier": "alice.bsky.social", "password": "aaaa-bbbb-cccc-dddd"}
        )
    assert factor.status_code == 401 and factor.json()["error"] == "AuthFactorTokenRequired"
    assert "two-factor" in sign_in_problem(factor) and "APP password" in sign_in_problem(factor)
    assert wrong.status_code == 401 and wrong.json()["message"] == "Invalid identifier or password"
    scopes = [r.json()["accessJwt"].split(".")[1] for r in (full, app)]
    decoded = [json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))["scope"] for s in scopes]
    assert decoded == ["com.atproto.access", "com.atproto.appPass"]
    assert jwt_expiry(app.json()["refreshJwt"]) is not None
