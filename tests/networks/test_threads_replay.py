"""Threads against *recorded* answers, replayed by a local server at the paths they answer: the
code exchange (``POST graph.threads.net/oauth/access_token`` → ``{"access_token", "user_id"}``,
no token_type, a numeric user id) and the long-lived token (``GET /access_token?grant_type=
th_exchange_token`` and ``GET /refresh_access_token`` → ``{"access_token", "token_type": "bearer",
"expires_in": 5183944}``).

The bodies are python-facebook's test data (sns-sdks/python-facebook, Apache-2.0), copied to
tests/fixtures/recorded/threads/ with their SOURCES.md and licence. They are the only Threads
answers found recorded: no ``/me``, container or publish answer was, so the account document
served here is the shape of Meta's documented example (not a recording), and publishing is
tested against the sandbox's emulation (test_threads_publish.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from providers import clock, linking
from providers.linking.steps import Failed, Linked, ShowAddress
from providers.networks.threads.link import RENEW_AHEAD_SECONDS
from providers.outbox.tokens import Tokens
from providers.settings import NetworkSettings, Settings
from providers.store import Store
from providers.vault import Vault
from tests.sandbox_browser import query
from tests.support.http import serving
from tests.support.ports import free_port

RECORDED = Path(__file__).resolve().parent.parent / "fixtures/recorded/threads/python-facebook/base"
SHORT = (RECORDED / "threads_user_token.json").read_text(encoding="utf-8")
LONG = (RECORDED / "threads_user_long_lived_token.json").read_text(encoding="utf-8")
# Not recorded: the shape of the documented /me example (…/threads/threads-profiles).
ME = {"id": "12345678", "username": "threadsapitestuser", "name": "Threads API Test User"}


class Replay:
    """The recorded bodies at their paths (below the host segment the sandbox rule adds)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dict[str, str]]] = []

    async def handler(self, request: web.Request) -> web.StreamResponse:
        form = dict(await request.post()) if request.method == "POST" else {}
        params = {**request.query, **{k: str(v) for k, v in form.items()}}
        self.seen.append((request.method, request.path, params))
        routes: dict[tuple[str, str], Any] = {
            ("POST", "/graph.threads.net/oauth/access_token"): SHORT,
            ("GET", "/graph.threads.net/access_token"): LONG,
            ("GET", "/graph.threads.net/refresh_access_token"): LONG,
            ("GET", "/graph.threads.net/v1.0/me"): json.dumps(ME),
        }
        body = routes.get((request.method, request.path))
        if body is None:
            return web.json_response({"error": {"message": "not recorded", "code": 100}}, status=400)
        return web.Response(text=body, content_type="application/json")


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("LINKDECK_THREADS_CLIENT_SECRET", "the-app-secret")
    return Settings(
        networks={"threads": NetworkSettings(client_id="990602627938098", port=free_port())},
        allow_plaintext_secrets=True,
    )


async def link(settings: Settings, store: Store, vault: Vault) -> Linked:
    session = await linking.begin_link("threads", settings=settings, store=store, vault=vault)
    async for step in session.steps():
        if isinstance(step, ShowAddress):
            assert step.request is not None
            state = query(step.request.url)["state"]
            step.paste(f"{step.request.redirect_uri}?code=recorded-code&state={state}#_")
        elif isinstance(step, Linked):
            return step
        elif isinstance(step, Failed):
            assert step.error is not None
            raise step.error
    raise AssertionError("no Linked step")


async def test_the_recorded_exchanges_link_a_60_day_token(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    replay, vault = Replay(), Vault(settings)
    async with serving(replay.handler) as url:
        monkeypatch.setenv("LINKDECK_SANDBOX_URL", url)
        before = clock.timestamp()
        linked = await link(settings, store, vault)
    account = linked.account
    assert account is not None and account.handle == "@threadsapitestuser"
    token = vault.get_token(account.vault_key)
    assert token is not None
    assert token["user_id"] == "12345678"  # the recorded number, kept as text
    assert token["token_type"] == "bearer" and token["expires_in"] == 5183944
    assert int(before) + 5183944 <= token["expires_at"] <= clock.timestamp() + 5183944
    assert token["renew_ahead_seconds"] == RENEW_AHEAD_SECONDS  # renewed in its last week
    code_call, exchange, me = replay.seen
    assert code_call[0:2] == ("POST", "/graph.threads.net/oauth/access_token")
    assert code_call[2]["grant_type"] == "authorization_code" and code_call[2]["code"] == "recorded-code"
    assert code_call[2]["client_secret"] == "the-app-secret"
    assert exchange[0:2] == ("GET", "/graph.threads.net/access_token")
    assert (
        exchange[2]["grant_type"] == "th_exchange_token" and exchange[2]["client_secret"] == "the-app-secret"
    )
    assert exchange[2]["access_token"] == "REDACTED"  # the recorded short-lived token, passed on
    assert me[2]["fields"] == "id,username,name,threads_profile_picture_url"


async def test_the_recorded_renewal_answer_is_stored_with_a_new_expiry(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    replay, vault = Replay(), Vault(settings)
    async with serving(replay.handler) as url:
        monkeypatch.setenv("LINKDECK_SANDBOX_URL", url)
        linked = await link(settings, store, vault)
        account = linked.account
        assert account is not None
        token = vault.get_token(account.vault_key)
        assert token is not None
        ending = int(clock.timestamp()) + RENEW_AHEAD_SECONDS - 3600  # in its last week: due
        vault.set_token(account.vault_key, {**token, "expires_at": ending, "access_token": "old-token"})
        renewed = await Tokens(store, vault).get(account)
    method, path, params = replay.seen[-1]
    assert (method, path) == ("GET", "/graph.threads.net/refresh_access_token")
    assert params == {"grant_type": "th_refresh_token", "access_token": "old-token"}
    assert renewed["access_token"] == "REDACTED" and renewed["expires_in"] == 5183944
    assert renewed["expires_at"] - renewed["renew_ahead_seconds"] > clock.timestamp()  # not due again
