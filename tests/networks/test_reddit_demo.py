"""``linkdeck demo`` starts Reddit on the sandbox's installed app: its card needs no set-up there,
and linking it in the demo goes through the sandbox's consent page like any other network."""

from __future__ import annotations

from dataclasses import replace

from providers import catalog, linking, settings
from providers.linking.steps import ChooseTarget, Linked, ShowAddress
from providers.networks.reddit.sandbox_oauth import DEMO_CLIENT_ID
from providers.overview import needs_setup
from providers.store import Store
from providers.vault import Vault
from tests.sandbox_browser import approve_async
from tests.support.ports import free_port
from tui.demo import demo_environment


async def test_the_demo_links_reddit_with_the_sandbox_app() -> None:
    with demo_environment():
        loaded = settings.load()
        assert loaded.network("reddit").client_id == DEMO_CLIENT_ID
        assert needs_setup(catalog.get("reddit"), loaded) == ""
        # the registered port 8080 may be taken on a test machine: any free one (the demo app takes it)
        own = replace(loaded.network("reddit"), port=free_port())
        loaded = replace(loaded, networks={**loaded.networks, "reddit": own})
        with Store.open() as store:
            session = await linking.begin_link("reddit", settings=loaded, store=store, vault=Vault(loaded))
            async for step in session.steps():
                if isinstance(step, ShowAddress):
                    assert step.request is not None
                    step.paste((await approve_async(step.request.url)).headers["location"])
                elif isinstance(step, ChooseTarget):
                    step.choose([c.name for c in step.choices].index("r/linkdeck"))
                elif isinstance(step, Linked):
                    assert step.account is not None and step.account.target_name == "r/linkdeck"
                    break
            else:
                raise AssertionError("the demo did not link Reddit")
