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
    session.fields                          # CredentialField(name, label, secret, hint, required), … or ()
    session.submit(pasted)                  # LinkError (CallbackRejected) on a forged state
    await session.submit_credentials({name: value})   # credential networks (Bluesky)
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

Credential route. Networks that sign in with typed credentials (Bluesky's handle + app password)
have no browser step: their adapter has ``credential_fields(instance)`` and ``sign_in(instance,
values) -> (instance, token)`` (:class:`CredentialAdapter`). Their session has ``fields`` (empty for
browser networks) and ``request`` None; the front end asks for each field (masking the ``secret``
ones) and calls :meth:`LinkSession.submit_credentials`, which signs in at once (a refusal raises
LinkError and the session stays open for another try); then :meth:`LinkSession.finish` reads the
profile and stores the account like any other link. Such a network's instance may be left out:
the adapter finds the server from what was typed (Bluesky resolves the handle to its PDS). An
adapter may answer some values with a browser flow instead (Bluesky with the optional app password
left empty: atproto OAuth on the PDS's own page); ``request`` is then set after
``submit_credentials`` and the session goes on like a browser link (open or show the URL, paste-back
through :meth:`LinkSession.submit`, the loopback listener).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol
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
class CredentialField:
    """One value a credential network asks for. ``secret``: mask it when typed (getpass, a
    password Input) and never echo, log or store it outside the vault."""

    name: str
    label: str
    secret: bool = False
    hint: str = ""
    required: bool = True  # False: may be left empty (Bluesky: no app password → browser sign-in)


class CredentialAdapter(Protocol):
    """An adapter whose network signs in with typed credentials instead of a browser page.

    It may also have ``async browser_flow(instance, values)``: a browser flow (start, submit,
    wait, cancel, ``instance``, like AuthorizationCodeFlow) to use instead for these values (Bluesky
    with no app password typed: atproto OAuth), or None to call :meth:`sign_in`."""

    def credential_fields(self, instance: str | None) -> tuple[CredentialField, ...]: ...

    async def sign_in(self, instance: str | None, values: Mapping[str, str]) -> tuple[str | None, Token]:
        """Sign in; (the instance the account lives on, the token for the vault). LinkError with
        a message naming the network and what to fix when refused."""
        ...


@dataclass(frozen=True)
class LinkResult:
    account: Account
    profile: Profile
    choices: list[Target]  # targets to choose from when there are several (the TUI shows a chooser)


class LinkSession:
    """One link in progress. Made by :func:`begin_link`; single use. Browser networks have a
    ``flow`` and ``request``; credential networks have ``fields`` instead (and neither)."""

    def __init__(
        self,
        spec: NetworkSpec,
        instance: str | None,
        adapter: LinkAdapter,
        store: Store,
        vault: Vault,
        flow: AuthorizationCodeFlow | None,
        request: AuthorizationRequest | None,
        oob: tuple[AuthorizationCodeFlow, AuthorizationRequest] | None = None,
        fields: tuple[CredentialField, ...] = (),
    ) -> None:
        self.spec = spec
        self.instance = instance
        self.fields = fields
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
        self._signed_in: asyncio.Future[Token] | None = None  # credential route: set by submit_credentials
        self._signing_in = False
        self._browser: Any = None  # a credential network's browser flow (Bluesky's atproto OAuth)
        self._browser_task: asyncio.Task[None] | None = None
        self._open_browser: Callable[[str], object] | None = None

    def __repr__(self) -> str:
        return f"<LinkSession {self.spec.id} {self.instance or ''}>"

    def submit(self, pasted: str) -> None:
        """The address the browser ended on, or a code. Raises LinkError (CallbackRejected: not
        the answer to this request, the session keeps waiting; otherwise the link has failed)."""
        from providers.auth.callback import looks_like_url

        if self._flow is None:
            if self._browser is not None:
                self._browser.submit(pasted)
                return
            labels = " and ".join(f.label for f in self.fields)
            raise LinkError(f"{self.spec.name} links with your {labels}, not a pasted address or code.")
        text = pasted.strip()
        if self._oob_flow is not None and text and not looks_like_url(text):
            self._oob_flow.submit(text)
            self._oob_code = text
            return
        self._flow.submit(text)

    async def submit_credentials(self, values: Mapping[str, str]) -> None:
        """Sign in with the typed values (``{field.name: value}``) of a credential network. On a
        refusal LinkError is raised and the session keeps waiting for another try; on success
        :meth:`finish` completes. The values are passed to the adapter and not kept.

        When the adapter answers these values with a browser flow (Bluesky: no app password typed),
        that flow starts instead: ``request`` is then set (open or show its URL, paste-back through
        :meth:`submit`) and :meth:`finish` completes when the browser comes back."""
        if not self.fields:
            raise LinkError(
                f"{self.spec.name} links through its own page in the browser, not typed credentials."
            )
        future = self._credentials_future()
        if future.done() or self._signing_in or self._browser is not None:
            raise LinkError(f"{self.spec.name}: this link has already been signed in (or cancelled).")
        missing = [f.label for f in self.fields if f.required and not str(values.get(f.name, "")).strip()]
        if missing:
            raise LinkError(f"{self.spec.name} needs your {' and '.join(missing)}.")
        adapter: CredentialAdapter = self._adapter  # type: ignore[assignment]
        browser_flow = getattr(adapter, "browser_flow", None)
        self._signing_in = True
        try:
            flow = await browser_flow(self.instance, values) if browser_flow is not None else None
            if flow is not None:
                await self._start_browser(flow, future)
                return
            instance, token = await adapter.sign_in(self.instance, values)
        finally:
            self._signing_in = False
        if future.done():  # cancelled while signing in: the session is not wanted any more
            return
        self.instance = instance
        future.set_result(token)

    async def finish(self) -> LinkResult:
        """Wait for the approval (or the credentials), exchange the code, read the profile, store
        account and token."""
        if self._finished:
            raise RuntimeError("this link session has already finished")
        self._finished = True
        try:
            token = await (self._token() if self._flow is not None else self._credential_token())
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

    async def _start_browser(self, flow: Any, future: asyncio.Future[Token]) -> None:
        """Start a credential network's browser flow; its token settles ``future``."""
        self.request = await flow.start()
        self._browser = flow
        self.instance = getattr(flow, "instance", self.instance)
        self.opened_browser = _open(self._open_browser, self.request.url)

        async def settle() -> None:
            try:
                token = await flow.wait()
            except Exception as exc:
                if not future.done():
                    future.set_exception(exc)
                return
            if not future.done():
                future.set_result(token)

        self._browser_task = asyncio.create_task(settle())

    def _credentials_future(self) -> asyncio.Future[Token]:
        if self._signed_in is None:
            self._signed_in = asyncio.get_running_loop().create_future()
        return self._signed_in

    async def _credential_token(self) -> Token:
        try:
            return await asyncio.wait_for(asyncio.shield(self._credentials_future()), LINK_TIMEOUT)
        except TimeoutError:
            raise LinkError(
                f"{self.spec.name}: no credentials were given in time; nothing was linked."
            ) from None
        except asyncio.CancelledError:
            if self._signed_in is not None and self._signed_in.cancelled():
                raise LinkCancelled(f"{self.spec.name}: linking was cancelled; nothing was linked.") from None
            raise

    def _watch_relay(self) -> None:
        from providers.auth import relay

        assert self._flow is not None
        flow = self._flow
        state = flow.state
        relay.register(state)

        async def forward() -> None:
            text = await relay.wait(state)
            with contextlib.suppress(LinkError):  # a refusal ends the flow, which finish() reports
                flow.submit(text)

        self._relay = asyncio.create_task(forward())

    async def _stop(self) -> None:
        if self._signed_in is not None and not self._signed_in.done():
            self._signed_in.cancel()
        if self._browser is not None:
            await self._browser.cancel()
            if self._browser_task is not None and not self._browser_task.done():
                self._browser_task.cancel()
                with contextlib.suppress(BaseException):
                    await self._browser_task
        if self._flow is None:
            return
        await self._flow.cancel()
        if self._oob_flow is not None:
            await self._oob_flow.cancel()
        if self._relay is not None:
            from providers.auth import relay

            self._relay.cancel()
            relay.unregister(self._flow.state)

    async def _token(self) -> Token:
        assert self._flow is not None
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
                if pending is None:
                    continue
                if not pending.done():
                    pending.cancel()
                    with contextlib.suppress(BaseException):
                        await pending
                elif not pending.cancelled():
                    pending.exception()  # retrieved: the other flow's answer already decided

    def _oob_fallback(self) -> None:
        """The oob flow refused a pasted bare code: it may be the main flow's code, copied out of
        the loopback address. Hand it over once."""
        code, self._oob_code = self._oob_code, None
        if code and self._flow is not None:
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
    """When the sign-in runs out: the refresh token's expiry when the token says (Bluesky: the
    2-hour access JWT is renewed silently, the 90-day refresh JWT is what needs a reconnect),
    else the access token's."""
    value: Any = token.get("refresh_expires_at", token.get("expires_at"))
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
    credential = adapter is not None and callable(getattr(adapter, "credential_fields", None))
    if adapter is None or (spec.auth is not AuthKind.OAUTH2 and not credential):
        raise NotBuiltYet(
            f"Linking {spec.name} is not built yet in this version of linkdeck.",
            hint="Nothing was stored.",
        )
    if credential:
        return _credential_session(spec, adapter, store, vault, instance, settings, open_browser)
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
    session.opened_browser = _open(open_browser, request.url)
    return session


def _open(open_browser: Callable[[str], object] | None, url: str) -> bool:
    """Open ``url`` with the caller's opener (None: never); False when no browser opened."""
    if open_browser is None:
        return False
    try:
        opened = open_browser(url)
    except Exception as exc:  # no browser after all: the URL is still shown
        log.info("could not open a browser: %s", type(exc).__name__)
        opened = False
    return opened is not False


def _credential_session(
    spec: NetworkSpec,
    adapter: LinkAdapter,
    store: Store,
    vault: Vault,
    instance: str | None,
    settings: Settings,
    open_browser: Callable[[str], object] | None,
) -> LinkSession:
    """A session for a credential network. With no instance given (nor configured) and a network
    that has a usual server, the adapter locates the account's server at sign-in. ``open_browser``
    is kept for a browser flow the credentials may lead to."""
    given = instance or settings.network(spec.id).base_url
    located_later = not given and spec.default_instance is not None
    instance = None if located_later else resolve_instance(spec, instance, settings)
    credential: CredentialAdapter = adapter  # type: ignore[assignment]
    fields = credential.credential_fields(instance)
    port = settings.network(spec.id).port
    if port and hasattr(adapter, "port"):
        adapter.port = port  # a browser flow's loopback port, when the settings fix one
    session = LinkSession(spec, instance, adapter, store, vault, None, None, fields=fields)
    session._open_browser = open_browser
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
