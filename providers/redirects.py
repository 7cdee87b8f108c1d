"""Where a network's sign-in page sends the browser back: the one place that decides it.

What ``linkdeck doctor`` and Help tell the user to register in their developer app is computed
here from the same spec and settings that linking uses, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from providers.auth.loopback import BIND_HOST

if TYPE_CHECKING:
    from providers.settings import Settings
    from providers.spec import NetworkSpec

CALLBACK_PATH = "/callback"
LINK_TIMEOUT = 600.0  # seconds a sign-in page is waited for before the link gives up


def loopback_port(spec: NetworkSpec, settings: Settings) -> int:
    """``[networks.<id>] port``, else the port the spec registers, else 0 (any free port)."""
    return settings.network(spec.id).port or spec.capabilities.fixed_port or 0


def loopback_uri(port: int) -> str:
    return f"http://{BIND_HOST}:{port}{CALLBACK_PATH}"


def redirect_to_register(spec: NetworkSpec, settings: Settings) -> str:
    """The redirect URI to enter in the network's developer portal, as a sentence part."""
    caps = spec.capabilities
    if not caps.loopback_redirect:
        return "none (the network shows a code to paste back)" if caps.oob else "paste-back only"
    port = loopback_port(spec, settings)
    if port:
        return loopback_uri(port)
    return f"http://{BIND_HOST}{CALLBACK_PATH} (any port)"
