"""DeviceFlow (RFC 8628): scripted server for each polling answer, oidc-provider for the contract."""

from __future__ import annotations

import asyncio

import httpx2
import pytest

from providers.auth.device import DEVICE_GRANT, DeviceFlow
from providers.errors import LinkCancelled, LinkError
from tests.servers.oidc import DEVICE, OidcProvider, browser_device
from tests.servers.scripted_as import DENIED, EXPIRED, PENDING, SLOW_DOWN, ScriptedAS, granted


class Sleeps:
    """An injected sleep that records the intervals instead of waiting them out."""

    def __init__(self) -> None:
        self.intervals: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.intervals.append(seconds)
        await asyncio.sleep(0)


async def test_pending_then_success(scripted: ScriptedAS) -> None:
    scripted.device_answers = [PENDING, PENDING, granted()]
    sleeps = Sleeps()
    flow = DeviceFlow(scripted.config(), sleep=sleeps)
    code = await flow.start()
    assert code.user_code == "WDJB-MJHT"
    assert code.verification_uri == f"{scripted.base_url}/activate"
    assert code.verification_uri_complete == f"{scripted.base_url}/activate?user_code=WDJB-MJHT"
    assert code.interval == 5 and code.expires_in == 600
    token = await flow.wait()
    assert token["access_token"] == "device-access-1" and isinstance(token["expires_at"], int)
    assert sleeps.intervals == [5, 5, 5]
    (authorization,) = scripted.forms("/device")
    assert authorization == {"client_id": "scripted-client", "scope": "read write"}
    polls = scripted.forms("/token", DEVICE_GRANT)
    assert len(polls) == 3
    assert all(
        p["device_code"] == "scripted-device-code" and p["client_id"] == "scripted-client" for p in polls
    )


async def test_slow_down_adds_five_seconds_for_good(scripted: ScriptedAS) -> None:
    scripted.device_answers = [PENDING, SLOW_DOWN, PENDING, SLOW_DOWN, PENDING, granted()]
    sleeps = Sleeps()
    flow = DeviceFlow(scripted.config(), sleep=sleeps)
    await flow.start()
    await flow.wait()
    assert sleeps.intervals == [5, 5, 10, 10, 15, 15]
    assert flow.interval == 15


async def test_expired_token(scripted: ScriptedAS) -> None:
    scripted.device_answers = [PENDING, EXPIRED]
    flow = DeviceFlow(scripted.config(), sleep=Sleeps())
    await flow.start()
    with pytest.raises(LinkError) as info:
        await flow.wait()
    assert str(info.value).startswith("Scripted: the code expired")
    assert "scripted-device-code" not in str(info.value)


async def test_expiry_by_the_clock_stops_polling(scripted: ScriptedAS) -> None:
    scripted.device_answers = [PENDING]
    scripted.device_expires_in = 12
    sleeps = Sleeps()
    flow = DeviceFlow(scripted.config(), sleep=sleeps)
    await flow.start()
    with pytest.raises(LinkError, match="the code expired"):
        await flow.wait()
    assert sleeps.intervals == [5, 5]  # a third wait would end after 15 s > 12 s
    assert len(scripted.forms("/token", DEVICE_GRANT)) == 2


async def test_denied(scripted: ScriptedAS) -> None:
    scripted.device_answers = [PENDING, DENIED]
    flow = DeviceFlow(scripted.config(), sleep=Sleeps())
    await flow.start()
    with pytest.raises(LinkError, match=r"^Scripted: you declined access"):
        await flow.wait()


async def test_other_errors_are_named(scripted: ScriptedAS) -> None:
    scripted.device_answers = [(400, {"error": "invalid_client", "error_description": "unknown client"})]
    flow = DeviceFlow(scripted.config(), sleep=Sleeps())
    await flow.start()
    with pytest.raises(
        LinkError, match=r"^Scripted did not accept linkdeck's app credentials \(invalid_client"
    ):
        await flow.wait()


async def test_a_server_error_is_retried_a_few_times(scripted: ScriptedAS) -> None:
    scripted.device_answers = [(503, {}), (503, {}), granted()]
    sleeps = Sleeps()
    flow = DeviceFlow(scripted.config(), sleep=sleeps)
    await flow.start()
    assert (await flow.wait())["access_token"] == "device-access-1"
    assert sleeps.intervals == [5, 10, 20]  # backed off, then back to normal after success


async def test_cancel_while_polling(scripted: ScriptedAS) -> None:
    scripted.device_answers = [PENDING]
    polling = asyncio.Event()

    async def between_polls(seconds: float) -> None:  # the wait between polls, held until cancelled
        polling.set()
        await asyncio.Event().wait()

    flow = DeviceFlow(scripted.config(), sleep=between_polls)
    await flow.start()
    waiting = asyncio.ensure_future(flow.wait())
    await polling.wait()  # it polled once and is waiting for the next
    await flow.cancel()
    with pytest.raises(LinkCancelled):
        await waiting


async def test_no_device_endpoint(scripted: ScriptedAS) -> None:
    with pytest.raises(LinkError, match="does not offer sign-in with a device code"):
        await DeviceFlow(scripted.config(device_url=None)).start()


async def test_unreachable_device_endpoint(refused_port: int) -> None:
    from providers.auth.types import ClientConfig

    config = ClientConfig(
        network_name="Nowhere",
        client_id="c",
        authorize_url="x",
        token_url="x",
        device_url=f"http://127.0.0.1:{refused_port}/d",
    )
    with pytest.raises(LinkError, match=r"^Nowhere: could not reach the device authorization endpoint"):
        await DeviceFlow(config).start()


async def test_device_flow_against_oidc_provider(oidc: OidcProvider) -> None:
    config = oidc.config(DEVICE, extra_authorize_params={})
    # Polls oidc-provider, another process, until the browser's answer lands there: a real (short)
    # pause between polls is a wait for that process, not a stand-in for time passing.
    flow = DeviceFlow(config, sleep=lambda s: asyncio.sleep(0.05))
    code = await flow.start()
    assert code.verification_uri == f"{oidc.issuer}/device"
    assert code.verification_uri_complete is not None
    polling = asyncio.ensure_future(flow.wait())
    page = await browser_device(code.verification_uri_complete)
    assert "Sign-in Success" in page
    token = await asyncio.wait_for(polling, 20)
    assert token["refresh_token"]
    async with httpx2.AsyncClient(timeout=10) as client:
        me = await client.get(
            oidc.metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['access_token']}"}
        )
    assert me.status_code == 200


async def test_device_flow_aborted_on_oidc_provider(oidc: OidcProvider) -> None:
    # As above: real short pauses between polls of another process (oidc-provider).
    flow = DeviceFlow(oidc.config(DEVICE, extra_authorize_params={}), sleep=lambda s: asyncio.sleep(0.05))
    code = await flow.start()
    polling = asyncio.ensure_future(flow.wait())
    assert code.verification_uri_complete is not None
    await browser_device(code.verification_uri_complete, abort=True)
    with pytest.raises(LinkError, match=r"^Test OIDC: you declined access"):
        await asyncio.wait_for(polling, 20)
