"""Checks the SQLite and the PostgreSQL store tests share (the same rule on either engine)."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from providers.store import Store

# No column name may suggest it holds a credential. idempotency_key is a per-delivery uuid;
# secrets.key_id names the key that sealed a team secret (8 hex digits derived from it), not the key.
CREDENTIAL_WORDS = ("token", "secret", "password", "key", "credential")
NOT_CREDENTIALS = {("deliveries", "idempotency_key"), ("secrets", "key_id")}


def assert_no_credential_columns(columns: Iterable[tuple[str, str]]) -> None:
    """``columns``: (table, column) pairs read from the database's own catalogue."""
    found = [(str(t), str(c).lower()) for t, c in columns]
    assert len(found) > 40  # the catalogue was really read
    for table, name in found:
        if (table, name) in NOT_CREDENTIALS:
            continue
        for word in CREDENTIAL_WORDS:
            assert word not in name, f"{table}.{name}"


def two_stores_take_turns(tui: Store, worker: Store) -> None:
    """Two stores on one database, each linking 30 accounts from its own thread: no error, and both
    see all 60 (SQLite's busy timeout, or PostgreSQL's write lock, makes them take turns)."""
    errors: list[BaseException] = []

    def write(store: Store, prefix: str) -> None:
        try:
            for i in range(30):
                store.upsert_account(
                    "mastodon", f"{prefix}{i}", handle=f"@user{prefix}{i}", display_name="User"
                )
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(s, p)) for s, p in ((tui, "a"), (worker, "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(tui.accounts()) == len(worker.accounts()) == 60
