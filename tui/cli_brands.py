"""``linkdeck brands``: list, add, rename and remove brands, and move accounts into one.

A single user never needs this: every account is in the default brand, and the other commands
say nothing about brands until a second one exists. ``--brand NAME`` on ``post``, ``accounts``
and ``link`` takes a name in any case or spacing; an unknown one exits 2 before anything is
stored.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

# The parser is built for every command, so the engine is imported only when `brands` runs.
if TYPE_CHECKING:
    from providers.store import Account, Brand, Store


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``brands`` command and its subcommands (without one: the list)."""
    text = "brands (groups of accounts, e.g. an agency's clients): list, add, rename, remove, assign"
    p = sub.add_parser("brands", help=text, description=text)
    p.add_argument("--json", action="store_true", help="the list as one JSON document")
    brands_sub = p.add_subparsers(dest="brands_command", metavar="SUBCOMMAND")
    s = brands_sub.add_parser("list", help="every brand and how many accounts it has")
    s.add_argument("--json", action="store_true", help="one JSON document")
    s = brands_sub.add_parser("add", help="a new brand (names are unique, ignoring case and spacing)")
    s.add_argument("name", metavar="NAME")
    s = brands_sub.add_parser("rename", help="give a brand another name")
    s.add_argument("old", metavar="OLD")
    s.add_argument("new", metavar="NEW")
    s = brands_sub.add_parser("remove", help="remove a brand that has no accounts left")
    s.add_argument("name", metavar="NAME")
    s = brands_sub.add_parser("assign", help="move accounts into a brand")
    s.add_argument("brand", metavar="BRAND")
    s.add_argument(
        "accounts",
        nargs="+",
        metavar="ACCOUNT",
        help="an account id from `linkdeck accounts`, or NETWORK:HANDLE, or NETWORK when only one "
        "account of it is linked",
    )


def brands(args: argparse.Namespace) -> int:
    from providers import catalog
    from providers.store import Store
    from providers.terminal_text import visible

    command = args.brands_command or "list"
    with Store.open() as store:
        if command == "list":
            return _list(store, args.json)
        if command == "add":
            brand = store.add_brand(args.name)
            print(f"Added the brand {visible(brand.name)!r}.")
            if len(store.brands()) == 2:
                default = store.default_brand()
                print(
                    f"Accounts linked so far are in {visible(default.name)!r}; move them with "
                    "`linkdeck brands assign BRAND ACCOUNT`, link new ones with --brand."
                )
        elif command == "rename":
            old = store.brand(args.old)
            brand = store.rename_brand(args.old, args.new)
            print(f"Renamed the brand {visible(old.name)!r} to {visible(brand.name)!r}.")
        elif command == "remove":
            brand = store.remove_brand(args.name)
            print(f"Removed the brand {visible(brand.name)!r}.")
        else:
            brand = store.brand(args.brand)
            moved = [store.set_account_brand(a.id, brand.id) for a in _accounts_named(store, args.accounts)]
            for account in moved:
                who = f"{catalog.get(account.network).name} {visible(account.handle)}"
                print(f"{who} is in {visible(brand.name)!r}.")
    return 0


def _list(store: Store, as_json: bool) -> int:
    from providers.terminal_text import visible

    found = store.brands()
    if as_json:
        rows = [{"id": b.id, "name": b.name, "default": b.is_default, "accounts": b.accounts} for b in found]
        print(json.dumps({"brands": rows}, indent=2, ensure_ascii=False))
        return 0
    width = max(len(b.name) for b in found)
    for brand in found:
        plural = "account" if brand.accounts == 1 else "accounts"
        default = "  (default)" if brand.is_default else ""
        print(f"{visible(brand.name):<{width}}  {brand.accounts:>3} {plural}{default}")
    return 0


def _accounts_named(store: Store, names: list[str]) -> list[Account]:
    """Every account the arguments name, all checked before any is moved (UsageError, exit 2)."""
    from providers import catalog
    from providers.errors import UsageError
    from providers.terminal_text import visible

    linked = store.accounts()
    chosen: dict[int, Account] = {}
    for name in names:
        text = name.strip()
        if text.isdigit():
            matching = [a for a in linked if a.id == int(text)]
            if not matching:
                raise UsageError(
                    f"no linked account has the id {text}", hint="`linkdeck accounts` lists them."
                )
        else:
            network, _, who = text.partition(":")
            spec = catalog.find(network.strip())
            if spec is None:
                raise UsageError(f"{text!r} is neither an account id nor a network id")
            matching = [
                a for a in linked if a.network == spec.id and (not who.strip() or account_matches(a, who))
            ]
            if not matching:
                raise UsageError(f"no linked {spec.name} account matches {text!r}")
            if len(matching) > 1:
                listed = ", ".join(f"{a.id} ({visible(a.handle)})" for a in matching)
                raise UsageError(
                    f"several {spec.name} accounts match {text!r}: {listed}",
                    hint="Name one by its id or as NETWORK:HANDLE.",
                )
        for account in matching:
            chosen[account.id] = account
    return list(chosen.values())


def account_matches(account: Account, who: str) -> bool:
    """Whether WHO (of ``NETWORK:WHO``) names ``account``: its id, its handle with or without the
    leading @ and the server part, or the network's id for it."""
    wanted = who.strip().lstrip("@").lower()
    handle = account.handle.lstrip("@").lower()
    return wanted in (str(account.id), handle, handle.split("@")[0], account.remote_id.lower())


def brand_option(store: Store, name: str | None) -> Brand | None:
    """``--brand NAME``: the brand (None without the option); BrandError (exit 2) when unknown."""
    return None if name is None else store.brand(name)
