"""``Store``: the one object the TUI, the CLI and the worker use to read and write linkdeck's data.

Synchronous, stdlib ``sqlite3``, or psycopg 3 when a PostgreSQL address is configured
(:mod:`providers.store.address`; the SQL is the same, :mod:`providers.store.engine`). One
connection per ``Store``; a lock serialises its use, so a
``Store`` may be shared between threads (Textual thread workers). Several processes (the TUI and
``linkdeck worker``) may open the same file: WAL and the busy timeout let them take turns.

Its methods come in groups: accounts, their targets and what linking does to their deliveries
(:mod:`.account_api`); brands (:mod:`.brand_api`); a post with its deliveries in one transaction,
the delivery state machine and what the Posts screen changes (:mod:`.delivery_api`); team mode's
sealed secrets (:mod:`.secret_api`); and here opening and closing, single posts and deliveries,
apps registered on instances and the avatar cache.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from types import TracebackType

from providers import paths
from providers.errors import SetupError
from providers.outbox_config import load as load_outbox_config
from providers.store import address, db
from providers.store import apps as _apps
from providers.store import avatars as _avatars
from providers.store import engine as _engine
from providers.store import posts as _posts
from providers.store.account_api import AccountMethods
from providers.store.apps import RegisteredApp
from providers.store.brand_api import BrandMethods
from providers.store.delivery_api import DeliveryMethods
from providers.store.engine import Connection, QueueListener
from providers.store.imports import ImportMethods
from providers.store.models import (
    Account,
    CachedAvatar,
    Delivery,
    DeliveryState,
    Post,
)
from providers.store.secret_api import SecretMethods

log = logging.getLogger("linkdeck.store")


def _configured_past_due() -> str:
    """``[outbox] release_past_due`` from config.toml; "ask" when the file cannot be read, so a
    broken setting never sends posts the user wanted to be asked about."""
    try:
        return load_outbox_config().release_past_due
    except SetupError as exc:
        log.warning("outbox settings unreadable, asking about past-due posts: %s", exc)
        return "ask"


class Store(AccountMethods, BrandMethods, DeliveryMethods, ImportMethods, SecretMethods):
    def __init__(
        self,
        conn: Connection,
        path: Path | None,
        past_due_policy: Callable[[], str] | None = None,
        *,
        url: str | None = None,
    ) -> None:
        super().__init__(conn, path)
        self.path = path
        # What doctor and messages show: the SQLite file, or the PostgreSQL address (masked).
        self.address = str(path) if url is None else address.masked(url)
        self.engine = "sqlite" if url is None else "postgresql"
        self.past_due_policy = past_due_policy or _configured_past_due

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        *,
        url: str | None = None,
        past_due_policy: Callable[[], str] | None = None,
    ) -> Store:
        """Open the store, creating and migrating it: the SQLite file ``path`` when given, else
        the PostgreSQL store at ``url`` or the configured one (``LINKDECK_DATABASE_URL``, ``[store]
        url``), else ``paths.database_file()``. ``past_due_policy`` overrides ``[outbox]
        release_past_due`` (tests)."""
        if path is None:
            url = url or address.configured()
            if url is not None:
                return cls(db.connect_postgres(url), None, past_due_policy, url=url)
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
        return f"<Store {self.address}>"

    def queue_listener(self) -> QueueListener | None:
        """On PostgreSQL, a listener a worker sleeps on until the queue changes (its own
        connection; close it after); None on SQLite, where runners poll."""
        found = _engine.other(self._conn)
        if found is None:
            return None
        from providers.store import pg

        assert isinstance(found, pg.PgConnection)
        return found.listener()

    def schema_version(self) -> int:
        with self._read() as conn:
            return db.schema_version(conn)

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

    def deliveries_stamp(self) -> tuple[int, ...]:
        """A value that changes whenever any delivery does, from this process or another (a
        worker): cheap enough to ask every second, so a screen can stay true without reloading
        its rows when nothing changed. SQLite's ``data_version`` moves on other connections'
        commits; the count, the newest change and the newest row cover this connection's own."""
        with self._read() as conn:
            return _posts.deliveries_stamp(conn)

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
