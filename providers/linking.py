"""The engine's entry points for linking an account and choosing its target.

The OAuth engine (loopback listener, paste-back, device flow) arrives with the linking work; until
a network's route exists these say so plainly instead of pretending.
"""

from __future__ import annotations

from providers import catalog
from providers.catalog.spec import AuthKind
from providers.errors import NotBuiltYet, SetupError
from providers.overview import needs_setup
from providers.settings import Settings


def check_linkable(network_id: str, settings: Settings) -> None:
    """Raise a clear error when ``network_id`` cannot be linked right now."""
    spec = catalog.get(network_id)
    if spec.availability_reason and spec.availability != "available":
        raise SetupError(f"{spec.name} is {spec.availability}: {spec.availability_reason}")
    stored = _stored_secret(spec.id) if spec.auth is AuthKind.API_KEY else frozenset()
    reason = needs_setup(spec, settings, stored)
    if reason:
        raise SetupError(reason, hint=f"`linkdeck doctor` and Help → {spec.name} explain the set-up.")


def _stored_secret(network_id: str) -> frozenset[str]:
    return stored_secrets([network_id])


def stored_secrets(network_ids: list[str]) -> frozenset[str]:
    """Which of ``network_ids`` have a secret in the keyring (none when there is no keyring)."""
    from providers.errors import KeyringUnavailable
    from providers.vault import Vault

    vault = Vault()
    try:
        return frozenset(n for n in network_ids if vault.get_client_secret(n))
    except KeyringUnavailable:
        return frozenset()


def start_link(network_id: str, settings: Settings) -> None:
    check_linkable(network_id, settings)
    spec = catalog.get(network_id)
    raise NotBuiltYet(
        f"Linking {spec.name} is not built yet in this version of linkdeck.",
        hint="It arrives with the OAuth engine; nothing was stored.",
    )


def choose_target(network_id: str, account_id: int) -> None:
    spec = catalog.get(network_id)
    raise NotBuiltYet(f"Changing the {spec.name} target is not built yet in this version of linkdeck.")
