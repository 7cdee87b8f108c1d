"""OAuth 1.0a with the user's consumer key and secret (Flickr, Tumblr's older API), driven by the
spec: ``endpoints.request_token``, ``endpoints.authorize`` and ``endpoints.token`` (the access
token URL); the callback on the registered loopback port, or the network's PIN page (``oob``)
when ``capabilities.oob``. A network on this base adds how to read who signed in
(:meth:`OAuth1SignIn.profile`, usually a signed call through :meth:`OAuth1SignIn.signed_get`).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import httpx2

from providers.auth.types import ClientConfig, RedirectKind
from providers.errors import LinkError
from providers.interface import Authorized, Conversation, SignIn
from providers.redirects import CALLBACK_PATH, LINK_TIMEOUT
from providers.signin.developer_app import app_credentials

if TYPE_CHECKING:
    from providers.auth.types import Token


class OAuth1SignIn(SignIn):
    def client_config(self) -> ClientConfig:
        spec, endpoints = self.spec, self.spec.endpoints
        key, secret = app_credentials(spec, self.settings.network(spec.id).client_id, self.vault)
        if not (endpoints.request_token and endpoints.authorize and endpoints.token):
            raise LinkError(f"{spec.name}: the catalog lacks an OAuth 1.0a endpoint to link with.")
        return ClientConfig(
            network_name=spec.name,
            client_id=key,
            client_secret=secret,
            authorize_url=endpoints.authorize,
            token_url=endpoints.token,
            request_token_url=endpoints.request_token,
            access_token_url=endpoints.token,
            scopes=spec.scopes,
            pkce=False,  # OAuth 1.0a binds the answer with the request token instead
        )

    async def authorize(self, talk: Conversation, instance: str | None) -> Authorized:
        from providers.auth.oauth1 import OAuth1Flow

        config = self.client_config()
        flow = OAuth1Flow(
            config, redirect=RedirectKind.LOOPBACK, port=self.port, path=CALLBACK_PATH, timeout=LINK_TIMEOUT
        )
        pin_page = (
            OAuth1Flow(config, redirect=RedirectKind.OOB, timeout=LINK_TIMEOUT)
            if self.spec.capabilities.oob
            else None
        )
        return Authorized(None, await talk.browser(flow, code_page=pin_page))

    async def signed_get(
        self, url: str, token: Token, params: dict[str, Any] | None = None
    ) -> httpx2.Response:
        """A GET signed with the consumer key and the account's token (HMAC-SHA1)."""
        return await signed_request("GET", self.client_config(), url, token, params=params)


async def signed_request(
    method: str, config: ClientConfig, url: str, token: Token, **kwargs: Any
) -> httpx2.Response:
    """One request signed with ``config``'s consumer key and secret and the account's token
    (HMAC-SHA1): what every OAuth 1.0a network's account and revoke calls need."""
    from providers.http import async_client

    auth = header_signer(config.client_id, config.client_secret or "", token)
    async with async_client() as client:
        response: httpx2.Response = await client.request(method, url, auth=auth, **kwargs)
        return response


def header_signer(consumer_key: str, consumer_secret: str, token: Token) -> HeaderSignature:
    """An httpx2 auth that signs each request with the consumer keys and the account's token."""
    from authlib.oauth1 import ClientAuth

    return HeaderSignature(
        ClientAuth(
            consumer_key,
            client_secret=consumer_secret,
            token=str(token.get("oauth_token", "")),
            token_secret=str(token.get("oauth_token_secret", "")),
        )
    )


FORM = "application/x-www-form-urlencoded"


class HeaderSignature(httpx2.Auth):
    """Adds the OAuth 1.0a ``Authorization`` header and leaves the body as it is.

    Why not authlib's own httpx ``OAuth1Auth`` (or ``AsyncOAuth1Client``, built on it): it rebuilds
    the request from ``ClientAuth.prepare``, which returns an empty body for anything not
    form-encoded, so a JSON post or a multipart upload would go out empty; and it reads a streamed
    body into memory first. RFC 5849 §3.4.1.3 signs the query and a form-encoded body only, so
    only a form body is read here (it is bytes already); JSON and multipart stream untouched."""

    requires_request_body = False

    def __init__(self, client_auth: Any) -> None:
        self._client_auth = client_auth

    def auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response, None]:
        content_type = request.headers.get("Content-Type", "")
        form = FORM in content_type
        _, headers, _ = self._client_auth.sign(
            request.method,
            str(request.url),
            {"Content-Type": content_type} if form else {},
            request.content.decode() if form else "",
        )
        request.headers["Authorization"] = headers["Authorization"]
        yield request
