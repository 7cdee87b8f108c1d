"""The ``Store`` methods for team mode's sealed secrets (mixed into :class:`providers.store.Store`).

They move sealed rows only (:mod:`.secrets`); sealing and opening them is
:mod:`providers.secrets`'s, which the store never imports.
"""

from __future__ import annotations

from providers.store import secrets as _secrets
from providers.store.db import Transactions
from providers.store.secrets import SealedSecret


class SecretMethods(Transactions):
    def sealed_secret(self, name: str) -> SealedSecret | None:
        with self._read() as conn:
            return _secrets.get(conn, name)

    def put_sealed_secret(self, sealed: SealedSecret) -> None:
        with self._write() as conn:
            _secrets.put(conn, sealed)

    def replace_sealed_secret(self, sealed: SealedSecret, read_nonce: str | None) -> bool:
        """Compare-and-set: store ``sealed`` only if its row still has ``read_nonce`` (None: only
        if there is no row yet). False: another writer changed it since it was read."""
        with self._write() as conn:
            return _secrets.replace(conn, sealed, read_nonce)

    def delete_sealed_secret(self, name: str) -> None:
        with self._write() as conn:
            _secrets.delete(conn, name)

    def sealed_secret_names(self, *, not_under: str | None = None) -> list[str]:
        """Every secret's name, or those sealed with another key than ``not_under``."""
        with self._read() as conn:
            return _secrets.names(conn, not_under=not_under)

    def sealed_secrets(self) -> list[SealedSecret]:
        with self._read() as conn:
            return _secrets.all_sealed(conn)

    def secret_key_counts(self) -> dict[str, int]:
        """Key id → how many secrets it sealed."""
        with self._read() as conn:
            return _secrets.key_counts(conn)
