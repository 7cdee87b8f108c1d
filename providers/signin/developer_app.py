"""OAuth 2 with the user's own developer app, driven by the spec: the base most networks link on.

Everything comes from the spec and the settings, so a network on this base is its spec plus a
``parse_profile`` of its own account document:

- the client id from ``[networks.<id>] client_id`` or ``LINKDECK_<ID>_CLIENT_ID``; the secret from
  ``LINKDECK_<ID>_CLIENT_SECRET`` or the keyring (``linkdeck config set-secret <id>``), required
  when ``capabilities.needs_client_secret``;
- the redirect on the spec's registered loopback port (providers.redirects, the same one
  ``doctor`` and Help tell the user to register), pasted back when the browser is elsewhere;
- PKCE S256 when ``capabilities.pkce``; the scopes (the optional ones too when the settings say
  the app may have them); the device grant offered beside the address
  when ``capabilities.device_flow`` and there is a device endpoint;
- who signed in from ``endpoints.profile`` (GET with the bearer token, then :meth:`parse_profile`);
- revocation (RFC 7009) at ``endpoints.revoke`` when ``capabilities.provider_revoke``.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from providers.auth.types import ClientConfig, RedirectKind
from providers.errors import LinkError, SetupError
from providers.interface import Authorized, Conversation, Profile, SignIn
from providers.redirects import CALLBACK_PATH, LINK_TIMEOUT

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import Token
    from providers.spec import NetworkSpec
    from providers.vault import Vault


def app_credentials(spec: NetworkSpec, client_id: str | None, vault: Vault) -> tuple[str, str | None]:
    """The developer app's client id and secret, or SetupError saying which one is missing."""
    if not client_id:
        raise SetupError(
            f"{spec.name} needs your own developer app's client id.",
            hint=f"Set it with `linkdeck config set {spec.id} client_id …` or LINKDECK_"
            f"{spec.id.upper().replace('-', '_')}_CLIENT_ID; `linkdeck help {spec.id}` explains the app.",
        )
    secret = vault.get_client_secret(spec.id)
    if spec.capabilities.needs_client_secret and not secret:
        raise SetupError(
            f"{spec.name} needs your developer app's client secret.",
            hint=f"Store it in the keyring with `linkdeck config set-secret {spec.id}`.",
        )
    return client_id, secret


class DeveloperAppSignIn(SignIn):
    # How the app authenticates at the token endpoint when it has a secret (RFC 6749 §2.3.1).
    token_auth_method: ClassVar[str] = "client_secret_post"
    # How an app without a secret (a public client) authenticates there: "none" sends its
    # client_id in the body; "client_secret_basic" sends HTTP Basic with the id and an empty
    # password (Reddit's "installed app", reddit-archive/reddit wiki oauth2).
    public_token_auth_method: ClassVar[str] = "none"
    # Extra form fields the network wants on every code exchange and refresh.
    token_params: ClassVar[Mapping[str, str]] = {}

    def client_config(self) -> ClientConfig:
        spec, endpoints = self.spec, self.spec.endpoints
        client_id, secret = app_credentials(spec, self.settings.network(spec.id).client_id, self.vault)
        if not endpoints.authorize or not endpoints.token:
            raise LinkError(f"{spec.name}: the catalog has no authorize or token endpoint to link with.")
        basic_without_secret = not secret and self.public_token_auth_method == "client_secret_basic"
        return ClientConfig(
            network_name=spec.name,
            client_id=client_id,
            client_secret="" if basic_without_secret else secret,
            authorize_url=endpoints.authorize,
            token_url=endpoints.token,
            revoke_url=endpoints.revoke,
            device_url=endpoints.device,
            scopes=self.scopes(),
            pkce=spec.capabilities.pkce,
            token_auth_method=self.token_auth_method if secret else self.public_token_auth_method,
            extra_token_params=dict(self.token_params),
            refresh_token_seconds=spec.refresh_token_seconds,
        )

    def scopes(self) -> tuple[str, ...]:
        """The spec's scopes, and its optional ones when the user's app has what grants them
        (``[networks.<id>] optional_scopes = true``)."""
        extra = self.spec.optional_scopes if self.settings.network(self.spec.id).optional_scopes else ()
        return (*self.spec.scopes, *extra)

    async def authorize(self, talk: Conversation, instance: str | None) -> Authorized:
        from providers.auth.device import DeviceFlow
        from providers.auth.oauth2 import AuthorizationCodeFlow

        config = self.client_config()
        flow = AuthorizationCodeFlow(
            config, redirect=RedirectKind.LOOPBACK, port=self.port, path=CALLBACK_PATH, timeout=LINK_TIMEOUT
        )
        caps = self.spec.capabilities
        device = DeviceFlow(config) if caps.device_flow and config.device_url else None
        return Authorized(None, await talk.browser(flow, device=device))

    async def refresh_config(self, instance: str | None) -> ClientConfig:
        return self.client_config()

    async def profile(self, token: Token, instance: str | None) -> Profile:
        from providers.auth.failures import describe_http_failure
        from providers.http import async_client

        url = self.spec.endpoints.profile
        if not url:
            raise LinkError(f"{self.spec.name}: the catalog names no account endpoint to read who signed in.")
        headers = {"Authorization": f"Bearer {token.get('access_token', '')}"}
        try:
            async with async_client() as client:
                response = await client.get(url, headers=headers, params=self.profile_params())
        except Exception as exc:
            raise LinkError(describe_http_failure(self.spec.name, "account", exc)) from None
        return self.profile_from(response)

    def profile_from(self, response: httpx2.Response) -> Profile:
        """The account call's answer as a Profile, or LinkError saying what went wrong."""
        from providers.failures import response_problem

        try:
            body = response.json() if response.status_code == 200 else None
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise LinkError(response_problem(self.spec.name, response, "reading the linked account"))
        return self.parse_profile(body)

    def profile_params(self) -> dict[str, str]:
        """Query parameters of the account call (fields to include), when the network wants some."""
        return {}

    @abc.abstractmethod
    def parse_profile(self, body: Mapping[str, Any]) -> Profile:
        """The network's account document as a Profile; LinkError when it lacks the account id."""

    async def revoke(self, token: Token, instance: str | None) -> bool:
        from providers.auth.revoke import revoke

        if not self.spec.capabilities.provider_revoke or not self.spec.endpoints.revoke:
            return False
        try:
            config = self.client_config()
        except SetupError:
            return False
        return await revoke(config, token)


class DeviceGrantSignIn(DeveloperAppSignIn):
    """Networks (or apps) that link with the device grant only (RFC 8628): the user types a short
    code on the network's device page from any browser; nothing comes back to this machine."""

    def scopes(self) -> tuple[str, ...]:
        """The spec's scopes, and its optional ones when the user's app has what grants them
        (``[networks.<id>] optional_scopes = true``)."""
        extra = self.spec.optional_scopes if self.settings.network(self.spec.id).optional_scopes else ()
        return (*self.spec.scopes, *extra)

    async def authorize(self, talk: Conversation, instance: str | None) -> Authorized:
        from providers.auth.device import DeviceFlow

        config = self.client_config()
        if not config.device_url:
            raise LinkError(f"{self.spec.name}: the catalog has no device endpoint to link with.")
        return Authorized(None, await talk.device(DeviceFlow(config)))
