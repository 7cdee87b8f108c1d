"""Accounts linked through the real OAuth flow against the sandbox, for the outbox, publishing,
worker and ``linkdeck post`` tests.

- :func:`link` / :func:`link_async`: link a sandbox account (providers.linking, the consent page
  approved like a browser would).
- :func:`loopback_settings`: settings with free loopback redirect ports for Mastodon and Pixelfed
  and the plaintext opt-in (what :func:`link_async` links with unless told otherwise).
- :func:`opted_in_vault`: the vault those links write to.
- :func:`statuses`: every status an emulated server holds for a user, through its public API.

Secrets go to the real Secret Service inside tests/with_keyring.sh, else to the opted-in
plaintext file; subprocesses get the same choice through ``LINKDECK_ALLOW_PLAINTEXT_SECRETS``.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import httpx2

from providers import linking
from providers.settings import NetworkSettings, Settings
from providers.store import Account, Store
from providers.vault import Vault
from tests.link_driver import to_address
from tests.sandbox_browser import approve_async
from tests.support.ports import free_port

ALICE = "109000000000000001"
BOB = "109000000000000002"


def loopback_settings() -> Settings:
    """Mastodon's and Pixelfed's loopback redirect ports (the sign-in binds them itself, so they
    are numbers from :func:`tests.support.ports.free_port`), plaintext secrets allowed."""
    ports = {"mastodon": NetworkSettings(port=free_port()), "pixelfed": NetworkSettings(port=free_port())}
    return Settings(networks=ports, allow_plaintext_secrets=True)


def opted_in_vault() -> Vault:
    """The real Secret Service when there is one (it is preferred), else the opted-in plaintext file;
    in team mode (a PostgreSQL store, ``store_engine``) the store's sealed secrets, as the product's
    own default, so a worker in another process finds what the test linked."""
    from providers.settings import default_secret_backend

    return Vault(Settings(allow_plaintext_secrets=True, secret_backend=default_secret_backend(None)))


async def link_async(
    store: Store,
    instance: str,
    network: str = "mastodon",
    user: str | None = None,
    config: Settings | None = None,
    vault: Vault | None = None,
) -> Account:
    config = config or loopback_settings()
    session = await linking.begin_link(
        network, settings=config, store=store, vault=vault or opted_in_vault(), instance=instance
    )
    started = await to_address(session)
    answer = await approve_async(started.request.url, user=user)
    started.submit(answer.headers["location"])
    result = await session.finish()
    account: Account = result.account
    return account


def link(
    store: Store,
    instance: str,
    network: str = "mastodon",
    user: str | None = None,
    vault: Vault | None = None,
) -> Account:
    """``vault``: where the token goes (default :func:`opted_in_vault`; a team-mode vault for
    the team secrets tests)."""
    config = None if vault is None else replace(vault.settings, networks=loopback_settings().networks)
    return asyncio.run(link_async(store, instance, network, user, config, vault))


async def statuses_async(base: str, user_id: str = ALICE) -> list[dict[str, Any]]:
    """Every public status of the user on the emulated server at ``base``, newest first."""
    found: list[dict[str, Any]] = []
    async with httpx2.AsyncClient(timeout=30) as client:
        max_id = None
        while True:
            params: dict[str, Any] = {"limit": 40} | ({"max_id": max_id} if max_id else {})
            response = await client.get(f"{base}/api/v1/accounts/{user_id}/statuses", params=params)
            assert response.status_code == 200, response.text
            page = response.json()
            if not page:
                return found
            found += page
            max_id = page[-1]["id"]


def statuses(base: str, user_id: str = ALICE) -> list[dict[str, Any]]:
    return asyncio.run(statuses_async(base, user_id))
