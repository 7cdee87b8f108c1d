"""Mastodon in the sandbox: the Mastodon-API emulator as it is. Any host no other network claims
is a Mastodon instance, since Mastodon servers live on any domain."""

from __future__ import annotations

from providers.emulation.framework import SandboxDemo
from providers.emulation.mastodon_api import MastodonApiServer


class MastodonServer(MastodonApiServer):
    kind = "mastodon"
    network = "Mastodon"


EMULATOR = MastodonServer
HOSTS: tuple[str, ...] = ()
FIRST_LABELS: tuple[str, ...] = ()
CATCH_ALL = True  # every other host segment is a Mastodon instance
# The contract tests and the demo link Alice's account on this server (the consent page's user).
DEMO = SandboxDemo(host="mastodon.example", create_path="/api/v1/statuses")
