"""Reading an account's posting quota from its network now (:mod:`providers.quotas` keeps it),
with the outbox's tokens (renewed first when about to expire)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from providers.quotas import age, reads_quota, remember

if TYPE_CHECKING:
    from providers.auth.refresh import TokenKeeper
    from providers.interface import Quota
    from providers.store import Account, Store
    from providers.vault import Vault

log = logging.getLogger("linkdeck.quotas")


async def refresh(
    account: Account, *, store: Store, vault: Vault, keeper: TokenKeeper | None = None
) -> Quota | None:
    """Ask the network for ``account``'s quota now and keep it; None when the network does not
    report one or the answer could not be had (the card then shows the last figure or none)."""
    if not reads_quota(account.network):
        return None
    from providers.http import async_client
    from providers.networks.registry import publisher_for
    from providers.outbox.tokens import Tokens

    try:
        token = await Tokens(store, vault, keeper).get(account)
        async with async_client() as client:
            publisher = publisher_for(account.network, client=client)
            found = None if publisher is None else await publisher.quota(account, token)
    except Exception as exc:  # a card's figure: never worth an error dialog
        log.info("%s: the posting quota could not be read (%s)", account.network, type(exc).__name__)
        return None
    if found is not None:
        remember(account, found)
    return found


async def refresh_all(
    *, store: Store, vault: Vault, keeper: TokenKeeper | None = None, unless_newer_than: float = 0.0
) -> dict[int, Quota]:
    """Every linked account's quota whose network reports one, read now; an account whose figure
    this process read less than ``unless_newer_than`` seconds ago is left alone (a screen that
    comes back after each dialog does not ask Meta every time)."""
    from providers.store.models import AccountState

    found: dict[int, Quota] = {}
    for account in store.accounts():
        recent = age(account)
        if recent is not None and recent < unless_newer_than:
            continue
        if account.state == AccountState.LINKED and reads_quota(account.network):
            quota = await refresh(account, store=store, vault=vault, keeper=keeper)
            if quota is not None:
                found[account.id] = quota
    return found
