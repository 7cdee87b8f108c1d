"""Pilot helpers: the terminal size the TUI tests run at, a network's card, pausing until a
condition holds."""

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
