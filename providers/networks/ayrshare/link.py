"""Linking through Ayrshare: the API key (stored with ``linkdeck config set-secret ayrshare``, or
``LINKDECK_AYRSHARE_CLIENT_SECRET``; checked with one call), a User Profile by its title (created
here when new; a title Ayrshare already has but linkdeck holds no key for is refused before
creating, because titles must be unique), and one network on that profile, linked on Ayrshare's
hosted linking page.

The linking page: ``POST /api/profiles/generateJWT`` answers an address valid for 5 minutes. It
is shown like any network's page (a browser here, or the address and QR code over SSH) with its
countdown; nothing comes back through a redirect, so linkdeck polls the profile's accounts
(``GET /api/user``) until the network is active, and makes a new address when one runs out.
The account linked is one network on one profile: remote id ``<refId>:<platform>``, its only
target the network ("Instagram via Ayrshare"), its brand in linkdeck the profile's title (made
when new, matched ignoring case and spacing); the token document holds the API key, the
Profile-Key and the platform (the keyring only). Unlinking calls Ayrshare's unlink for that
network (``DELETE /api/profiles/social``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from providers import clock
from providers.errors import LinkCancelled, LinkError
from providers.interface import Authorized, CredentialField, Profile
from providers.networks.ayrshare.api import (
    API,
    LINK_PAGE_MINUTES,
    NEEDS_OWN_KEYS,
    NOT_OFFERED,
    PLATFORMS,
    headers,
    label,
    message_of,
    platform_of,
    profile_secret,
)
from providers.networks.ayrshare.spec import OWN_KEYS_REASON
from providers.signin.pasted_token import PastedTokenSignIn

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import AuthorizationRequest, Token
    from providers.interface import Conversation

POLL_SECONDS = 3.0
PAGE_TRIES = 6  # new linking addresses made before giving up (6 × 5 minutes)
PRIVATE_KEY = "private-key"  # the keyring entry (an instance of the client secret) of the JWT key
PRIVATE_KEY_FILE = "LINKDECK_AYRSHARE_PRIVATE_KEY_FILE"  # or a file holding it (read when linking)


class PageExpired(LinkError):
    """The linking address ran out before the network was linked: make a new one."""


@dataclass(frozen=True)
class Chosen:
    api_key: str
    profile_key: str
    title: str
    platform: str


class AyrshareSignIn(PastedTokenSignIn):
    poll_seconds: ClassVar[float] = POLL_SECONDS
    page_seconds: ClassVar[float] = LINK_PAGE_MINUTES * 60.0  # how long a linking address lasts

    def _stored_key(self) -> str | None:
        return self.vault.get_client_secret(self.spec.id)

    def credential_fields(self, instance: str | None) -> tuple[CredentialField, ...]:
        offered = ", ".join(p for p in PLATFORMS if p not in NEEDS_OWN_KEYS)
        return (
            CredentialField("profile", "Ayrshare profile (brand) title", hint=self._profiles_hint()),
            CredentialField("network", "Network to link through Ayrshare", hint=f"one of: {offered}"),
        )

    def kept_titles(self) -> list[str]:
        """The titles of the profiles linkdeck has linked networks on (read from their tokens)."""
        titles: list[str] = []
        for account in self.store.accounts_for(self.spec.id):
            try:
                token = self.vault.get_token(account.vault_key) or {}
            except Exception:  # no keyring here: the hint just lists none
                return titles
            title = str(token.get("title") or "")
            if title and title not in titles:
                titles.append(title)
        return titles

    def _profiles_hint(self) -> str:
        kept = self.kept_titles()
        yours = f"yours: {', '.join(kept)}; or " if kept else ""
        return f"{yours}a new title (linkdeck creates it; titles are unique). Empty: list them"

    # Asking -----------------------------------------------------------------------------------------

    async def authorize(self, talk: Conversation, instance: str | None) -> Authorized:
        chosen: Chosen = await talk.fields(self.credential_fields(instance), self._choose)
        name = label(chosen.platform)
        for _ in range(PAGE_TRIES):
            found = await self._active(chosen)
            if found is not None:
                return Authorized(None, self._token(chosen, found))
            talk.progress(f"Opening Ayrshare's linking page for {name}…")
            try:
                return Authorized(None, await talk.browser(LinkingPage(self, chosen)))
            except PageExpired:
                continue  # a new address, with a new countdown
        raise LinkError(f"Ayrshare: {name} was not linked on Ayrshare's page in time; nothing was linked.")

    async def _choose(self, values: Mapping[str, str]) -> Chosen:
        platform = platform_of(values.get("network", ""))
        self._check_platform(platform)
        api_key = self._stored_key()
        if not api_key:
            raise LinkError("Ayrshare needs your API key: `linkdeck config set-secret ayrshare`.")
        await self._json("GET", "/user", api_key, None, "checking the API key")
        title = " ".join(values.get("profile", "").split())
        if not title:
            raise LinkError(await self._listing(api_key))
        _check_brand_name(title)
        profile_key = await self._profile_key(api_key, title)
        return Chosen(api_key, profile_key, title, platform)

    def _check_platform(self, platform: str) -> None:
        if platform in NOT_OFFERED:
            raise LinkError(f"Ayrshare does not offer {platform.title()}; link it on its own card instead.")
        if platform in NEEDS_OWN_KEYS:
            raise LinkError(OWN_KEYS_REASON)
        if platform not in PLATFORMS:
            offered = ", ".join(p for p in PLATFORMS if p not in NEEDS_OWN_KEYS)
            raise LinkError(f"Ayrshare has no network called {platform or '(empty)'!r}; one of: {offered}.")

    async def _listing(self, api_key: str) -> str:
        """The profiles Ayrshare has (``GET /api/profiles``), saying which linkdeck can use."""
        listed = await self._json("GET", "/profiles", api_key, None, "listing your profiles")
        rows = listed.get("profiles") if isinstance(listed, dict) else None
        titles = [str(r.get("title")) for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
        if not titles:
            return "Ayrshare: you have no profiles yet; type a title (e.g. the brand's name) to create one."
        usable = [t for t in titles if self.vault.get_client_secret(self.spec.id, instance=profile_secret(t))]
        others = [t for t in titles if t not in usable]
        parts = [f"linkdeck can use: {', '.join(usable)}"] if usable else []
        if others:
            parts.append(f"made elsewhere (their Profile-Key is not in linkdeck): {', '.join(others)}")
        return f"Ayrshare profiles: {'; '.join(parts)}. Type one linkdeck can use, or a new title."

    async def _profile_key(self, api_key: str, title: str) -> str:
        """The Profile-Key of the profile titled ``title``: the one linkdeck keeps, or a new
        profile's. A title Ayrshare already has, whose key linkdeck does not hold, is refused."""
        kept = self.vault.get_client_secret(self.spec.id, instance=profile_secret(title))
        if kept:
            answer = await self._call("GET", "/user", api_key, kept, "reading the profile")
            if answer.status_code not in (403, 404):
                return kept
            # The profile is gone at Ayrshare (deleted in its dashboard): forget its key.
            self.vault.delete_client_secret(self.spec.id, instance=profile_secret(title))
        listed = await self._json("GET", "/profiles", api_key, None, "listing your profiles")
        profiles = listed.get("profiles") if isinstance(listed, dict) else None
        for item in profiles if isinstance(profiles, list) else []:
            if isinstance(item, dict) and str(item.get("title", "")).strip().casefold() == title.casefold():
                raise LinkError(duplicate_message(title))
        created = await self._json(
            "POST", "/profiles", api_key, None, "creating the profile", json={"title": title}
        )
        key = created.get("profileKey") if isinstance(created, dict) else None
        if not isinstance(key, str) or not key:
            raise LinkError("Ayrshare created the profile but answered without its Profile-Key.")
        self.vault.set_client_secret(self.spec.id, key, instance=profile_secret(title))
        return key

    # Calls ------------------------------------------------------------------------------------------

    async def _call(
        self, method: str, path: str, api_key: str, profile_key: str | None, what: str, **kwargs: Any
    ) -> httpx2.Response:
        from providers.auth.failures import describe_http_failure
        from providers.http import async_client

        try:
            async with async_client() as client:
                return await client.request(
                    method, f"{API}{path}", headers=headers(api_key, profile_key), **kwargs
                )
        except Exception as exc:
            raise LinkError(describe_http_failure(self.spec.name, what, exc)) from None

    async def _json(
        self, method: str, path: str, api_key: str, profile_key: str | None, what: str, **kwargs: Any
    ) -> Any:
        from providers.failures import response_problem

        response = await self._call(method, path, api_key, profile_key, what, **kwargs)
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code != 200 or (isinstance(body, dict) and body.get("status") == "error"):
            said = message_of(body)
            if said and response.status_code < 500:
                raise LinkError(f"Ayrshare refused {what}: {said}")
            raise LinkError(response_problem(self.spec.name, response, what))
        if body is None:
            raise LinkError(f"Ayrshare answered {what} with something that is not JSON.")
        return body

    async def user(self, chosen: Chosen) -> dict[str, Any]:
        body = await self._json("GET", "/user", chosen.api_key, chosen.profile_key, "reading the profile")
        return body if isinstance(body, dict) else {}

    async def _active(self, chosen: Chosen) -> dict[str, Any] | None:
        """The profile's account on the chosen network, once it is active there."""
        return account_on(await self.user(chosen), chosen.platform)

    def _token(self, chosen: Chosen, found: dict[str, Any]) -> Token:
        token: Token = {
            "access_token": chosen.api_key,
            "profile_key": chosen.profile_key,
            "platform": chosen.platform,
            "title": chosen.title,
        }
        days = found.get("refreshDaysRemaining")
        if isinstance(days, int | float) and not isinstance(days, bool):
            token["expires_at"] = int(clock.timestamp() + days * 86400)  # the engine's one clock
        return token

    # What a SignIn says ------------------------------------------------------------------------------

    async def profile(self, token: Token, instance: str | None) -> Profile:
        chosen = chosen_of(token)
        user = await self.user(chosen)
        found = account_on(user, chosen.platform)
        name = label(chosen.platform)
        if found is None:
            raise LinkError(f"Ayrshare: {name} is not linked on the profile {chosen.title!r}; link it again.")
        if found.get("refreshRequired"):
            raise LinkError(f"Ayrshare says {name} needs reconnecting; link it again on Ayrshare's page.")
        ref_id = str(user.get("refId") or chosen.title)
        handle = str(found.get("username") or found.get("displayName") or found.get("id") or name)
        display = str(found.get("displayName") or handle)
        image = found.get("userImage")
        return Profile(
            remote_id=f"{ref_id}:{chosen.platform}",
            handle=handle,
            display_name=f"{display} ({name}, profile {chosen.title})",
            avatar_url=image if isinstance(image, str) and image.startswith("https://") else None,
            targets=[("network", chosen.platform, name)],
            brand=chosen.title,  # one User Profile is one brand in linkdeck, of the same name
        )

    async def revoke(self, token: Token, instance: str | None) -> bool:
        """Ayrshare's unlink for this network on this profile (its token at Ayrshare is deleted;
        the network itself is not told: the spec's settings page says where to remove it)."""
        chosen = chosen_of(token)
        try:
            response = await self._call(
                "DELETE",
                "/profiles/social",
                chosen.api_key,
                chosen.profile_key,
                "unlinking",
                json={"platform": chosen.platform},
            )
        except LinkError:
            return False
        return response.status_code == 200


def chosen_of(token: Token) -> Chosen:
    return Chosen(
        str(token.get("access_token", "")),
        str(token.get("profile_key", "")),
        str(token.get("title", "")),
        str(token.get("platform", "")),
    )


def account_on(user: dict[str, Any], platform: str) -> dict[str, Any] | None:
    active = user.get("activeSocialAccounts")
    if not isinstance(active, list) or platform not in active:
        return None
    names = user.get("displayNames")
    for item in names if isinstance(names, list) else []:
        if isinstance(item, dict) and item.get("platform") == platform:
            return item
    return {"platform": platform}


def _check_brand_name(title: str) -> None:
    """The profile's title becomes the account's brand: refuse here, before anything is created at
    Ayrshare, a title linkdeck could not name a brand by."""
    from providers.store.brands import BrandError, clean_name

    try:
        clean_name(title)
    except BrandError as exc:
        raise LinkError(
            f"Ayrshare: the profile title names the brand in linkdeck, and {exc.message}."
        ) from None


def duplicate_message(title: str) -> str:
    return (
        f"Ayrshare already has a profile titled {title!r}, and profile titles must be unique: a "
        "duplicated brand name breaks linking. linkdeck does not hold that profile's Profile-Key "
        "(Ayrshare shows it only once, when the profile is created), so it cannot use it. Choose "
        "another title, or rename or delete the other profile in Ayrshare's dashboard."
    )


def _private_key_file() -> str | None:
    """The Business plan's JWT private key from the file ``LINKDECK_AYRSHARE_PRIVATE_KEY_FILE``
    names (a PEM: many lines, so not an environment value or a pasted line)."""
    import os
    from pathlib import Path

    name = os.environ.get(PRIVATE_KEY_FILE, "").strip()
    if not name:
        return None
    try:
        text = Path(name).expanduser().read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise LinkError(f"Ayrshare: cannot read the private key file ({type(exc).__name__}).") from None
    return text or None


class LinkingPage:
    """Ayrshare's hosted linking page as a browser flow: ``start`` makes the address (generateJWT),
    ``wait`` polls the profile until the network is active (a pasted address only polls at once),
    and raises :class:`PageExpired` when the address runs out."""

    def __init__(self, sign_in: AyrshareSignIn, chosen: Chosen) -> None:
        self.sign_in, self.chosen = sign_in, chosen
        self._poke = asyncio.Event()
        self._cancelled = False
        self._deadline = 0.0

    @property
    def relay_key(self) -> str | None:
        return None

    async def start(self) -> AuthorizationRequest:
        from providers.auth.types import AuthorizationRequest, RedirectKind
        from providers.http import rewrite

        sign_in, chosen = self.sign_in, self.chosen
        body: dict[str, Any] = {"profileKey": chosen.profile_key, "allowedSocial": [chosen.platform]}
        domain = sign_in.settings.network(sign_in.spec.id).client_id
        private_key = sign_in.vault.get_client_secret(sign_in.spec.id, instance=PRIVATE_KEY)
        if not private_key:
            private_key = _private_key_file()
            if private_key:  # into the keyring, so the file may be removed
                sign_in.vault.set_client_secret(sign_in.spec.id, private_key, instance=PRIVATE_KEY)
        if domain:
            body["domain"] = domain
        if private_key:
            body["privateKey"] = private_key
        answer = await sign_in._json(
            "POST", "/profiles/generateJWT", chosen.api_key, None, "making the linking address", json=body
        )
        url = answer.get("url") if isinstance(answer, dict) else None
        if not isinstance(url, str) or not url.startswith("https://"):
            raise LinkError("Ayrshare answered without a linking address.")
        seconds = sign_in.page_seconds
        self._deadline = asyncio.get_running_loop().time() + seconds
        return AuthorizationRequest(
            url=rewrite(url), redirect_uri="", redirect_kind=RedirectKind.HOSTED, expires_in=seconds
        )

    def submit(self, pasted: str) -> None:
        self._poke.set()  # the page was finished: look now

    async def wait(self) -> Token:
        loop = asyncio.get_running_loop()
        while not self._cancelled:
            found = await self.sign_in._active(self.chosen)
            if found is not None:
                return self.sign_in._token(self.chosen, found)
            left = self._deadline - loop.time()
            if left <= 0:
                raise PageExpired("Ayrshare's linking address ran out; making a new one.")
            self._poke.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poke.wait(), min(self.sign_in.poll_seconds, left))
        raise LinkCancelled("Ayrshare: linking was cancelled; nothing was linked.")

    async def cancel(self) -> None:
        self._cancelled = True
        self._poke.set()


SIGN_IN = AyrshareSignIn
