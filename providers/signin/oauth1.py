"""OAuth 1.0a with the user's consumer key and secret (Flickr, Tumblr's older API), driven by the
spec: ``endpoints.request_token``, ``endpoints.authorize`` and ``endpoints.token`` (the access
token URL); the callback on the registered loopback port, or the network's PIN page (``oob``)
when ``capabilities.oob``. A network on this base adds how to read who signed in
(:meth:`OAuth1SignIn.profile`, usually a signed call through :meth:`OAuth1SignIn.signed_get`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from providers.auth.types import ClientConfig, RedirectKind
from providers.errors import LinkError
from providers.interface import Authorized, Conversation, SignIn
from providers.redirects import CALLBACK_PATH, LINK_TIMEOUT
from providers.signin.developer_app import app_credentials

if TYPE_CHECKING:
    import httpx2

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
    from authlib.integrations.httpx_client import AsyncOAuth1Client

    from providers.http import client_kwargs

    async with AsyncOAuth1Client(
        client_id=config.client_id,
        client_secret=config.client_secret,
        token=str(token.get("oauth_token", "")),
        token_secret=str(token.get("oauth_token_secret", "")),
        **client_kwargs(),
    ) as client:
        response: httpx2.Response = await client.request(method, url, **kwargs)
        return response
