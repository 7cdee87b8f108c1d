"""The queue and history as one list, for ``linkdeck queue`` and the Posts screen.

One entry per delivery with what a person needs to read it: the network and account, the state
(spelled as the machine spells it: scheduled, held, due, sending, sent, failed, unknown), when
(its due time while queued; when it was sent, or last changed, afterwards), the caption, and the
link or the reason. Read with three queries whatever the size of the queue (no per-row lookups).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from providers.outbox.timing import iso, iso_local, local
from providers.store import Delivery, DeliveryState, Post, Store
from providers.store.transitions import QUEUED_STATES

_S = DeliveryState
ORDER: tuple[DeliveryState, ...] = (_S.SCHEDULED, _S.HELD, _S.DUE, _S.SENDING, _S.UNKNOWN, _S.FAILED, _S.SENT)
# Listed soonest first; the others (history) newest first.
QUEUED: frozenset[DeliveryState] = frozenset({_S.SCHEDULED, _S.HELD, _S.DUE, _S.SENDING})


@dataclass(frozen=True)
class QueueEntry:
    delivery: Delivery
    post: Post | None
    network_name: str
    account: str  # the linked account's handle; once it is gone, its handle when the post was made
    when: datetime | None

    @property
    def state(self) -> DeliveryState:
        return self.delivery.state

    def to_json(self) -> dict[str, Any]:
        d, post = self.delivery, self.post
        return {
            "id": d.id,
            "post_id": d.post_id,
            "network": d.network,
            "network_name": self.network_name,
            "account": self.account,
            "account_id": d.account_id,
            "state": d.state,
            "when": iso(self.when),
            "when_local": iso_local(self.when),
            "caption": post.caption if post else "",
            "media": list(post.media) if post else [],
            "url": d.url,
            "remote_post_id": d.remote_post_id,
            "reason": d.reason,
            "retryable": d.retryable,
            "hold_kind": d.hold_kind,
            "check_needed": d.check_needed,
            "attempts": d.attempts,
            "next_attempt_at": iso(d.next_attempt_at),
        }

    def line(self) -> str:
        """One line for a terminal; stored texts are shown with their control characters made
        visible (providers.terminal_text), never obeyed."""
        from providers.terminal_text import visible

        caption = visible((self.post.caption if self.post else "").replace("\n", " "))
        caption = caption if len(caption) <= 40 else caption[:39] + "…"
        tail = visible(self.delivery.url or self.delivery.reason)
        return (
            f"{self.delivery.id:>5}  {local(self.when):<22} {self.network_name:<10} "
            f"{visible(self.account):<28} {self.state:<9} {caption}{'  ' + tail if tail else ''}"
        )


def entries(store: Store, states: Iterable[DeliveryState] | None = None) -> list[QueueEntry]:
    from providers import catalog

    deliveries = store.deliveries(states)
    posts = store.posts(d.post_id for d in deliveries)
    handles = {a.vault_key: a.handle for a in store.accounts()}
    found: list[QueueEntry] = []
    for d in deliveries:
        post = posts.get(d.post_id)
        if d.state in QUEUED_STATES:
            when = d.next_attempt_at or (post.scheduled_at if post else None) or d.created_at
        else:
            when = d.sent_at or d.updated_at
        name = catalog.get(d.network).name if d.network in catalog.ids() else d.network
        found.append(QueueEntry(d, post, name, handles.get(d.account_key) or d.handle or d.remote_id, when))
    rank = {state: i for i, state in enumerate(ORDER)}

    def order(entry: QueueEntry) -> tuple[int, float, int]:
        stamp = (entry.when or entry.delivery.created_at).timestamp()
        queued = entry.state in QUEUED
        return (
            rank.get(entry.state, 99),
            stamp if queued else -stamp,
            entry.delivery.id if queued else -entry.delivery.id,
        )

    found.sort(key=order)
    return found
