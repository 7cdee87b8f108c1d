"""The networks linkdeck knows: one package each, shown in :data:`ORDER`.

A network is one folder, ``providers/networks/<id>/``::

    spec.py      SPEC: the declarative NetworkSpec (facts with their sources)      always
    link.py      SIGN_IN: its sign-in class (on a base from providers.signin)       when linking is built
    publish.py   PUBLISHER: its publisher class (providers.interface.Publisher)      when publishing is built
    sandbox.py   EMULATOR, HOSTS, FIRST_LABELS: its emulation in the sandbox        when there is one
    *.py         anything else only that network needs (Bluesky's DPoP, XRPC, facets)

and one line here, its id in :data:`ORDER`. Everything else (the catalog, the cards, the command
line, the outbox, the sandbox, the contract tests) finds it from there.

Why the registry looks at the folder instead of importing it: the Accounts screen must know at
start-up which networks can be linked and published to, and start-up must not grow with the number
of networks. ``importlib.util.find_spec`` answers "is there a link.py?" from the file system without
running it; the module is imported only when a link, a post or the sandbox needs it.

This module knows only the folders (it imports nothing of the engine, so the sandbox can use it);
:mod:`providers.networks.registry` makes a network's sign-in and publisher from them.
"""

from __future__ import annotations

import importlib
import importlib.util
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from providers.spec import NetworkSpec

# The order cards are shown in, by package name. Adding a network: its folder, and its name here.
ORDER: tuple[str, ...] = (
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

LINK, PUBLISH, SANDBOX = "link", "publish", "sandbox"


def package_of(network_id: str) -> str:
    """The package of a network id (ids may have ``-``, as ``google-business``; packages cannot)."""
    return network_id.replace("-", "_")


def module_name(network_id: str, part: str) -> str:
    return f"{__name__}.{package_of(network_id)}.{part}"


@cache
def has(network_id: str, part: str) -> bool:
    """Whether the network's package has ``part`` (link, publish, sandbox), without importing it."""
    if package_of(network_id) not in ORDER:
        return False
    return importlib.util.find_spec(module_name(network_id, part)) is not None


def part(network_id: str, name: str) -> ModuleType | None:
    """The network's ``name`` module, imported on first use; None when the network has none."""
    if not has(network_id, name):
        return None
    return importlib.import_module(module_name(network_id, name))


def spec_of(network_id: str) -> NetworkSpec:
    """The network's spec (KeyError for a network linkdeck does not know)."""
    module = part(network_id, "spec")
    if module is None:
        raise KeyError(network_id)
    spec: NetworkSpec = module.SPEC
    return spec


def can_link(network_id: str) -> bool:
    return has(network_id, LINK)


def can_publish(network_id: str) -> bool:
    return has(network_id, PUBLISH)
