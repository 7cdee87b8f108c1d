"""Hands an OAuth callback that reached the served page (``linkdeck serve``) to the app session
that started the flow, through a :class:`providers.handover.Handover` keyed by the flow's state.

Under textual-serve every browser tab runs its own app process, and the network redirects the
user's browser to ``<served page>/oauth/callback``: the app registers the state when the flow
starts; the server, on a callback whose state has a registration, hands over the callback's path
and query (one callback per flow); the app submits it to its flow, which checks the state exactly
as for a pasted address.

The state is the capability: a callback for a flow nobody started is refused, and the state itself
never appears in a file name. The callback cannot require the page's access cookie, because the
browser does not send a SameSite=Strict cookie on the network's cross-site redirect.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from providers.handover import Handover

CALLBACK_PATH = "/oauth/callback"


def _relay(base: Path | None) -> Handover:
    return Handover("relay", base)


def relay_dir(base: Path | None = None) -> Path:
    return _relay(base).folder


def state_of(url: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get("state")
    return values[0] if values else None


def register(state: str, base: Path | None = None) -> None:
    """Called by the app when a flow whose redirect is the served page starts."""
    _relay(base).register(state)


def unregister(state: str, base: Path | None = None) -> None:
    _relay(base).unregister(state)


def deliver(path_and_query: str, base: Path | None = None) -> bool:
    """Called by the server for ``/oauth/callback?…``; False when no flow waits for this state."""
    state = state_of(path_and_query)
    relay = _relay(base)
    if not state or not relay.claim(state):  # one callback per flow: the first one wins
        return False
    relay.put(state, path_and_query)
    return True


async def wait(state: str, base: Path | None = None, interval: float = 0.25) -> str:
    """The relayed callback for ``state`` (path and query), once the server has written it."""
    return await _relay(base).wait(state, interval)
