"""The dynamic-registration sign-in: servers that speak the Mastodon API (Mastodon itself,
Pixelfed) register linkdeck on the fly instead of asking for a developer app.

Why it registers itself: a Mastodon server has no developer portal; any client registers with
``POST /api/v1/apps`` and gets a confidential client (id + secret) for that server only. So the app
is registered once *per instance* and reused: the client id is kept in the store
(``Store.registered_app``), the client secret only in the keyring (``Vault.set_client_secret(…,
instance=…)``). Mastodon compares redirect URIs exactly, so linkdeck registers a fixed loopback
port (the spec's ``fixed_port``, or ``[networks.<id>] port``) plus ``oob`` where the spec has a
code page, and
registers again when asked for a redirect URI the cached app does not have (another port, the
served page's relay).

Scopes: ``profile`` exists since Mastodon 4.3; older servers get ``read:accounts`` instead, decided
from the version in ``/api/v2/instance`` (``/api/v1/instance`` before 4.0) and, should a server
still refuse, by registering again without it.

Instance URLs may carry a path (``http://127.0.0.1:PORT/mastodon.example``, the sandbox's direct
mode): every endpoint is ``{instance}`` + the API path.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from providers import instances
from providers.auth.types import OOB_REDIRECT, ClientConfig, RedirectKind, Token
from providers.errors import LinkError
from providers.failures import response_problem
from providers.instances import instance_label
from providers.interface import Authorized, Conversation, Profile, SignIn
from providers.redirects import CALLBACK_PATH, LINK_TIMEOUT, loopback_uri

if TYPE_CHECKING:
    import httpx2


log = logging.getLogger("linkdeck.signin.registered")

CLIENT_NAME = "linkdeck"
PROFILE_SCOPE_SINCE = (4, 3)
SCOPE_FALLBACKS = {"profile": "read:accounts"}  # what a pre-4.3 server knows instead

Credentials = tuple[str, str, tuple[str, ...]]  # client_id, client_secret, registered scopes


def version_tuple(version: str) -> tuple[int, ...] | None:
    """``"4.3.0-beta.1"`` → (4, 3, 0); ``"3.5.3 (compatible; Pixelfed 0.11.13)"`` → (3, 5, 3)."""
    head = version.strip().split(" ")[0]
    numbers: list[int] = []
    for piece in head.replace("-", ".").replace("+", ".").split(".")[:3]:
        if not piece.isdigit():
            break
        numbers.append(int(piece))
    return tuple(numbers) or None


class RegisteredAppSignIn(SignIn):
    """The sign-in of a server that speaks the Mastodon API; a network subclasses it with its
    differences (scopes, revocation), everything else comes from its spec."""

    # Helpers ------------------------------------------------------------------------------------

    def name(self, instance: str) -> str:
        return f"{self.spec.name} ({instance_label(instance)})"

    def _url(self, template: str | None, instance: str, fallback_path: str) -> str:
        url = instances.for_instance(template, instance)
        return url or instance.rstrip("/") + fallback_path

    def _require(self, instance: str | None) -> str:
        if not instance:
            raise LinkError(f"{self.spec.name} needs the address of your server (an instance).")
        return instance

    async def _call(self, method: str, url: str, what: str, instance: str, **kwargs: Any) -> httpx2.Response:
        from providers.auth.failures import describe_http_failure
        from providers.http import async_client

        try:
            async with async_client() as client:
                return await client.request(method, url, **kwargs)
        except Exception as exc:
            raise LinkError(describe_http_failure(self.name(instance), what, exc)) from None

    @staticmethod
    def _json(response: httpx2.Response) -> dict[str, Any] | None:
        try:
            body = response.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    # Scopes and registration ---------------------------------------------------------------------

    async def server_version(self, instance: str) -> tuple[int, ...] | None:
        """The server's version from its instance document; None when it cannot be told."""
        for path in ("/api/v2/instance", "/api/v1/instance"):
            try:
                response = await self._call("GET", instance.rstrip("/") + path, "instance", instance)
            except LinkError:
                return None
            body = self._json(response) if response.status_code == 200 else None
            if body is not None and isinstance(body.get("version"), str):
                return version_tuple(body["version"])
        return None

    async def wanted_scopes(self, instance: str) -> tuple[str, ...]:
        version = await self.server_version(instance)
        if version is not None and version < PROFILE_SCOPE_SINCE:
            return fallback_scopes(self.spec.scopes)
        return self.spec.scopes

    async def register(self, instance: str, redirect_uris: list[str]) -> Credentials:
        """``POST /api/v1/apps``: (client_id, client_secret, scopes)."""
        scopes = await self.wanted_scopes(instance)
        url = instance.rstrip("/") + "/api/v1/apps"
        while True:
            data = {
                "client_name": CLIENT_NAME,
                "redirect_uris": "\n".join(redirect_uris),  # a string works on every version
                "scopes": " ".join(scopes),
            }
            response = await self._call("POST", url, "app registration", instance, data=data)
            body = self._json(response)
            if response.status_code == 200 and body is not None:
                break
            fallback = fallback_scopes(scopes)
            if response.status_code == 422 and fallback != scopes:
                log.info("%s refused the scopes; registering with the pre-4.3 ones", self.name(instance))
                scopes = fallback
                continue
            if response.status_code == 404 or (response.status_code == 200 and body is None):
                raise LinkError(
                    f"{instance} does not look like a {self.spec.name} server: it has no app "
                    f"registration endpoint (/api/v1/apps). Check the address."
                )
            raise LinkError(response_problem(self.name(instance), response, "registering linkdeck"))
        client_id, secret = body.get("client_id"), body.get("client_secret")
        if not isinstance(client_id, str | int) or not isinstance(secret, str) or not secret:
            raise LinkError(f"{self.name(instance)} registered linkdeck but sent no client credentials.")
        return str(client_id), secret, scopes

    async def app_credentials(
        self, instance: str, redirect_uris: list[str]
    ) -> tuple[str, str, tuple[str, ...]]:
        """The cached app when it covers ``redirect_uris``, has today's scopes and its secret is in
        the vault; else a new registration, stored (id in the store, secret in the vault)."""
        network = self.spec.id
        cached = self.store.registered_app(network, instance)
        secret = self.vault.get_client_secret(network, instance=instance) if cached else None
        current = cached is not None and cached.scopes in (
            self.spec.scopes,
            fallback_scopes(self.spec.scopes),
        )
        if cached and secret and current and set(redirect_uris) <= set(cached.redirect_uris):
            self.store.touch_registered_app(network, instance)
            return cached.client_id, secret, cached.scopes
        client_id, secret, scopes = await self.register(instance, redirect_uris)
        self.vault.set_client_secret(network, secret, instance=instance)
        self.store.save_registered_app(network, instance, client_id, redirect_uris, scopes)
        log.info("registered linkdeck on %s", self.name(instance))
        return client_id, secret, scopes

    def forget_app(self, instance: str) -> None:
        """Drop the cached app (the server no longer knows it); the next link registers again."""
        self.store.forget_registered_app(self.spec.id, instance)
        self.vault.delete_client_secret(self.spec.id, instance=instance)

    # SignIn --------------------------------------------------------------------------------------

    async def authorize(self, talk: Conversation, instance: str | None) -> Authorized:
        """Register (or reuse the registration), then the server's own page: answered by the
        loopback listener, a paste, the served page's relay, or its code page where it has one."""
        from providers.auth.oauth2 import AuthorizationCodeFlow

        instance = self._require(instance)
        talk.progress(f"Registering linkdeck on {instance_label(instance)}…")
        redirect_uris = [loopback_uri(self.port)] + ([talk.relay_uri] if talk.relay_uri else [])
        has_code_page = self.spec.capabilities.oob
        if has_code_page:
            redirect_uris.insert(0, OOB_REDIRECT)
        config = await self.client_config(instance, redirect_uris)
        if talk.relay_uri:
            flow = AuthorizationCodeFlow(
                config, redirect=RedirectKind.RELAY, relay_uri=talk.relay_uri, timeout=LINK_TIMEOUT
            )
        else:
            flow = AuthorizationCodeFlow(
                config,
                redirect=RedirectKind.LOOPBACK,
                port=self.port,
                path=CALLBACK_PATH,
                timeout=LINK_TIMEOUT,
            )
        code_page = (
            AuthorizationCodeFlow(config, redirect=RedirectKind.OOB, timeout=LINK_TIMEOUT)
            if has_code_page
            else None
        )
        return Authorized(instance, await talk.browser(flow, code_page=code_page))

    async def refresh_config(self, instance: str | None) -> ClientConfig:
        """The cached registration (Pixelfed's tokens expire and come with a refresh token)."""
        return await self.client_config(instance, [])

    async def client_config(self, instance: str | None, redirect_uris: list[str]) -> ClientConfig:
        instance = self._require(instance)
        client_id, secret, scopes = await self.app_credentials(instance, redirect_uris)
        endpoints = self.spec.endpoints
        return ClientConfig(
            network_name=self.name(instance),
            client_id=client_id,
            client_secret=secret,
            authorize_url=self._url(endpoints.authorize, instance, "/oauth/authorize"),
            token_url=self._url(endpoints.token, instance, "/oauth/token"),
            revoke_url=instances.for_instance(endpoints.revoke, instance),
            scopes=scopes,
            pkce=True,  # S256; Mastodon ≥ 4.3 checks it, older servers ignore the extra parameters
            token_auth_method="client_secret_post",
        )

    async def profile(self, token: Token, instance: str | None) -> Profile:
        instance = self._require(instance)
        name = self.name(instance)
        url = self._url(self.spec.endpoints.profile, instance, "/api/v1/accounts/verify_credentials")
        headers = {"Authorization": f"Bearer {token.get('access_token', '')}"}
        response = await self._call("GET", url, "account lookup", instance, headers=headers)
        body = self._json(response)
        if response.status_code != 200 or body is None:
            raise LinkError(response_problem(name, response, "reading the linked account"))
        return parse_account(body, await self.domain(instance), name)

    async def domain(self, instance: str) -> str:
        """The server's own domain for handles (``@user@domain``): the instance document's
        ``domain`` (v2) or ``uri`` (v1), else the instance URL's host."""
        for path, key in (("/api/v2/instance", "domain"), ("/api/v1/instance", "uri")):
            try:
                response = await self._call("GET", instance.rstrip("/") + path, "instance", instance)
            except LinkError:
                break
            body = self._json(response) if response.status_code == 200 else None
            if body is not None and isinstance(body.get(key), str) and body[key]:
                return str(body[key])
        return urlsplit(instance).netloc

    async def revoke(self, token: Token, instance: str | None) -> bool:
        from providers.auth.revoke import revoke

        if not instance or not self.spec.capabilities.provider_revoke:
            return False
        cached = self.store.registered_app(self.spec.id, instance)
        secret = self.vault.get_client_secret(self.spec.id, instance=instance) if cached else None
        if cached is None or not secret:
            log.info("%s: no registered app on file, cannot revoke", self.name(instance))
            return False
        config = ClientConfig(
            network_name=self.name(instance),
            client_id=cached.client_id,
            client_secret=secret,
            authorize_url=self._url(self.spec.endpoints.authorize, instance, "/oauth/authorize"),
            token_url=self._url(self.spec.endpoints.token, instance, "/oauth/token"),
            revoke_url=self._url(self.spec.endpoints.revoke, instance, "/oauth/revoke"),
            token_auth_method="client_secret_post",  # Mastodon: client_id, client_secret, token
        )
        return await revoke(config, token)


def fallback_scopes(scopes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(SCOPE_FALLBACKS.get(s, s) for s in scopes))


def parse_account(body: dict[str, Any], domain: str, network_name: str) -> Profile:
    """A ``verify_credentials`` Account (Mastodon entity; Pixelfed's is compatible) as a Profile."""
    remote_id, username = body.get("id"), body.get("username")
    if not isinstance(remote_id, str | int) or not isinstance(username, str) or not username:
        raise LinkError(f"{network_name} answered the account lookup without an account id and username.")
    acct = body.get("acct") if isinstance(body.get("acct"), str) else username
    handle = f"@{acct}" if "@" in str(acct) else f"@{username}@{domain}"
    display = body.get("display_name")
    avatar = body.get("avatar_static") or body.get("avatar")
    return Profile(
        remote_id=str(remote_id),
        handle=handle,
        display_name=display if isinstance(display, str) and display.strip() else username,
        avatar_url=avatar if isinstance(avatar, str) and avatar.startswith(("http://", "https://")) else None,
    )
