"""``linkdeck post``: a post from a shell, checked, recorded, then sent now or scheduled.
``linkdeck queue`` and ``linkdeck worker`` are in :mod:`tui.cli_commands_queue`.

``post [FILE...] --to N,N [--brand NAME] [--caption TEXT] [--at WHEN] [--json]``

- ``--to`` takes catalog ids: ``mastodon`` is every linked Mastodon account; ``NETWORK:WHO`` picks
  one, WHO being the account's handle (``mastodon:@alice@mastodon.social``, the leading @ and the
  server part optional: ``mastodon:alice``) or its id from ``linkdeck accounts``
  (``mastodon:3``). An unknown id, a network with no linked account, or one linkdeck cannot
  publish to yet exits 2. An account that needs reconnecting exits 2 for a post now; with
  ``--at`` it is accepted and the post is held until the account is reconnected.
- ``--brand NAME`` keeps ``--to`` to that brand's accounts; alone, it posts to every account of
  the brand. An unknown brand, or a network in ``--to`` with no account in the brand, exits 2.
- Alt text: a file ``PHOTO.alt.txt`` next to ``PHOTO`` (e.g. ``beach.jpg.alt.txt``) is that
  photo's description.
- An Instagram account whose posts are shared to a Facebook Page (``config set instagram
  share_to_facebook``, :mod:`providers.sharing`) brings that Page's account along, said on
  stderr; ``--no-share`` leaves it out this once.
- Media and caption are checked first, against each account's own server limits where the
  network publishes them: unreadable files exit 2, anything a network would refuse exits 1 with
  the verdicts, and nothing is recorded or sent.
- Then the post and one delivery per account are recorded (one transaction) before any send.
  Without ``--at`` they are sent now, concurrently, waiting up to 30 s for short retries; exit 0
  when all were sent, 1 otherwise. With ``--at`` ("in 2h", "tomorrow 09:00"… in local
  time, or ISO-8601 WITH an offset; past times refused)
  the post is stored in UTC, shown in local time, and the command exits 0.
- ``--json``: one document {"post", "deliveries": [{id, network, account, state, url, reason,
  …}], "ok"} (or {"problems": […]} when the checks refused it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from providers import catalog
from providers.errors import UsageError
from providers.outbox.events import DeliveryEvent
from providers.outbox.timing import iso, iso_local, local, parse_at
from providers.store import Account, AccountState, Brand, Delivery, DeliveryState, Post, Store
from providers.terminal_text import visible
from tui.cli_brands import account_matches, brand_option

if TYPE_CHECKING:
    from providers.vault import Vault

ALT_SUFFIX = ".alt.txt"


def _print_json(document: dict[str, Any]) -> None:
    print(json.dumps(document, indent=2, ensure_ascii=False, default=str))


# --to ------------------------------------------------------------------------------------------


def resolve_targets(
    store: Store, to: str | None, *, scheduled: bool, brand: Brand | None = None
) -> list[Account]:
    """The accounts ``--to`` names, within ``brand`` when ``--brand`` is given (``--brand`` alone:
    every account of the brand linkdeck can publish to); UsageError (exit 2) otherwise."""
    from providers.networks import can_publish

    if to is None and brand is not None:
        accounts = [a for a in store.accounts_in(brand.id) if can_publish(a.network)]
        if not accounts:
            raise UsageError(f"the brand {visible(brand.name)!r} has no linked account linkdeck can post to")
        return [_ready(account, scheduled) for account in accounts]
    items = [part.strip() for part in (to or "").split(",") if part.strip()]
    if not items:
        raise UsageError("--to names no network", hint="Known network ids: " + ", ".join(catalog.ids()))
    unknown = [item.partition(":")[0].strip() for item in items if not catalog.find(item.partition(":")[0])]
    if unknown:  # every id is checked before any account is looked at
        raise UsageError(
            f"unknown network id(s) in --to: {', '.join(unknown)}",
            hint="Known network ids: " + ", ".join(catalog.ids()),
        )
    chosen: dict[int, Account] = {}
    for item in items:
        name, _, who = item.partition(":")
        spec = catalog.get(name)
        network = spec.id
        if not can_publish(network):
            raise UsageError(f"publishing to {spec.name} is not built yet in this version of linkdeck")
        linked = store.accounts_for(network)
        if not linked:
            raise UsageError(f"no {spec.name} account is linked; link one with `linkdeck link {network}`")
        if brand is not None:
            linked = [a for a in linked if a.brand_id == brand.id]
            if not linked:
                raise UsageError(f"no {spec.name} account is in the brand {visible(brand.name)!r}")
        if who.strip():
            matching = [a for a in linked if account_matches(a, who)]
            if not matching:
                listed = ", ".join(f"{a.id} ({a.handle})" for a in linked)
                raise UsageError(f"no linked {spec.name} account matches {who!r}; linked: {listed}")
            linked = matching
        for account in linked:
            chosen[account.id] = _ready(account, scheduled)
    return list(chosen.values())


def _with_shared(store: Store, accounts: list[Account], *, scheduled: bool) -> list[Account]:
    """``accounts`` and the Facebook Page Instagram shares to (providers.sharing), said on stderr;
    a Page that needs reconnecting is left out of a post sent now, with the reason."""
    from providers import sharing
    from providers.settings import load

    added = sharing.with_shared(accounts, load(), store.accounts())[len(accounts) :]
    for account in added:
        if account.state == AccountState.RECONNECT and not scheduled:
            print(
                f"linkdeck: not also sharing to Facebook ({account.target_name}): it needs "
                "reconnecting (`linkdeck link facebook`).",
                file=sys.stderr,
            )
            continue
        print(f"Also to Facebook ({account.target_name}): Instagram shares to it.", file=sys.stderr)
        accounts = [*accounts, account]
    return accounts


def _ready(account: Account, scheduled: bool) -> Account:
    """``account``, unless it needs reconnecting and the post is for now (exit 2)."""
    if account.state == AccountState.RECONNECT and not scheduled:
        spec = catalog.get(account.network)
        why = f" ({account.state_reason})" if account.state_reason else ""
        raise UsageError(
            f"{account.handle} on {spec.name} needs reconnecting{why}",
            hint=f"Run `linkdeck link {spec.id}` first, or schedule the post with --at.",
        )
    return account


# Checks ------------------------------------------------------------------------------------------


def alt_text(path: str) -> str:
    """The alt text in ``PATH.alt.txt`` ('' without one). Refused (exit 2) when it is not UTF-8 or
    holds control characters other than line breaks and tabs: a NUL or an escape sequence in a
    description is never what a person meant, and servers refuse or mangle it."""
    sidecar = Path(path + ALT_SUFFIX)
    try:
        text = sidecar.read_text(encoding="utf-8").strip() if sidecar.is_file() else ""
    except UnicodeDecodeError:
        raise UsageError(f"{sidecar}: the alt text is not valid UTF-8") from None
    except OSError as exc:
        raise UsageError(f"{sidecar}: the alt text file cannot be read ({exc.strerror or exc})") from None
    bad = sorted({f"U+{ord(c):04X}" for c in text if not c.isprintable() and c not in "\n\t"})
    if bad:
        raise UsageError(f"{sidecar}: the alt text has control characters ({', '.join(bad)}); remove them")
    return text


async def _problems(
    accounts: Sequence[Account],
    infos: Sequence[Any],
    caption: str,
    descriptions: Sequence[str],
    vault: Vault,
) -> list[Any]:
    from providers.http import async_client
    from providers.networks.registry import publisher_for
    from providers.outbox.checks import CheckProblem, problems
    from providers.staging import not_set_up, staging_for

    found: dict[tuple[str, str], Any] = {}
    async with async_client(timeout=15.0) as client:
        for account in accounts:
            publisher = publisher_for(account.network, client=client)
            spec = await publisher.limits(account) if publisher else catalog.get(account.network)
            listed = problems(spec, infos, caption, descriptions=descriptions)
            # A network that fetches photos from an address needs [staging]: say so before recording.
            if publisher and publisher.stages_media and infos and staging_for(vault.settings, vault) is None:
                message = not_set_up(publisher.name(account))
                listed.append(CheckProblem(account.network, "staging_not_set_up", message))
            for problem in listed:
                found.setdefault((problem.network, problem.message), problem)
    return list(found.values())


# post -----------------------------------------------------------------------------------------


def _delivery_json(delivery: Delivery, accounts: dict[str, Account]) -> dict[str, Any]:
    account = accounts.get(delivery.account_key)
    return {
        "id": delivery.id,
        "network": delivery.network,
        "network_name": catalog.get(delivery.network).name,
        "account": account.handle if account else delivery.remote_id,
        "account_id": delivery.account_id,
        "state": delivery.state,
        "url": delivery.url,
        "remote_post_id": delivery.remote_post_id,
        "reason": delivery.reason,
        "retryable": delivery.retryable,
        "attempts": delivery.attempts,
        "next_attempt_at": iso(delivery.next_attempt_at),
    }


def _post_json(post: Post) -> dict[str, Any]:
    return {
        "id": post.id,
        "caption": post.caption,
        "media": post.media,
        "descriptions": post.descriptions,
        "scheduled_at": iso(post.scheduled_at),
        "scheduled_at_local": iso_local(post.scheduled_at),
    }


class _Progress:
    """Upload progress on stderr when it is a terminal (stdout stays the result)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, event: DeliveryEvent) -> None:
        if not self.enabled or event.final:
            return
        end = "\r" if event.kind == "uploading" else "\n"
        print(f"\x1b[2K{event.describe()}", end=end, file=sys.stderr, flush=True)


def as_stories(accounts: Sequence[Account]) -> list[Account]:
    """``--story``: each account whose network posts Stories as a Story delivery; the others as
    usual. Refused (exit 2) when none of them posts Stories."""
    from providers.interface import as_story

    def stories(network: str) -> bool:
        return catalog.get(network).story_media is not None

    if not any(stories(a.network) for a in accounts):
        raise UsageError(
            "--story: none of the chosen accounts' networks posts Stories (Instagram does); "
            "leave --story out to post to the feed"
        )
    return [as_story(a) if stories(a.network) else a for a in accounts]


def post(args: argparse.Namespace) -> int:
    from providers.outbox.checks import inspect_all
    from providers.settings import load
    from providers.vault import Vault

    if args.to is None and args.brand is None:
        raise UsageError("say where to post: --to N,N, --brand NAME (its accounts), or both")
    caption = args.caption or ""
    files = [str(Path(f).expanduser().resolve()) for f in args.files]
    if not files and not caption.strip():
        raise UsageError("nothing to post: give one or more files, a --caption, or both")
    when = parse_at(args.at) if args.at is not None else None
    with Store.open() as store:
        brand = brand_option(store, args.brand)
        accounts = resolve_targets(store, args.to, scheduled=when is not None, brand=brand)
        if args.story:
            # A Story stays on Instagram: the Page share is for feed posts.
            accounts = as_stories(accounts)
        elif not args.no_share:
            accounts = _with_shared(store, accounts, scheduled=when is not None)
        vault = Vault(load())
        if when is None:
            vault.check()  # a missing keyring is a setup problem: say so before recording anything
        descriptions = [alt_text(f) for f in files]
        infos = inspect_all(files)
        refused = asyncio.run(_problems(accounts, infos, caption, descriptions, vault))
        if refused:
            if args.json:
                _print_json(
                    {"post": None, "deliveries": [], "problems": [p.to_json() for p in refused], "ok": False}
                )
            for problem in refused:
                print(f"linkdeck: {problem.message}", file=sys.stderr)
            print("Nothing was posted.", file=sys.stderr)
            return 1
        record, deliveries = store.create_post_with_deliveries(
            caption, files, when, accounts, descriptions=descriptions if any(descriptions) else None
        )
        by_key = {a.vault_key: a for a in accounts}
        if when is not None:
            return _scheduled(args, record, deliveries, by_key)
        from providers.outbox.runner import publish_now

        progress = _Progress(not args.json and sys.stderr.isatty())
        final = asyncio.run(publish_now(store, vault, record, accounts, progress))
    return _published(args, record, final, by_key)


def _scheduled(
    args: argparse.Namespace, record: Post, deliveries: list[Delivery], accounts: dict[str, Account]
) -> int:
    if args.json:
        _print_json(
            {
                "post": _post_json(record),
                "deliveries": [_delivery_json(d, accounts) for d in deliveries],
                "ok": True,
            }
        )
        return 0
    print(f"Scheduled post {record.id} for {local(record.scheduled_at)} ({iso(record.scheduled_at)}) to:")
    for delivery in deliveries:
        print(f"  {catalog.get(delivery.network).name:<10} {accounts[delivery.account_key].handle}")
    print("`linkdeck worker` (or the open TUI) sends it when it is due.")
    return 0


def _published(
    args: argparse.Namespace, record: Post, final: list[Delivery], accounts: dict[str, Account]
) -> int:
    ok = bool(final) and all(d.state == DeliveryState.SENT for d in final)
    if args.json:
        _print_json(
            {"post": _post_json(record), "deliveries": [_delivery_json(d, accounts) for d in final], "ok": ok}
        )
        return 0 if ok else 1
    for delivery in final:
        account = accounts.get(delivery.account_key)
        who = account.handle if account else delivery.remote_id
        detail = (delivery.url or "") if delivery.state == DeliveryState.SENT else delivery.reason
        if delivery.state == DeliveryState.SCHEDULED and delivery.next_attempt_at:
            when = local(delivery.next_attempt_at)
            detail = f"will try again at {when} (`linkdeck worker` or the TUI): {detail}"
        line = f"{delivery.state:<9} {catalog.get(delivery.network).name:<10} {who}  {detail}".rstrip()
        print(visible(line))  # a server's reason or a handle is shown, never obeyed
    return 0 if ok else 1
