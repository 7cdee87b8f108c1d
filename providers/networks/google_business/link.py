"""Linking Google Business Profile: Google's sign-in with the user's own Cloud project's Desktop
client (loopback redirect on any port, PKCE S256, state), asking for ``access_type=offline`` so
Google hands out a refresh token, and ``prompt=consent`` so it does so again on a relink.

Who signed in, and where posts can go, is a walk over everything the Google account manages:
every Business Profile account (``mybusinessaccountmanagement`` v1 ``accounts.list``, paged) and
every location of each (``mybusinessbusinessinformation`` v1 ``accounts.locations.list`` with a
``readMask``, paged). Walking all of them, not only the first account, is what finds locations
held by organization and location-group accounts (postiz-app issue #1189, PR #1540). Each
location is a target ``accounts/{a}/locations/{l}``, the parent the v4 local posts API wants.

The account linked is the Google user's personal Business Profile account (``type: PERSONAL``)
when there is one, else the first listed. An API that is not enabled answers SERVICE_DISABLED;
the message names which one to enable. Unlinking revokes the grant at Google's revoke endpoint
(the refresh token, which ends its access tokens too).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from providers.errors import LinkError
from providers.interface import Authorized, Conversation, Profile
from providers.networks.google_business import google
from providers.signin.developer_app import DeveloperAppSignIn

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import ClientConfig, Token

LOCATIONS = "https://mybusinessbusinessinformation.googleapis.com/v1"
READ_MASK = "name,title,storefrontAddress"
ACCOUNTS_PAGE = 20  # accounts.list's largest pageSize
LOCATIONS_PAGE = 100  # accounts.locations.list's largest pageSize
MAX_PAGES = 100  # a server that never stops paging is not followed for ever


class GoogleBusinessSignIn(DeveloperAppSignIn):
    def client_config(self) -> ClientConfig:
        config = super().client_config()
        offline = {"access_type": "offline", "prompt": "consent"}
        return dataclasses.replace(config, extra_authorize_params=offline)

    async def authorize(self, talk: Conversation, instance: str | None) -> Authorized:
        """The hour-long access token is renewed with the refresh token, which Google gives no end
        date (it lasts until revoked): so the account's sign-in has no expiry to show or to treat as
        expired (``refresh_expires_at`` None); a renewal Google refuses asks for a reconnect."""
        authorized = await super().authorize(talk, instance)
        token = dict(authorized.token)
        if token.get("refresh_token"):
            token["refresh_expires_at"] = None
        return dataclasses.replace(authorized, token=token)

    async def profile(self, token: Token, instance: str | None) -> Profile:
        from providers.http import async_client

        headers = {"Authorization": f"Bearer {token.get('access_token', '')}"}
        async with async_client(headers=headers) as client:
            accounts = await self._pages(
                client, str(self.spec.endpoints.profile), "accounts", {"pageSize": str(ACCOUNTS_PAGE)}
            )
            if not accounts:
                raise LinkError(
                    f"{self.spec.name}: this Google account manages no Business Profile. Sign in "
                    "with the Google account that owns or manages your business."
                )
            targets: list[tuple[str, str, str]] = []
            for account in accounts:
                account_id = account.get("name")
                if not isinstance(account_id, str) or not account_id.startswith("accounts/"):
                    continue
                params = {"readMask": READ_MASK, "pageSize": str(LOCATIONS_PAGE)}
                url = f"{LOCATIONS}/{account_id}/locations"
                for location in await self._pages(client, url, "locations", params):
                    target = location_target(account_id, account, location)
                    if target is not None and target[1] not in {t[1] for t in targets}:
                        targets.append(target)
        if not targets:
            raise LinkError(
                f"{self.spec.name}: the Google account has no business locations to post to. Add or "
                "claim your business on Google first, then link again."
            )
        personal = [a for a in accounts if a.get("type") == "PERSONAL"]
        profile = self.parse_profile((personal or accounts)[0])
        return dataclasses.replace(profile, targets=targets)

    def parse_profile(self, body: Mapping[str, Any]) -> Profile:
        """One Business Profile account (``{"name": "accounts/…", "accountName": …}``)."""
        name, title = body.get("name"), body.get("accountName")
        if not isinstance(name, str) or not name.startswith("accounts/"):
            raise LinkError(f"{self.spec.name} listed an account without its id.")
        shown = title if isinstance(title, str) and title.strip() else name
        return Profile(remote_id=name.removeprefix("accounts/"), handle=shown, display_name=shown)

    async def _pages(
        self, client: httpx2.AsyncClient, url: str, key: str, params: dict[str, str]
    ) -> list[dict[str, Any]]:
        """Every item of a paged list (``nextPageToken``)."""
        from providers.auth.failures import describe_http_failure

        found: list[dict[str, Any]] = []
        page_token = ""
        for _ in range(MAX_PAGES):
            query = {**params, **({"pageToken": page_token} if page_token else {})}
            try:
                response = await client.get(url, params=query)
            except Exception as exc:
                raise LinkError(describe_http_failure(self.spec.name, key, exc)) from None
            if response.status_code != 200:
                raise LinkError(self.problem(response, f"listing your {key}"))
            try:
                body = response.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                raise LinkError(f"{self.spec.name} answered the list of your {key} with something else.")
            items = body.get(key)
            found += [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
            following = body.get("nextPageToken")
            if not isinstance(following, str) or not following:
                return found
            page_token = following
        return found

    def problem(self, response: httpx2.Response, what: str) -> str:
        api = google.disabled_api(response)
        if api is not None:
            return f"{self.spec.name} refused {what}. {google.enable_advice(api)}"
        from providers.failures import classify

        return classify(response, self.spec.name, what, said=google.message(response)).message


def location_target(
    account_id: str, account: Mapping[str, Any], location: Mapping[str, Any]
) -> tuple[str, str, str] | None:
    """A location as a target: ("location", "accounts/{a}/locations/{l}", "Title, town (account)")."""
    name, title = location.get("name"), location.get("title")
    if not isinstance(name, str) or not name.startswith("locations/"):
        return None
    label = title if isinstance(title, str) and title.strip() else name
    address = location.get("storefrontAddress")
    town = address.get("locality") if isinstance(address, dict) else None
    if isinstance(town, str) and town:
        label = f"{label}, {town}"
    owner = account.get("accountName")
    if isinstance(owner, str) and owner and account.get("type") != "PERSONAL":
        label = f"{label} ({owner})"
    return "location", f"{account_id}/{name}", label


SIGN_IN = GoogleBusinessSignIn
