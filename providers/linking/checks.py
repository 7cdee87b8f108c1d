"""What is checked before a link starts: the network can be linked here, and the server address
the user gave is a plain https address (plain http only for loopback servers such as the sandbox).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from providers import catalog, networks
from providers.errors import NotBuiltYet, SetupError, UsageError
from providers.overview import (
    availability_reason,
    legacy_open,
    needs_setup,
    not_built_reason,
    setup_steps,
)
from providers.settings import Settings
from providers.spec import AuthKind, NetworkSpec

# A host name (letters, digits, hyphens and dots, as IDNA spells any name) or an IP address.
_HOST = re.compile(r"[A-Za-z0-9.-]+|[0-9A-Fa-f:.]+")


def _is_host(name: str) -> bool:
    try:
        ascii_name = name.encode("idna").decode("ascii")  # an internationalised name, as DNS spells it
    except UnicodeError:
        return False
    return bool(_HOST.fullmatch(ascii_name))


def resolve_instance(spec: NetworkSpec, instance: str | None, settings: Settings) -> str | None:
    """The instance URL to use, normalised: https (plain http only for loopback), lower-case host,
    no trailing slash, query or fragment. A path is kept (the sandbox's ``/HOST`` prefix)."""
    from providers.http import is_loopback

    if not spec.capabilities.per_instance:
        if instance:
            raise UsageError(f"{spec.name} is not a per-instance network; --instance does not apply.")
        return None
    value = (instance or settings.network(spec.id).base_url or "").strip()
    if not value:
        raise UsageError(
            f"{spec.name} needs your server's address, e.g. --instance {spec.instance_example}",
            hint=f"Or set `[networks.{spec.id}] base_url` in config.toml.",
        )
    if not value.isprintable() or any(c.isspace() for c in value):
        raise UsageError(
            f"{spec.name} instance address {value!r} has spaces or control characters; "
            f"give a server address, e.g. {spec.instance_example}"
        )
    if "://" not in value:
        value = f"https://{value}"
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:  # "Invalid IPv6 URL", a port out of range or not a number
        raise UsageError(f"{spec.name} instance address {value} is not a server address ({exc})") from None
    scheme = parts.scheme.lower()
    if parts.hostname and not _is_host(parts.hostname):
        raise UsageError(f"{spec.name} instance address {value} does not name a server")
    if scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{spec.name} instance must be an https URL, e.g. {spec.instance_example}: {value}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise UsageError(
            f"{spec.name} instance must be a plain server address, without login, ? or #: {value}"
        )
    if scheme == "http" and not is_loopback(value):
        raise UsageError(
            f"{spec.name} instance must be an https URL (plain http only for loopback addresses "
            f"such as the sandbox): {value}"
        )
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    default_port = {"http": 80, "https": 443}[scheme]
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def check_linkable(network_id: str, settings: Settings) -> None:
    """Raise a clear error when ``network_id`` cannot be linked right now."""
    spec = catalog.get(network_id)
    if spec.availability != "available" and not legacy_open(spec, settings):
        raise SetupError(f"{spec.name} is {spec.availability}: {availability_reason(spec)}")
    if not networks.can_link(spec.id):
        raise NotBuiltYet(not_built_reason(spec), hint="Nothing was stored.")
    stored = _stored_secret(spec.id) if spec.auth is AuthKind.API_KEY else frozenset()
    reason = needs_setup(spec, settings, stored)
    if reason:
        steps = setup_steps(spec) + " " if spec.capabilities.needs_developer_app else ""
        raise SetupError(reason, hint=f"{steps}`linkdeck doctor` checks the set-up.")


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


def choose_target(network_id: str, account_id: int) -> None:
    spec = catalog.get(network_id)
    raise NotBuiltYet(
        f"Changing the {spec.name} target here is not built yet in this version of linkdeck; "
        "link the account again to choose another."
    )
