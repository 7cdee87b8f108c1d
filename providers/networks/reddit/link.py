"""Linking Reddit: the developer-app sign-in with the user's own "installed app" (no secret).

What only Reddit has (reddit-archive/reddit wiki OAuth2):

- the installed app authenticates at ``/api/v1/access_token`` and ``/api/v1/revoke_token`` with
  HTTP Basic, its client id and an empty password (``public_token_auth_method``);
- ``duration=permanent`` on the authorize URL, or no refresh token comes back;
- no PKCE (Reddit has none), so the redirect must come back whole, with its state;
- every call carries the User-Agent Reddit asks for (:func:`.api.user_agent`).

Who signed in: ``GET oauth.reddit.com/api/v1/me``. Where posts go: the subreddits the account
moderates and subscribes to (``/subreddits/mine/moderator``, ``/subreddits/mine/subscriber``),
each once per flair template where the subreddit requires flair
(``/api/v1/{sr}/post_requirements``, ``/r/{sr}/api/link_flair_v2``), plus the account's own
profile. An account with no subreddit at all is asked to type one (checked with
``/r/{sr}/about``) — the fallback when the lists have nothing to offer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from html import unescape
from typing import TYPE_CHECKING, Any

from providers.errors import LinkError
from providers.interface import Authorized, Conversation, CredentialField, Profile
from providers.networks.reddit.api import API, after, children, target_id, user_agent
from providers.signin.developer_app import DeveloperAppSignIn
from providers.spec import TargetKind

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import ClientConfig, Token

LIST_PAGES = 5  # 100 subreddits a page
FLAIR_CHECKS = 40  # subreddits whose flair rules are read while linking (Reddit allows ~100 calls a minute)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")

Target = tuple[str, str, str]


def subreddit_name(text: str) -> str:
    """``r/Pics``, ``/r/pics/``, ``https://www.reddit.com/r/pics`` → ``Pics``; '' when not a name."""
    value = text.strip().rstrip("/")
    value = re.sub(r"^(https?://)?([a-z]+\.)?reddit\.com", "", value, flags=re.I)
    value = re.sub(r"^/?r/", "", value, flags=re.I)
    return value if _NAME.match(value) else ""


class RedditSignIn(DeveloperAppSignIn):
    public_token_auth_method = "client_secret_basic"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._places: dict[str, list[Target]] = {}  # access token → targets found in authorize

    def client_config(self) -> ClientConfig:
        config = super().client_config()
        return replace(
            config,
            extra_authorize_params={"duration": "permanent"},
            user_agent=user_agent(config.client_id),
        )

    def _headers(self, token: Token, username: str | None = None) -> dict[str, str]:
        client_id = self.settings.network(self.spec.id).client_id or ""
        return {
            "Authorization": f"Bearer {token.get('access_token', '')}",
            "User-Agent": user_agent(client_id, username),
        }

    async def _get(self, token: Token, path: str, what: str, **params: str) -> httpx2.Response:
        from providers.auth.failures import describe_http_failure
        from providers.http import async_client

        try:
            async with async_client() as client:
                return await client.get(f"{API}{path}", headers=self._headers(token), params=params)
        except Exception as exc:
            raise LinkError(describe_http_failure(self.spec.name, what, exc)) from None

    async def _json(self, token: Token, path: str, what: str, **params: str) -> Any:
        from providers.failures import response_problem

        response = await self._get(token, path, what, raw_json="1", **params)
        if response.status_code != 200:
            raise LinkError(response_problem(self.spec.name, response, what))
        try:
            return response.json()
        except ValueError:
            raise LinkError(f"{self.spec.name} answered {what} with something that is not JSON.") from None

    # Linking ---------------------------------------------------------------------------------------

    async def authorize(self, talk: Conversation, instance: str | None) -> Authorized:
        authorized = await super().authorize(talk, instance)
        token = authorized.token
        places = await self.subreddits(token)
        if not places:

            async def check(values: Mapping[str, str]) -> list[Target]:
                typed = values.get("subreddit", "").strip()
                return await self.typed_subreddit(token, typed) if typed else []

            field = CredentialField(
                "subreddit",
                "Subreddit to post to",
                hint="You moderate and follow no subreddit yet. Type one (e.g. r/test), or leave it "
                "empty to post to your own profile.",
                required=False,
            )
            places = await talk.fields([field], check)
        self._places[str(token.get("access_token"))] = places
        return authorized

    async def profile(self, token: Token, instance: str | None) -> Profile:
        me = await self._json(token, "/api/v1/me", "reading the linked account")
        if not isinstance(me, dict):
            raise LinkError(f"{self.spec.name} answered the account lookup without an account.")
        found = self.parse_profile(me)
        name = found.handle.removeprefix("u/")
        places = self._places.pop(str(token.get("access_token")), None)
        if places is None:  # a profile read outside a link (a reconnect check)
            places = await self.subreddits(token)
        own = (str(TargetKind.PROFILE), f"u_{name}", f"u/{name} (your profile)")
        return replace(found, targets=[*places, own])

    def parse_profile(self, body: Mapping[str, Any]) -> Profile:
        name, remote_id = body.get("name"), body.get("id")
        if not isinstance(name, str) or not name or not isinstance(remote_id, str) or not remote_id:
            raise LinkError(f"{self.spec.name} answered the account lookup without a username and id.")
        own = body.get("subreddit")
        title = own.get("title") if isinstance(own, Mapping) else None
        icon = body.get("icon_img") or body.get("snoovatar_img")
        avatar = (
            unescape(icon) if isinstance(icon, str) and icon.startswith(("http://", "https://")) else None
        )
        return Profile(
            remote_id=remote_id,
            handle=f"u/{name}",
            display_name=title if isinstance(title, str) and title.strip() else name,
            avatar_url=avatar,
        )

    # Where posts go ----------------------------------------------------------------------------------

    async def subreddits(self, token: Token) -> list[Target]:
        """The subreddits the account moderates, then those it follows, flair expanded where
        required; its own profile is not among them."""
        names: dict[str, Mapping[str, Any]] = {}
        for where in ("moderator", "subscriber"):
            cursor: str | None = None
            for _ in range(LIST_PAGES):
                params = {"limit": "100", **({"after": cursor} if cursor else {})}
                listing = await self._json(
                    token, f"/subreddits/mine/{where}", "listing your subreddits", **params
                )
                for sub in children(listing):
                    name = sub.get("display_name")
                    if isinstance(name, str) and name and not name.startswith("u_"):
                        names.setdefault(name.lower(), sub)
                cursor = after(listing)
                if cursor is None:
                    break
        found: list[Target] = []
        for number, sub in enumerate(names.values()):
            found += await self.with_flair(token, str(sub["display_name"]), check=number < FLAIR_CHECKS)
        return found

    async def with_flair(self, token: Token, name: str, *, check: bool = True) -> list[Target]:
        """The subreddit as targets: once, or once per flair template when it requires flair."""
        kind = str(TargetKind.SUBREDDIT)
        plain = [(kind, target_id(name), f"r/{name}")]
        if not check:
            return plain
        rules = await self._get(token, f"/api/v1/{name}/post_requirements", "reading the subreddit's rules")
        try:
            required = rules.status_code == 200 and bool(rules.json().get("is_flair_required"))
        except (ValueError, AttributeError):
            required = False
        if not required:
            return plain
        answer = await self._get(token, f"/r/{name}/api/link_flair_v2", "reading the subreddit's flair")
        try:
            templates = answer.json() if answer.status_code == 200 else []
        except ValueError:
            templates = []
        flairs = [
            (kind, target_id(name, str(t["id"])), f"r/{name} (flair: {t.get('text') or t['id']})")
            for t in (templates if isinstance(templates, list) else [])
            if isinstance(t, dict) and isinstance(t.get("id"), str) and t["id"]
        ]
        return flairs or [(kind, target_id(name), f"r/{name} (requires a flair none of yours offers)")]

    async def typed_subreddit(self, token: Token, typed: str) -> list[Target]:
        """The subreddit the user typed, once Reddit confirms it exists (LinkError otherwise)."""
        name = subreddit_name(typed)
        if not name:
            raise LinkError(f"{typed!r} is not a subreddit name (letters, digits and _; e.g. r/test).")
        response = await self._get(token, f"/r/{name}/about", "looking the subreddit up", raw_json="1")
        try:
            about = response.json() if response.status_code == 200 else None
        except ValueError:
            about = None
        data = about.get("data") if isinstance(about, dict) and about.get("kind") == "t5" else None
        if not isinstance(data, dict) or not isinstance(data.get("display_name"), str):
            raise LinkError(f"{self.spec.name} has no subreddit r/{name} you can see.")
        return await self.with_flair(token, str(data["display_name"]))


SIGN_IN = RedditSignIn
