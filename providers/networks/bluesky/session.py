"""Keeping Bluesky sign-ins fresh: one refresh at a time per account, never losing a token.

Sessions (app password). ``createSession`` gives an access JWT (2 hours) and a refresh JWT
(90 days); ``refreshSession`` with the refresh JWT as bearer gives a new pair. The token kept in the
vault: ``access_token``, ``refresh_token``, ``expires_at`` (the access JWT's ``exp``),
``refresh_expires_at``, ``did``, ``handle``, ``pds`` (where repo calls go: the DID document's PDS)
and ``method`` ("app_password"). :class:`SessionKeeper` gives the same guarantees as
providers.auth.refresh.TokenKeeper (which speaks OAuth's refresh grant, not refreshSession):
single-flight per account (process-wide), the refresh token is never lost (Vault.merge_token), a
lost race with another process is recognised, and a refusal sets the account to "reconnect"
(LinkError); being offline, rate-limited or a server error is :class:`RenewLater` and leaves the
account alone. An atproto OAuth sign-in (``method`` "oauth") is renewed with its own DPoP-bound
refresh grant (:func:`.bluesky_oauth.refresh`) under the same rules.

Public API::

    keeper = SessionKeeper(vault, store=None)
    await keeper.fresh_token(account) -> Token            # refreshed if it expires within a minute
    await keeper.after_unauthorized(account, rejected) -> Token
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from providers import clock
from providers.auth.types import Token
from providers.errors import LinkError
from providers.networks.bluesky.xrpc import NAME, RenewLater, XrpcError, call, session_token
from providers.store.models import AccountState

if TYPE_CHECKING:
    from providers.store import Account, Store
    from providers.vault import Vault

log = logging.getLogger("linkdeck.catalog.bluesky")

LEEWAY_SECONDS = 60


class SessionKeeper:
    """Fresh access JWTs for linked Bluesky accounts; see the module docstring for the guarantees."""

    _inflight: dict[str, asyncio.Task[Token]] = {}  # process-wide: one refresh per account

    def __init__(self, vault: Vault, store: Store | None = None) -> None:
        """``store`` marks accounts "reconnect"; None opens the default store only for that."""
        self._vault, self._store = vault, store

    async def fresh_token(self, account: Account) -> Token:
        """The stored token, refreshed first if the access JWT expires within a minute."""
        token = self._stored(account)
        expires_at = token.get("expires_at")
        if isinstance(expires_at, int | float) and expires_at - clock.timestamp() > LEEWAY_SECONDS:
            return token
        return await self._single_flight(account)

    async def after_unauthorized(self, account: Account, rejected_access_token: str | None = None) -> Token:
        """A refreshed token after a call was refused with ExpiredToken/401; if another caller
        already refreshed since that call was sent, its token is returned without a new refresh."""
        token = self._stored(account)
        if rejected_access_token is not None and token.get("access_token") != rejected_access_token:
            return token
        return await self._single_flight(account)

    def _stored(self, account: Account) -> Token:
        token = self._vault.get_token(account.vault_key)
        if not token:
            raise self._reconnect(
                account, f"{NAME}: no saved sign-in was found in the keyring; link the account again."
            )
        return token

    def _reconnect(self, account: Account, reason: str) -> LinkError:
        with contextlib.suppress(KeyError):  # unlinked meanwhile
            if self._store is not None:
                self._store.set_state(account.id, AccountState.RECONNECT, reason)
            else:
                from providers.store import Store

                with Store.open() as store:
                    store.set_state(account.id, AccountState.RECONNECT, reason)
        log.info("account %s needs reconnecting", account.id)
        return LinkError(reason)

    async def _single_flight(self, account: Account) -> Token:
        key = account.vault_key
        task = self._inflight.get(key)
        if task is None or task.get_loop() is not asyncio.get_running_loop():
            task = asyncio.get_running_loop().create_task(self._refresh(account))
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._done(key, done))
        return await asyncio.shield(task)

    def _done(self, key: str, task: asyncio.Task[Token]) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()  # retrieved: every caller may have gone away

    async def _refresh(self, account: Account) -> Token:
        stored = self._vault.get_token(account.vault_key) or {}
        refresh = stored.get("refresh_token")
        base = account.instance or str(stored.get("pds") or "")
        if not isinstance(refresh, str) or not refresh or not base:
            raise self._reconnect(
                account, f"{NAME}: the saved sign-in cannot be renewed; link the account again."
            )
        try:
            if stored.get("method") == "oauth":
                from providers.networks.bluesky.oauth import refresh as renew

                fresh = await renew(stored)
            else:
                fresh = await self._refresh_session(base, refresh, str(stored.get("pds") or base))
        except RenewLater:
            raise
        except LinkError as exc:
            current = self._vault.get_token(account.vault_key) or {}
            if current.get("refresh_token") and current.get("refresh_token") != refresh:
                log.info("session refresh for account %s lost a race with another process", account.id)
                return current
            raise self._reconnect(account, f"{exc.message} Link the account again.") from None
        merged = self._vault.merge_token(account.vault_key, fresh)
        log.info("refreshed the Bluesky session of account %s", account.id)
        return merged

    @staticmethod
    async def _refresh_session(base: str, refresh: str, pds: str) -> Token:
        """refreshSession with the refresh JWT: the new session, RenewLater (try later) or
        LinkError (refused: the app password was deleted or the session revoked)."""
        try:
            response = await call(
                "POST", base, "com.atproto.server.refreshSession", what="renewing the sign-in", token=refresh
            )
        except LinkError as exc:  # offline: not the account's fault
            raise RenewLater(exc.message) from None
        failure = XrpcError.of(response, "renewing the sign-in")
        if response.status_code == 429 or response.status_code >= 500:
            raise RenewLater(failure.message)
        if response.status_code != 200:
            said = f"{failure.code or response.status_code}{': ' + failure.detail if failure.detail else ''}"
            raise LinkError(
                f"{NAME} no longer accepts the saved sign-in ({said}): the app password may have been "
                "deleted."
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise RenewLater(f"{NAME} answered the session renewal with something that is not JSON.")
        return session_token(body, pds)
