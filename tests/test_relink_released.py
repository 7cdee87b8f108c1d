"""Linking an account again says how many of its held posts it released (issue 10 item 6)."""

from __future__ import annotations

import pytest

from providers import linking
from providers.sandbox import Running
from providers.store import DeliveryState, Store
from tests.link_driver import to_address
from tests.sandbox_browser import approve_async
from tests.support.linking import link_async, loopback_settings, opted_in_vault

# Run on SQLite and on PostgreSQL (conftest's store_engine).
pytestmark = pytest.mark.both_engines


async def _relink(store: Store, instance: str) -> linking.Linked:
    session = await linking.begin_link(
        "mastodon", settings=loopback_settings(), store=store, vault=opted_in_vault(), instance=instance
    )
    started = await to_address(session)
    started.submit((await approve_async(started.request.url)).headers["location"])
    return await session.finish()


async def test_relinking_says_how_many_held_posts_it_released(sandbox: Running, store: Store) -> None:
    instance = f"{sandbox.url}/mastodon.example"
    alice = await link_async(store, instance)
    for caption in ("morning", "evening"):
        post = store.create_post(caption, [], None)
        store.add_delivery(post.id, alice)
    store.remove_account(alice.id)  # unlinked: both held
    assert store.counts_by_state()[DeliveryState.HELD] == 2
    linked = await _relink(store, instance)
    assert linked.released == 2
    assert linked.released_text == "2 held posts released: they go out as scheduled."
    again = await _relink(store, instance)  # nothing held any more
    assert again.released == 0 and again.released_text == ""
