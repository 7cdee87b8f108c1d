"""Linking Facebook Pages: Facebook Login with the user's own Meta app, on the developer-app base.

The steps (developers.facebook.com/documentation/facebook-login/guides/advanced/manual-flow and
…/access-tokens/get-long-lived; shared/reference/networks.md §1, networks-2026.md §1):

1. the Login dialog (``www.facebook.com/{GRAPH_VERSION}/dialog/oauth``) with a state and the scopes
   ``pages_show_list pages_manage_posts pages_read_engagement business_management``, answered on
   the loopback redirect (Meta allows http://localhost only while the app is in Development
   mode) or pasted back; the code is exchanged with the app secret (a confidential client; PKCE
   is not claimed). With the app's client token set, Login for Devices (:mod:`.device`) is
   offered beside it: a code typed at facebook.com/device, for a machine with no browser;
2. the short-lived user token (hours) is exchanged at once for the long-lived one (about 60 days:
   ``GET /oauth/access_token?grant_type=fb_exchange_token``), the only lifetime Facebook offers
   without a refresh token;
3. every Page the person can post to (``/me/accounts``, and their Businesses' owned and client
   Pages, paged: :mod:`.graph`) with its own Page token. No store schema holds Page tokens, so
   they live beside the user token in the one vault document: ``{"access_token": user token,
   "page_tokens": {page id: Page token}, "expires_at": …}``; nothing of it reaches the database,
   a log or JSON;
4. who signed in (``/me?fields=id,name,picture``) and the Pages as targets to choose from.

Unlinking revokes the grant with ``DELETE /me/permissions``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from providers.errors import LinkError
from providers.interface import Authorized, Conversation, Profile
from providers.networks.facebook.graph import (
    APP_ID,
    NAME,
    PAGE_TOKENS,
    PROOFS,
    GraphListError,
    appsecret_proof,
    bearer,
    graph_error,
    graph_url,
    list_pages,
    proof_for,
)
from providers.signin.developer_app import DeveloperAppSignIn

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import Token
    from providers.networks.facebook.graph import Page

log = logging.getLogger("linkdeck.networks.facebook")

NO_PAGES = (
    "Facebook: this account manages no Page linkdeck can post to (Facebook lists none with your "
    "role, or you did not allow linkdeck to see them). Posting to a personal Timeline has had no "
    "API since 2018; create a Page, or link again and tick your Pages on Facebook's page."
)


def graph_problem(response: httpx2.Response, what: str) -> str:
    """A failed Graph answer while linking, in Facebook's own words when it gave some."""
    from providers.failures import response_problem

    error = graph_error(response)
    if error is None:
        return response_problem(NAME, response, what)
    code = f" (#{error.code}{f'/{error.subcode}' if error.subcode else ''})" if error.code else ""
    return f"{NAME} refused {what}{code}: {error.message or 'no reason given'}."


class FacebookSignIn(DeveloperAppSignIn):
    async def authorize(self, talk: Conversation, instance: str | None) -> Authorized:
        """The Login dialog (loopback or pasted back), with Login for Devices offered beside it
        when the app's client token is set; then the long-lived exchange and the Pages."""
        import os

        from providers.auth.oauth2 import AuthorizationCodeFlow
        from providers.auth.types import RedirectKind
        from providers.networks.facebook.device import CLIENT_TOKEN_ENV, FacebookDeviceFlow
        from providers.redirects import CALLBACK_PATH, LINK_TIMEOUT

        config = self.client_config()
        flow = AuthorizationCodeFlow(
            config, redirect=RedirectKind.LOOPBACK, port=self.port, path=CALLBACK_PATH, timeout=LINK_TIMEOUT
        )
        client_token = os.environ.get(CLIENT_TOKEN_ENV, "").strip()
        device = FacebookDeviceFlow(config.client_id, client_token, config.scopes) if client_token else None
        short = await talk.browser(flow, device=device)
        talk.progress("Exchanging Facebook's short-lived sign-in for the 60-day one…")
        token = await self.long_lived(short)
        secret = config.client_secret or ""
        if secret:  # for apps with "Require App Secret": every later call sends its token's proof
            token[PROOFS] = {"me": appsecret_proof(secret, str(token["access_token"]))}
        talk.progress("Reading the Pages you manage…")
        pages = await self.pages(token)
        token[PAGE_TOKENS] = {page.id: page.token for page in pages}
        if secret:
            token[PROOFS].update({page.id: appsecret_proof(secret, page.token) for page in pages})
        token[APP_ID] = self.client_config().client_id
        return Authorized(None, token)

    async def long_lived(self, short: Token) -> Token:
        """The long-lived user token for ``short`` (``grant_type=fb_exchange_token``)."""
        from providers import clock
        from providers.auth.failures import describe_http_failure, scrub
        from providers.auth.oauth2 import with_expiry
        from providers.http import async_client

        config = self.client_config()
        params = {
            "grant_type": "fb_exchange_token",
            "client_id": config.client_id,
            "client_secret": config.client_secret or "",
            "fb_exchange_token": str(short.get("access_token") or ""),
        }
        secrets_in_play = (params["client_secret"], params["fb_exchange_token"])
        try:
            async with async_client() as client:
                response = await client.get(graph_url("oauth/access_token"), params=params)
        except Exception as exc:
            raise LinkError(
                scrub(describe_http_failure(NAME, "token exchange", exc), secrets_in_play)
            ) from None
        try:
            body = response.json() if response.status_code == 200 else None
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            problem = graph_problem(response, "the exchange for a long-lived sign-in")
            raise LinkError(scrub(problem, secrets_in_play) + " Nothing was linked.")
        token = with_expiry(body, clock.timestamp())
        if "expires_at" not in token:  # Facebook may leave expires_in out: its documented 60 days
            from providers.networks.facebook.spec import LONG_LIVED_SECONDS

            token["expires_at"] = int(clock.timestamp()) + LONG_LIVED_SECONDS
        return token

    async def pages(self, token: Token) -> list[Page]:
        from providers.auth.failures import describe_http_failure
        from providers.http import async_client

        try:
            async with async_client() as client:
                return await list_pages(client, str(token.get("access_token") or ""), proof_for(token, "me"))
        except GraphListError as exc:
            raise LinkError(graph_problem(exc.response, "listing your Pages")) from None
        except Exception as exc:
            raise LinkError(describe_http_failure(NAME, "Pages", exc)) from None

    _proof: dict[str, str] | None = None  # the user token's appsecret_proof, set by profile()

    def profile_params(self) -> dict[str, str]:
        return {"fields": "id,name,picture", **(self._proof or {})}

    def parse_profile(self, body: Mapping[str, Any]) -> Profile:
        user_id, name = body.get("id"), body.get("name")
        if not isinstance(user_id, str | int) or not str(user_id):
            raise LinkError(f"{NAME} answered who signed in without the person's id.")
        shown = name if isinstance(name, str) and name.strip() else str(user_id)
        picture = body.get("picture")
        data = picture.get("data") if isinstance(picture, dict) else None
        url = data.get("url") if isinstance(data, dict) else None
        return Profile(
            remote_id=str(user_id),
            handle=shown,
            display_name=shown,
            avatar_url=url if isinstance(url, str) and url.startswith("https://") else None,
        )

    async def profile(self, token: Token, instance: str | None) -> Profile:
        """Who signed in, with the Pages (those whose tokens the document holds) as targets."""
        import dataclasses

        self._proof = proof_for(token, "me")
        person = await super().profile(token, instance)
        held = token.get(PAGE_TOKENS)
        pages = [p for p in await self.pages(token) if isinstance(held, dict) and p.id in held]
        if not pages:
            raise LinkError(NO_PAGES)
        targets = [("page", p.id, p.name + (" (Business)" if p.business else "")) for p in pages]
        return dataclasses.replace(person, targets=targets)

    async def revoke(self, token: Token, instance: str | None) -> bool:
        """``DELETE /me/permissions``: Facebook forgets the grant (every permission) for this app."""
        from providers.http import async_client

        try:
            async with async_client() as client:
                response = await client.delete(
                    graph_url("me/permissions"),
                    params=proof_for(token, "me"),
                    headers=bearer(str(token.get("access_token") or "")),
                )
            body = response.json() if response.status_code == 200 else None
        except Exception as exc:
            log.info("Facebook: revoking failed (%s)", type(exc).__name__)
            return False
        return isinstance(body, dict) and body.get("success") is True


SIGN_IN = FacebookSignIn
