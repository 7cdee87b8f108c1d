"""Keeping access tokens fresh: refresh before expiry and after a 401, once per account at a time.

Public API::

    keeper = TokenKeeper(vault: Vault, store: Store, *, now=providers.clock.now)
    token = await keeper.fresh_token(account, config)          # refreshed if expiring within 60 s
    token = await keeper.after_unauthorized(account, config)   # forced refresh after a 401
    token = await keeper.after_unauthorized(account, config, rejected_access_token=...)

Why single-flight: networks that rotate refresh tokens (oidc-provider, X, many others) accept each
refresh token once. Two concurrent refreshes with the same refresh token mean the second one gets
``invalid_grant`` and, worse, may get the whole grant revoked as a replay. So concurrent callers
for one ``account.vault_key`` share one refresh (one shielded task; a caller that gives up does
not cancel it, because a refresh that reached the server must still have its answer stored). One
TokenKeeper per process is expected; across processes (the TUI and ``linkdeck worker``) a lost
race is recognised: on ``invalid_grant`` the vault is read again, and if another process already
stored a new refresh token, that token is used instead of declaring the account broken.

The new token is stored with :meth:`Vault.merge_token`, so a refresh answer without a refresh
token (or with an empty one) never replaces the stored refresh token. ``expires_at`` is computed
from ``now`` (injectable for tests).

When the network refuses (``invalid_grant``, ``invalid_client``, any 4xx) or there is nothing to
refresh with, the account is set to "reconnect" with a readable reason and LinkError is raised.
Being offline or a 5xx / 429 is not the account's fault: LinkError is raised and the state is
left alone.

The vault and the store are local and quick; they are called on the event loop's thread, which
also makes "is a refresh already running for this key?" and "start one" a single atomic step.

Tokens that renew themselves (``ClientConfig.renew_url``: Meta's 60-day Instagram tokens, which
have no refresh token) are renewed by a GET with the token itself, ``renew_ahead_seconds`` before
their end; a refusal while the token still works keeps it (Meta renews only tokens a day old),
one after it ran out asks for a reconnect, and a renewal moves the account's shown expiry.

``after_unauthorized`` is for one retry of a request that got 401. Passing the access token that
was refused lets 10 requests that all failed at once cause one refresh, not ten in a row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from providers import clock
from providers.auth.failures import describe_http_failure, scrub, token_error_message
from providers.auth.oauth2 import with_expiry
from providers.auth.types import ClientConfig, Token, token_expiry
from providers.errors import LinkError
from providers.http import client_kwargs
from providers.store.models import AccountState

if TYPE_CHECKING:
    from providers.store import Account, Store
    from providers.vault import Vault

log = logging.getLogger("linkdeck.auth.refresh")

LEEWAY_SECONDS = 60


def _utcnow() -> datetime:
    return clock.now()


class TokenKeeper:
    def __init__(self, vault: Vault, store: Store, *, now: Callable[[], datetime] = _utcnow) -> None:
        self._vault = vault
        self._store = store
        self._now = now
        self._inflight: dict[str, asyncio.Task[Token]] = {}

    def __repr__(self) -> str:
        return f"<TokenKeeper refreshing={len(self._inflight)}>"

    # Public ------------------------------------------------------------------------------------

    async def fresh_token(self, account: Account, config: ClientConfig) -> Token:
        """The account's token, refreshed first if it expires within 60 seconds (or has)."""
        token = self._stored(account, config)
        if not self._expiring(token, account, max(LEEWAY_SECONDS, config.renew_ahead_seconds)):
            return token
        return await self._single_flight(account, config)

    async def after_unauthorized(
        self, account: Account, config: ClientConfig, *, rejected_access_token: str | None = None
    ) -> Token:
        """A refreshed token after the network answered 401. Call it once per failed request;
        if the refreshed token is refused too, the account needs linking again."""
        token = self._stored(account, config)
        if rejected_access_token is not None and token.get("access_token") != rejected_access_token:
            return token  # refreshed by someone else since that request was sent
        return await self._single_flight(account, config)

    # Internals ---------------------------------------------------------------------------------

    def _stored(self, account: Account, config: ClientConfig) -> Token:
        token = self._vault.get_token(account.vault_key)
        if not token:
            raise self._reconnect(
                account,
                f"{config.network_name}: no saved sign-in was found in the keyring; link the account again.",
            )
        return token

    def _expiring(self, token: Token, account: Account, leeway: float = LEEWAY_SECONDS) -> bool:
        expires_at = token.get("expires_at")
        if isinstance(expires_at, int | float) and not isinstance(expires_at, bool):
            when = float(expires_at)
        elif account.expires_at is not None:
            when = account.expires_at.timestamp()
        else:
            return False  # tokens that do not expire (Mastodon) are refreshed only after a 401
        return when - self._now().timestamp() <= leeway

    async def _single_flight(self, account: Account, config: ClientConfig) -> Token:
        key = account.vault_key
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.create_task(self._refresh(account, config))
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._finished(key, done))
        return await asyncio.shield(task)

    def _finished(self, key: str, task: asyncio.Task[Token]) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()  # retrieved: every caller may have gone away

    def _reconnect(self, account: Account, reason: str) -> LinkError:
        with contextlib.suppress(KeyError):  # unlinked meanwhile
            self._store.set_state(account.id, AccountState.RECONNECT, reason)
        log.info("account %s needs reconnecting: %s", account.id, reason)
        return LinkError(reason)

    async def _refresh(self, account: Account, config: ClientConfig) -> Token:
        from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

        key = account.vault_key
        name = config.network_name
        stored = self._vault.get_token(key) or {}
        if config.renew_url:
            return await self._renew(account, config, stored)
        refresh_token = stored.get("refresh_token")
        if not isinstance(refresh_token, str) or not refresh_token:
            raise self._reconnect(
                account,
                f"{name} no longer accepts the saved sign-in and it cannot be renewed automatically "
                "(no refresh token); link the account again.",
            )
        secrets_in_play = (refresh_token, str(stored.get("access_token") or ""), config.client_secret or "")
        try:
            async with AsyncOAuth2Client(
                client_id=config.client_id,
                client_secret=config.client_secret,
                token_endpoint_auth_method=config.token_auth_method,
                **client_kwargs(headers=config.http_headers()),
            ) as client:
                answer: dict[str, Any] = dict(
                    await client.refresh_token(
                        config.token_url, refresh_token=refresh_token, **config.extra_token_params
                    )
                )
        except OAuthError as exc:
            current = self._vault.get_token(key) or {}
            rotated = current.get("refresh_token")
            if exc.error == "invalid_grant" and rotated and rotated != refresh_token:
                log.info(
                    "refresh for account %s lost a race with another process; using its token", account.id
                )
                return current
            reason = token_error_message(
                name,
                str(exc.error or ""),
                exc.description,
                what="saved sign-in",
                then="Link the account again.",
            )
            raise self._reconnect(account, scrub(reason, secrets_in_play)) from None
        except Exception as exc:
            if _refused(exc):
                reason = describe_http_failure(name, "token", exc, then="Link the account again.")
                raise self._reconnect(account, scrub(reason, secrets_in_play)) from None
            message = describe_http_failure(
                name, "token", exc, then="The token was not renewed; try again later."
            )
            raise LinkError(scrub(message, secrets_in_play)) from None
        if not answer.get("access_token"):
            raise LinkError(f"{name}: the token endpoint answered the refresh without an access token.")
        # Absent lifetimes are left out, so the merge keeps the stored ones (a kept refresh token);
        # a new refresh token with a documented lifetime makes the sign-in last longer.
        answer = with_expiry(answer, self._now().timestamp(), config.refresh_token_seconds)
        merged = self._vault.merge_token(key, answer)
        with contextlib.suppress(KeyError):  # the card shows when the renewed sign-in runs out
            self._store.set_expiry(account.id, token_expiry(merged))
        log.info("refreshed the token of account %s", account.id)
        return merged

    async def _renew(self, account: Account, config: ClientConfig, stored: Token) -> Token:
        """A token that renews itself (``config.renew_url``): GET with the token, the new one
        stored and the account's expiry moved. Refused while the old token still works (Meta
        renews only tokens at least a day old): the old one is kept and used. Refused after it
        ran out: the account needs linking again."""
        import httpx2

        name, access = config.network_name, str(stored.get("access_token") or "")
        if not access or not config.renew_url:
            raise self._reconnect(account, f"{name}: no saved sign-in to renew; link the account again.")
        params = {"grant_type": config.renew_grant, "access_token": access}
        try:
            async with httpx2.AsyncClient(**client_kwargs(headers=config.http_headers())) as client:
                response = await client.get(config.renew_url, params=params)
        except Exception as exc:
            message = describe_http_failure(
                name, "token", exc, then="The token was not renewed; try again later."
            )
            raise LinkError(scrub(message, (access,))) from None
        try:
            answer: dict[str, Any] = response.json() if response.status_code == 200 else {}
        except ValueError:
            answer = {}
        if not isinstance(answer, dict) or not answer.get("access_token"):
            still = not self._expiring(stored, account)
            if still and 400 <= response.status_code < 500:
                log.info("%s did not renew the token of account %s yet; it still works", name, account.id)
                return stored
            if 400 <= response.status_code < 500:
                raise self._reconnect(
                    account,
                    f"{name} no longer accepts the saved sign-in and would not renew it; "
                    "link the account again.",
                )
            raise LinkError(
                f"{name} did not renew the sign-in (HTTP {response.status_code}); try again later."
            )
        fresh = {k: v for k, v in answer.items() if k in ("access_token", "token_type", "expires_in")}
        with contextlib.suppress(TypeError, ValueError):
            fresh["expires_at"] = int(self._now().timestamp()) + int(answer.get("expires_in") or 0)
        merged = self._vault.merge_token(account.vault_key, fresh)
        expires = fresh.get("expires_at")
        if isinstance(expires, int) and answer.get("expires_in"):
            from datetime import UTC

            with contextlib.suppress(KeyError):  # the card shows the new end date
                self._store.upsert_account(
                    account.network,
                    account.remote_id,
                    account.handle,
                    account.display_name,
                    account.instance,
                    account.avatar_url,
                    expires_at=datetime.fromtimestamp(expires, UTC),
                )
        log.info("renewed the token of account %s", account.id)
        return merged


def _refused(exc: BaseException) -> bool:
    """A 4xx other than 429 from the token endpoint: the network said no, not "later"."""
    import httpx2

    if isinstance(exc, httpx2.HTTPStatusError):
        status = exc.response.status_code
        return 400 <= status < 500 and status != 429
    return False
