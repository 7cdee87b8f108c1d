"""``[outbox] send_from_app``: the TUI sends due posts itself on a single user's SQLite store, and on
a team's PostgreSQL store only shows them (its workers send) unless the setting says otherwise.

What the app's runner did is read from the store: a due delivery whose account row is gone is held
by the first claim a runner makes, so "held" means the app ran its sender and "due" that it did not.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from providers.outbox_config import OutboxConfig
from providers.outbox_config import load as load_outbox
from providers.store import Store
from tests.support.processes import wait_until
from tui.context import Context
from tui.outbox_runner import keep_sending

pytestmark = pytest.mark.both_engines


def test_the_default_follows_the_engine_and_the_setting_wins(linkdeck_home: Path) -> None:
    assert OutboxConfig().sends_from_app("sqlite") and not OutboxConfig().sends_from_app("postgresql")
    config = linkdeck_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[outbox]\nsend_from_app = true\n")
    assert load_outbox().sends_from_app("postgresql")
    config.write_text("[outbox]\nsend_from_app = false\n")
    assert not load_outbox().sends_from_app("sqlite")


def _due_delivery_of_a_gone_account(store: Store) -> int:
    account = store.upsert_account("mastodon", "1", handle="@u1", instance="https://m.example")
    _post, [delivery] = store.create_post_with_deliveries("x", [], None, [account])
    store._conn.execute("DELETE FROM accounts WHERE id = ?", (account.id,))  # behind the store's back
    return delivery.id


async def test_the_app_sends_only_where_it_should(
    store_engine: str, linkdeck_home: Path, plaintext_ok: None
) -> None:
    ctx = Context(run_outbox=True)
    delivery_id = _due_delivery_of_a_gone_account(ctx.store)
    runner = asyncio.create_task(keep_sending(ctx, lambda message: None))
    try:
        if store_engine == "postgresql":
            await asyncio.wait_for(runner, 30)  # returns at once: this app does not send
            assert ctx.store.delivery(delivery_id).state == "due"  # type: ignore[union-attr]
            config = linkdeck_home / "config" / "config.toml"
            config.parent.mkdir(parents=True)
            config.write_text("[outbox]\nsend_from_app = true\n")
            runner = asyncio.create_task(keep_sending(ctx, lambda message: None))
        await asyncio.to_thread(
            wait_until,
            lambda: ctx.store.delivery(delivery_id).state == "held",  # type: ignore[union-attr]
            timeout=60,
        )
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        ctx.store.close()
