"""What one run of the outbox shares: the store (reached through a thread, so a write waiting on
SQLite's lock or an fsync never freezes the TUI's event loop), tokens, one HTTP connection pool,
the publishers, the runner's claim id and a heartbeat that keeps its claims alive."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from providers import clock
from providers.outbox.events import DeliveryEvent, EventKind, ProgressCallback, emit
from providers.outbox.owner import runner_id
from providers.outbox.tokens import Tokens
from providers.outbox_config import OutboxConfig

if TYPE_CHECKING:
    import httpx2

    from providers.auth.refresh import TokenKeeper
    from providers.interface import Publisher, Staging
    from providers.store import Account, Delivery, Store
    from providers.vault import Vault

T = TypeVar("T")
Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return clock.now()


class RunContext:
    def __init__(
        self,
        store: Store,
        vault: Vault,
        *,
        config: OutboxConfig,
        progress: ProgressCallback | None = None,
        owner: str | None = None,
        clock: Clock = utcnow,
        keeper: TokenKeeper | None = None,
    ) -> None:
        self.store = store
        self.vault = vault
        self.config = config
        self.progress = progress
        self.owner = owner or runner_id()
        self.clock = clock
        # Pass the process's TokenKeeper (the TUI has one) so refreshes stay single-flight.
        self.tokens = Tokens(store, vault, keeper)
        self._client: httpx2.AsyncClient | None = None
        self._publishers: dict[str, Publisher | None] = {}
        self._staging: Staging | None = None
        self._heartbeat: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RunContext:
        self._heartbeat = asyncio.create_task(self._beat())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        if self._client is not None:
            await self._client.aclose()

    async def db(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a Store method in a worker thread (the Store's lock serialises its connection)."""
        return await asyncio.to_thread(functools.partial(function, *args, **kwargs))

    def publisher(self, network: str) -> Publisher | None:
        from providers.networks.registry import publisher_for

        if network not in self._publishers:
            if self._client is None:  # made on first use: recovery with nothing to do stays light
                from providers.http import async_client

                self._client = async_client(timeout=_timeout())
            self._publishers[network] = publisher_for(network, client=self._client)
        return self._publishers[network]

    def staging(self) -> Staging | None:
        """The media staging the settings set up (providers.staging), or None; read once a run."""
        if self._staging is None:
            from providers.staging import staging_for

            self._staging = staging_for(self.vault.settings, self.vault)
        return self._staging

    async def _beat(self) -> None:
        interval = max(1.0, self.config.lease_seconds / 3)
        while True:
            await asyncio.sleep(interval)
            with contextlib.suppress(Exception):  # a busy database delays one beat, no more
                await self.db(self.store.renew_leases, self.owner, lease_seconds=self.config.lease_seconds)

    def event(
        self,
        kind: EventKind,
        delivery: Delivery,
        account: Account | None = None,
        publisher: Publisher | None = None,
        **fields: Any,
    ) -> None:
        from providers import catalog

        if publisher is not None and account is not None:
            name = publisher.name(account)
        else:
            name = (
                catalog.get(delivery.network).name if delivery.network in catalog.ids() else delivery.network
            )
        who = account.handle if account is not None else delivery.remote_id
        emit(
            self.progress,
            DeliveryEvent(kind, delivery.id, delivery.post_id, delivery.network, name, who, **fields),
        )


def _timeout() -> Any:
    import httpx2

    # Per operation, not in total: a long upload keeps writing; a server that stops answering
    # for two minutes is given up on.
    return httpx2.Timeout(30.0, read=120.0, write=120.0)
