"""Linking Foursquare: the developer-app sign-in with the user's own *legacy* v2 project (client id
and secret), then the venue check-ins go to.

What only Foursquare has (mLewisLogic/foursquare 1!2020.1.30, the v2 client):

- the authorize page ``foursquare.com/oauth2/authenticate`` and the token exchange at
  ``foursquare.com/oauth2/access_token`` with the client secret; no PKCE, no scopes, no refresh
  token (v2 tokens do not expire);
- every API call carries ``v`` and ``oauth_token`` as parameters (:mod:`.api`), not a bearer header.

Who signed in: ``GET /v2/users/self``. Where check-ins go: a linkdeck post has a caption and media
only, so the venue is the account's target (``location``), chosen while linking: the user types a
place and a venue's name, ``GET /v2/venues/search`` (``near``, ``query``, ``intent=checkin``) finds
the candidates, and the link's chooser picks one. To check in elsewhere, link again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from providers.errors import LinkError
from providers.interface import Authorized, Conversation, CredentialField, Profile
from providers.networks.foursquare.api import (
    API,
    error_detail,
    error_type,
    params,
    response,
    venue_label,
)
from providers.signin.developer_app import DeveloperAppSignIn
from providers.spec import TargetKind

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import Token

SEARCH_LIMIT = 20
Target = tuple[str, str, str]
FIELDS = (
    CredentialField("near", "Where (a town, an address)", hint="e.g. Lisbon, or Rua Augusta, Lisbon"),
    CredentialField("query", "Venue name", hint="The place to check in at, e.g. Harbour Café"),
)


class FoursquareSignIn(DeveloperAppSignIn):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._venues: dict[str, list[Target]] = {}  # access token → the venues found in authorize

    async def _get(self, token: Token, path: str, what: str, **extra: str) -> Any:
        """The ``response`` of a v2 GET, or LinkError in Foursquare's words."""
        from providers.auth.failures import describe_http_failure
        from providers.failures import response_problem
        from providers.http import async_client

        try:
            async with async_client() as client:
                answer: httpx2.Response = await client.get(f"{API}{path}", params=params(token, **extra))
        except Exception as exc:
            raise LinkError(describe_http_failure(self.spec.name, what, exc)) from None
        try:
            body = answer.json()
        except ValueError:
            body = None
        if answer.status_code != 200 or not isinstance(body, dict):
            kind, detail = error_type(body), error_detail(body)
            if kind:
                raise LinkError(f"{self.spec.name} refused {what} ({kind}: {detail or 'no detail'}).")
            raise LinkError(response_problem(self.spec.name, answer, what))
        return response(body)

    # Linking ---------------------------------------------------------------------------------------

    async def authorize(self, talk: Conversation, instance: str | None) -> Authorized:
        authorized = await super().authorize(talk, instance)
        token = authorized.token

        async def search(values: Mapping[str, str]) -> list[Target]:
            return await self.venues(token, values.get("near", ""), values.get("query", ""))

        self._venues[str(token.get("access_token"))] = await talk.fields(list(FIELDS), search)
        return authorized

    async def profile(self, token: Token, instance: str | None) -> Profile:
        found = await self._get(token, "/users/self", "reading the linked account")
        user = found.get("user")
        profile = self.parse_profile(user if isinstance(user, Mapping) else {})
        venues = self._venues.pop(str(token.get("access_token")), [])
        return Profile(profile.remote_id, profile.handle, profile.display_name, profile.avatar_url, venues)

    def parse_profile(self, body: Mapping[str, Any]) -> Profile:
        remote_id = body.get("id")
        if not isinstance(remote_id, str) or not remote_id:
            raise LinkError(f"{self.spec.name} answered the account lookup without a user id.")
        names = [body.get(k) for k in ("firstName", "lastName")]
        name = " ".join(n for n in names if isinstance(n, str) and n.strip()) or remote_id
        photo = body.get("photo")
        avatar = None
        if isinstance(photo, Mapping) and isinstance(photo.get("prefix"), str):
            avatar = f"{photo['prefix']}original{photo.get('suffix') or ''}"
        handle = body.get("handle")  # Swarm usernames where Foursquare gives one; else the name
        return Profile(
            remote_id=remote_id,
            handle=handle if isinstance(handle, str) and handle else name,
            display_name=name,
            avatar_url=avatar if avatar and avatar.startswith("https://") else None,
        )

    # Where check-ins go ------------------------------------------------------------------------------

    async def venues(self, token: Token, near: str, query: str) -> list[Target]:
        """The venues named like ``query`` near ``near``, as targets; LinkError when there are none
        (the fields are asked again)."""
        near, query = near.strip(), query.strip()
        if not near or not query:
            raise LinkError("Type both where you are and the venue's name.")
        found = await self._get(
            token, "/venues/search", "searching for the venue",
            near=near, query=query, intent="checkin", limit=str(SEARCH_LIMIT),
        )  # fmt: skip
        items = found.get("venues")
        kind = str(TargetKind.LOCATION)
        targets = [
            (kind, str(v["id"]), venue_label(v))
            for v in (items if isinstance(items, list) else [])
            if isinstance(v, Mapping) and isinstance(v.get("id"), str) and v["id"]
        ]
        if not targets:
            raise LinkError(
                f"{self.spec.name} found no venue named {query!r} near {near!r}; try other words."
            )
        return targets


SIGN_IN = FoursquareSignIn
