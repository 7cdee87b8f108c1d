"""Access tokens for one run of the outbox: read once per account, refreshed once after a 401.

Why a cache: the keyring is a D-Bus round trip; a run that sends 500 deliveries to 5 accounts
reads 5 tokens, not 500. Refreshing goes through :class:`~providers.auth.refresh.TokenKeeper`
(single-flight, never overwrites a refresh token with an empty one); it needs the network's
client config, which the network's linking adapter gives from its cached app registration.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from providers import clock
from providers.auth.types import ClientConfig, Token
from providers.errors import LinkError

if TYPE_CHECKING:
    from providers.auth.refresh import TokenKeeper
    from providers.store import Account, Store
    from providers.vault import Vault


class Tokens:
    def __init__(self, store: Store, vault: Vault, keeper: TokenKeeper | None = None) -> None:
        self._store = store
        self._vault = vault
        self._given_keeper = keeper
        self._tokens: dict[str, asyncio.Future[Token]] = {}
        self._configs: dict[str, ClientConfig] = {}

    @property
    def _keeper(self) -> TokenKeeper:
        if self._given_keeper is None:
            from providers.auth.refresh import TokenKeeper

            self._given_keeper = TokenKeeper(self._vault, self._store)
        return self._given_keeper

    async def config(self, account: Account) -> ClientConfig:
        """The client config for refreshing (cached per account key)."""
        from providers.networks.registry import sign_in_for

        key = account.vault_key
        if key not in self._configs:
            sign_in = sign_in_for(
                account.network, settings=self._vault.settings, store=self._store, vault=self._vault
            )
            if sign_in is None:
                raise LinkError(f"{account.network}: linkdeck cannot renew this account's sign-in.")
            stored = self._vault.get_token(key) or {}
            self._configs[key] = await sign_in.refresh_config_for(stored, account.instance)
        return self._configs[key]

    async def get(self, account: Account) -> Token:
        """The account's token (refreshed first if it is about to expire). Raises LinkError (the
        account is set to reconnect when the network refused) or KeyringUnavailable."""
        key = account.vault_key
        future = self._tokens.get(key)
        if future is None:
            future = asyncio.ensure_future(self._fetch(account))
            self._tokens[key] = future
        try:
            return await asyncio.shield(future)
        except BaseException:
            if self._tokens.get(key) is future and future.done():
                del self._tokens[key]  # a later delivery may try again (e.g. the keyring came back)
            raise

    async def _fetch(self, account: Account) -> Token:
        token = self._vault.get_token(account.vault_key)
        if token is None:
            return await self._keeper.fresh_token(account, await self._bare_config(account))
        if _expiring_soon(token):
            return await self._keeper.fresh_token(account, await self.config(account))
        ahead = token.get("renew_ahead_seconds")  # a token that renews itself ahead of its end
        if isinstance(ahead, int) and not isinstance(ahead, bool) and _expiring_soon(token, ahead):
            try:
                config = await self.config(account)
            except Exception:
                return token  # not renewable here now (no client id): it still works as it is
            return await self._keeper.fresh_token(account, config)
        return token

    async def after_unauthorized(self, account: Account, rejected: Token) -> Token:
        """A refreshed token after a 401 (once per failed request). Raises LinkError when the
        account must be linked again (TokenKeeper has set it to "reconnect")."""
        token = await self._keeper.after_unauthorized(
            account, await self.config(account), rejected_access_token=str(rejected.get("access_token") or "")
        )
        self._tokens[account.vault_key] = asyncio.get_running_loop().create_future()
        self._tokens[account.vault_key].set_result(token)
        return token

    async def _bare_config(self, account: Account) -> ClientConfig:
        """Enough config for TokenKeeper to word its "no saved sign-in" error without a network call."""
        from providers import catalog

        name = catalog.get(account.network).name
        return ClientConfig(network_name=name, client_id="", authorize_url="", token_url="")


def _expiring_soon(token: Token, leeway: float | None = None) -> bool:
    from providers.auth.refresh import LEEWAY_SECONDS

    expires_at = token.get("expires_at")
    if isinstance(expires_at, int | float) and not isinstance(expires_at, bool):
        return float(expires_at) - clock.timestamp() <= (LEEWAY_SECONDS if leeway is None else leeway)
    return False
