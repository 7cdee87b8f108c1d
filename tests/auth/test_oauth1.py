"""OAuth1Flow against the authlib/Flask OAuth 1.0a server (Flickr-shaped): loopback and PIN."""

from __future__ import annotations

import httpx2
import pytest
from authlib.integrations.httpx_client import AsyncOAuth1Client

from providers.auth.oauth1 import OAuth1Flow
from providers.auth.types import ClientConfig, RedirectKind, Token
from providers.errors import AuthorizationRefused, CallbackRejected, LinkError
from tests.auth.helpers import connection_refused, get_request, raw_request, status_of
from tests.servers.oauth1_server import CONSUMER_KEY, CONSUMER_SECRET, OAuth1Server, pin_from_page


def config(server: OAuth1Server, **overrides: object) -> ClientConfig:
    values: dict[str, object] = {
        "network_name": "Flickr",
        "client_id": CONSUMER_KEY,
        "client_secret": CONSUMER_SECRET,
        "authorize_url": server.authorize_url,
        "token_url": server.access_token_url,
        "request_token_url": server.request_token_url,
        "access_token_url": server.access_token_url,
        "pkce": False,
    }
    values.update(overrides)
    return ClientConfig(**values)  # type: ignore[arg-type]


async def signed_me(server: OAuth1Server, token: Token) -> int:
    async with AsyncOAuth1Client(
        CONSUMER_KEY, CONSUMER_SECRET, token=token["oauth_token"], token_secret=token["oauth_token_secret"]
    ) as client:
        response: httpx2.Response = await client.get(f"{server.base_url}/api/me")
        return response.status_code


async def authorize(url: str) -> httpx2.Response:
    async with httpx2.AsyncClient(timeout=10) as browser:
        return await browser.get(url)


async def test_loopback_callback(oauth1: OAuth1Server) -> None:
    flow = OAuth1Flow(config(oauth1))
    request = await flow.start()
    assert request.redirect_kind is RedirectKind.LOOPBACK
    assert request.url.startswith(oauth1.authorize_url + "?oauth_token=")
    consent = await authorize(request.url)
    assert consent.status_code == 302
    callback = consent.headers["location"]
    assert callback.startswith(request.redirect_uri + "?")
    port = request.listener_port
    assert port is not None
    # Someone else's token on our listener is refused and does not end the flow.
    forged = get_request("/callback?oauth_token=not-ours&oauth_verifier=x", port)
    assert status_of(await raw_request(port, forged)) == 400
    page = await authorize(callback)
    assert page.status_code == 200 and "return to the terminal" in page.text
    token = await flow.wait()
    assert token["oauth_token"] and token["oauth_token_secret"]
    assert token["user_nsid"] == "12345@N00" and token["username"] == "alice"  # extra fields kept
    assert "oauth_verifier" not in token
    assert await signed_me(oauth1, token) == 200
    assert await connection_refused(port)


async def test_loopback_with_paste_back_of_the_callback_url(oauth1: OAuth1Server) -> None:
    flow = OAuth1Flow(config(oauth1))
    request = await flow.start()
    callback = (await authorize(request.url)).headers["location"]
    with pytest.raises(CallbackRejected, match="different link request"):
        flow.submit(callback.replace("oauth_token=", "oauth_token=x"))
    flow.submit(callback)
    assert await signed_me(oauth1, await flow.wait()) == 200


async def test_oob_pin(oauth1: OAuth1Server) -> None:
    flow = OAuth1Flow(config(oauth1), redirect=RedirectKind.OOB)
    request = await flow.start()
    assert request.redirect_uri == "oob" and request.listener_port is None
    page = await authorize(request.url)
    assert page.status_code == 200
    flow.submit(f" {pin_from_page(page.text)}\n")
    token = await flow.wait()
    assert await signed_me(oauth1, token) == 200


async def test_wrong_verifier_is_refused(oauth1: OAuth1Server) -> None:
    flow = OAuth1Flow(config(oauth1), redirect=RedirectKind.OOB)
    request = await flow.start()
    real_pin = pin_from_page((await authorize(request.url)).text)
    flow.submit("000-000-000")
    with pytest.raises(LinkError) as info:
        await flow.wait()
    message = str(info.value)
    assert message.startswith("Flickr refused the verifier (HTTP 400)")
    assert "000-000-000" not in message and real_pin not in message


async def test_wrong_consumer_secret_is_refused_at_the_request_token(oauth1: OAuth1Server) -> None:
    flow = OAuth1Flow(config(oauth1, client_secret="wrong-secret"))
    with pytest.raises(LinkError) as info:
        await flow.start()
    assert str(info.value).startswith("Flickr refused the request for a sign-in token (HTTP 401)")
    assert "wrong-secret" not in str(info.value)


async def test_declining_is_reported(oauth1: OAuth1Server) -> None:
    flow = OAuth1Flow(config(oauth1))
    request = await flow.start()
    declined = (await authorize(request.url + "&deny=1")).headers["location"]
    assert "error=access_denied" in declined
    # authlib's server does not name the request token in its error: the listener cannot verify
    # it and ignores it; the user pasting it gets the plain answer.
    port = request.listener_port
    assert port is not None
    target = declined.split(f":{port}", 1)[1]
    assert status_of(await raw_request(port, get_request(target, port))) == 400
    with pytest.raises(AuthorizationRefused, match=r"^Flickr: you declined access"):
        flow.submit(declined)
    with pytest.raises(AuthorizationRefused):
        await flow.wait()
    assert await connection_refused(port)


def test_config_must_be_complete() -> None:
    base = ClientConfig(network_name="Flickr", client_id="k", authorize_url="a", token_url="t")
    with pytest.raises(ValueError, match="request_token_url, access_token_url, client_secret"):
        OAuth1Flow(base)
    with pytest.raises(ValueError, match="loopback callback or oob"):
        OAuth1Flow(base, redirect=RedirectKind.RELAY)
