"""Storing a finished link: the token in the keyring first, then the account row, its targets and
its avatar; nothing is left half-way (a failed row removes the token it was stored with)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from providers.interface import Authorized, Profile
    from providers.spec import NetworkSpec
    from providers.store import Account, Store, Target
    from providers.vault import Vault

log = logging.getLogger("linkdeck.linking")


async def record_link(
    spec: NetworkSpec,
    authorized: Authorized,
    profile: Profile,
    store: Store,
    vault: Vault,
    brand_id: int | None = None,
) -> tuple[Account, list[Target]]:
    """The stored account, and the targets to choose from when there are several (one target is
    chosen at once). The account goes into ``brand_id`` (``--brand``), or, when the network names
    the brand itself (``profile.brand``: an Ayrshare User Profile), into the brand of that name,
    made when new: a profile is one brand, whatever was asked. Neither: a new account goes into the
    default brand and one linked again stays where it was."""
    from providers.auth.types import token_expiry
    from providers.avatars import cache_avatar
    from providers.store.models import identity_key

    instance, token = authorized.instance, authorized.token
    await cache_avatar(store, profile.avatar_url)
    key = identity_key(spec.id, instance, profile.remote_id)
    if profile.brand:  # before the token is stored: a name the rules refuse stops here
        brand_id = store.add_brand(profile.brand, exist_ok=True).id
    vault.set_token(key, token)  # the keyring first: no account row without its token
    try:
        account = store.upsert_account(
            spec.id,
            profile.remote_id,
            handle=profile.handle,
            display_name=profile.display_name,
            instance=instance,
            avatar_url=profile.avatar_url,
            expires_at=token_expiry(token),
            brand_id=brand_id,
        )
        choices: list[Target] = []
        if profile.targets:
            store.set_targets(account.id, profile.targets)
            choices = store.targets(account.id)
            if len(choices) == 1:
                only = choices[0]
                account = store.set_target(account.id, only.kind, only.target_id, only.name)
                choices = []
    except BaseException:
        if store.find_account(spec.id, profile.remote_id, instance) is None:
            vault.delete_token(key)
        raise
    log.info("linked a %s account", spec.name)
    return account, choices
