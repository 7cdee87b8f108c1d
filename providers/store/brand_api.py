"""The ``Store`` methods for brands (mixed into :class:`providers.store.Store`); the SQL and the
name rules are in :mod:`.brands`.

Every account belongs to one brand. A single user has only the default brand and never needs to
know: the screens and the command line speak of brands once a second one exists
(:meth:`BrandMethods.has_brands`).
"""

from __future__ import annotations

from providers.store import accounts as _accounts
from providers.store import brands as _brands
from providers.store.db import Transactions
from providers.store.models import Account, Brand


class BrandMethods(Transactions):
    def brands(self) -> list[Brand]:
        """The default brand first, then the others by name, each with its number of accounts."""
        with self._read() as conn:
            return _brands.all_brands(conn)

    def has_brands(self) -> bool:
        """Whether there is more than the default brand: only then do screens show brands."""
        with self._read() as conn:
            return int(conn.execute("SELECT COUNT(*) AS n FROM brands").fetchone()["n"]) > 1

    def brand(self, name: str) -> Brand:
        """The brand called ``name``, ignoring case and spacing; BrandError (exit 2) listing the
        brands when there is none."""
        with self._read() as conn:
            return _brands.require(conn, name)

    def default_brand(self) -> Brand:
        with self._read() as conn:
            found = _brands.get(conn, _brands.default_id(conn))
            assert found is not None
            return found

    def add_brand(self, name: str, *, exist_ok: bool = False) -> Brand:
        """A new brand. A name already taken (in any case or spacing) is refused, or with
        ``exist_ok`` that brand is answered."""
        with self._write() as conn:
            return _brands.add(conn, name, exist_ok=exist_ok)

    def rename_brand(self, old: str, new: str) -> Brand:
        with self._write() as conn:
            return _brands.rename(conn, old, new)

    def remove_brand(self, name: str) -> Brand:
        """Delete an empty brand other than the default one; BrandError otherwise."""
        with self._write() as conn:
            return _brands.remove(conn, name)

    def accounts_in(self, brand_id: int) -> list[Account]:
        with self._read() as conn:
            return _accounts.accounts_in(conn, brand_id)

    def set_account_brand(self, account_id: int, brand_id: int) -> Account:
        """Move an account into a brand (KeyError if there is no such account)."""
        with self._write() as conn:
            if _brands.get(conn, brand_id) is None:
                raise _brands.BrandError(f"there is no brand with id {brand_id}")
            return _accounts.set_brand(conn, account_id, brand_id)
