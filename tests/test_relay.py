"""The served page's OAuth callback relay: keyed by state, one callback per flow."""

from __future__ import annotations

import asyncio
from pathlib import Path

from providers.auth import relay


async def test_callback_reaches_the_flow_that_registered_its_state(tmp_path: Path) -> None:
    relay.register("s1", tmp_path)
    waiter = asyncio.create_task(relay.wait("s1", tmp_path, interval=0.01))
    assert relay.deliver("/oauth/callback?code=abc&state=s1", tmp_path)
    assert await asyncio.wait_for(waiter, 2) == "/oauth/callback?code=abc&state=s1"
    assert not list((tmp_path / "inbox").iterdir())  # read once, then gone


def test_unknown_or_missing_state_is_refused(tmp_path: Path) -> None:
    relay.register("s1", tmp_path)
    assert not relay.deliver("/oauth/callback?code=abc&state=forged", tmp_path)
    assert not relay.deliver("/oauth/callback?code=abc", tmp_path)
    assert not list((tmp_path / "inbox").iterdir())


def test_only_the_first_callback_is_delivered(tmp_path: Path) -> None:
    relay.register("s1", tmp_path)
    assert relay.deliver("/oauth/callback?code=first&state=s1", tmp_path)
    assert not relay.deliver("/oauth/callback?code=second&state=s1", tmp_path)


def test_state_never_appears_in_file_names(tmp_path: Path) -> None:
    relay.register("very-secret-state", tmp_path)
    names = [p.name for p in tmp_path.rglob("*")]
    assert not any("very-secret-state" in name for name in names)
