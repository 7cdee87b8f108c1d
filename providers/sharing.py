"""Instagram's "Share to Facebook": a post chosen for Instagram also goes to a linked Facebook Page.

As in the Instagram app (Accounts Center → Sharing across profiles, seed 002's Linked Accounts),
the choice is made once: ``[networks.instagram] share_to_facebook = "<Page id>"`` in config.toml
(``linkdeck config set instagram share_to_facebook <Page id>``, or Instagram's account details).
Nothing special happens in the outbox: when a post's accounts are chosen, the linked Facebook
account posting to that Page is added to them, so the Page gets its own delivery, checked, sent,
retried and shown like any other.

Why a setting and not a column: the choice is stored where the other per-network choices are
(``auto_share``, ``optional_scopes``), with no schema change; so it holds for every linked
Instagram account at once (a per-account choice would need a column on ``accounts``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from providers.settings import Settings
    from providers.store import Account

KEY = "share_to_facebook"
SHARES_FROM = ("instagram",)  # the networks whose details offer it (Instagram's own feature)
TO = "facebook"
OFF = "off"  # the value `linkdeck config set` takes to stop sharing (it refuses an empty one)


def page_for(settings: Settings, network: str) -> str | None:
    """The Facebook Page id ``network``'s posts also go to, or None."""
    value = settings.network(network).share_to_facebook
    return value if value and value != OFF else None


def pages(accounts: Iterable[Account]) -> list[Account]:
    """The linked Facebook accounts that post to a Page: what can be shared to."""
    return [a for a in accounts if a.network == TO and a.target_id]


def shared_to(account: Account, settings: Settings, linked: Iterable[Account]) -> Account | None:
    """The Facebook account a post to ``account`` also goes to (None when sharing is off, or the
    chosen Page is no longer linked)."""
    if account.network not in SHARES_FROM:
        return None
    page = page_for(settings, account.network)
    return next((a for a in pages(linked) if a.target_id == page), None) if page else None


def with_shared(chosen: Sequence[Account], settings: Settings, linked: Iterable[Account]) -> list[Account]:
    """``chosen`` and, after them, each Facebook account an Instagram one among them shares to
    (each account once)."""
    linked = list(linked)
    result = list(chosen)
    for account in chosen:
        found = shared_to(account, settings, linked)
        if found is not None and found.id not in {a.id for a in result}:
            result.append(found)
    return result
