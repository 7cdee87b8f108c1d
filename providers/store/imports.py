"""Posts imported from a network's own post history (Ayrshare's): recorded as sent, with their
links, marked by the post's ``origin`` (migration 8), and never recorded twice.

A post is the same one when a delivery on the same account already has its remote post id, whether
linkdeck sent it (the publisher keeps the id the network answered) or an earlier import made it;
the idempotency key, unique in the table, is derived from that identity, so two imports racing
each other still make one row. One remote post on several accounts (one Ayrshare post to
Instagram and Facebook) is one post with a delivery per account, as linkdeck records its own.
"""

from __future__ import annotations

from datetime import datetime

from providers.store.db import Transactions
from providers.store.models import Account, DeliveryState, to_text, utcnow


class ImportMethods(Transactions):
    def import_sent(
        self,
        account: Account,
        remote_post_id: str,
        caption: str,
        posted_at: datetime,
        url: str | None,
        origin: str,
    ) -> bool:
        """Record a post already published on ``account`` (True), unless it is recorded (False)."""
        instance = account.instance or ""
        with self._write() as conn:
            known = conn.execute(
                "SELECT 1 FROM deliveries WHERE network = ? AND instance = ? AND remote_id = ? "
                "AND remote_post_id = ?",
                (account.network, instance, account.remote_id, remote_post_id),
            ).fetchone()
            if known is not None:
                return False
            found = conn.execute(  # the same remote post, imported for another account already
                "SELECT d.post_id FROM deliveries d JOIN posts p ON p.id = d.post_id "
                "WHERE d.network = ? AND d.remote_post_id = ? AND p.origin = ?",
                (account.network, remote_post_id, origin),
            ).fetchone()
            at, now = to_text(posted_at), to_text(utcnow())
            if found is not None:
                post_id = int(found[0])
            else:
                row = conn.execute(
                    "INSERT INTO posts (caption, media, scheduled_at, created_at, updated_at, origin) "
                    "VALUES (?, '[]', NULL, ?, ?, ?) RETURNING id",
                    (caption, at, now, origin),
                ).fetchone()
                post_id = int(row[0])
            key = f"{origin}:{account.network}:{instance}:{account.remote_id}:{remote_post_id}"
            made = conn.execute(
                """
                INSERT INTO deliveries (post_id, account_id, network, instance, remote_id, target_kind,
                    target_id, target_name, state, reason, remote_post_id, url, idempotency_key,
                    attempts, created_at, updated_at, sent_at, handle)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, 0, ?, ?, ?, ?)
                ON CONFLICT (idempotency_key) DO NOTHING
                RETURNING id
                """,
                (
                    post_id,
                    account.id,
                    account.network,
                    instance,
                    account.remote_id,
                    account.target_kind,
                    account.target_id,
                    account.target_name,
                    DeliveryState.SENT,
                    remote_post_id,
                    url,
                    key,
                    now,
                    now,
                    at,
                    account.handle,
                ),
            ).fetchone()
            return made is not None
