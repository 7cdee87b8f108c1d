"""X's OAuth 1.0a PIN route, for a developer app that has only its **API Key and Secret** (the
consumer keys) rather than an OAuth 2.0 client (XD fundamentals/authentication/oauth-1-0a/
pin-based-oauth.mdx): ``POST /oauth/request_token`` with ``oauth_callback=oob`` → the user opens
``/oauth/authorize?oauth_token=…`` in any browser and types back the PIN X shows →
``POST /oauth/access_token`` with the PIN as ``oauth_verifier``. Chosen with ``[networks.x] route
= "pin"``; the API Key is the network's ``client_id`` and the API Key Secret its client secret in
the keyring, so set-up, doctor and the card's form are the same as for the OAuth 2.0 route.

The token never expires (nothing to refresh); every API call is signed (HMAC-SHA1) with the
consumer keys and the token; unlinking invalidates it with ``POST /1.1/oauth/invalidate_token``.
The token records the consumer key it belongs to, so a publisher signs with the right one.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from providers.auth.types import ClientConfig
from providers.errors import SetupError

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import Token
    from providers.settings import Settings
    from providers.spec import NetworkSpec
    from providers.vault import Vault

ROUTE = "pin"
API = "https://api.x.com"
REQUEST_TOKEN = f"{API}/oauth/request_token"
AUTHORIZE = f"{API}/oauth/authorize"
ACCESS_TOKEN = f"{API}/oauth/access_token"
INVALIDATE = f"{API}/1.1/oauth/invalidate_token"
CONSUMER_KEY = "x_consumer_key"  # kept in the token: which app's keys sign this account's calls


def chosen(spec: NetworkSpec, settings: Settings) -> bool:
    """Whether the user chose the PIN route; SetupError for a route X does not have."""
    route = settings.network(spec.id).route
    if route in (None, "", "oauth2"):
        return False
    if route != ROUTE:
        raise SetupError(
            f'{spec.name} has no link route "{route}".',
            hint=f"Use `linkdeck config set {spec.id} route pin` for OAuth 1.0a keys, or remove "
            f"`route` from [networks.{spec.id}] for the OAuth 2.0 client.",
        )
    return True


def is_pin_token(token: Token) -> bool:
    return bool(token.get("oauth_token_secret"))


def consumer_secret(network_id: str, vault: Vault) -> str | None:
    """The API Key Secret, found where every client secret is: the environment, else the vault."""
    from providers.settings import env_key

    return os.environ.get(env_key(network_id, "client_secret")) or vault.get_client_secret(network_id)


def consumer_config(spec: NetworkSpec, settings: Settings, vault: Vault) -> ClientConfig:
    """The app's consumer keys as an OAuth 1.0a client, or SetupError naming what is missing."""
    key = settings.network(spec.id).client_id
    secret = consumer_secret(spec.id, vault)
    if not key or not secret:
        missing = "API Key" if not key else "API Key Secret"
        raise SetupError(
            f"{spec.name}'s PIN route needs your app's {missing} (the OAuth 1.0a consumer keys).",
            hint=f"Set the API Key with `linkdeck config set {spec.id} client_id …` and the API Key "
            f"Secret with `linkdeck config set-secret {spec.id}`.",
        )
    return ClientConfig(
        network_name=spec.name,
        client_id=key,
        client_secret=secret,
        authorize_url=AUTHORIZE,
        token_url=ACCESS_TOKEN,
        request_token_url=REQUEST_TOKEN,
        access_token_url=ACCESS_TOKEN,
        scopes=(),
        pkce=False,  # OAuth 1.0a binds the PIN to the request token instead
    )


def signer(token: Token, consumer_secret: str) -> httpx2.Auth:
    """Signs each request with the consumer key the token was issued to and the account's token."""
    from providers.signin.oauth1 import header_signer

    return header_signer(str(token.get(CONSUMER_KEY, "")), consumer_secret, token)
