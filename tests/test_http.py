"""The sandbox rewrite: one rule in the HTTP layer for every request and authorize URL."""

from __future__ import annotations

import pytest

from providers.http import async_client, is_loopback, rewrite

SANDBOX = "http://127.0.0.1:8999"


def test_rewrite_keeps_host_as_first_path_segment() -> None:
    assert (
        rewrite("https://graph.facebook.com/v21.0/me?x=1", SANDBOX)
        == "http://127.0.0.1:8999/graph.facebook.com/v21.0/me?x=1"
    )


def test_rewrite_leaves_loopback_and_unset_alone() -> None:
    assert rewrite("http://127.0.0.1:5000/cb", SANDBOX) == "http://127.0.0.1:5000/cb"
    assert rewrite("https://x.com/i/oauth2/authorize", "") == "https://x.com/i/oauth2/authorize"


def test_is_loopback() -> None:
    assert is_loopback("http://127.0.0.1:1/x") and is_loopback("http://localhost/")
    assert not is_loopback("https://mastodon.social")


async def test_client_requests_go_to_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx2

    seen: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(f"{request.url} host={request.headers['Host']}")
        return httpx2.Response(200, json={"ok": True})

    monkeypatch.setenv("LINKDECK_SANDBOX_URL", SANDBOX)
    async with async_client(transport=httpx2.MockTransport(handler)) as client:
        response = await client.get("https://api.example.org/v1/me?fields=id")
    assert response.json() == {"ok": True}
    assert seen == ["http://127.0.0.1:8999/api.example.org/v1/me?fields=id host=127.0.0.1:8999"]
