"""AuthorizationCodeFlow's own rules, without a server: the authorize URL and what submit accepts."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from providers.auth import pkce
from providers.auth.oauth2 import AuthorizationCodeFlow
from providers.auth.types import ClientConfig, RedirectKind
from providers.errors import CallbackRejected
from tests.auth.helpers import connection_refused


def config(**overrides: object) -> ClientConfig:
    values: dict[str, object] = {
        "network_name": "Net",
        "client_id": "client-1",
        "authorize_url": "https://net.example/oauth/authorize?force_login=1",
        "token_url": "https://net.example/oauth/token",
        "scopes": ("read", "write"),
        "extra_authorize_params": {"prompt": "consent"},
    }
    values.update(overrides)
    return ClientConfig(**values)  # type: ignore[arg-type]


async def test_the_authorize_url_carries_state_pkce_and_the_loopback_redirect() -> None:
    flow = AuthorizationCodeFlow(config())
    request = await flow.start()
    try:
        parts = urlsplit(request.url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://net.example/oauth/authorize"
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        assert query == {
            "force_login": "1",
            "response_type": "code",
            "client_id": "client-1",
            "redirect_uri": f"http://127.0.0.1:{request.listener_port}/callback",
            "state": flow.state,
            "scope": "read write",
            "code_challenge": pkce.challenge(flow._verifier or ""),
            "code_challenge_method": "S256",
            "prompt": "consent",
        }
        assert "scope=read%20write" in request.url
        assert len(flow.state) >= 43 and request.expires_in == 600
        assert flow.state not in repr(flow)
    finally:
        await flow.cancel()
    assert request.listener_port is not None and await connection_refused(request.listener_port)


async def test_each_flow_has_its_own_state_and_verifier() -> None:
    flows = [AuthorizationCodeFlow(config(), redirect=RedirectKind.OOB) for _ in range(3)]
    assert len({f.state for f in flows}) == 3 and len({f._verifier for f in flows}) == 3


async def test_scope_separator_and_no_pkce() -> None:
    flow = AuthorizationCodeFlow(config(scope_separator=",", pkce=False), redirect=RedirectKind.OOB)
    request = await flow.start()
    assert "scope=read%2Cwrite" in request.url and "code_challenge" not in request.url


async def test_a_bare_code_needs_pkce_or_oob() -> None:
    without_pkce = AuthorizationCodeFlow(config(pkce=False))
    await without_pkce.start()
    with pytest.raises(CallbackRejected, match="paste the whole address"):
        without_pkce.submit("AbCdEf0123456789")
    await without_pkce.cancel()
    with_pkce = AuthorizationCodeFlow(config())
    await with_pkce.start()
    with_pkce.submit("AbCdEf0123456789")  # accepted: only our verifier can redeem it
    with pytest.raises(CallbackRejected, match="already has its answer"):
        with_pkce.submit("AbCdEf0123456789")
    await with_pkce.cancel()


def test_misconfiguration_is_caught_early() -> None:
    with pytest.raises(ValueError, match="relay_uri"):
        AuthorizationCodeFlow(config(), redirect=RedirectKind.RELAY)
    with pytest.raises(ValueError, match="may not set redirect_uri, state"):
        AuthorizationCodeFlow(config(extra_authorize_params={"state": "x", "redirect_uri": "y"}))


async def test_start_once_and_submit_after_start() -> None:
    flow = AuthorizationCodeFlow(config(), redirect=RedirectKind.OOB)
    with pytest.raises(RuntimeError):
        flow.submit("code")
    await flow.start()
    with pytest.raises(RuntimeError):
        await flow.start()
