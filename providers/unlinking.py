"""Unlinking an account: revoke where the network allows, forget the token, hold scheduled posts.

Posts already sent stay on the network. Scheduled posts to the account are held (never sent,
never deleted) until the same account is linked again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from providers import catalog, instances
from providers.errors import KeyringUnavailable
from providers.store.transitions import QUEUED_STATES

if TYPE_CHECKING:
    from providers.store import Account, Store
    from providers.vault import Vault

log = logging.getLogger("linkdeck.unlinking")


@dataclass(frozen=True)
class UnlinkPlan:
    network_name: str
    handle: str
    waiting: int
    settings_url: str | None
    can_revoke: bool
    by_hand: str = ""  # the network's own way to end the access (spec.revoke_by_hand)

    def explain(self) -> str:
        revoke = (
            f"linkdeck asks {self.network_name} to revoke its access, then forgets the token."
            if self.can_revoke
            else f"{self.network_name} offers no revoke call: linkdeck forgets the token; "
            + (
                f"to end its access there too, {self.by_hand}"
                if self.by_hand
                else "remove the app on the page below to end its access there too."
            )
        )
        waiting = (
            f"**{self.waiting} scheduled post{'s' if self.waiting != 1 else ''}** to {self.handle} "
            "will be **held** — not sent, not deleted — until you link this account again."
            if self.waiting
            else f"No posts are scheduled for {self.handle}."
        )
        lines = [
            f"- {revoke}",
            f"- Posts already sent stay on {self.network_name}.",
            f"- {waiting}",
        ]
        if self.settings_url:
            lines.append(f"- {self.network_name}'s own page for connected apps: {self.settings_url}")
        return "\n".join(lines)


@dataclass(frozen=True)
class UnlinkResult:
    network_name: str
    handle: str
    revoked: bool | None  # None: not attempted (no revoke call, no adapter, no token)
    token_forgotten: bool
    held: int
    problem: str = ""
    by_hand: str = ""  # the network's own way to end the access (spec.revoke_by_hand)
    settings_url: str | None = None  # the network's connected-apps page, named where access remains

    def summary(self) -> str:
        parts = [f"{self.handle} unlinked."]
        page = f" ({self.settings_url})" if self.settings_url else ""
        if self.revoked:
            parts.append(f"{self.network_name} confirmed that linkdeck's access is revoked.")
        elif self.revoked is None:
            parts.append(f"Access was not revoked at {self.network_name}: use its connected-apps page{page}.")
            if self.by_hand:
                parts.append(f"To end it there, {self.by_hand}")
        elif not self.revoked:
            parts.append(
                f"{self.network_name} did not confirm the revocation: remove linkdeck on its "
                f"connected-apps page{page}."
            )
        if self.held:
            parts.append(f"{self.held} scheduled post(s) held until you link it again.")
        if self.problem:
            parts.append(self.problem)
        return " ".join(parts)


def plan(store: Store, account: Account) -> UnlinkPlan:
    spec = catalog.get(account.network)
    waiting = sum(1 for d in store.deliveries(QUEUED_STATES) if d.account_key == account.vault_key)
    return UnlinkPlan(
        network_name=spec.name,
        handle=account.handle,
        waiting=waiting,
        settings_url=instances.settings_url_for(spec, account.instance),
        can_revoke=spec.capabilities.provider_revoke,
        by_hand=spec.revoke_by_hand,
    )


async def unlink(store: Store, vault: Vault, account: Account) -> UnlinkResult:
    """Revoke at the network when it has a revoke call (with the token from the vault), then
    always forget the token and remove the account, holding its scheduled posts. ``revoked`` is
    True only when the network confirmed, False when it refused or could not be reached, None when
    not attempted (no revoke call, no adapter yet, or no token left to revoke)."""
    from providers.networks.registry import sign_in_for

    spec = catalog.get(account.network)
    revoked: bool | None = None
    problems: list[str] = []
    token = None
    try:
        token = vault.get_token(account.vault_key)
    except KeyringUnavailable as exc:
        problems.append(str(exc))
    sign_in = sign_in_for(account.network, settings=vault.settings, store=store, vault=vault)
    if spec.capabilities.provider_revoke and sign_in is not None:
        if token is None:
            problems.append(f"There was no {spec.name} token in the keyring to revoke.")
        else:
            try:
                revoked = await sign_in.revoke(token, account.instance)
            except Exception as exc:  # revocation is best effort: unlinking goes on regardless
                log.warning("revoking at %s failed: %s", spec.name, type(exc).__name__)
                revoked = False
    forgotten = True
    try:
        vault.delete_token(account.vault_key)
    except KeyringUnavailable as exc:
        forgotten = False
        if str(exc) not in problems:
            problems.append(str(exc))
    held = store.remove_account(account.id)  # holds its scheduled deliveries in the same transaction
    page = instances.settings_url_for(spec, account.instance)
    return UnlinkResult(
        spec.name, account.handle, revoked, forgotten, held, " ".join(problems), spec.revoke_by_hand, page
    )
