"""Making a network's sign-in and publisher from its package (found by :mod:`providers.networks`).

Apart from the folder discovery because these need the engine's types (the store, the vault, the
settings), which the sandbox, also a user of the discovery, must not reach.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from providers.networks import LINK, PUBLISH, part, spec_of

if TYPE_CHECKING:
    import httpx2

    from providers.interface import Publisher, SignIn
    from providers.settings import Settings
    from providers.store import Store
    from providers.vault import Vault


def sign_in_for(network_id: str, *, settings: Settings, store: Store, vault: Vault) -> SignIn | None:
    """The network's sign-in, or None when linking it is not built. ``store`` and ``vault`` hold
    what a sign-in caches (registered apps, client secrets)."""
    module = part(network_id, LINK)
    if module is None:
        return None
    factory: type[SignIn] = module.SIGN_IN
    return factory(spec_of(network_id), store, vault, settings)


def publisher_for(network_id: str, *, client: httpx2.AsyncClient) -> Publisher | None:
    """The network's publisher sharing ``client`` (one connection pool per run), or None when
    publishing to it is not built."""
    module = part(network_id, PUBLISH)
    if module is None:
        return None
    factory: type[Publisher] = module.PUBLISHER
    return factory(spec_of(network_id), client)
