"""Token revocation on unlink (RFC 7009).

Public API::

    ok = await revoke(config: ClientConfig, token: Token) -> bool

Revokes the refresh token when there is one (RFC 7009 §2.1: the server should then drop the
access tokens of the same grant too), else the access token, at ``config.revoke_url``, with the
client authentication of ``config.token_auth_method`` (a public client sends its ``client_id``
in the body; authlib adds it, so it is not added again: oidc-provider refuses a repeated
``client_id``).

Returns True on HTTP 200 and False otherwise: no revoke_url, the server refused, or it could not
be reached. It never raises for those, because unlinking must go on regardless: the caller always
deletes the local secrets and points the user to the network's "connected apps" page.
Networks with their own revocation call (not RFC 7009) do it in their adapter.
"""

from __future__ import annotations

import logging

from providers.auth.types import ClientConfig, Token
from providers.http import client_kwargs

log = logging.getLogger("linkdeck.auth.revoke")


async def revoke(config: ClientConfig, token: Token) -> bool:
    """Ask the network to revoke ``token``; True if it confirmed (HTTP 200)."""
    from authlib.integrations.httpx_client import AsyncOAuth2Client

    name = config.network_name
    if not config.revoke_url:
        return False
    refresh_token = token.get("refresh_token")
    if isinstance(refresh_token, str) and refresh_token:
        value, hint = refresh_token, "refresh_token"
    else:
        access_token = token.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            return False
        value, hint = access_token, "access_token"
    try:
        async with AsyncOAuth2Client(
            client_id=config.client_id,
            client_secret=config.client_secret,
            token_endpoint_auth_method=config.token_auth_method,
            revocation_endpoint_auth_method=config.token_auth_method,
            **client_kwargs(headers=config.http_headers()),
        ) as client:
            response = await client.revoke_token(config.revoke_url, token=value, token_type_hint=hint)
    except Exception as exc:  # unreachable, timed out, refused at the TLS level...
        log.info("revoking the %s token failed: %s", name, type(exc).__name__)
        return False
    if response.status_code == 200:
        log.info("revoked the %s token (%s)", name, hint)
        return True
    log.info("%s refused to revoke the token: HTTP %d", name, response.status_code)
    return False
