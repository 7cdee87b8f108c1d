"""What the Ayrshare TUI tests share: the app against the sandbox with the demo API key set, and
the Link window finished on Ayrshare's hosted page (its fields typed, the page approved)."""

from __future__ import annotations

from typing import Any

import pytest

from providers.networks.ayrshare.link import AyrshareSignIn
from providers.networks.ayrshare.sandbox import DEMO_KEY
from providers.sandbox import Running
from tests.sandbox_browser import approve_async
from tests.support.tui import pause_until
from tui.app import LinkdeckApp
from tui.context import Context
from tui.widgets.link_address import AddressView


def app_without_key(sandbox: Running, monkeypatch: pytest.MonkeyPatch) -> LinkdeckApp:
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    monkeypatch.delenv("LINKDECK_AYRSHARE_CLIENT_SECRET", raising=False)
    return LinkdeckApp(Context())


def app_with_key(sandbox: Running, monkeypatch: pytest.MonkeyPatch) -> LinkdeckApp:
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("LINKDECK_AYRSHARE_CLIENT_SECRET", DEMO_KEY)
    monkeypatch.setattr(AyrshareSignIn, "poll_seconds", 0.05)
    return LinkdeckApp(Context())


async def link_on_page(app: LinkdeckApp, pilot: Any, *values: str) -> None:
    """In the open Link window: type ``values`` into its fields, sign in, approve Ayrshare's page,
    and wait for the Accounts screen again."""
    screen = app.screen
    assert await pause_until(pilot, lambda: screen.query_one("#link-credentials-step").display)
    fields = list(screen.query("#link-credentials Input"))
    assert len(fields) == len(values)
    for box, value in zip(fields, values, strict=True):
        box.value = value  # type: ignore[attr-defined]
    await pilot.click("#link-sign-in")
    assert await pause_until(pilot, lambda: screen.query_one(AddressView).url is not None)
    view = screen.query_one(AddressView)
    assert not screen.query_one("#link-paste").display
    assert "finishes by itself" in str(screen.query_one("#link-explain").render())
    assert view.url is not None
    assert (await approve_async(view.url)).status_code == 302
    assert await pause_until(pilot, lambda: type(app.screen).__name__ == "AccountsScreen", 400)
    await pilot.pause()
