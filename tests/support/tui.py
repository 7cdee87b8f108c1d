"""Pilot helpers: the terminal size the TUI tests run at, a network's card, pausing until a
condition holds, linking from a card with the sandbox's consent page approved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui.app import LinkdeckApp
from tui.widgets.network_card import NetworkCard

SIZE = (140, 45)


def card(app: LinkdeckApp, network_id: str) -> NetworkCard:
    """The card of ``network_id`` on the current screen."""
    return app.screen.query_one(f"#card-{network_id}", NetworkCard)


async def pause_until(
    pilot: Any, condition: Callable[[], object], tries: int = 200, interval: float = 0.02
) -> bool:
    """Pause the pilot ``interval`` s at a time until ``condition()`` holds, at most ``tries`` times;
    whether it held (the caller decides what a timeout means)."""
    for _ in range(tries):
        if condition():
            return True
        await pilot.pause(interval)
    return False


async def link_from_card(app: LinkdeckApp, pilot: Any, network_id: str) -> str:
    """Enter on the network's card, Allow on the sandbox's consent page at the address shown, the
    redirect pasted and Enter; the authorize address (the Link window stays open for what follows)."""
    from tests.sandbox_browser import approve_async
    from tui.widgets.link_address import AddressView

    app.screen.query_one(f"#card-{network_id}").focus()
    await pilot.press("enter")
    screen = app.screen
    view = screen.query_one(AddressView)
    await pause_until(pilot, lambda: view.url is not None)
    url = view.url
    assert url is not None
    redirect = (await approve_async(url)).headers["location"]
    screen.query_one("#link-paste").value = redirect
    await pilot.press("enter")
    return url
