"""The posting quota a card shows ("12 of 50 posts left today"), for networks whose publisher
declares ``reads_quota`` (Instagram, Threads).

When it is read: after linking, after each publish (the outbox, best effort), and when the
Accounts screen refreshes its cards, always off the UI thread (the TUI calls :func:`refresh`
from a worker). Where it is kept: this process's memory, and ``quotas.json`` in the cache folder
so a figure read by ``linkdeck post`` or ``linkdeck worker`` shows in the app too. It is not in the
database (no schema for it; a figure a day old is worthless) nor the keyring (not a secret: the
file holds the account's identity key, the two counts and when they were read).

A figure older than its window (a day) is forgotten: the card then shows nothing rather than a
stale count.

Public API::

    remembered(account) -> Quota | None          # cheap: memory, else the file
    remember(account, quota)
    age(account) -> float | None; reads_quota(network_id) -> bool

    await refresh(account, vault=…) -> Quota | None   # asks the network; never raises
    await refresh_all(store=…, vault=…, unless_newer_than=0.0) -> dict[account id, Quota]

Asking has no side effect on the account: the stored token is used as it is (the outbox renews
tokens when it posts); a token that is missing or refused only leaves the figure unknown.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from typing import TYPE_CHECKING, Any

from providers import clock
from providers.interface import Quota

if TYPE_CHECKING:
    from pathlib import Path

    from providers.store import Account, Store
    from providers.vault import Vault

log = logging.getLogger("linkdeck.quotas")

FILE_NAME = "quotas.json"
_lock = threading.Lock()
# (the cache file, the account's vault key) → (quota, when it was read): keyed by the file too,
# so a process that switches homes (the tests, the demo) never shows another home's figure.
_memory: dict[tuple[str, str], tuple[Quota, float]] = {}


def _file() -> Path:
    from providers.paths import cache_dir

    return cache_dir() / FILE_NAME


def _read_file() -> dict[str, Any]:
    try:
        found = json.loads(_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _from_json(item: Any) -> tuple[Quota, float] | None:
    if not isinstance(item, dict):
        return None
    used, total, window, at = (item.get(k) for k in ("used", "total", "window", "at"))
    if not isinstance(at, int | float):
        return None
    if isinstance(used, int) and isinstance(total, int) and isinstance(window, int):
        return Quota(used, total, window), float(at)
    return None


def _fresh(found: tuple[Quota, float] | None) -> Quota | None:
    if found is None:
        return None
    quota, at = found
    return quota if clock.timestamp() - at < quota.window_seconds else None


def _key(account: Account) -> tuple[str, str]:
    return str(_file()), account.vault_key


def remembered(account: Account) -> Quota | None:
    """The last figure read for ``account`` within its window, else None (no network)."""
    key = _key(account)
    with _lock:
        found = _memory.get(key)
    if found is None:
        found = _from_json(_read_file().get(account.vault_key))
        if found is not None:
            with _lock:
                _memory.setdefault(key, found)
    return _fresh(found)


def age(account: Account) -> float | None:
    """Seconds since ``account``'s figure was read by this process (None: not read here)."""
    with _lock:
        found = _memory.get(_key(account))
    return None if found is None else clock.timestamp() - found[1]


def remember(account: Account, quota: Quota) -> None:
    """Keep ``quota`` as read now, in memory and in the cache file (best effort: a read-only
    cache folder only loses the figure for other processes)."""
    key, now = account.vault_key, clock.timestamp()
    with _lock:
        _memory[_key(account)] = (quota, now)
        try:
            stored = _read_file()
            stored[key] = {
                "used": quota.used,
                "total": quota.total,
                "window": quota.window_seconds,
                "at": now,
            }
            path = _file()
            temporary = path.with_name(f".{FILE_NAME}.{os.getpid()}")
            temporary.write_text(json.dumps(stored, sort_keys=True), encoding="utf-8")
            os.replace(temporary, path)
        except OSError as exc:
            log.info("could not keep the posting quota in the cache folder (%s)", type(exc).__name__)


def reads_quota(network_id: str) -> bool:
    """The network's publisher declares that it reads a posting quota."""
    from providers.networks import PUBLISH, part

    module = part(network_id, PUBLISH)
    return module is not None and bool(module.PUBLISHER.reads_quota)


async def refresh(account: Account, *, vault: Vault) -> Quota | None:
    """Ask the network for ``account``'s quota now and keep it; None when the network does not
    report one or the answer could not be had (the card then shows the last figure or none)."""
    if not reads_quota(account.network):
        return None
    from providers.http import async_client
    from providers.networks.registry import publisher_for

    try:
        token = vault.get_token(account.vault_key)
        if not token:
            return None
        async with async_client() as client:
            publisher = publisher_for(account.network, client=client)
            found = None if publisher is None else await publisher.quota(account, token)
    except Exception as exc:  # a card's figure: never worth an error dialog
        log.info("%s: the posting quota could not be read (%s)", account.network, type(exc).__name__)
        return None
    if found is not None:
        remember(account, found)
    return found


async def refresh_all(*, store: Store, vault: Vault, unless_newer_than: float = 0.0) -> dict[int, Quota]:
    """Every linked account's quota whose network reports one, read now; an account whose figure
    this process read less than ``unless_newer_than`` seconds ago is left alone (a screen that
    comes back after each dialog does not ask Meta every time)."""
    from providers.store.models import AccountState

    found: dict[int, Quota] = {}
    for account in store.accounts():
        recent = age(account)
        if recent is not None and recent < unless_newer_than:
            continue
        if account.state == AccountState.LINKED and reads_quota(account.network):
            quota = await refresh(account, vault=vault)
            if quota is not None:
                found[account.id] = quota
    return found
