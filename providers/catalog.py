"""The network catalog: every network's spec, in display order, read from the network packages
(``providers/networks/<id>/spec.py``, listed in :data:`providers.networks.ORDER`).

Network names and facts live only in those packages; everything else asks the catalog.
"""

from __future__ import annotations

import importlib
from functools import cache

from providers import networks
from providers.spec import NetworkSpec


@cache
def all_networks() -> tuple[NetworkSpec, ...]:
    return tuple(importlib.import_module(networks.module_name(n, "spec")).SPEC for n in networks.ORDER)


def ids() -> tuple[str, ...]:
    return tuple(spec.id for spec in all_networks())


def canonical(text: str) -> str:
    """A network id as a person may type it (``MASTODON``, `` Google_Business ``) in the catalog's
    spelling, so every command matches ids the same way."""
    return text.strip().lower().replace("_", "-")


def find(text: str) -> NetworkSpec | None:
    """The network ``text`` names (see :func:`canonical`), or None."""
    wanted = canonical(text)
    return next((spec for spec in all_networks() if spec.id == wanted), None)


def get(network_id: str) -> NetworkSpec:
    """The network ``network_id`` names (matched as :func:`canonical` spells it); UsageError for
    one linkdeck does not know."""
    spec = find(network_id)
    if spec is not None:
        return spec
    from providers.errors import UsageError

    raise UsageError(
        f"unknown network {network_id!r}",
        hint="Known networks: " + ", ".join(ids()),
    )
