"""Which emulated network answers for which host segment.

One entry per emulated network module. A host is matched by its exact name, or by its first label
(``pixelfed.anything`` is Pixelfed); every other host is a Mastodon instance, because per-instance
networks can live on any domain and Mastodon is the common case. ``POST /__sandbox__/instance
{"host": …, "kind": …}`` overrides the choice for one host at run time.
"""

from __future__ import annotations

from collections.abc import Callable

from providers.sandbox.bluesky import BlueskyServer
from providers.sandbox.framework import Emulator
from providers.sandbox.mastodon import MastodonServer
from providers.sandbox.oauth import Clock
from providers.sandbox.pixelfed import PixelfedServer

Factory = Callable[[str, Clock], Emulator]

EMULATORS: dict[str, Factory] = {
    "mastodon": MastodonServer,
    "pixelfed": PixelfedServer,
    "bluesky": BlueskyServer,
}
DEFAULT_KIND = "mastodon"

# Exact host names (later networks add theirs: "graph.facebook.com": "facebook", …).
HOSTS: dict[str, str] = {
    "pixelfed.social": "pixelfed",
    "bsky.social": "bluesky",  # the PDS (entryway) and the AppView in one
    "plc.directory": "bluesky",  # DID documents of the Bluesky demo users
}
# First DNS label → kind, for per-instance networks with recognisable names.
FIRST_LABELS: dict[str, str] = {
    "pixelfed": "pixelfed",
    "bsky": "bluesky",  # bsky.example, bsky.test: a Bluesky PDS in direct mode
}


def kind_for(host: str) -> str:
    name = host.split(":")[0].lower()
    if name in HOSTS:
        return HOSTS[name]
    return FIRST_LABELS.get(name.split(".")[0], DEFAULT_KIND)


def create(host: str, clock: Clock, kind: str | None = None) -> Emulator:
    kind = kind or kind_for(host)
    if kind not in EMULATORS:
        raise KeyError(f"no emulated network {kind!r}; known: {', '.join(EMULATORS)}")
    return EMULATORS[kind](host, clock)
