"""A delivery left as a process that died mid-send leaves it: claimed by an owner that no longer
runs, maybe committed, maybe even posted at the network (the crash tests and the recovery tests)."""

from __future__ import annotations

import socket
from datetime import datetime

import httpx2

from providers.store import Account, Delivery, Store
from tests.support.linking import opted_in_vault
from tests.support.processes import ended_pid


def dead_owner() -> str:
    """A runner id on this host whose process has ended: its claims are recoverable."""
    return f"{socket.gethostname()}:{ended_pid()}:1"


async def interrupted(
    store: Store, account: Account, caption: str, *, post_it: bool = False, committed: datetime | None = None
) -> Delivery:
    """A delivery a dead process claimed. ``committed``: when its creating request went out (None:
    never, unless ``post_it``, then now). ``post_it``: that request reached the network (a
    Mastodon-API server, with the delivery's idempotency key) and made the post."""
    post = store.create_post(caption, [], None)
    delivery = store.add_delivery(post.id, account)
    owner = dead_owner()
    store.claim_due(owner, lease_seconds=600, limit=1, ids=[delivery.id])
    if committed is not None or post_it:
        store.mark_committing(delivery.id, owner, now=committed)
    if post_it:
        token = opted_in_vault().get_token(account.vault_key)
        assert token is not None
        headers = {
            "Authorization": f"Bearer {token['access_token']}",
            "Idempotency-Key": delivery.idempotency_key,
        }
        async with httpx2.AsyncClient() as client:
            made = await client.post(
                f"{account.instance}/api/v1/statuses", data={"status": caption}, headers=headers
            )
        assert made.status_code == 200
    current = store.delivery(delivery.id)
    assert current is not None and current.state == "sending"
    return current
