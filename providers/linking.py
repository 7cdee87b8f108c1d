"""Linking an account, start to finish: the one orchestrator the TUI and the CLI both use.

Why one place: both front ends must behave the same way — validate the network and instance, get
client credentials from the network's adapter, run the engine's authorization-code flow (loopback
listener, paste-back, relay under ``linkdeck serve``), read who signed in, cache the avatar, then
store the account in SQLite and the token in the keyring only. Front ends only show the URL, pass
pasted text to :meth:`LinkSession.submit`, and await :meth:`LinkSession.finish`.

Public API::

    session = await begin_link(network_id, *, settings, store, vault, instance=None,
                               open_browser=None, relay_uri=None)
    session.request / .device / .opened_browser / .oob_request
    session.submit(pasted)                  # LinkError (CallbackRejected) on a forged state
    result = await session.finish()         # LinkResult(account, profile, choices)
    account = await session.choose(result, target)
    await session.cancel()
    check_linkable(network_id, settings); stored_secrets(network_ids)

Paste-back. The main request uses the loopback redirect ``http://127.0.0.1:<port>/callback`` (the
port is fixed per network: Mastodon checks redirect URIs exactly). A user without a browser on
this machine pastes the address the browser ended on, or just its code (accepted because PKCE
binds it to this flow). Networks with an ``oob`` page (Mastodon) also get ``oob_request``, a second
authorize URL whose page shows the code: a pasted bare code is tried there first and, if the
network refuses it, on the main flow (a refused exchange does not use up a code).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from providers import catalog
from providers.auth.types import (
    OOB_REDIRECT,
    AuthorizationRequest,
    DeviceCode,
    LinkCancelled,
    LinkError,
    RedirectKind,
    Token,
)
from providers.catalog.spec import AuthKind, NetworkSpec
from providers.errors import NotBuiltYet, SetupError, UsageError
from providers.overview import needs_setup
from providers.settings import Settings

if TYPE_CHECKING:
    from providers.auth.oauth2 import AuthorizationCodeFlow
    from providers.catalog.adapter import LinkAdapter, Profile
    from providers.store import Account, Store, Target
    from providers.vault import Vault

log = logging.getLogger("linkdeck.linking")

LINK_TIMEOUT = 600.0
CALLBACK_PATH = "/callback"


@dataclass(frozen=True)
class LinkResult:
    account: Account
    profile: Profile
    choices: list[Target]  # targets to choose from when there are several (the TUI shows a chooser)


class LinkSession:
    """One link in progress. Made by :func:`begin_link`; single use."""

    def __init__(
        self,
        spec: NetworkSpec,
        instance: str | None,
        adapter: LinkAdapter,
        store: Store,
        vault: Vault,
        flow: AuthorizationCodeFlow,
        request: AuthorizationRequest,
        oob: tuple[AuthorizationCodeFlow, AuthorizationRequest] | None = None,
    ) -> None:
        self.spec = spec
        self.instance = instance
        self.request: AuthorizationRequest | None = request
        self.device: DeviceCode | None = None  # no device flow for Mastodon-style networks
        self.opened_browser = False
        self.oob_request: AuthorizationRequest | None = oob[1] if oob else None
        self._adapter = adapter
        self._store = store
        self._vault = vault
        self._flow = flow
        self._oob_flow = oob[0] if oob else None
        self._oob_code: str | None = None  # a bare code given to the oob flow, for the fallback
        self._relay: asyncio.Task[None] | None = None
        self._finished = False

    def __repr__(self) -> str:
        return f"<LinkSession {self.spec.id} {self.instance or ''}>"

    def submit(self, pasted: str) -> None:
        """The address the browser ended on, or a code. Raises LinkError (CallbackRejected: not
        the answer to this request, the session keeps waiting; otherwise the link has failed)."""
        from providers.auth.callback import looks_like_url

        text = pasted.strip()
        if self._oob_flow is not None and text and not looks_like_url(text):
            self._oob_flow.submit(text)
            self._oob_code = text
            return
        self._flow.submit(text)

    async def finish(self) -> LinkResult:
        """Wait for the approval, exchange the code, read the profile, store account and token."""
        if self._finished:
            raise RuntimeError("this link session has already finished")
        self._finished = True
        try:
            token = await self._token()
        finally:
            await self._stop()
        profile = await self._adapter.profile(token, self.instance)
        return await self._store_link(token, profile)

    async def choose(self, result: LinkResult, target: Target) -> Account:
        """Make ``target`` (one of ``result.choices``) the account's target."""
        return self._store.set_target(result.account.id, target.kind, target.target_id, target.name)

    async def cancel(self) -> None:
        await self._stop()

    # Internals -----------------------------------------------------------------------------------

    def _watch_relay(self) -> None:
        from providers.auth import relay

        state = self._flow.state
        relay.register(state)

        async def forward() -> None:
            text = await relay.wait(state)
            with contextlib.suppress(LinkError):  # a refusal ends the flow, which finish() reports
                self._flow.submit(text)

        self._relay = asyncio.create_task(forward())

    async def _stop(self) -> None:
        await self._flow.cancel()
        if self._oob_flow is not None:
            await self._oob_flow.cancel()
        if self._relay is not None:
            from providers.auth import relay

            self._relay.cancel()
            relay.unregister(self._flow.state)

    async def _token(self) -> Token:
        main: asyncio.Future[Token] = asyncio.ensure_future(self._flow.wait())
        waiting: set[asyncio.Future[Token]] = {main}
        oob: asyncio.Future[Token] | None = None
        if self._oob_flow is not None:
            oob = asyncio.ensure_future(self._oob_flow.wait())
            waiting.add(oob)
        try:
            while True:
                done, waiting = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    problem = task.exception()
                    if problem is None:
                        return task.result()
                    if task is oob and (isinstance(problem, LinkCancelled) or not main.done()):
                        if isinstance(problem, LinkError) and not isinstance(problem, LinkCancelled):
                            self._oob_fallback()
                        continue  # the main flow may still get (or have been handed) the answer
                    raise problem
                if not waiting:
                    raise LinkError(f"{self.spec.name}: linking ended without an answer.")
        finally:
            for pending in (main, oob):
                if pending is not None and not pending.done():
                    pending.cancel()
                    with contextlib.suppress(BaseException):
                        await pending

    def _oob_fallback(self) -> None:
        """The oob flow refused a pasted bare code: it may be the main flow's code, copied out of
        the loopback address. Hand it over once."""
        code, self._oob_code = self._oob_code, None
        if code:
            with contextlib.suppress(LinkError):
                self._flow.submit(code)

    async def _store_link(self, token: Token, profile: Profile) -> LinkResult:
        from providers.catalog.adapter import cache_avatar
        from providers.store.models import identity_key

        await cache_avatar(self._store, profile.avatar_url)
        key = identity_key(self.spec.id, self.instance, profile.remote_id)
        self._vault.set_token(key, token)  # the keyring first: no account row without its token
        try:
            account = self._store.upsert_account(
                self.spec.id,
                profile.remote_id,
                handle=profile.handle,
                display_name=profile.display_name,
                instance=self.instance,
                avatar_url=profile.avatar_url,
                expires_at=_expiry(token),
            )
            choices: list[Target] = []
            if profile.targets:
                self._store.set_targets(account.id, profile.targets)
                choices = self._store.targets(account.id)
                if len(choices) == 1:
                    only = choices[0]
                    account = self._store.set_target(account.id, only.kind, only.target_id, only.name)
                    choices = []
        except BaseException:
            if self._store.find_account(self.spec.id, profile.remote_id, self.instance) is None:
                self._vault.delete_token(key)
            raise
        log.info("linked a %s account", self.spec.name)
        return LinkResult(account, profile, choices)


def _expiry(token: Token) -> datetime | None:
    value: Any = token.get("expires_at")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return None


async def begin_link(
    network_id: str,
    *,
    settings: Settings,
    store: Store,
    vault: Vault,
    instance: str | None = None,
    open_browser: Callable[[str], object] | None = None,
    relay_uri: str | None = None,
) -> LinkSession:
    """Validate, get client credentials, start the authorization flow and (only if
    ``open_browser`` is given) open its URL. The caller decides about the browser: pass None with
    --no-browser, over SSH or without a display."""
    from providers.auth.oauth2 import AuthorizationCodeFlow
    from providers.catalog.adapter import adapter_for

    check_linkable(network_id, settings)
    spec = catalog.get(network_id)
    adapter = adapter_for(spec.id, store=store, vault=vault)
    if adapter is None or spec.auth is not AuthKind.OAUTH2:  # sessions run OAuth 2 flows for now
        raise NotBuiltYet(
            f"Linking {spec.name} is not built yet in this version of linkdeck.",
            hint="Nothing was stored.",
        )
    instance = resolve_instance(spec, instance, settings)
    port = settings.network(spec.id).port or adapter.default_port
    loopback = f"http://127.0.0.1:{port}{CALLBACK_PATH}"
    redirect_uris = [loopback] + ([relay_uri] if relay_uri else [])
    if spec.capabilities.oob:
        redirect_uris.insert(0, OOB_REDIRECT)
    config = await adapter.client_config(instance, redirect_uris)

    if relay_uri:
        flow = AuthorizationCodeFlow(
            config, redirect=RedirectKind.RELAY, relay_uri=relay_uri, timeout=LINK_TIMEOUT
        )
    else:
        flow = AuthorizationCodeFlow(
            config, redirect=RedirectKind.LOOPBACK, port=port, path=CALLBACK_PATH, timeout=LINK_TIMEOUT
        )
    try:
        request = await flow.start()
    except LinkError as exc:
        raise LinkError(
            f"{exc.message} linkdeck's {spec.name} redirect address uses port {port}; if another "
            f"program holds it, set another with `[networks.{spec.id}] port = …` in config.toml.",
        ) from None
    try:
        oob: tuple[AuthorizationCodeFlow, AuthorizationRequest] | None = None
        if spec.capabilities.oob:
            oob_flow = AuthorizationCodeFlow(config, redirect=RedirectKind.OOB, timeout=LINK_TIMEOUT)
            oob = (oob_flow, await oob_flow.start())
        session = LinkSession(spec, instance, adapter, store, vault, flow, request, oob)
        if relay_uri:
            session._watch_relay()
    except BaseException:
        await flow.cancel()
        raise
    if open_browser is not None:
        try:
            opened = open_browser(request.url)
        except Exception as exc:  # no browser after all: the URL is still shown
            log.info("could not open a browser: %s", type(exc).__name__)
            opened = False
        session.opened_browser = opened is not False
    return session


def resolve_instance(spec: NetworkSpec, instance: str | None, settings: Settings) -> str | None:
    """The instance URL to use, normalised: https (plain http only for loopback), lower-case host,
    no trailing slash, query or fragment. A path is kept (the sandbox's ``/HOST`` prefix)."""
    from providers.http import is_loopback

    if not spec.capabilities.per_instance:
        if instance:
            raise UsageError(f"{spec.name} is not a per-instance network; --instance does not apply.")
        return None
    value = (instance or settings.network(spec.id).base_url or "").strip()
    if not value:
        raise UsageError(
            f"{spec.name} needs your server's address, e.g. --instance https://mastodon.social",
            hint=f"Or set `[networks.{spec.id}] base_url` in config.toml.",
        )
    if "://" not in value:
        value = f"https://{value}"
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        raise UsageError(f"{spec.name} instance address has a bad port: {value}") from None
    if scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{spec.name} instance must be an https URL, e.g. https://mastodon.social: {value}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise UsageError(
            f"{spec.name} instance must be a plain server address, without login, ? or #: {value}"
        )
    if scheme == "http" and not is_loopback(value):
        raise UsageError(
            f"{spec.name} instance must be an https URL (plain http only for loopback addresses "
            f"such as the sandbox): {value}"
        )
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    default_port = {"http": 80, "https": 443}[scheme]
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def check_linkable(network_id: str, settings: Settings) -> None:
    """Raise a clear error when ``network_id`` cannot be linked right now."""
    spec = catalog.get(network_id)
    if spec.availability_reason and spec.availability != "available":
        raise SetupError(f"{spec.name} is {spec.availability}: {spec.availability_reason}")
    stored = _stored_secret(spec.id) if spec.auth is AuthKind.API_KEY else frozenset()
    reason = needs_setup(spec, settings, stored)
    if reason:
        raise SetupError(reason, hint=f"`linkdeck doctor` and Help → {spec.name} explain the set-up.")


def _stored_secret(network_id: str) -> frozenset[str]:
    return stored_secrets([network_id])


def stored_secrets(network_ids: list[str]) -> frozenset[str]:
    """Which of ``network_ids`` have a secret in the keyring (none when there is no keyring)."""
    from providers.errors import KeyringUnavailable
    from providers.vault import Vault

    vault = Vault()
    try:
        return frozenset(n for n in network_ids if vault.get_client_secret(n))
    except KeyringUnavailable:
        return frozenset()


def choose_target(network_id: str, account_id: int) -> None:
    spec = catalog.get(network_id)
    raise NotBuiltYet(f"Changing the {spec.name} target is not built yet in this version of linkdeck.")
