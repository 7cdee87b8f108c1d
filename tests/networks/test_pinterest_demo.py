"""``linkdeck demo`` with Pinterest: the demo home configures the sandbox's Pinterest app, so the
card invites linking (not set-up), and a board is linked and a photo pinned with a link back,
all against the demo's own sandbox."""

from __future__ import annotations

from pathlib import Path

from providers import clock, linking, overview
from providers import settings as settings_module
from providers.linking.steps import ChooseTarget, Linked, ShowAddress
from providers.outbox.runner import run_due
from providers.store import DeliveryState, Store
from providers.vault import Vault
from tests import media_corpus
from tests.sandbox_browser import approve_async
from tui.demo import demo_environment

SPEC_PORT = 8080  # the port a real app registers, often taken: the demo links on a free one


async def test_the_demo_links_pinterest_and_pins_a_photo(tmp_path: Path) -> None:
    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (1000, 1500))
    with demo_environment():
        settings = settings_module.load()
        assert settings.network("pinterest").port != SPEC_PORT
        assert settings.network("pinterest").client_id
        with Store.open() as store:
            vault = Vault(settings)
            [card] = [c for c in overview.cards(settings, store) if c.spec.id == "pinterest"]
            assert card.state is overview.CardState.NOT_LINKED
            session = await linking.begin_link("pinterest", settings=settings, store=store, vault=vault)
            account = None
            async for step in session.steps():
                if isinstance(step, ShowAddress):
                    assert step.request is not None
                    step.paste((await approve_async(step.request.url)).headers["location"])
                elif isinstance(step, ChooseTarget):
                    step.choose(0)
                elif isinstance(step, Linked):
                    account = step.account
                    break
            assert account is not None and account.target_name == "Harbour photos"
            post = store.create_post("Low tide", [str(photo)], None)
            delivery = store.add_delivery(post.id, account)
            await run_due(store, vault, clock=clock.now)
            sent = store.delivery(delivery.id)
            assert sent is not None and sent.state == DeliveryState.SENT, sent.reason if sent else None
            assert sent.url and sent.url.startswith("https://www.pinterest.com/pin/")
