"""Linking an account, start to finish: the one engine the Link window and the command line share.

Both front ends must behave the same way: check the network can be linked here, run its sign-in
(providers.networks' registry finds it; providers.signin holds the bases it is built on), read who
signed in, cache the avatar, then store the account in SQLite and the token in the keyring only.
The sign-in talks to the user through the session, as typed steps (:mod:`.steps`); front ends
render each step and answer the ones that ask.

Public API::

    session = await begin_link(network_id, *, settings, store, vault, instance=None,
                               open_browser=None, relay_uri=None, preset=None)
    async for step in session.steps(): …     # AskInstance, AskFields, ShowAddress, ShowDeviceCode,
                                            # Working, ChooseTarget, then Linked or Failed
    await session.cancel()
    check_linkable(network_id, settings); resolve_instance(spec, instance, settings)
    stored_secrets(network_ids); choose_target(network_id, account_id)

``open_browser`` is the caller's way to open a URL (App.open_url, or the CLI's): pass None with
--no-browser, over SSH or without a display, and the address is only shown. ``relay_uri``: the
served page's callback under ``linkdeck serve``, for sign-ins that can use it. ``preset``: answers
to the sign-in's fields given beforehand (a broker's network from ``providers.brokers``), not asked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from providers import catalog
from providers.errors import NotBuiltYet
from providers.linking import steps
from providers.linking.checks import check_linkable, choose_target, resolve_instance, stored_secrets
from providers.linking.session import LinkSession

if TYPE_CHECKING:
    from providers.settings import Settings
    from providers.store import Store
    from providers.vault import Vault

__all__ = [
    "LinkSession",
    "begin_link",
    "check_linkable",
    "choose_target",
    "resolve_instance",
    "steps",
    "stored_secrets",
]


async def begin_link(
    network_id: str,
    *,
    settings: Settings,
    store: Store,
    vault: Vault,
    instance: str | None = None,
    open_browser: Callable[[str], object] | None = None,
    relay_uri: str | None = None,
    brand: str | None = None,
    preset: Mapping[str, str] | None = None,
) -> LinkSession:
    """A link session for ``network_id``, not started yet (its first step starts it). A network
    that cannot be linked here, or a malformed ``instance``, raises at once (SetupError,
    NotBuiltYet, UsageError), before anything is shown or stored; so does an unknown ``brand`` (the
    name of the brand the account goes into, in any case or spacing)."""
    from providers.networks.registry import sign_in_for

    check_linkable(network_id, settings)
    spec = catalog.get(network_id)
    sign_in = sign_in_for(spec.id, settings=settings, store=store, vault=vault)
    if sign_in is None:
        raise NotBuiltYet(
            f"Linking {spec.name} is not built yet in this version of linkdeck.", hint="Nothing was stored."
        )
    brand_id = store.brand(brand).id if brand is not None else None
    given = resolve_instance(spec, instance, settings) if instance else None
    return LinkSession(
        spec,
        sign_in,
        settings=settings,
        store=store,
        vault=vault,
        instance=given,
        open_browser=open_browser,
        relay_uri=relay_uri,
        brand_id=brand_id,
        preset=preset,
    )
