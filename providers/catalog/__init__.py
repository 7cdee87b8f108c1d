"""The network catalog: every network linkdeck knows, one module each, in display order.

Network names and facts live only in these modules; everything else asks the catalog.
"""

from __future__ import annotations

import importlib
from functools import cache

from providers.catalog.spec import NetworkSpec

# Module names in the order cards are shown.
MODULES: tuple[str, ...] = (
    "mastodon",
    "pixelfed",
    "bluesky",
    "x",
    "facebook",
    "instagram",
    "threads",
    "linkedin",
    "tumblr",
    "flickr",
    "pinterest",
    "youtube",
    "google_business",
    "reddit",
    "telegram",
    "foursquare",
    "ayrshare",
)


@cache
def all_networks() -> tuple[NetworkSpec, ...]:
    return tuple(importlib.import_module(f"providers.catalog.{m}").SPEC for m in MODULES)


def ids() -> tuple[str, ...]:
    return tuple(spec.id for spec in all_networks())


def get(network_id: str) -> NetworkSpec:
    for spec in all_networks():
        if spec.id == network_id:
            return spec
    from providers.errors import UsageError

    raise UsageError(
        f"unknown network {network_id!r}",
        hint="Known networks: " + ", ".join(ids()),
    )


def for_instance(template: str | None, instance: str | None) -> str | None:
    """Fill ``{instance}`` in a per-instance URL; None when the instance is not known."""
    if not template:
        return None
    if "{instance}" not in template:
        return template
    if not instance:
        return None
    return template.replace("{instance}", instance.rstrip("/"))


def settings_url_for(spec: NetworkSpec, instance: str | None = None) -> str | None:
    """The user's own page for removing linkdeck's access at this network."""
    return for_instance(spec.settings_url, instance)
