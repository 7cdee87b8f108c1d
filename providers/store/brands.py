"""Brand rows: the groups accounts belong to, and the rules for their names.

A brand's name is shown as typed (spaces collapsed); its ``folded_name`` (NFKC, casefolded, spaces
collapsed) is what makes two names the same brand, and the database holds it UNIQUE, so two
people adding "Acme" and " acme" at the same moment still end with one brand. The default brand
is the one with the lowest id (made by the migration); accounts linked without a brand go there.

Functions take a connection; the caller (``Store``) holds the lock and opens the transaction.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from providers.errors import UsageError
from providers.store.engine import Connection
from providers.store.models import Brand

MAX_NAME = 60  # characters: a brand's name is a label on a tab, not a description
UNIQUE = "(brand names are unique, ignoring case and spacing)"


class BrandError(UsageError):
    """A brand that does not exist, a name that breaks the rules, or a removal that is refused."""


def clean_name(name: str) -> str:
    """``name`` as it is stored: trimmed, inner runs of spaces made one. BrandError names the rule
    when it is empty, too long, or holds control characters (a brand name is shown on screens and
    in other people's terminals)."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise BrandError("a brand name cannot be empty")
    if len(cleaned) > MAX_NAME:
        raise BrandError(f"a brand name is at most {MAX_NAME} characters ({len(cleaned)} given)")
    if any(not ch.isprintable() for ch in cleaned):
        raise BrandError("a brand name cannot hold control characters")
    return cleaned


def folded_name(name: str) -> str:
    """The form two names are compared in: "Acme  Co", " acme co" and "ＡＣＭＥ Co" are one brand."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


_SELECT = """
    SELECT b.id, b.name,
           b.id = (SELECT MIN(id) FROM brands) AS is_default,
           (SELECT COUNT(*) FROM accounts a WHERE a.brand_id = b.id) AS accounts
    FROM brands b
"""


def _row(row: Any) -> Brand:
    return Brand(id=row["id"], name=row["name"], is_default=bool(row["is_default"]), accounts=row["accounts"])


def all_brands(conn: Connection) -> list[Brand]:
    """The default brand first, then the others by name."""
    rows = [_row(r) for r in conn.execute(_SELECT + " ORDER BY b.id")]
    return rows[:1] + sorted(rows[1:], key=lambda b: folded_name(b.name))


def default_id(conn: Connection) -> int:
    row = conn.execute("SELECT MIN(id) AS id FROM brands").fetchone()
    if row is None or row["id"] is None:  # only a hand-edited database lacks it
        raise BrandError("the database has no brand at all; linkdeck needs its default brand back")
    return int(row["id"])


def get(conn: Connection, brand_id: int) -> Brand | None:
    row = conn.execute(_SELECT + " WHERE b.id = ?", (brand_id,)).fetchone()
    return None if row is None else _row(row)


def find(conn: Connection, name: str) -> Brand | None:
    row = conn.execute(_SELECT + " WHERE b.folded_name = ?", (folded_name(name),)).fetchone()
    return None if row is None else _row(row)


def require(conn: Connection, name: str) -> Brand:
    """The brand called ``name`` (any case or spacing); BrandError listing the brands otherwise."""
    brand = find(conn, name)
    if brand is None:
        known = ", ".join(b.name for b in all_brands(conn))
        raise BrandError(
            f"there is no brand called {' '.join(name.split())!r}",
            hint=f"Brands: {known}. Add one with `linkdeck brands add NAME`.",
        )
    return brand


def add(conn: Connection, name: str, *, exist_ok: bool = False) -> Brand:
    """A new brand; with ``exist_ok`` the one already called so (any case or spacing)."""
    cleaned = clean_name(name)
    inserted = conn.execute(
        "INSERT INTO brands (name, folded_name) VALUES (?, ?) "
        "ON CONFLICT (folded_name) DO NOTHING RETURNING id",
        (cleaned, folded_name(cleaned)),
    ).fetchone()
    if inserted is None and not exist_ok:
        existing = find(conn, cleaned)
        raise BrandError(f"a brand called {existing.name if existing else cleaned!r} already exists {UNIQUE}")
    brand = find(conn, cleaned)
    assert brand is not None
    return brand


def rename(conn: Connection, old: str, new: str) -> Brand:
    brand = require(conn, old)
    cleaned = clean_name(new)
    other = find(conn, cleaned)
    if other is not None and other.id != brand.id:
        raise BrandError(f"a brand called {other.name!r} already exists {UNIQUE}")
    conn.execute(
        "UPDATE brands SET name = ?, folded_name = ? WHERE id = ?", (cleaned, folded_name(cleaned), brand.id)
    )
    renamed = get(conn, brand.id)
    assert renamed is not None
    return renamed


def remove(conn: Connection, name: str) -> Brand:
    """Delete an empty brand. The default brand and a brand that still has accounts are refused
    (their accounts would have nowhere to be)."""
    brand = require(conn, name)
    if brand.is_default:
        raise BrandError(
            f"{brand.name!r} is the default brand (accounts linked without a brand go there); "
            "it cannot be removed",
            hint="Rename it instead: `linkdeck brands rename OLD NEW`.",
        )
    if brand.accounts:
        plural = "account" if brand.accounts == 1 else "accounts"
        raise BrandError(
            f"the brand {brand.name!r} still has {brand.accounts} {plural}; nothing was removed",
            hint="Move them first (`linkdeck brands assign BRAND ACCOUNT…`) or unlink them.",
        )
    conn.execute("DELETE FROM brands WHERE id = ?", (brand.id,))
    return brand
