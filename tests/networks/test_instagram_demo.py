"""``linkdeck demo`` (as ``make demo`` runs it, with moto installed) links Instagram on the sandbox's
Instagram app and posts a photo through the container flow, staged in the demo's local bucket."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PIL import Image

from providers import catalog, linking, settings
from providers.linking.steps import Linked, ShowAddress
from providers.networks.instagram.sandbox import CLIENT_ID
from providers.outbox.runner import run_due
from providers.overview import needs_setup
from providers.store import DeliveryState, Store
from providers.vault import Vault
from tests.sandbox_browser import approve_async
from tests.support.ports import free_port
from tui.demo import demo_environment


async def test_the_demo_links_instagram_and_posts_a_staged_photo(tmp_path: Path) -> None:
    photo = tmp_path / "harbour.jpg"
    Image.new("RGB", (1080, 1080), (40, 90, 160)).save(photo, quality=85)
    with demo_environment():
        loaded = settings.load()
        assert loaded.network("instagram").client_id == CLIENT_ID and loaded.staging is not None
        assert needs_setup(catalog.get("instagram"), loaded) == ""
        own = replace(loaded.network("instagram"), port=free_port())  # 8080 may be taken here
        loaded = replace(loaded, networks={**loaded.networks, "instagram": own})
        vault = Vault(loaded)
        with Store.open() as store:
            session = await linking.begin_link("instagram", settings=loaded, store=store, vault=vault)
            async for step in session.steps():
                if isinstance(step, ShowAddress):
                    assert step.request is not None
                    step.paste((await approve_async(step.request.url)).headers["location"])
                elif isinstance(step, Linked):
                    assert step.account is not None
                    account = step.account
                    break
            else:
                raise AssertionError("the demo did not link Instagram")
            post = store.create_post("From the demo", [str(photo)], None)
            delivery = store.add_delivery(post.id, account)
            await run_due(store, vault)
            sent = store.delivery(delivery.id)
            assert sent is not None and sent.state == DeliveryState.SENT, sent
            assert sent.url and sent.url.startswith("https://www.instagram.com/p/")
