"""The command-line commands that need the engine but not Textual."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from providers import catalog, overview
from providers import settings as settings_module
from providers.errors import UsageError
from providers.networks import can_link
from providers.spec import Availability, CaptionCounting, NetworkSpec


def _print_json(document: dict[str, Any]) -> None:
    print(json.dumps(document, indent=2, default=str, ensure_ascii=False))


def network_status(spec: NetworkSpec, settings: settings_module.Settings, stored: frozenset[str]) -> str:
    if spec.availability is not Availability.AVAILABLE and not overview.legacy_open(spec, settings, stored):
        return str(spec.availability)
    if not can_link(spec.id):
        return "not_in_this_version"
    return "needs_setup" if overview.needs_setup(spec, settings, stored) else "available"


def networks(args: argparse.Namespace) -> int:
    from providers.linking import stored_secrets

    settings = settings_module.load()
    stored = stored_secrets([spec.id for spec in overview.secret_networks()])
    rows = []
    for spec in catalog.all_networks():
        data = spec.to_json()
        rows.append(
            {
                "id": spec.id,
                "name": spec.name,
                "auth": str(spec.auth),
                "settings_url": spec.settings_url,
                "status": network_status(spec, settings, stored),
                "status_reason": (overview.availability_reason(spec) if spec.availability_reason else "")
                or (overview.not_built_reason(spec) if not can_link(spec.id) else "")
                or overview.needs_setup(spec, settings, stored),
                "limits": {"media": data["media"], "caption": data["caption"]},
                "targets": data["targets"],
                "capabilities": data["capabilities"],
                "endpoints": data["endpoints"],
                "scopes": data["scopes"],
                "token_lifetime": spec.token_lifetime,
                "notes": list(spec.notes),
                "sources": spec.sources,
            }
        )
    if args.json:
        _print_json({"networks": rows})
        return 0
    width = max(len(r["name"]) for r in rows)
    for row in rows:
        caption = row["limits"]["caption"]["max_length"]
        counting = CaptionCounting(row["limits"]["caption"]["counting"]).label
        limit = f"{caption} {counting}" if caption else "-"
        status = str(row["status"]).replace("_", " ")
        print(f"{row['id']:<16} {row['name']:<{width}}  {row['auth']:<12} {status:<20} {limit}")
    return 0


def _account_json(account: Any) -> dict[str, Any]:
    data = asdict(account)
    data["vault_key"] = account.vault_key  # a key name, not a secret
    return data


def accounts(args: argparse.Namespace) -> int:
    from providers.store import Store

    settings = settings_module.load()
    with Store.open() as store:
        brand = store.brand(args.brand) if args.brand is not None else None
        cards = overview.cards(settings, store, brand_id=brand.id if brand else None)
        several = store.has_brands()  # one brand (a single user): brands are never mentioned
    rows = []
    for card in cards:
        for account in card.accounts:
            if card.via(account):  # listed once, under the broker it was linked through
                continue
            row = _account_json(account)
            row["network_name"] = card.spec.name
            row["card_state"] = str(card.state)
            rows.append(row)
    if args.json:
        _print_json({"accounts": rows})
        return 0
    from providers.terminal_text import visible

    if not rows and brand is not None:
        print(f"No linked accounts in the brand {visible(brand.name)!r}.")
        return 0
    if not rows:
        print("No linked accounts. Link one with `linkdeck link NETWORK` or from the Accounts screen.")
        return 0
    width = max(len(visible(row["brand"])) for row in rows)
    for row in rows:  # handles and names come from the network: shown, never obeyed
        target = f" → {visible(row['target_name'])}" if row["target_name"] else ""
        named = f"{visible(row['brand']):<{width}}  " if several and brand is None else ""
        who = f"{row['network']:<16} {visible(row['handle'])}{target}"
        print(f"{row['id']:>4}  {named}{who}  [{row['card_state']}]")
    return 0


def unlink(args: argparse.Namespace) -> int:
    import asyncio

    from providers import unlinking
    from providers.store import Store
    from providers.vault import Vault

    spec = catalog.get(args.network)
    settings = settings_module.load()
    with Store.open() as store:
        candidates = store.accounts_for(spec.id)
        if args.account:
            candidates = [a for a in candidates if args.account in (str(a.id), a.handle, a.remote_id)]
        if not candidates:
            raise UsageError(
                f"no linked {spec.name} account" + (f" matches {args.account!r}" if args.account else "")
            )
        if len(candidates) > 1:
            listed = ", ".join(f"{a.id} ({a.handle})" for a in candidates)
            raise UsageError(
                f"several {spec.name} accounts are linked: {listed}", hint="Choose one with --account."
            )
        account = candidates[0]
        plan = unlinking.plan(store, account)
        if not args.yes:
            if not sys.stdin.isatty():
                raise UsageError("unlinking asks for confirmation; pass --yes when not at a terminal")
            print(plan.explain().replace("**", ""))
            if input(f"Unlink {account.handle} from {spec.name}? [y/N] ").strip().lower() not in ("y", "yes"):
                print("Nothing changed.")
                return 1
        result = asyncio.run(unlinking.unlink(store, Vault(settings), account, forget=args.forget))
    print(result.summary())
    # Where the user ends the access there (a forgotten-only result names the page itself).
    if not result.forgotten_only and result.revoked is not True and plan.settings_url:
        print(f"{spec.name}'s page for connected apps: {plan.settings_url}")
    return 0


def set_secret(args: argparse.Namespace) -> int:
    """A developer app's client secret, or (``staging``) the media staging bucket's secret key."""
    from providers.staging import SECRET_NAME
    from providers.vault import Vault

    if args.network == SECRET_NAME:
        key, what = SECRET_NAME, "staging bucket's secret access key"
    else:
        spec = catalog.get(args.network)
        key, what = spec.id, f"{spec.name} client secret"
    if sys.stdin.isatty():
        import getpass

        secret = getpass.getpass(f"The {what}: ")
    else:
        secret = sys.stdin.readline()
    secret = secret.strip()
    if not secret:
        raise UsageError(f"no {what} given (read from standard input)")
    vault = Vault(settings_module.load())
    vault.set_client_secret(key, secret)
    print(f"Stored the {what} {'in the database, sealed' if vault.team else 'in the keyring'}.")
    return 0


def set_value(args: argparse.Namespace) -> int:
    from providers.config_write import set_network_value
    from providers.linking import stored_secrets

    spec = catalog.get(args.network)
    if args.key == "share_to_facebook":
        return _set_sharing(spec.id, args.value.strip())
    path = set_network_value(spec.id, args.key, args.value)
    print(f"Wrote [networks.{spec.id}] {args.key} into {path}.")
    reason = overview.needs_setup(spec, settings_module.load(), stored_secrets([spec.id]))
    print(reason or f"{spec.name} is set up: link it with `linkdeck link {spec.id}`.")
    return 0


def _set_sharing(network: str, value: str) -> int:
    """``config set instagram share_to_facebook PAGE|off``: only a linked Page is taken, so a typo
    never sends posts nowhere."""
    from providers import sharing
    from providers.config_write import set_network_value
    from providers.store import Store

    if network not in sharing.SHARES_FROM:
        raise UsageError(
            "share_to_facebook is Instagram's setting (its Share to Facebook), "
            f"not {catalog.get(network).name}'s",
            hint="Run `linkdeck config set instagram share_to_facebook <Page id>`.",
        )
    with Store.open() as store:
        pages = sharing.pages(store.accounts())
    listed = ", ".join(f"{a.target_id} ({a.target_name})" for a in pages) or "none"
    chosen = next((a for a in pages if value in (a.target_id, a.target_name)), None)
    if value.lower() != sharing.OFF and chosen is None:
        raise UsageError(
            f"no linked Facebook Page is {value!r}; linked Pages: {listed}",
            hint="Link Facebook first (`linkdeck link facebook`), or give `off`.",
        )
    stored = sharing.OFF if chosen is None else str(chosen.target_id)
    path = set_network_value(network, "share_to_facebook", stored)
    print(f"Wrote [networks.{network}] share_to_facebook into {path}.")
    if chosen is None:
        print(f"{catalog.get(network).name} posts are no longer shared to Facebook.")
    else:
        print(
            f"{catalog.get(network).name} posts also go to Facebook ({chosen.target_name}), "
            "one delivery each; `linkdeck post --no-share` leaves it out once."
        )
    return 0
