"""Which emulated network answers for which host segment, read from the network packages.

Each network with a ``sandbox.py`` (providers/networks/<id>/) declares its ``EMULATOR`` class, the
exact ``HOSTS`` it answers for, and ``FIRST_LABELS``: first DNS labels that make any host its
instance in direct mode (``pixelfed.anything`` is Pixelfed). The one that sets ``CATCH_ALL`` answers
every other host, because per-instance networks can live on any domain. ``SHARED`` (optional): the
emulators of providers.emulation a network signs in through that are no network of their own
(Google's sign-in, for YouTube and Google Business Profile): each is served once, on its ``hosts``,
so no network claims another's sign-in hosts. ``POST
/__sandbox__/instance {"host": …, "kind": …}`` overrides the choice for one host at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from providers import networks
from providers.emulation.framework import Emulator
from providers.emulation.grants import Clock

Factory = Callable[[str, Clock], Emulator]


@dataclass(frozen=True)
class Emulators:
    factories: dict[str, Factory]
    hosts: dict[str, str]  # exact host name → network id
    first_labels: dict[str, str]  # first DNS label → network id
    catch_all: str | None


@cache
def emulators() -> Emulators:
    factories: dict[str, Factory] = {}
    hosts: dict[str, str] = {}
    labels: dict[str, str] = {}
    catch_all: str | None = None
    for package in networks.ORDER:
        module = networks.part(package, networks.SANDBOX)
        if module is None:
            continue
        network_id = module.EMULATOR.kind
        factories[network_id] = module.EMULATOR
        hosts.update(dict.fromkeys(module.HOSTS, network_id))
        labels.update(dict.fromkeys(module.FIRST_LABELS, network_id))
        if module.CATCH_ALL:
            catch_all = network_id
        for shared in getattr(module, "SHARED", ()):
            factories[shared.kind] = shared
            hosts.update(dict.fromkeys(shared.hosts, shared.kind))
    return Emulators(factories, hosts, labels, catch_all)


def kinds() -> list[str]:
    return list(emulators().factories)


def kind_for(host: str) -> str:
    found = emulators()
    name = host.split(":")[0].lower()
    if name in found.hosts:
        return found.hosts[name]
    kind = found.first_labels.get(name.split(".")[0], found.catch_all)
    if kind is None:
        raise KeyError(f"no emulated network answers for {host!r}")
    return kind


def create(host: str, clock: Clock, kind: str | None = None) -> Emulator:
    kind = kind or kind_for(host)
    factories = emulators().factories
    if kind not in factories:
        raise KeyError(f"no emulated network {kind!r}; known: {', '.join(factories)}")
    return factories[kind](host, clock)
