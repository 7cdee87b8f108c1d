"""Addresses on a per-instance network's server: a spec's ``{instance}`` templates filled in, and
a server address as messages show it. Apart from the catalog so that the base sign-ins and
publishers, which the network packages are built on, need nothing that lists the networks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from providers.spec import NetworkSpec


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


def instance_label(instance: str) -> str:
    """``https://mastodon.social`` → ``mastodon.social`` (the path stays, for sandbox URLs)."""
    from urllib.parse import urlsplit

    parts = urlsplit(instance)
    return f"{parts.netloc}{parts.path}".rstrip("/") or instance
