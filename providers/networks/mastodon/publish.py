"""Publishing to Mastodon: the Mastodon API publisher as it is, with Idempotency-Key recovery."""

from __future__ import annotations

from providers.publishing.mastodon_api import MastodonApiPublisher


class MastodonPublisher(MastodonApiPublisher):
    pass


PUBLISHER = MastodonPublisher
