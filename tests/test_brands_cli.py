"""``linkdeck brands`` and ``--brand`` as a user runs them: each command a subprocess on one real
SQLite file; posts go to ``linkdeck sandbox`` in another process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from providers.store import Account, Store
from tests.support.cli import run_cli
from tests.support.linking import ALICE, BOB, link, statuses
from tests.support.processes import SandboxProcess


def ok(env: dict[str, str], *args: str) -> str:
    done = run_cli(env, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def refused(env: dict[str, str], *args: str, says: str) -> str:
    """A usage error: exit 2, the message on stderr, never a traceback."""
    done = run_cli(env, *args)
    assert done.returncode == 2, (args, done.stdout, done.stderr)
    assert says in done.stderr and "Traceback" not in done.stderr, done.stderr
    return done.stderr


def brands_json(env: dict[str, str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(ok(env, "brands", "--json"))["brands"]
    return found


def seed(home: Path) -> None:
    """Two accounts in the default brand, linked as they were before brands existed."""
    with Store.open() as store:
        store.upsert_account("mastodon", "1", handle="@alice@m.example", instance="https://m.example")
        store.upsert_account("instagram", "2", handle="alice.bakes")


def test_a_single_user_never_reads_about_brands(env: dict[str, str], linkdeck_home: Path) -> None:
    seed(linkdeck_home)
    listed = ok(env, "accounts")
    assert "@alice@m.example" in listed and "Default" not in listed and "brand" not in listed.lower()
    assert ok(env, "brands").split() == ["Default", "2", "accounts", "(default)"]
    # The JSON always names the brand, so a script needs no second shape once there are several.
    rows = json.loads(ok(env, "accounts", "--json"))["accounts"]
    assert {row["brand"] for row in rows} == {"Default"}


def test_add_rename_assign_and_remove(env: dict[str, str], linkdeck_home: Path) -> None:
    seed(linkdeck_home)
    added = ok(env, "brands", "add", "  Harbour   Bakery ")
    assert "Added the brand 'Harbour Bakery'" in added and "brands assign" in added
    refused(env, "brands", "add", "harbour bakery", says="'Harbour Bakery' already exists")
    refused(env, "brands", "add", "HARBOUR BAKERY\t", says="already exists")
    refused(env, "brands", "add", "  ", says="a brand name cannot be empty")
    refused(env, "brands", "add", "x" * 61, says="at most 60 characters")
    assert [b["name"] for b in brands_json(env)] == ["Default", "Harbour Bakery"]

    assert "'Harbour Bakery' to 'Harbour Co'" in ok(env, "brands", "rename", "harbour bakery", "Harbour Co")
    refused(env, "brands", "rename", "harbour co", "default", says="'Default' already exists")
    refused(env, "brands", "rename", "nope", "Other", says="there is no brand called 'nope'")

    assert "is in 'Harbour Co'" in ok(env, "brands", "assign", "HARBOUR CO", "mastodon:alice")
    refused(env, "brands", "assign", "Harbour Co", "pixelfed", says="no linked Pixelfed account")
    refused(env, "brands", "assign", "Harbour Co", "99", says="no linked account has the id 99")
    refused(env, "brands", "assign", "Nope", "instagram", says="no brand called 'Nope'")
    counts = {b["name"]: b["accounts"] for b in brands_json(env)}
    assert counts == {"Default": 1, "Harbour Co": 1}

    stderr = refused(env, "brands", "remove", "harbour co", says="still has 1 account; nothing was removed")
    assert "brands assign" in stderr
    refused(env, "brands", "remove", "default", says="is the default brand")
    ok(env, "brands", "assign", "Default", "mastodon")
    assert "Removed the brand 'Harbour Co'" in ok(env, "brands", "remove", "Harbour Co")
    assert [b["name"] for b in brands_json(env)] == ["Default"]


def test_accounts_names_brands_once_there_are_two(env: dict[str, str], linkdeck_home: Path) -> None:
    seed(linkdeck_home)
    ok(env, "brands", "add", "Acme")
    ok(env, "brands", "assign", "acme", "instagram")
    every = ok(env, "accounts")
    assert "Acme" in every and "Default" in every
    only = ok(env, "accounts", "--brand", " ACME ")
    assert "alice.bakes" in only and "@alice@m.example" not in only
    rows = json.loads(ok(env, "accounts", "--json", "--brand", "default"))["accounts"]
    assert [(r["handle"], r["brand"]) for r in rows] == [("@alice@m.example", "Default")]
    refused(env, "accounts", "--brand", "Nope", says="there is no brand called 'Nope'")


def test_an_unknown_brand_on_post_and_link_stores_nothing(env: dict[str, str], linkdeck_home: Path) -> None:
    seed(linkdeck_home)
    stderr = refused(
        env, "post", "--brand", "Nope", "--caption", "hi", says="there is no brand called 'Nope'"
    )
    assert "Brands: Default" in stderr
    refused(env, "post", "--to", "mastodon", "--brand", "Nope", "--caption", "hi", says="no brand called")
    refused(env, "post", "--caption", "hi", says="--to N,N, --brand NAME")
    refused(env, "link", "mastodon", "--instance", "m.example", "--brand", "Nope", says="no brand called")
    assert json.loads(ok(env, "queue", "--json"))["deliveries"] == []
    with Store.open() as store:
        assert len(store.accounts()) == 2 and len(store.brands()) == 1


def test_a_brand_with_no_account_on_a_network_is_refused(env: dict[str, str], linkdeck_home: Path) -> None:
    seed(linkdeck_home)
    ok(env, "brands", "add", "Acme")
    refused(env, "post", "--brand", "acme", "--caption", "hi", says="'Acme' has no linked account")
    refused(
        env,
        "post",
        "--to",
        "mastodon",
        "--brand",
        "acme",
        "--caption",
        "hi",
        says="no Mastodon account is in the brand 'Acme'",
    )
    assert json.loads(ok(env, "queue", "--json"))["deliveries"] == []


@pytest.fixture
def two_brands(sandbox_process: SandboxProcess, linkdeck_home: Path) -> tuple[Account, Account]:
    """Alice in the brand Acme, Bob in the default brand, both on the sandbox's Mastodon."""
    with Store.open() as store:
        alice = link(store, f"{sandbox_process.url}/mastodon.example")
        bob = link(store, f"{sandbox_process.url}/mastodon.example", user="bob")
        acme = store.add_brand("Acme")
        return store.set_account_brand(alice.id, acme.id), bob


def test_post_to_a_brand_reaches_only_its_accounts(
    env: dict[str, str], two_brands: tuple[Account, Account]
) -> None:
    alice, bob = two_brands
    assert alice.remote_id == ALICE and bob.remote_id == BOB
    document = json.loads(ok(env, "post", "--brand", "acme", "--caption", "For Acme only", "--json"))
    assert document["ok"] is True
    assert [(d["account"], d["state"]) for d in document["deliveries"]] == [(alice.handle, "sent")]
    assert ["For Acme only" in s["content"] for s in statuses(str(alice.instance), ALICE)] == [True]
    assert statuses(str(bob.instance), BOB) == []
    # --to within a brand: the default brand's Mastodon account only.
    document = json.loads(
        ok(env, "post", "--to", "mastodon", "--brand", "Default", "--caption", "hi", "--json")
    )
    assert [d["account"] for d in document["deliveries"]] == [bob.handle]
    assert len(statuses(str(bob.instance), BOB)) == 1
