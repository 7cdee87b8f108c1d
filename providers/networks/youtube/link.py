"""Linking a YouTube channel: Google OAuth with the user's own clients.

Two clients, because Google ties each route to a client type:

- the browser route (always): a **Desktop app** client, loopback redirect on any port with PKCE
  S256 and state, scopes ``youtube.upload`` + ``youtube.readonly`` (reading the channel), and
  ``access_type=offline`` so a refresh token comes back. ``prompt=select_account consent``: the
  account chooser every time (a Brand Account's channel is chosen there, and a browser already
  signed in to another account is not reused silently), and consent, without which Google sends
  no new refresh token on a second link.
- the device code (offered beside the address, for SSH) only when a **TVs and Limited Input
  devices** client is set up (``LINKDECK_YOUTUBE_TV_CLIENT_ID`` / ``_SECRET``, or the keyring entry
  of ``youtube-tv``): only that client type may use Google's device flow, and the device flow
  refuses ``youtube.upload`` ("Invalid device flow scope") but allows the broader ``youtube``.

A token remembers which client issued it (``TV_MARK``), so it is renewed and revoked with that
client (a Google refresh token works only with the client it was issued to).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from providers.auth.types import ClientConfig, DeviceCode, Token
from providers.errors import LinkError, SetupError
from providers.interface import Authorized, Conversation, Profile
from providers.signin.developer_app import DeveloperAppSignIn, app_credentials

if TYPE_CHECKING:
    from providers.auth.device import DeviceFlow

UPLOAD_SCOPE = "https://www.googleapis.com/auth/youtube.upload"
DEVICE_SCOPES = ("https://www.googleapis.com/auth/youtube",)  # the device flow refuses youtube.upload
AUTHORIZE_PARAMS = {"access_type": "offline", "prompt": "select_account consent"}
TV_CLIENT = "youtube-tv"  # where the TVs-and-Limited-Input client's id and secret are looked up
TV_MARK = "linkdeck_client"  # a key kept in the token: which client issued it


class MarkedDeviceFlow:
    """Google's device flow, whose token is marked as the TV client's."""

    def __init__(self, inner: DeviceFlow) -> None:
        self.inner = inner

    async def start(self) -> DeviceCode:
        return await self.inner.start()

    async def wait(self) -> Token:
        token = await self.inner.wait()
        token[TV_MARK] = "tv"
        return token

    async def cancel(self) -> None:
        await self.inner.cancel()


class YouTubeSignIn(DeveloperAppSignIn):
    def client_config(self) -> ClientConfig:
        return replace(super().client_config(), extra_authorize_params=dict(AUTHORIZE_PARAMS))

    def tv_config(self) -> ClientConfig | None:
        """The TVs-and-Limited-Input client for the device code; None when it is not set up."""
        spec = self.spec
        client_id = self.settings.network(TV_CLIENT).client_id
        if not client_id or not spec.endpoints.device or not spec.endpoints.token:
            return None
        try:
            client_id, secret = app_credentials(replace(spec, id=TV_CLIENT), client_id, self.vault)
        except SetupError:
            return None
        return ClientConfig(
            network_name=spec.name,
            client_id=client_id,
            client_secret=secret,
            authorize_url=spec.endpoints.authorize or "",
            token_url=spec.endpoints.token,
            revoke_url=spec.endpoints.revoke,
            device_url=spec.endpoints.device,
            scopes=DEVICE_SCOPES,
            pkce=False,
            token_auth_method="client_secret_post" if secret else "none",
        )

    async def authorize(self, talk: Conversation, instance: str | None) -> Authorized:
        from providers.auth.device import DeviceFlow
        from providers.auth.oauth2 import AuthorizationCodeFlow
        from providers.auth.types import RedirectKind
        from providers.redirects import CALLBACK_PATH, LINK_TIMEOUT

        flow = AuthorizationCodeFlow(
            self.client_config(),
            redirect=RedirectKind.LOOPBACK,
            port=self.port,
            path=CALLBACK_PATH,
            timeout=LINK_TIMEOUT,
        )
        tv = self.tv_config()
        device = MarkedDeviceFlow(DeviceFlow(tv)) if tv is not None else None
        return Authorized(None, await talk.browser(flow, device=device))

    async def refresh_config_for(self, token: Token, instance: str | None) -> ClientConfig:
        if token.get(TV_MARK) == "tv":
            tv = self.tv_config()
            if tv is None:
                raise LinkError(
                    f"{self.spec.name}: this account was linked with a device code, and the TV client "
                    "(LINKDECK_YOUTUBE_TV_CLIENT_ID and its secret) is no longer set up; link it again."
                )
            return tv
        return self.client_config()

    async def revoke(self, token: Token, instance: str | None) -> bool:
        from providers.auth.revoke import revoke

        if token.get(TV_MARK) == "tv":
            tv = self.tv_config()
            return await revoke(tv, token) if tv is not None else False
        return await super().revoke(token, instance)

    def profile_params(self) -> dict[str, str]:
        return {"part": "snippet", "mine": "true"}

    def parse_profile(self, body: Mapping[str, Any]) -> Profile:
        items = body.get("items")
        channel = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else None
        if channel is None:
            raise LinkError(
                f"{self.spec.name}: this Google account has no YouTube channel. Create one on "
                "youtube.com, or pick the Brand Account that has it in Google's account chooser, "
                "and link again."
            )
        channel_id = channel.get("id")
        raw = channel.get("snippet")
        snippet: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
        if not isinstance(channel_id, str) or not channel_id:
            raise LinkError(f"{self.spec.name} answered the channel lookup without a channel id.")
        title = _text(snippet, "title")
        custom = _text(snippet, "customUrl")
        handle = custom if custom.startswith("@") else (f"@{custom}" if custom else title or channel_id)
        return Profile(
            remote_id=channel_id,
            handle=handle,
            display_name=title or handle,
            avatar_url=_thumbnail(snippet),
            targets=[("channel", channel_id, title or handle)],
        )


def _text(mapping: Mapping[str, Any], key: str) -> str:
    value = mapping.get(key)
    return value if isinstance(value, str) else ""


def _thumbnail(snippet: Mapping[str, Any]) -> str | None:
    thumbnails = snippet.get("thumbnails")
    if not isinstance(thumbnails, dict):
        return None
    for size in ("default", "medium", "high"):
        entry = thumbnails.get(size)
        url = entry.get("url") if isinstance(entry, dict) else None
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            return url
    return None


SIGN_IN = YouTubeSignIn
