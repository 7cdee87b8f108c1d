"""A network whose card exists but whose linking is not in this version, for the tests of what
such a card, ``link`` and ``begin_link`` say. Found, not named: networks gain their sign-in one by
one, and the tests should go on testing the "not built" path while any network is on it."""

from __future__ import annotations

from collections.abc import Collection

from providers import catalog, networks
from providers.spec import Availability, NetworkSpec


def unbuilt_network(besides: Collection[str] = ()) -> NetworkSpec:
    """The first available network that cannot be linked here, other than ``besides`` (e.g. the
    networks tests/seed.py gives an account, whose cards show that account instead)."""
    return next(
        spec
        for spec in catalog.all_networks()
        if spec.availability is Availability.AVAILABLE
        and spec.id not in besides
        and not networks.can_link(spec.id)
    )
