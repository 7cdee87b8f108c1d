"""Importing networks' own post histories into Posts (a network package's ``history.py`` gives
``HISTORY(account, token)``: Ayrshare's today). Run on demand (``linkdeck import-history``, Posts'
Import key) and after linking such an account. Each post found is recorded as sent on its account,
marked with where it came from, once (:meth:`providers.store.Store.import_sent`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from providers import catalog, networks
from providers.errors import LinkdeckError

if TYPE_CHECKING:
    from providers.store import Account, Store
    from providers.vault import Vault

PART = "history"


@dataclass
class Report:
    imported: int = 0
    known: int = 0  # already in Posts: sent by linkdeck, or imported before
    accounts: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.accounts:
            return "No linked account has a post history linkdeck can import."
        said = (
            f"Imported {self.imported} post(s) from {self.accounts} account(s); "
            f"{self.known} already in Posts."
        )
        return " ".join([said, *self.problems])


def has_history(network_id: str) -> bool:
    return networks.has(networks.package_of(network_id), PART)


async def import_history(store: Store, vault: Vault, network_id: str | None = None) -> Report:
    """Every linked account's history (of ``network_id``'s accounts only, when given)."""
    wanted = catalog.get(network_id).id if network_id else None
    report = Report()
    for account in store.accounts():
        if (wanted and account.network != wanted) or not has_history(account.network):
            continue
        report.accounts += 1
        try:
            await import_account(store, vault, account, report)
        except LinkdeckError as exc:
            report.problems.append(f"{account.handle}: {exc.message}")
    return report


async def import_account(store: Store, vault: Vault, account: Account, report: Report) -> None:
    module = networks.part(networks.package_of(account.network), PART)
    assert module is not None
    token = vault.get_token(account.vault_key)
    if not token:
        report.problems.append(f"{account.handle}: its sign-in is not in the keyring; link it again.")
        return
    for item in await module.HISTORY(account, token):
        made = store.import_sent(
            account, item.remote_post_id, item.caption, item.posted_at, item.url, account.network
        )
        report.imported += made
        report.known += not made
