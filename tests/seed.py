"""Seed data that puts cards in every state, for Pilot tests, snapshots and screenshots."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from providers.store import Store
from tests.conftest import FIXED_NOW

SETTINGS_TOML = """
[networks.linkedin]
client_id = "demo-linkedin-app"

[networks.facebook]
client_id = "demo-facebook-app"
"""


def write_config(home: Path) -> None:
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(SETTINGS_TOML, encoding="utf-8")


# The networks seed_accounts gives an account (their cards show it, whatever the network's state).
SEEDED = ("mastodon", "bluesky", "linkedin", "facebook")


def seed_accounts(store: Store) -> dict[str, int]:
    """Linked (Mastodon, Facebook Page), expiring soon (LinkedIn), reconnect (Bluesky)."""
    mastodon = store.upsert_account(
        "mastodon",
        "109",
        handle="@alice@mastodon.example",
        display_name="Alice Example",
        instance="https://mastodon.example",
    )
    bluesky = store.upsert_account(
        "bluesky", "did:plc:alice", handle="@alice.bsky.social", display_name="Alice"
    )
    store.set_state(bluesky.id, "reconnect", "the refresh token was revoked")
    linkedin = store.upsert_account(
        "linkedin",
        "urn:li:person:7",
        handle="Alice Example",
        display_name="Alice Example",
        expires_at=FIXED_NOW + timedelta(days=3),
    )
    facebook = store.upsert_account("facebook", "1001", handle="Alice Example", display_name="Alice Example")
    store.set_target(facebook.id, "page", "2002", "Alice's Bakery")
    return {"mastodon": mastodon.id, "bluesky": bluesky.id, "linkedin": linkedin.id, "facebook": facebook.id}


def seed_posts(store: Store) -> None:
    mastodon = store.find_account("mastodon", "109", "https://mastodon.example")
    assert mastodon is not None
    post = store.create_post("Fresh bread at 8 — come early!", [], FIXED_NOW + timedelta(days=1))
    store.add_delivery(post.id, mastodon)
