"""Networks linked through a broker: a service that links and posts to other networks for the
user with one key of its own (its spec's ``broker``). A network's card and ``linkdeck link NETWORK
--via BROKER`` ask here which brokers offer that network; nothing outside the broker's package
names the networks it offers.

A network linked that way is an account of the broker (its token is the broker's), whose target
is the broker's name for the network; :func:`network_of` says which card it also shows on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from providers import catalog
from providers.errors import UsageError

if TYPE_CHECKING:
    from providers.spec import NetworkSpec
    from providers.store import Account


@dataclass(frozen=True)
class Route:
    """One broker's way to a network. ``refused``: why it cannot be used here ('' when it can)."""

    broker: NetworkSpec
    network_id: str
    refused: str = ""

    @property
    def label(self) -> str:
        return f"Link via {self.broker.name}"

    @property
    def preset(self) -> dict[str, str]:
        """The broker sign-in's answer naming the network (that question is then not asked)."""
        routes = self.broker.broker
        assert routes is not None
        return {routes.network_field: routes.offers[self.network_id]}


def brokers() -> tuple[NetworkSpec, ...]:
    return tuple(spec for spec in catalog.all_networks() if spec.broker is not None)


def routes_to(network_id: str) -> tuple[Route, ...]:
    """Every broker's way to ``network_id``: the ones offered, and the refused ones with why."""
    found: list[Route] = []
    for broker in brokers():
        assert broker.broker is not None
        if broker.id == network_id:
            continue
        if network_id in broker.broker.offers:
            found.append(Route(broker, network_id))
        elif network_id in broker.broker.refused:
            found.append(Route(broker, network_id, broker.broker.refused[network_id]))
    return tuple(found)


def route(network_id: str, broker_id: str) -> Route:
    """The way to ``network_id`` through ``broker_id``; UsageError naming the rule when there is
    none (the broker does not offer that network, or is no broker)."""
    network, broker = catalog.get(network_id), catalog.get(broker_id)
    if broker.broker is None:
        names = ", ".join(b.id for b in brokers())
        raise UsageError(f"{broker.name} does not link other networks", hint=f"--via takes: {names}")
    for found in routes_to(network.id):
        if found.broker.id == broker.id:
            if found.refused:
                raise UsageError(found.refused)
            return found
    offered = ", ".join(broker.broker.offers)
    raise UsageError(
        f"{broker.name} does not offer {network.name}",
        hint=f"Through {broker.name}: {offered}. Link {network.name} with `linkdeck link {network.id}`.",
    )


def network_of(account: Account) -> str | None:
    """The network an account of a broker posts to (None for an account of any other network)."""
    spec = catalog.find(account.network)
    if spec is None or spec.broker is None or not account.target_id:
        return None
    return spec.broker.network_of(account.target_id)
