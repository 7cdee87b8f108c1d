"""No usable keyring: the app says so once at start-up, with the exact fix, legibly; linking is
refused before a sign-in whose token could not be kept; the outbox does not say it again."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends.fail import Keyring as NoKeyring
from rich.text import Text

from tests.support.tui import SIZE, pause_until
from tui.app import LinkdeckApp
from tui.context import Context


def shown(app: LinkdeckApp) -> list[tuple[str, str]]:
    """(title, text as rendered) of every notification so far."""
    return [(n.title, Text.from_markup(n.message).plain) for n in app._notifications]


async def test_no_keyring_is_said_once_at_start_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "get_keyring", NoKeyring)
    app = LinkdeckApp(Context())  # its scheduler starts too, and meets the same missing keyring
    async with app.run_test(size=SIZE) as pilot:
        assert await pause_until(pilot, lambda: shown(app), interval=0.05)
        await pilot.pause(1.5)  # past the scheduler's start
        [(title, text)] = shown(app)
        assert title == "No keyring"
        assert "[keyring] allow_plaintext = true" in text  # the section header survives markup
        assert "gnome-keyring" in text and "LINKDECK_ALLOW_PLAINTEXT_SECRETS=1" in text
        assert "`" not in text
        app.start_link("mastodon")
        await pilot.pause()
        assert type(app.screen).__name__ == "AccountsScreen"  # no sign-in whose token would be lost
        assert shown(app)[-1][0] == "Link Mastodon" and "[keyring]" in shown(app)[-1][1]
