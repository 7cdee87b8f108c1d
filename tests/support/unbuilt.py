"""A network whose card exists but whose linking and publishing are not in this version, for the
tests of what such a card, ``link``, ``post`` and ``begin_link`` say.

Every network in the catalog is built now, but the "not in this version" path stays: the next
network added to the catalog starts on it. So the tests take a real unbuilt network when there is
one, and otherwise make a stand-in: :func:`pretend_unbuilt` hides one network's link, publish and
sandbox modules from :func:`providers.networks.has` (the one place every part of linkdeck asks) for
the length of a block. In this process only: a test that runs ``linkdeck`` as a subprocess can use
:data:`REAL`, which is None when nothing is unbuilt.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager

from providers import catalog, networks
from providers.spec import Availability, NetworkSpec


def _real(besides: Collection[str] = ()) -> NetworkSpec | None:
    return next(
        (
            spec
            for spec in catalog.all_networks()
            if spec.availability is Availability.AVAILABLE
            and spec.id not in besides
            and not networks.can_link(spec.id)
        ),
        None,
    )


REAL = _real()  # a network really unbuilt in this version, if any (for subprocess tests)


def unbuilt_network(besides: Collection[str] = ()) -> NetworkSpec:
    """A real unbuilt network other than ``besides`` (e.g. the networks tests/seed.py gives an
    account), else the last available one, to be used inside :func:`pretend_unbuilt`."""
    real = _real(besides)
    if real is not None:
        return real
    return [
        s for s in catalog.all_networks() if s.availability is Availability.AVAILABLE and s.id not in besides
    ][-1]


@contextmanager
def pretend_unbuilt(network_id: str) -> Iterator[None]:
    """For the block, ``network_id`` has no link, publish or sandbox part, as an unbuilt network."""
    real_has = networks.has
    hidden = networks.package_of(network_id)

    def has(other: str, part: str) -> bool:
        if networks.package_of(other) == hidden and part in (
            networks.LINK,
            networks.PUBLISH,
            networks.SANDBOX,
        ):
            return False
        return real_has(other, part)

    networks.has = has  # type: ignore[assignment]
    try:
        yield
    finally:
        networks.has = real_has
