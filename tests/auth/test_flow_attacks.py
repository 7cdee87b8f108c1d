"""Attacks on a live flow against oidc-provider: every one is refused, none of them ends the flow,
the real callback then completes it, and the listener is gone afterwards.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx2
import pytest

from providers.auth.loopback import MAX_HEAD_BYTES
from providers.auth.oauth2 import AuthorizationCodeFlow
from providers.errors import CallbackRejected, LinkCancelled, LinkError
from tests.auth.helpers import connection_refused, get_request, raw_request, status_of
from tests.servers.oidc import OidcProvider, browser_login


def listening_addresses(port: int) -> list[str]:
    """Local addresses of the sockets LISTENing on ``port``, from /proc/net/tcp{,6} (Linux)."""
    found: list[str] = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, _remote, state = line.split()[1:4]
            address, port_hex = local.rsplit(":", 1)
            if int(port_hex, 16) == port and state == "0A":  # 0A = LISTEN
                if len(address) == 8:
                    found.append(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
                else:
                    found.append(f"ipv6:{address}")
    return found


async def test_attacks_are_refused_and_the_real_callback_still_links(oidc: OidcProvider) -> None:
    # A finished earlier flow: its callback URL is what a replay attacker could have captured.
    earlier = AuthorizationCodeFlow(oidc.config())
    earlier_request = await earlier.start()
    spent = await browser_login(earlier_request.url, stop_at=earlier_request.redirect_uri)
    earlier.submit(spent)
    await earlier.wait()

    flow = AuthorizationCodeFlow(oidc.config())
    request = await flow.start()
    port = request.listener_port
    assert port is not None
    if Path("/proc/net/tcp").exists():
        assert listening_addresses(port) == ["127.0.0.1"]

    real = await browser_login(request.url, stop_at=request.redirect_uri)
    query = httpx2.URL(real).query.decode()
    params = dict(httpx2.URL(real).params)
    code = params["code"]
    target = f"/callback?{query}"

    attacks: list[tuple[str, bytes, int]] = [
        # An old code with someone else's state, on the right path and host.
        (
            "replayed earlier callback",
            get_request("/callback?" + httpx2.URL(spent).query.decode(), port),
            400,
        ),
        ("forged state", get_request(f"/callback?code={code}&state=forged-by-attacker", port), 400),
        ("missing state", get_request(f"/callback?code={code}", port), 400),
        ("wrong path", get_request(target.replace("/callback", "/callbackx", 1), port), 404),
        ("host not loopback", get_request(target, port, host=f"attacker.example:{port}"), 400),
        ("not a GET", get_request(target, port, method="POST"), 405),
        ("junk bytes", b"\x00\xff\xfe junk \r\n\r\n", 400),
        (
            "oversized header",
            get_request(target, port)[:-2] + b"X: " + b"a" * (2 * MAX_HEAD_BYTES) + b"\r\n\r\n",
            400,
        ),
    ]
    for name, data, expected in attacks:
        answer = await raw_request(port, data)
        assert status_of(answer) == expected, name
        assert code.encode() not in answer, name

    for pasted in (real.replace(params["state"], "forged"), spent, "junk with spaces", "http://evil/?x=1"):
        with pytest.raises(CallbackRejected) as info:
            flow.submit(pasted)
        assert code not in str(info.value)

    page = await raw_request(port, get_request(target, port))
    assert status_of(page) == 200
    token = await flow.wait()
    async with httpx2.AsyncClient(timeout=10) as client:
        me = await client.get(
            oidc.metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['access_token']}"}
        )
    assert me.status_code == 200

    # Replaying the real callback now finds nothing listening.
    assert await connection_refused(port)
    with pytest.raises(CallbackRejected, match="already has its answer"):
        flow.submit(real)


async def test_a_timeout_closes_the_listener(oidc: OidcProvider) -> None:
    flow = AuthorizationCodeFlow(oidc.config(), timeout=0.3)
    request = await flow.start()
    with pytest.raises(LinkError, match=r"no answer from the sign-in page within 0\.3 seconds"):
        await flow.wait()
    assert request.listener_port is not None and await connection_refused(request.listener_port)


async def test_cancel_closes_the_listener(oidc: OidcProvider) -> None:
    flow = AuthorizationCodeFlow(oidc.config())
    request = await flow.start()
    waiting = asyncio.ensure_future(flow.wait())
    await asyncio.sleep(0)  # one turn of the loop: the flow is now waiting for its callback
    await flow.cancel()
    with pytest.raises(LinkCancelled, match="cancelled"):
        await waiting
    assert request.listener_port is not None and await connection_refused(request.listener_port)
