"""``linkdeck demo`` starts Flickr with the sandbox's API key and secret: its card needs no set-up
there, linking goes through the sandbox's consent page (every request signed and checked), and a
photo posted there gets its Flickr page."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from providers import catalog, linking, settings
from providers.linking.steps import Linked, ShowAddress
from providers.networks.flickr.sandbox_oauth import DEMO_KEY
from providers.outbox.runner import run_due
from providers.overview import needs_setup
from providers.store import DeliveryState, Store
from providers.vault import Vault
from tests import media_corpus
from tests.sandbox_browser import approve_async
from tests.support.ports import free_port
from tui.demo import demo_environment


async def test_the_demo_links_flickr_with_the_sandbox_key_and_posts_a_photo(tmp_path: Path) -> None:
    with demo_environment():
        loaded = settings.load()
        assert loaded.network("flickr").client_id == DEMO_KEY
        assert needs_setup(catalog.get("flickr"), loaded) == ""
        own = replace(loaded.network("flickr"), port=free_port())
        loaded = replace(loaded, networks={**loaded.networks, "flickr": own})
        vault = Vault(loaded)
        with Store.open() as store:
            session = await linking.begin_link("flickr", settings=loaded, store=store, vault=vault)
            async for step in session.steps():
                if isinstance(step, ShowAddress):
                    assert step.request is not None and "perms=write" in step.request.url
                    step.paste((await approve_async(step.request.url)).headers["location"])
                elif isinstance(step, Linked):
                    assert step.account is not None and step.account.handle == "alice"
                    assert step.profile is not None and step.profile.avatar_url == (
                        "https://farm66.staticflickr.com/65535/buddyicons/00000001@N01.jpg"
                    )
                    account = step.account
                    break
            else:
                raise AssertionError("the demo did not link Flickr")
            photo = media_corpus.jpeg(tmp_path / "quay.jpg", (640, 480))
            post = store.create_post("The quay", [str(photo)], None)
            delivery = store.add_delivery(post.id, account)
            await run_due(store, vault)
            sent = store.delivery(delivery.id)
            assert sent is not None and sent.state == DeliveryState.SENT, sent
            assert sent.url == f"https://www.flickr.com/photos/00000001@N01/{sent.remote_post_id}/"
