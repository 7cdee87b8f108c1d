"""The linking adapter for Bluesky: a handle and an APP password, or atproto OAuth in the browser.

Why app passwords first: they are what every Bluesky account can make for third-party apps
(``com.atproto.server.createSession``), need no developer app, skip the email 2FA code, and the
user cuts linkdeck off by deleting the app password; the sign-in lasts (refresh JWT 90 days,
renewed). linkdeck refuses anything that does not look like an app password
(``xxxx-xxxx-xxxx-xxxx``) *before sending it*, so a user's main password never leaves the machine.

atproto OAuth (:mod:`.bluesky_oauth`): when the user leaves the app password empty and the PDS
offers OAuth (PAR + DPoP + PKCE S256), the link goes through the PDS's own sign-in page instead
(:meth:`BlueskySignIn.browser_route`, which the link session runs like any browser flow). A loopback
(public) client's sign-in lasts at most 2 weeks, which is why it is not the default for a tool
that posts on a schedule.

What is kept: the app password itself is **not stored anywhere** — the refresh JWT is enough, and
deleting the app password at Bluesky revokes it. The session (access + refresh tokens, DID, handle,
PDS URL; for OAuth also the DPoP key) goes to the vault only.

Where the account lives: with ``--instance URL`` that server is used for everything. Without it the
handle is resolved at the default instance (``com.atproto.identity.resolveHandle`` on
https://bsky.social), then its DID document (PLC directory or did:web) names the PDS; sign-in goes
there (a bsky.social-hosted PDS passes createSession through to the bsky.social entryway). The
account's ``instance`` is that PDS URL.

Profile: ``app.bsky.actor.getProfile`` where an AppView answers through the PDS; a PDS without
one (self-hosted test servers) answers 400 "No service configured", and then the repo's own
``app.bsky.actor.profile/self`` record gives the display name and the avatar blob
(``com.atproto.sync.getBlob``). Unlink calls ``com.atproto.server.deleteSession`` with the
refresh JWT (OAuth: RFC 7009 revocation at the authorization server).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from providers.errors import LinkError
from providers.interface import Authorized, CredentialField, Profile
from providers.networks.bluesky.xrpc import NAME, XrpcError, call, resolve_pds, session_token
from providers.signin.credentials import CredentialsSignIn

if TYPE_CHECKING:
    from providers.auth.types import Token
    from providers.networks.bluesky.dpop import OAuthServer
    from providers.networks.bluesky.oauth import AtprotoOAuthFlow

log = logging.getLogger("linkdeck.networks.bluesky")

APP_PASSWORD = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$")
APP_PASSWORD_PLACE = (
    "Settings → Privacy and security → App passwords (https://bsky.app/settings/app-passwords)"
)
FIELDS = (
    CredentialField("handle", "Bluesky handle", False, "e.g. alice.bsky.social (or your own domain)"),
    CredentialField(
        "app_password",
        "App password",
        True,
        "an APP password, xxxx-xxxx-xxxx-xxxx, never your main password: create one in "
        f"{APP_PASSWORD_PLACE}. Leave it empty to sign in on your server's own page in the browser "
        "instead (atproto OAuth; such a sign-in lasts at most 2 weeks).",
        required=False,
    ),
)


def normalize_handle(value: str) -> str:
    """``@Alice.bsky.social `` → ``alice.bsky.social``; DIDs and e-mail addresses kept as typed."""
    text = value.strip()
    if text.startswith("did:") or ("@" in text.lstrip("@")):
        return text
    return text.lstrip("@").lower()


def sign_in_problem(response: Any) -> str:
    """A createSession refusal as a sentence: what Bluesky said and what to do."""
    failure = XrpcError.of(response, "signing in")
    code, detail = failure.code, failure.detail
    said = f" ({detail or code})" if (detail or code) else ""
    status = response.status_code
    if code == "AuthFactorTokenRequired":
        return (
            f"{NAME} asked for an email sign-in code (two-factor){said}. That only happens with your "
            f"main password: use an APP password instead, which skips the code. Create one in "
            f"{APP_PASSWORD_PLACE}."
        )
    if code in ("AccountTakedown", "AccountDeactivated", "AccountSuspended"):
        return f"{NAME} refused the sign-in: the account is not active{said}."
    if status == 429:
        return f"{failure.message} ({NAME} allows 30 sign-ins per 5 minutes and 300 a day.)"
    if status in (400, 401):
        return (
            f"{NAME} did not accept that handle and app password{said}. linkdeck needs an APP password, "
            f"not your account password: create one in {APP_PASSWORD_PLACE} and use it here."
        )
    return failure.message


class BlueskySignIn(CredentialsSignIn):
    # No --instance: the handle names the account's server (resolved from the default instance).
    locates_instance = True

    # The credential route --------------------------------------------------------------------

    def credential_fields(self, instance: str | None) -> tuple[CredentialField, ...]:
        return FIELDS

    async def sign_in(self, instance: str | None, values: Mapping[str, str]) -> Authorized:
        """createSession with the handle and app password, at the account's PDS."""
        handle = normalize_handle(values.get("handle", ""))
        password = values.get("app_password", "").strip()
        if not handle:
            raise LinkError(f"{NAME} needs your handle, e.g. alice.bsky.social.")
        if not APP_PASSWORD.match(password):
            raise LinkError(
                f"That is not a {NAME} app password: app passwords look like xxxx-xxxx-xxxx-xxxx (four "
                f"groups of four lower-case letters or digits). linkdeck never takes your main password, "
                f"so nothing was sent. Create an app password in {APP_PASSWORD_PLACE}."
            )
        pds = instance or await self.locate(handle)
        response = await call(
            "POST",
            pds,
            "com.atproto.server.createSession",
            what="signing in",
            json={"identifier": handle, "password": password},
        )
        if response.status_code != 200:
            raise LinkError(sign_in_problem(response))
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise LinkError(f"{pds} does not look like a {NAME} server: createSession did not answer JSON.")
        if body.get("active") is False:
            raise LinkError(
                f"{NAME}: the account @{body.get('handle', handle)} is not active ({body.get('status')})."
            )
        return Authorized(pds, session_token(body, pds))

    async def locate(self, handle: str) -> str:
        """The PDS of ``handle``, resolved from the default instance (no --instance given)."""
        default = self.spec.default_instance or "https://bsky.social"
        if "@" in handle:  # an e-mail address cannot be resolved; bsky.social accepts it
            return default
        _, pds = await resolve_pds(handle, default)
        return pds

    # SignIn ----------------------------------------------------------------------------------------

    async def profile(self, token: Token, instance: str | None) -> Profile:
        did, handle = str(token.get("did") or ""), str(token.get("handle") or "")
        pds = str(token.get("pds") or instance or "")
        if not did or not pds:
            raise LinkError(f"{NAME} answered the sign-in without the account's DID.")
        if not handle:  # an OAuth sign-in names the DID only
            handle = await self.handle_of(pds, did)
        response = await call(
            "GET",
            pds,
            "app.bsky.actor.getProfile",
            what="reading the profile",
            session=token,
            params={"actor": did},
        )
        body = _json(response) if response.status_code == 200 else None
        if body is not None and body.get("did") == did:
            return Profile(
                remote_id=did,
                handle=f"@{body.get('handle') or handle}",
                display_name=_text(body.get("displayName")) or str(body.get("handle") or handle),
                avatar_url=_http_url(body.get("avatar")),
            )
        log.info("no AppView answered getProfile (HTTP %s); reading the profile record", response.status_code)
        return await self.profile_from_repo(pds, did, handle)

    async def handle_of(self, pds: str, did: str) -> str:
        """The account's handle from its repo description (public)."""
        response = await call(
            "GET", pds, "com.atproto.repo.describeRepo", what="reading the handle", params={"repo": did}
        )
        handle = (_json(response) or {}).get("handle") if response.status_code == 200 else None
        return handle if isinstance(handle, str) and handle != "handle.invalid" else ""

    async def profile_from_repo(self, pds: str, did: str, handle: str) -> Profile:
        """The repo's ``app.bsky.actor.profile/self`` record (public), for a PDS with no AppView."""
        params = {"repo": did, "collection": "app.bsky.actor.profile", "rkey": "self"}
        response = await call(
            "GET", pds, "com.atproto.repo.getRecord", what="reading the profile", params=params
        )
        record = (_json(response) or {}).get("value") if response.status_code == 200 else None
        record = record if isinstance(record, dict) else {}
        avatar_url = None
        avatar = record.get("avatar")
        if isinstance(avatar, dict) and isinstance(avatar.get("ref"), dict):
            cid = avatar["ref"].get("$link")
            if isinstance(cid, str) and cid:
                avatar_url = f"{pds}/xrpc/com.atproto.sync.getBlob?" + urlencode({"did": did, "cid": cid})
        return Profile(
            remote_id=did,
            handle=f"@{handle}" if handle else did,
            display_name=_text(record.get("displayName")) or handle or did,
            avatar_url=avatar_url,
        )

    async def revoke(self, token: Token, instance: str | None) -> bool:
        """deleteSession with the refresh JWT: the refresh token stops working at once (access
        JWTs already issued run out within 2 hours); an OAuth sign-in is revoked at its
        authorization server (RFC 7009). Never raises for network trouble."""
        if token.get("method") == "oauth":
            from providers.networks.bluesky.oauth import revoke

            return await revoke(token)
        refresh = token.get("refresh_token")
        base = instance or token.get("pds")
        if not isinstance(refresh, str) or not refresh or not isinstance(base, str) or not base:
            return False
        try:
            response = await call(
                "POST", base, "com.atproto.server.deleteSession", what="signing out", token=refresh
            )
        except LinkError as exc:
            log.warning("Bluesky sign-out failed: %s", exc.message)
            return False
        return response.status_code == 200

    # atproto OAuth -----------------------------------------------------------------------------

    async def oauth_offered(self, pds: str) -> OAuthServer | None:
        """The PDS's atproto OAuth authorization server, or None when it offers none."""
        from providers.networks.bluesky.dpop import discover

        return await discover(pds)

    async def browser_route(
        self, instance: str | None, values: Mapping[str, str]
    ) -> tuple[AtprotoOAuthFlow, str] | None:
        """The credential route's alternative: with no app password typed, sign in on the PDS's
        own page (atproto OAuth) where it offers that. None: use the app password."""
        from providers.networks.bluesky.oauth import AtprotoOAuthFlow

        if values.get("app_password", "").strip():
            return None
        handle = normalize_handle(values.get("handle", ""))
        if not handle:
            raise LinkError(f"{NAME} needs your handle, e.g. alice.bsky.social.")
        pds = instance or await self.locate(handle)
        server = await self.oauth_offered(pds)
        if server is None:
            raise LinkError(
                f"{pds} offers no browser sign-in (atproto OAuth), so {NAME} needs an app password here: "
                f"create one in {APP_PASSWORD_PLACE}."
            )
        hint = None if handle.startswith("did:") else handle
        return AtprotoOAuthFlow(server, pds, hint, port=self.port), pds


def _json(response: Any) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _http_url(value: Any) -> str | None:
    return value if isinstance(value, str) and value.startswith(("http://", "https://")) else None


SIGN_IN = BlueskySignIn
