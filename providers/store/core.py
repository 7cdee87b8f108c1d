"""``Store``: the one object the TUI, the CLI and the worker use to read and write linkdeck's data.

Synchronous, stdlib ``sqlite3``. One connection per ``Store``; a lock serialises its use, so a
``Store`` may be shared between threads (Textual thread workers). Several processes (the TUI and
``linkdeck worker``) may open the same file: WAL and the busy timeout let them take turns.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType

from providers import paths
from providers.errors import SetupError
from providers.outbox_config import load as load_outbox_config
from providers.store import accounts as _accounts
from providers.store import apps as _apps
from providers.store import avatars as _avatars
from providers.store import db
from providers.store import holds as _holds
from providers.store import posts as _posts
from providers.store.apps import RegisteredApp
from providers.store.delivery_api import DeliveryMethods
from providers.store.models import (
    Account,
    AccountState,
    CachedAvatar,
    Delivery,
    DeliveryState,
    HoldKind,
    Post,
    Target,
)

log = logging.getLogger("linkdeck.store")


def _configured_past_due() -> str:
    """``[outbox] release_past_due`` from config.toml; "ask" when the file cannot be read, so a
    broken setting never sends posts the user wanted to be asked about."""
    try:
        return load_outbox_config().release_past_due
    except SetupError as exc:
        log.warning("outbox settings unreadable, asking about past-due posts: %s", exc)
        return "ask"


class Store(DeliveryMethods):
    def __init__(
        self, conn: sqlite3.Connection, path: Path, past_due_policy: Callable[[], str] | None = None
    ) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path
        # What relinking does with held posts whose time has passed: "send" or "ask".
        self.past_due_policy = past_due_policy or _configured_past_due

    @classmethod
    def open(cls, path: Path | None = None, *, past_due_policy: Callable[[], str] | None = None) -> Store:
        """Open the database (default ``paths.database_file()``), creating and migrating it.
        ``past_due_policy`` overrides ``[outbox] release_past_due`` (tests)."""
        path = path or paths.database_file()
        return cls(db.connect(path), path, past_due_policy)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Store {self.path}>"

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock, db.transaction(self._conn) as conn:
            yield conn

    def schema_version(self) -> int:
        with self._read() as conn:
            return db.schema_version(conn)

    # Accounts -------------------------------------------------------------------------------

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
    ) -> Account:
        """Record a link. Linking the same (network, instance, remote_id) again updates that row
        (keeping its id, target, ``auto_share`` and ``linked_at``; state back to "linked") and
        releases the deliveries held for it, in the same transaction (those already past due per
        ``[outbox] release_past_due``). ``auto_share``: None keeps the current value (True for a
        new account)."""
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

    # Posts and deliveries ----------------------------------------------------------------------

    def create_post(
        self,
        caption: str,
        media: list[str],
        scheduled_at: datetime | None,
        *,
        visibility: str = "public",
        spoiler_text: str = "",
        sensitive: bool = False,
        descriptions: list[str] | None = None,
        caption_overrides: dict[str, str] | None = None,
    ) -> Post:
        """A post (``scheduled_at`` None: post now). Add one delivery per account to send it
        (or use :meth:`create_post_with_deliveries`). ``descriptions``: alt text per media file."""
        with self._write() as conn:
            return _posts.create_post(
                conn,
                caption,
                media,
                scheduled_at,
                visibility=visibility,
                spoiler_text=spoiler_text,
                sensitive=sensitive,
                descriptions=descriptions,
                caption_overrides=caption_overrides,
            )

    def post(self, post_id: int) -> Post | None:
        with self._read() as conn:
            return _posts.get_post(conn, post_id)

    def add_delivery(self, post_id: int, account: Account) -> Delivery:
        with self._write() as conn:
            return _posts.add_delivery(conn, post_id, account)

    def delivery(self, delivery_id: int) -> Delivery | None:
        with self._read() as conn:
            return _posts.get_delivery(conn, delivery_id)

    def deliveries(self, states: Iterable[DeliveryState] | None = None) -> list[Delivery]:
        """All deliveries, or those in the given states, oldest first."""
        with self._read() as conn:
            return _posts.deliveries(conn, states)

    def set_delivery_state(
        self,
        delivery_id: int,
        state: DeliveryState,
        reason: str = "",
        *,
        remote_post_id: str | None = None,
        url: str | None = None,
    ) -> Delivery:
        """Unchecked state change, for repair and tests: it bypasses the state machine. Everything
        else uses :meth:`transition` (checked) and the outbox. ``remote_post_id`` and ``url`` are
        kept when not given. KeyError if no such delivery."""
        with self._write() as conn:
            return _posts.set_state(conn, delivery_id, state, reason, remote_post_id, url)

    def counts_by_state(self) -> dict[DeliveryState, int]:
        """Every delivery state with its count (0 included)."""
        with self._read() as conn:
            return _posts.counts_by_state(conn)

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

    # Apps registered on per-instance servers -------------------------------------------------

    def registered_app(self, network: str, instance: str) -> RegisteredApp | None:
        """The app linkdeck registered on ``instance`` (client id only; the secret is in the vault)."""
        with self._read() as conn:
            return _apps.get(conn, network, instance)

    def save_registered_app(
        self,
        network: str,
        instance: str,
        client_id: str,
        redirect_uris: Iterable[str],
        scopes: Iterable[str],
    ) -> RegisteredApp:
        with self._write() as conn:
            return _apps.put(conn, network, instance, client_id, list(redirect_uris), list(scopes))

    def touch_registered_app(self, network: str, instance: str) -> None:
        """Mark the instance as just used (it moves to the top of :meth:`recent_instances`)."""
        with self._write() as conn:
            _apps.touch(conn, network, instance)

    def forget_registered_app(self, network: str, instance: str) -> None:
        with self._write() as conn:
            _apps.delete(conn, network, instance)

    def recent_instances(self, network: str, limit: int = 5) -> list[str]:
        """Instances of ``network`` used before, most recent first."""
        with self._read() as conn:
            return _apps.recent_instances(conn, network, limit)

    # Avatar cache ------------------------------------------------------------------------------

    def cache_avatar(self, url: str, path: str | Path, fetched_at: datetime | None = None) -> CachedAvatar:
        with self._write() as conn:
            return _avatars.put(conn, url, path, fetched_at)

    def avatar_for(self, url: str) -> CachedAvatar | None:
        """The cached image for ``url``; None if never fetched or the file is gone."""
        with self._read() as conn:
            return _avatars.get(conn, url)


def _unlinked_reason(account: Account) -> str:
    who = account.handle or account.remote_id
    return f"{account.network} account {who} is not linked; held until it is linked again"
