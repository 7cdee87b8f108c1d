"""What each network's card shows: one state per network, computed from the catalog, the
settings and the store. Cheap by design (no keyring, no network) because it runs at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from providers import brokers, catalog, clock, networks
from providers.spec import AuthKind, Availability, NetworkSpec
from providers.store.models import AccountState

if TYPE_CHECKING:
    from providers.interface import Quota
    from providers.settings import Settings
    from providers.store import Account, Store


class CardState(StrEnum):
    NOT_LINKED = "not_linked"
    LINKED = "linked"
    RECONNECT = "reconnect"
    NEEDS_SETUP = "needs_setup"
    NOT_BUILT = "not_built"  # linkdeck cannot link it yet: said before anyone sets anything up
    UNAVAILABLE = "unavailable"


STATE_LABELS = {
    CardState.NOT_LINKED: "not linked",
    CardState.LINKED: "linked",
    CardState.RECONNECT: "reconnect needed",
    CardState.NEEDS_SETUP: "needs setup",
    CardState.NOT_BUILT: "not in this version",
    CardState.UNAVAILABLE: "unavailable",
}


@dataclass(frozen=True)
class Card:
    spec: NetworkSpec
    state: CardState
    accounts: tuple[Account, ...] = ()
    reason: str = ""
    expiring_soon: bool = False
    # Whole days until the first account's sign-in runs out, for networks that warn before it
    # does (``spec.warn_before_expiry_days``: LinkedIn's 60-day tokens); None otherwise.
    days_left: int | None = None
    # The first account's posting quota as last read (providers.quotas), for networks whose
    # publisher reports one (Instagram, Threads); None when unknown or older than its window.
    quota: Quota | None = None
    # The brokers this network can be linked through now (their key is set up), and those that
    # would but cannot here, with why ("Link via Ayrshare" on the card's details).
    routes: tuple[brokers.Route, ...] = ()

    @property
    def label(self) -> str:
        if self.state is CardState.UNAVAILABLE:  # "legacy" or "unavailable", as the spec says
            return str(self.spec.availability)
        return STATE_LABELS[self.state]

    @property
    def account(self) -> Account | None:
        return self.accounts[0] if self.accounts else None

    def via(self, account: Account) -> str:
        """The broker's name when ``account`` is this network linked through one ('' otherwise)."""
        return "" if account.network == self.spec.id else catalog.get(account.network).name


def not_built_reason(spec: NetworkSpec) -> str:
    return f"Linking {spec.name} is not in this version of linkdeck."


def needs_setup(spec: NetworkSpec, settings: Settings, stored_secrets: frozenset[str] = frozenset()) -> str:
    """Why this network cannot be linked yet ('' when it can). ``stored_secrets``: ids of networks
    whose secret the keyring is known to hold (the keyring is not asked here: this runs at start-up)."""
    if spec.auth is AuthKind.API_KEY:
        if settings.client_secret_from_env(spec.id) or spec.id in stored_secrets:
            return ""
        return f"{spec.name} needs your API key: `linkdeck config set-secret {spec.id}`."
    if spec.capabilities.needs_developer_app and not settings.network(spec.id).client_id:
        return f"{spec.name} needs your own developer app's client id."
    return ""


def setup_steps(spec: NetworkSpec) -> str:
    """How a developer-app network is set up from the command line (where the app is made, then
    the two commands), for messages that cannot point at a screen."""
    where = f"Create the app at {spec.developer_url}, then set" if spec.developer_url else "Set"
    secret = (
        f", and its secret with `linkdeck config set-secret {spec.id}`"
        if spec.capabilities.needs_client_secret
        else ""
    )
    return f"{where} its client id with `linkdeck config set {spec.id} client_id ID`{secret}."


def legacy_open(spec: NetworkSpec, settings: Settings, stored_secrets: frozenset[str] = frozenset()) -> bool:
    """Whether a legacy network opens for this user: linkdeck can link it, and the user has set
    up the developer app it needs (an app from before the network closed its API to new ones)."""
    return (
        spec.availability is Availability.LEGACY
        and networks.can_link(spec.id)
        and not needs_setup(spec, settings, stored_secrets)
    )


def availability_reason(spec: NetworkSpec) -> str:
    """Why the network cannot be linked as it is, and, for a legacy network linkdeck can link,
    what opens it."""
    if spec.availability is Availability.LEGACY and networks.can_link(spec.id):
        return (
            f"{spec.availability_reason} With a project that still has that access, set its client id "
            f"(`linkdeck config set {spec.id} client_id ID`) and secret (`linkdeck config set-secret "
            f"{spec.id}`)."
        )
    return spec.availability_reason


def card_for(
    spec: NetworkSpec,
    settings: Settings,
    accounts: list[Account],
    now: datetime,
    stored_secrets: frozenset[str] = frozenset(),
) -> Card:
    """The card of ``spec`` with its ``accounts``: its own, then those linked through a broker."""
    card = _card_for(spec, settings, accounts, now, stored_secrets)
    routes = tuple(
        r for r in brokers.routes_to(spec.id) if not needs_setup(r.broker, settings, stored_secrets)
    )
    return replace(card, routes=routes) if routes else card


def _card_for(
    spec: NetworkSpec,
    settings: Settings,
    accounts: list[Account],
    now: datetime,
    stored_secrets: frozenset[str],
) -> Card:
    if spec.availability is not Availability.AVAILABLE and not (
        accounts or legacy_open(spec, settings, stored_secrets)
    ):
        return Card(spec, CardState.UNAVAILABLE, tuple(accounts), availability_reason(spec))
    if accounts:
        broken = [a for a in accounts if a.state != AccountState.LINKED or _expired(a, now)]
        if broken:
            reason = broken[0].state_reason or "the token expired"
            return Card(spec, CardState.RECONNECT, tuple(accounts), reason)
        # A network linked through a broker warns as the broker says (Ayrshare: a week before).
        warn = {a.id: catalog.get(a.network).warn_before_expiry_days for a in accounts}
        soon = any(
            a.expires_at and warn[a.id] and a.expires_at - now < timedelta(days=warn[a.id] or 0)
            for a in accounts
        )
        ends = [a.expires_at for a in accounts if a.expires_at is not None and warn[a.id]]
        left = int((min(ends) - now) / timedelta(days=1)) if ends else None
        from providers.quotas import remembered

        return Card(
            spec,
            CardState.LINKED,
            tuple(accounts),
            expiring_soon=soon,
            days_left=left,
            quota=remembered(accounts[0]),
        )
    if not networks.can_link(spec.id):  # before set-up: nothing invites work that cannot pay off
        return Card(spec, CardState.NOT_BUILT, (), not_built_reason(spec))
    reason = needs_setup(spec, settings, stored_secrets)
    if reason:
        return Card(spec, CardState.NEEDS_SETUP, (), reason)
    return Card(spec, CardState.NOT_LINKED)


def cards(
    settings: Settings,
    store: Store,
    now: datetime | None = None,
    stored_secrets: frozenset[str] = frozenset(),
    *,
    brand_id: int | None = None,
) -> list[Card]:
    """One card per network; with ``brand_id``, as if that brand's accounts were the only ones."""
    now = now or clock.now()
    by_network: dict[str, list[Account]] = {}
    brokered: dict[str, list[Account]] = {}
    for account in store.accounts() if brand_id is None else store.accounts_in(brand_id):
        by_network.setdefault(account.network, []).append(account)
        through = brokers.network_of(account)
        if through is not None:  # also on the card of the network it posts to, after its own
            brokered.setdefault(through, []).append(account)
    for network, extra in brokered.items():
        by_network.setdefault(network, []).extend(extra)
    return [
        card_for(spec, settings, by_network.get(spec.id, []), now, stored_secrets)
        for spec in catalog.all_networks()
    ]


def secret_networks() -> list[NetworkSpec]:
    """Networks whose set-up is a secret in the keyring (an API key), worth checking after start-up."""
    return [spec for spec in catalog.all_networks() if spec.auth is AuthKind.API_KEY]


def _expired(account: Account, now: datetime) -> bool:
    return account.expires_at is not None and account.expires_at <= now
