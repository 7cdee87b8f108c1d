"""The ``Store`` methods for accounts and their targets (mixed into :class:`providers.store.Store`).

An account's link state and its deliveries change together, in one transaction, so no runner can
claim a delivery in between: linking an account (again) releases what was held for it, "needs
reconnecting" holds its scheduled and due deliveries (kind "reconnect"), removing it holds them
until it is linked again. Held deliveries whose time has passed are released per ``[outbox]
release_past_due`` (:attr:`AccountMethods.past_due_policy`); the SQL is in :mod:`.accounts` and
:mod:`.holds`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from providers.store import accounts as _accounts
from providers.store import holds as _holds
from providers.store.db import Transactions
from providers.store.models import Account, AccountState, HoldKind, Target


class AccountMethods(Transactions):
    # What relinking does with held posts whose time has passed: "send" or "ask" (set by Store).
    past_due_policy: Callable[[], str]

    def accounts(self) -> list[Account]:
        with self._read() as conn:
            return _accounts.all_accounts(conn)

    def accounts_for(self, network: str) -> list[Account]:
        with self._read() as conn:
            return _accounts.accounts_for(conn, network)

    def account(self, account_id: int) -> Account | None:
        with self._read() as conn:
            return _accounts.get(conn, account_id)

    def find_account(self, network: str, remote_id: str, instance: str | None = None) -> Account | None:
        with self._read() as conn:
            return _accounts.find(conn, network, instance, remote_id)

    def upsert_account(
        self,
        network: str,
        remote_id: str,
        handle: str,
        display_name: str = "",
        instance: str | None = None,
        avatar_url: str | None = None,
        expires_at: datetime | None = None,
        auto_share: bool | None = None,
        brand_id: int | None = None,
    ) -> Account:
        """Record a link. Linking the same (network, instance, remote_id) again updates that row
        (keeping its id, target, ``auto_share`` and ``linked_at``; state back to "linked") and
        releases the deliveries held for it, in the same transaction (those already past due per
        ``[outbox] release_past_due``). ``auto_share``: None keeps the current value (True for a
        new account); ``brand_id`` likewise (the default brand for a new account)."""
        policy = self.past_due_policy()
        with self._write() as conn:
            account = _accounts.upsert(
                conn,
                network,
                remote_id,
                handle=handle,
                display_name=display_name,
                instance=instance,
                avatar_url=avatar_url,
                expires_at=expires_at,
                auto_share=auto_share,
                brand_id=brand_id,
            )
            _holds.release_for(conn, account, past_due=policy)
            return account

    def set_state(self, account_id: int, state: AccountState, reason: str = "") -> Account:
        """state: "linked" or "reconnect" (with the reason shown on the card). KeyError if no row.
        Reconnect-needed behaves like unlinked for sending: the account's scheduled and due
        deliveries are held (kind "reconnect") in the same transaction; back to "linked" releases
        them."""
        policy = self.past_due_policy() if state == AccountState.LINKED else "send"
        with self._write() as conn:
            before = _accounts.require(conn, account_id)
            account = _accounts.set_state(conn, account_id, state, reason)
            if state == AccountState.RECONNECT:
                why = f" ({reason})" if reason else ""
                who = account.handle or account.remote_id
                held = f"{who} needs reconnecting{why}; held until it is reconnected"
                _holds.hold_for(
                    conn, account.network, account.instance, account.remote_id, held, HoldKind.RECONNECT
                )
            elif before.state == AccountState.RECONNECT:
                _holds.release_for(conn, account, past_due=policy)
            return account

    def set_expiry(self, account_id: int, expires_at: datetime | None) -> Account:
        """When the account's sign-in runs out (a renewed refresh token moves it on)."""
        with self._write() as conn:
            return _accounts.set_expiry(conn, account_id, expires_at)

    def set_auto_share(self, account_id: int, on: bool) -> Account:
        with self._write() as conn:
            return _accounts.set_auto_share(conn, account_id, on)

    def set_target(
        self, account_id: int, kind: str | None, target_id: str | None, name: str | None
    ) -> Account:
        """The account's chosen target (a Page, a board, a blog...); all None clears it."""
        with self._write() as conn:
            return _accounts.set_target(conn, account_id, kind, target_id, name)

    def set_targets(self, account_id: int, targets: Iterable[tuple[str, str, str]]) -> None:
        """Replace the targets the account can choose from: (kind, target_id, name), in order."""
        with self._write() as conn:
            _accounts.replace_targets(conn, account_id, targets)

    def targets(self, account_id: int) -> list[Target]:
        with self._read() as conn:
            return _accounts.targets(conn, account_id)

    def remove_account(self, account_id: int) -> int:
        """Delete the account row (and its target list). Its scheduled and due deliveries become
        "held" and stay, keyed by the account's identity, until it is linked again; sent, failed,
        sending and unknown ones are untouched. Returns how many were held (0 if no such row)."""
        with self._write() as conn:
            account = _accounts.get(conn, account_id)
            if account is None:
                return 0
            held = _holds.hold_for(
                conn, account.network, account.instance, account.remote_id, _unlinked_reason(account)
            )
            _accounts.delete(conn, account_id)
            return held

    # What an account's link state does to its deliveries ----------------------------------------

    def hold_deliveries_for(
        self, account: Account, reason: str | None = None, kind: HoldKind = HoldKind.UNLINKED
    ) -> int:
        """Hold the account's scheduled and due deliveries; returns how many."""
        with self._write() as conn:
            return _holds.hold_for(
                conn,
                account.network,
                account.instance,
                account.remote_id,
                reason or _unlinked_reason(account),
                kind,
            )

    def release_deliveries_for(self, account: Account, *, past_due: str | None = None) -> int:
        """Put the held deliveries for this account's identity back in the queue; returns how
        many. ``past_due``: "send" or "ask" (default: the configured policy)."""
        policy = past_due or self.past_due_policy()
        with self._write() as conn:
            return _holds.release_for(conn, account, past_due=policy)


def _unlinked_reason(account: Account) -> str:
    who = account.handle or account.remote_id
    return f"{account.network} account {who} is not linked; held until it is linked again"
