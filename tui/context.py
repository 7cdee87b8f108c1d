"""The engine objects one app session shares: settings, store and vault, opened lazily."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from providers import settings as settings_module
from providers.clock import now

if TYPE_CHECKING:
    from providers.auth.refresh import TokenKeeper
    from providers.linking import LinkSession
    from providers.settings import Settings
    from providers.store import Store
    from providers.vault import Vault


class Context:
    def __init__(
        self,
        settings: Settings | None = None,
        start_dir: Path | None = None,
        run_outbox: bool = True,
    ) -> None:
        self._settings = settings
        self.start_dir = start_dir or Path.cwd()  # where Upload's file tree starts
        # The app sends due scheduled posts while it is open; pictures and most tests turn it off.
        self.run_outbox = run_outbox
        # The engine's one clock (providers.clock), which tests and screenshots freeze.
        self.now: Callable[[], datetime] = now

    @cached_property
    def settings(self) -> Settings:
        return self._settings or settings_module.load()

    def reload_settings(self) -> None:
        """Read config.toml again (after the app wrote to it: a card's set-up)."""
        self._settings = None
        self.__dict__.pop("settings", None)

    @cached_property
    def store(self) -> Store:
        from providers.store import Store

        return Store.open()

    @cached_property
    def vault(self) -> Vault:
        # keyring (and its D-Bus backend) is only imported when a secret is really needed.
        from providers.vault import Vault

        # Team mode seals secrets in the store: the app's own connection serves for both.
        team = self.settings.secret_backend == "store"
        return Vault(self.settings, store=self.store if team else None)

    @cached_property
    def keeper(self) -> TokenKeeper:
        """One TokenKeeper per process, so refreshes stay single-flight across screens and the outbox."""
        from providers.auth.refresh import TokenKeeper

        return TokenKeeper(self.vault, self.store)

    async def begin_link(self, network_id: str, **kwargs: Any) -> LinkSession:
        """The engine's link entry point (a seam: pictures of the Link window use a fixed session)."""
        from providers.linking import begin_link

        return await begin_link(network_id, **kwargs)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
