"""Linking Instagram through Instagram Login (route A: "Instagram API with Instagram Login"), with
the user's own Meta app, on the developer-app base.

The sign-in (networks.md §2, networks-2026.md §2a):

1. ``https://www.instagram.com/oauth/authorize`` with ``scope=instagram_business_basic,
   instagram_business_content_publish`` (Meta separates scopes with commas), a state, the
   redirect registered on the app (the spec's port 8080). Meta documents no PKCE: none is sent.
2. ``POST https://api.instagram.com/oauth/access_token`` (the app secret in the form) gives a
   token for one hour, ``{"access_token", "user_id", "permissions"}``.
3. At once, ``GET https://graph.instagram.com/access_token?grant_type=ig_exchange_token`` swaps
   it for a long-lived token (60 days, ``expires_in``). Only the long-lived one is kept.

There is no refresh token: a long-lived token renews itself (``GET graph.instagram.com/
refresh_access_token?grant_type=ig_refresh_token``, once it is 24 hours old and before it runs
out): :meth:`InstagramSignIn.client_config` names that renewal to the engine's token keeper
(``ClientConfig.renew_url``), and the token carries ``renew_ahead_seconds`` so the outbox renews
it ``RENEW_AHEAD_DAYS`` before its end; the card shows the days left, amber the last week.

Who signed in: ``GET graph.instagram.com/v26.0/me?fields=user_id,username,name,account_type,
profile_picture_url``; ``user_id`` is the professional account id posts are made with. A
``PERSONAL`` account cannot be published to by any API: linking stops and says how to switch to
a Business or Creator account. No revocation: Instagram Login has no revoke call; unlinking points
to Instagram's Apps and websites page.

Route B (through a Facebook Page, graph.facebook.com) is not built in this version (the spec's
notes and Help say so).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from providers import clock
from providers.errors import LinkError
from providers.interface import Authorized, Conversation, Profile
from providers.signin.developer_app import DeveloperAppSignIn

if TYPE_CHECKING:
    from providers.auth.types import ClientConfig, Token

GRAPH = "https://graph.instagram.com"
VERSION = "v26.0"  # networks-2026.md §0.1: Graph v26.0 (2026-07-29)
EXCHANGE_URL = f"{GRAPH}/access_token"
RENEW_URL = f"{GRAPH}/refresh_access_token"
RENEW_AHEAD_DAYS = 30  # renew once fewer days are left (the token is then far past Meta's 24 h)
RENEW_AHEAD_SECONDS = RENEW_AHEAD_DAYS * 24 * 3600
PROFILE_FIELDS = "user_id,username,name,account_type,profile_picture_url"
PROFESSIONAL = ("BUSINESS", "MEDIA_CREATOR", "CREATOR")

SWITCH_ADVICE = (
    "Instagram lets apps publish only to professional accounts. In the Instagram app open "
    "Settings → Account type and tools → Switch to professional account, choose Creator or "
    "Business (free, and it can be switched back), then link again."
)


class InstagramSignIn(DeveloperAppSignIn):
    def client_config(self) -> ClientConfig:
        config = super().client_config()
        return dataclasses.replace(
            config,
            scope_separator=",",
            renew_url=RENEW_URL,
            renew_grant="ig_refresh_token",
            renew_ahead_seconds=RENEW_AHEAD_SECONDS,
        )

    async def authorize(self, talk: Conversation, instance: str | None) -> Authorized:
        short = await super().authorize(talk, instance)
        talk.progress("Exchanging Instagram's one-hour sign-in for a 60-day one…")
        return Authorized(None, await self.long_lived(short.token))

    async def long_lived(self, short: Token) -> Token:
        """The 60-day token for a short one (``ig_exchange_token``, with the app secret)."""
        from providers.auth.failures import describe_http_failure, scrub
        from providers.failures import response_problem
        from providers.http import async_client

        secret = self.vault.get_client_secret(self.spec.id) or ""
        access = str(short.get("access_token") or "")
        params = {"grant_type": "ig_exchange_token", "client_secret": secret, "access_token": access}
        try:
            async with async_client() as client:
                response = await client.get(EXCHANGE_URL, params=params)
        except Exception as exc:
            raise LinkError(
                scrub(describe_http_failure(self.spec.name, "token", exc), (secret, access))
            ) from None
        try:
            body = response.json() if response.status_code == 200 else None
        except ValueError:
            body = None
        if not isinstance(body, dict) or not body.get("access_token"):
            problem = response_problem(self.spec.name, response, "exchanging the sign-in for a 60-day token")
            raise LinkError(scrub(problem, (secret, access)))
        token: Token = {k: v for k, v in body.items() if k in ("access_token", "token_type", "expires_in")}
        if "user_id" in short:
            token["user_id"] = str(short["user_id"])
        try:
            token["expires_at"] = int(clock.timestamp()) + int(body.get("expires_in") or 0)
        except (TypeError, ValueError):
            token.pop("expires_at", None)
        if not token.get("expires_in"):
            token.pop("expires_at", None)
        token["renew_ahead_seconds"] = RENEW_AHEAD_SECONDS  # the outbox renews it ahead (not a secret)
        return token

    def profile_params(self) -> dict[str, str]:
        return {"fields": PROFILE_FIELDS}

    def parse_profile(self, body: Mapping[str, Any]) -> Profile:
        user_id = body.get("user_id") or body.get("id")
        username = body.get("username")
        if not isinstance(user_id, str | int) or not str(user_id) or not isinstance(username, str):
            raise LinkError(f"{self.spec.name} answered who signed in without the account's id and username.")
        kind = body.get("account_type")
        if isinstance(kind, str) and kind.upper() not in PROFESSIONAL:
            raise LinkError(f"{self.spec.name}: @{username} is a personal account. {SWITCH_ADVICE}")
        name = body.get("name")
        picture = body.get("profile_picture_url")
        return Profile(
            remote_id=str(user_id),
            handle=f"@{username}",
            display_name=name if isinstance(name, str) and name.strip() else username,
            avatar_url=picture
            if isinstance(picture, str) and picture.startswith(("https://", "http://"))
            else None,
        )


SIGN_IN = InstagramSignIn
