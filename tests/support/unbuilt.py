"""A network whose card exists but whose linking is not in this version, for the tests of what
such a card, ``link`` and ``begin_link`` say. Found, not named: networks gain their sign-in one by
one, and the tests should go on testing the "not built" path while any network is on it."""

from __future__ import annotations

from providers import catalog, networks
from providers.spec import Availability, NetworkSpec


def unbuilt_network() -> NetworkSpec:
    return next(
        spec
        for spec in catalog.all_networks()
        if spec.availability is Availability.AVAILABLE and not networks.can_link(spec.id)
    )
