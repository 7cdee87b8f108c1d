"""Team mode's secret backend: the vault's entries sealed in the store's ``secrets`` table.

:class:`providers.vault.Vault` uses it when ``[secrets] backend = "store"``, so workers on other
machines that open the same database read the same tokens. The keys are read from their source at
each use (:func:`providers.secrets.keys.load_keys`), so an edited key file counts at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from providers.errors import SecretKeyError
from providers.secrets.keys import KeyRing, load_keys
from providers.secrets.sealing import open_sealed, seal
from providers.store import Store

# A read-modify-write that keeps losing to other writers gives up after this many tries (each one
# lost means another writer stored a newer value, so this only ends a pathological storm).
MAX_TRIES = 50


@dataclass(frozen=True)
class Opened:
    """What doctor shows: how many secrets there are, by key, and which of them do not open."""

    keys: KeyRing
    counts: dict[str, int]
    unopened: list[str]  # one message per secret that does not open

    def summary(self) -> str:
        total = sum(self.counts.values())
        by_key = ", ".join(f"{n} with {key_id}" for key_id, n in self.counts.items())
        return f"{total} secret{'s' if total != 1 else ''}" + (f" ({by_key})" if total else "")


class StoreSecrets:
    def __init__(self, key_file: Path | None, store: Store | None = None) -> None:
        self._key_file = key_file
        self._store = store
        self._owns_store = store is None
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the store if this backend opened it."""
        with self._lock:
            if self._owns_store and self._store is not None:
                self._store.close()
                self._store = None

    def __repr__(self) -> str:
        return "<StoreSecrets>"

    def keys(self) -> KeyRing:
        return load_keys(self._key_file)

    def store(self) -> Store:
        """The store this backend writes to, opened on first use (the vault may be made where no
        store is at hand: a publisher's, doctor's)."""
        with self._lock:
            if self._store is None:
                self._store = Store.open()
            return self._store

    def describe(self) -> str:
        """For doctor and ``Vault.backend_name``; never raises."""
        try:
            keys = self.keys().described()
        except SecretKeyError as exc:
            keys = f"no usable key: {exc.message}"
        return f"the database (team mode), sealed with AES-256-GCM; {keys}"

    def get(self, name: str) -> str | None:
        keys = self.keys()  # first, so a missing key is said even when the secret is absent
        sealed = self.store().sealed_secret(name)
        return None if sealed is None else open_sealed(keys, sealed)

    def set(self, name: str, value: str) -> None:
        self.store().put_sealed_secret(seal(self.keys().current, name, value))

    def delete(self, name: str) -> None:
        self.store().delete_sealed_secret(name)

    def update(self, name: str, change: Callable[[str | None], str]) -> str:
        """Store ``change(current value)`` without losing a write another process made meanwhile:
        the row is replaced only if it is still the one read, else read and changed again."""
        store = self.store()
        for _ in range(MAX_TRIES):
            keys = self.keys()
            sealed = store.sealed_secret(name)
            value = change(None if sealed is None else open_sealed(keys, sealed))
            fresh = seal(keys.current, name, value)
            if store.replace_sealed_secret(fresh, None if sealed is None else sealed.nonce):
                return value
        raise SecretKeyError(f"the secret {name} kept changing while it was being updated; try again")

    def reseal(self, name: str) -> bool:
        """Seal ``name`` again with the current key if another key sealed it (one row, one
        compare-and-set: a concurrent refresh is never overwritten with the old value). False when
        the row is gone or already under the current key."""
        store = self.store()
        for _ in range(MAX_TRIES):
            keys = self.keys()
            sealed = store.sealed_secret(name)
            if sealed is None or sealed.key_id == keys.current.id:
                return False
            fresh = seal(keys.current, name, open_sealed(keys, sealed))
            if store.replace_sealed_secret(fresh, sealed.nonce):
                return True
        raise SecretKeyError(f"the secret {name} kept changing while it was being re-sealed; try again")

    def check(self) -> Opened:
        """Open every stored secret with the configured keys (SecretKeyError: no usable key)."""
        keys = self.keys()
        unopened: list[str] = []
        for sealed in self.store().sealed_secrets():
            try:
                open_sealed(keys, sealed)
            except SecretKeyError as exc:
                unopened.append(exc.message)
        return Opened(keys, self.store().secret_key_counts(), unopened)
