"""The posting quota on the Instagram and Threads cards (issue 12): read from the sandbox's
``content_publishing_limit`` / ``threads_publishing_limit`` after linking (the Accounts screen's
worker), again after a post (the outbox), and shown as "posts left: N/M" (of the day) with the total
the network answered (Instagram's comes from the sandbox's setting, here 30, not an assumed 50)."""

from __future__ import annotations

from pathlib import Path

import pytest

from providers import catalog, quotas
from providers.interface import Quota
from providers.store import Account, Store
from tests.support.tui import SIZE, card, pause_until
from tests.test_tui_every_network import link_in_window, media_for, post_in_upload
from tui.app import LinkdeckApp
from tui.context import Context
from tui.demo import demo_environment


def _card_says(app: LinkdeckApp, network: str, words: str) -> bool:
    return type(app.screen).__name__ == "AccountsScreen" and words in str(card(app, network).render())


def _shown(app: LinkdeckApp, network: str) -> str:
    return str(card(app, network).render())


async def _configure(host: str, values: dict[str, object]) -> None:
    """Set an emulator's settings through the demo sandbox's control endpoint."""
    import os

    import httpx2

    async with httpx2.AsyncClient() as client:
        answer = await client.post(
            f"{os.environ['LINKDECK_SANDBOX_URL']}/__sandbox__/instance", json={"host": host, **values}
        )
        assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    ("network", "before", "after"),
    [
        ("instagram", "posts left: 30/30", "posts left: 29/30"),
        ("threads", "posts left: 250/250", "posts left: 249/250"),
    ],
)
async def test_the_card_shows_the_quota_after_linking_and_after_a_post(
    network: str, before: str, after: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LinkdeckApp, "open_url", lambda self, url, new_tab=True: None)
    spec = catalog.get(network)
    media = media_for(spec, tmp_path)
    with demo_environment():
        app = LinkdeckApp(Context(start_dir=tmp_path, run_outbox=False))
        async with app.run_test(size=SIZE) as pilot:
            app.place = app.place.SSH
            if network == "instagram":
                await _configure("graph.instagram.com", {"quota_total": 30})
            await link_in_window(app, pilot, spec)
            assert await pause_until(pilot, lambda: _card_says(app, network, before), 300), _shown(
                app, network
            )

            [account] = app.ctx.store.accounts()
            await post_in_upload(app, pilot, media, account)

            await app.run_action("switch_mode('accounts')")
            assert await pause_until(pilot, lambda: _card_says(app, network, after), 300), _shown(
                app, network
            )


def test_a_figure_is_kept_in_the_cache_folder_and_forgotten_after_its_window(tmp_path: Path) -> None:
    from datetime import timedelta

    from providers import clock

    with Store.open() as store:
        account: Account = store.upsert_account("threads", "42", handle="@boats", display_name="Boats")
        assert quotas.remembered(account) is None
        quotas.remember(account, Quota(3, 250))
        assert quotas.remembered(account) == Quota(3, 250)
        quotas._memory.clear()  # another process: only the cache folder's file knows it
        assert quotas.remembered(account) == Quota(3, 250)
        assert Quota(251, 250).left == 0
        clock.use(clock.FrozenClock(clock.now() + timedelta(days=1, seconds=1)))
        assert quotas.remembered(account) is None  # a day-old count says nothing about today
