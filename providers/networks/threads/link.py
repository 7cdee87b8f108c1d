"""Linking Threads: OAuth 2 with the user's own Meta app (its Threads app ID and secret), on the
developer-app base (developers.facebook.com/documentation/threads/get-started/
get-access-tokens-and-permissions, updated 2026-08-12):

- the Authorization Window ``https://threads.com/oauth/authorize`` with ``client_id``,
  ``redirect_uri`` (exactly as registered), ``scope`` (comma-separated, as Meta's examples write
  it: ``threads_basic,threads_content_publish``), ``response_type=code`` and a ``state``. Meta
  documents no PKCE, so none is sent;
- the code for a short-lived token (one hour) at ``POST graph.threads.net/oauth/access_token``
  (client_secret in the body); its answer is ``{"access_token", "user_id"}``, no ``token_type``;
- at once that token for a long-lived one (60 days): ``GET graph.threads.net/access_token?
  grant_type=th_exchange_token&client_secret&access_token`` (…/long-lived-tokens);
- renewed (``GET /refresh_access_token?grant_type=th_refresh_token&access_token``, a token at
  least a day old and still valid) by the engine's token keeper in its last week, through the
  same mechanism as Instagram: :meth:`ThreadsSignIn.client_config` names the renewal
  (``ClientConfig.renew_url`` / ``renew_grant`` / ``renew_ahead_seconds``) and the token carries
  ``renew_ahead_seconds`` so the outbox renews it ``RENEW_AHEAD_DAYS`` before its end, whenever
  linkdeck posts. A refused early renewal keeps the working token (tried again next time); one
  for a token about to run out asks to reconnect. The card counts the days left and turns amber
  a week before.

Who signed in: ``GET graph.threads.net/v1.0/me?fields=id,username,name,threads_profile_picture_url``.
No revocation: Meta documents no revoke call for Threads tokens, so unlinking forgets the token
and points to the Threads app's Settings → Account → Website permissions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from providers.errors import LinkError
from providers.interface import Authorized, Conversation, Profile
from providers.signin.developer_app import DeveloperAppSignIn

if TYPE_CHECKING:
    from providers.auth.types import ClientConfig, Token

GRAPH = "https://graph.threads.net"
EXCHANGE_URL = f"{GRAPH}/access_token"
RENEW_URL = f"{GRAPH}/refresh_access_token"
EXCHANGE_GRANT = "th_exchange_token"
RENEW_AHEAD_DAYS = 7  # renew in the last week (the card turns amber then too)
RENEW_AHEAD_SECONDS = RENEW_AHEAD_DAYS * 24 * 3600
PROFILE_FIELDS = "id,username,name,threads_profile_picture_url"


class ThreadsSignIn(DeveloperAppSignIn):
    def client_config(self) -> ClientConfig:
        import dataclasses

        return dataclasses.replace(
            super().client_config(),
            scope_separator=",",
            renew_url=RENEW_URL,
            renew_grant="th_refresh_token",
            renew_ahead_seconds=RENEW_AHEAD_SECONDS,
        )

    async def authorize(self, talk: Conversation, instance: str | None) -> Authorized:
        authorized = await super().authorize(talk, instance)
        talk.progress("Exchanging the one-hour Threads token for a 60-day one…")
        return Authorized(authorized.instance, await self.long_lived(authorized.token))

    async def long_lived(self, short: Token) -> Token:
        """The short-lived token exchanged for a 60-day one (``user_id`` kept beside it)."""
        from providers import clock
        from providers.auth.failures import describe_http_failure, scrub
        from providers.auth.oauth2 import with_expiry
        from providers.failures import response_problem
        from providers.http import async_client

        config = super().client_config()
        access = str(short.get("access_token") or "")
        params = {
            "grant_type": EXCHANGE_GRANT,
            "client_secret": config.client_secret or "",
            "access_token": access,
        }
        secrets_in_play = (access, config.client_secret or "")
        try:
            async with async_client() as client:
                response = await client.get(EXCHANGE_URL, params=params)
        except Exception as exc:
            message = describe_http_failure(self.spec.name, "long-lived token", exc)
            raise LinkError(scrub(message, secrets_in_play)) from None
        try:
            body = response.json() if response.status_code == 200 else None
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            problem = response_problem(self.spec.name, response, "exchanging for a 60-day token")
            raise LinkError(scrub(problem, secrets_in_play))
        token: Token = with_expiry(body, clock.timestamp())
        if short.get("user_id") is not None:
            token["user_id"] = str(short["user_id"])
        token["renew_ahead_seconds"] = RENEW_AHEAD_SECONDS  # the outbox renews it ahead (not a secret)
        return token

    def profile_params(self) -> dict[str, str]:
        return {"fields": PROFILE_FIELDS}

    def parse_profile(self, body: Mapping[str, Any]) -> Profile:
        user_id, username = body.get("id"), body.get("username")
        if (
            not isinstance(user_id, str | int)
            or not str(user_id)
            or not isinstance(username, str)
            or not username
        ):
            raise LinkError(f"{self.spec.name} answered who signed in without an id and username.")
        name = body.get("name")
        picture = body.get("threads_profile_picture_url")
        return Profile(
            remote_id=str(user_id),
            handle=f"@{username}",
            display_name=name if isinstance(name, str) and name.strip() else username,
            avatar_url=picture if isinstance(picture, str) and picture.startswith("https://") else None,
        )


SIGN_IN = ThreadsSignIn
