"""Brands in the store: unique names (ignoring case and spacing), the default brand, moving
accounts, refusing to remove a brand that still has accounts, and the migration that puts the
accounts of an older database into the default brand."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from providers.store import BrandError, Store
from providers.store import db as store_db
from providers.store.brands import MAX_NAME, clean_name, folded_name
from providers.store.health import backup_path


def _brands_migration() -> int:
    """The position of the brands migration in MIGRATIONS (the schema before it is this version)."""
    return next(
        i
        for i, statements in enumerate(store_db.MIGRATIONS)
        if any("CREATE TABLE brands" in s for s in statements)
    )


def test_a_new_store_has_one_default_brand_and_accounts_go_into_it(store: Store) -> None:
    [default] = store.brands()
    assert default.is_default and default.name == "Default" and default.accounts == 0
    assert not store.has_brands()
    account = store.upsert_account("mastodon", "1", handle="@a@m.example", instance="https://m.example")
    assert (account.brand_id, account.brand) == (default.id, "Default")
    assert store.default_brand().accounts == 1


@pytest.mark.parametrize("again", ["Acme", "acme", "  ACME ", "Acme\t", "ａｃｍｅ"])
def test_brand_names_are_unique_ignoring_case_and_spacing(store: Store, again: str) -> None:
    acme = store.add_brand(" Acme ")
    assert acme.name == "Acme"  # stored trimmed
    with pytest.raises(BrandError, match="'Acme' already exists"):
        store.add_brand(again)
    assert store.add_brand(again, exist_ok=True) == acme
    assert store.brand(again) == acme
    assert [b.name for b in store.brands()] == ["Default", "Acme"]


def test_inner_spaces_are_one_and_the_default_name_is_taken_too(store: Store) -> None:
    store.add_brand("Harbour   Bakery")
    with pytest.raises(BrandError, match="already exists"):
        store.add_brand("harbour bakery")
    with pytest.raises(BrandError, match="'Default' already exists"):
        store.add_brand("DEFAULT")


def test_the_database_itself_refuses_a_second_row_with_the_same_key(store: Store) -> None:
    """Not only the method: two writers racing past the check still end with one brand."""
    store.add_brand("Acme")
    with store._write() as conn, pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        conn.execute("INSERT INTO brands (name, folded_name) VALUES ('ACME', ?)", (folded_name("ACME"),))


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("", "cannot be empty"),
        ("   ", "cannot be empty"),
        ("a\x1b[2Jb", "control characters"),
        ("x" * (MAX_NAME + 1), "at most"),
    ],
)
def test_names_that_break_a_rule_are_refused_naming_it(store: Store, name: str, rule: str) -> None:
    with pytest.raises(BrandError, match=rule):
        store.add_brand(name)
    assert len(store.brands()) == 1


def test_clean_name_and_key() -> None:
    assert clean_name("  Harbour \t Bakery ") == "Harbour Bakery"
    assert folded_name("Harbour Bakery") == folded_name(" HARBOUR  bakery") == "harbour bakery"


def test_rename_keeps_the_id_and_refuses_a_taken_name(store: Store) -> None:
    acme = store.add_brand("Acme")
    store.add_brand("Bakery")
    assert store.rename_brand("acme", "ACME Ltd").id == acme.id
    assert store.rename_brand("acme ltd", "Acme Ltd").name == "Acme Ltd"  # its own name in another case
    with pytest.raises(BrandError, match="'Bakery' already exists"):
        store.rename_brand("Acme Ltd", " bakery")
    with pytest.raises(BrandError, match="no brand called 'Nope'"):
        store.rename_brand("Nope", "Other")


def test_remove_refuses_a_brand_with_accounts_and_the_default_one(store: Store) -> None:
    acme = store.add_brand("Acme")
    account = store.upsert_account("mastodon", "1", handle="@a@m.example", brand_id=acme.id)
    with pytest.raises(BrandError, match="still has 1 account; nothing was removed"):
        store.remove_brand("acme")
    with pytest.raises(BrandError, match="default brand"):
        store.remove_brand("Default")
    store.set_account_brand(account.id, store.default_brand().id)
    assert store.remove_brand("ACME").id == acme.id
    assert [b.name for b in store.brands()] == ["Default"]


def test_relinking_keeps_the_brand_unless_one_is_given(store: Store) -> None:
    acme = store.add_brand("Acme")
    bakery = store.add_brand("Bakery")
    first = store.upsert_account("mastodon", "1", handle="@a@m.example", brand_id=acme.id)
    assert store.upsert_account("mastodon", "1", handle="@a@m.example").brand_id == acme.id
    moved = store.upsert_account("mastodon", "1", handle="@a@m.example", brand_id=bakery.id)
    assert (moved.id, moved.brand) == (first.id, "Bakery")
    assert [a.id for a in store.accounts_in(bakery.id)] == [first.id]
    assert store.accounts_in(acme.id) == []


def test_moving_to_a_brand_that_does_not_exist_is_refused(store: Store) -> None:
    account = store.upsert_account("mastodon", "1", handle="@a@m.example")
    with pytest.raises(BrandError, match="no brand with id 999"):
        store.set_account_brand(account.id, 999)
    with pytest.raises(KeyError):
        store.set_account_brand(12345, store.default_brand().id)


def test_a_database_from_before_brands_keeps_its_accounts_in_the_default_brand(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    before = _brands_migration()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert store_db.migrate(conn, store_db.MIGRATIONS[:before]) == before
        for remote_id, handle in (("1", "@alice"), ("2", "@bob")):
            conn.execute(
                "INSERT INTO accounts (network, instance, remote_id, handle, linked_at, updated_at) "
                "VALUES ('mastodon', 'https://m.example', ?, ?, '2026-01-01T00:00:00.000000+00:00', "
                "'2026-01-01T00:00:00.000000+00:00')",
                (remote_id, handle),
            )
    finally:
        conn.close()

    with Store.open(path) as store:
        assert store.schema_version() == store_db.SCHEMA_VERSION
        [default] = store.brands()
        assert default.is_default and default.accounts == 2
        assert {(a.handle, a.brand_id, a.brand) for a in store.accounts()} == {
            ("@alice", default.id, "Default"),
            ("@bob", default.id, "Default"),
        }
        # A brand added after the migration does not take the default's place.
        store.add_brand("Acme")
        assert store.default_brand().id == default.id
        assert store.upsert_account("mastodon", "3", handle="@carol").brand_id == default.id
    assert backup_path(path, before).exists()  # the copy taken before migrating
