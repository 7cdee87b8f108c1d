"""Telegram in ``linkdeck demo``: the card links in the Link window with the sandbox bot's token
(the prompt says where the token comes from, as the set-up guide does), the chat is chosen from
those the bot has seen, and the card turns green naming the channel."""

from __future__ import annotations

import pytest

from providers.networks.telegram.sandbox import DEMO_TOKEN
from providers.overview import CardState
from tests.support.tui import SIZE, card, pause_until
from tui.app import LinkdeckApp
from tui.demo import demo_environment


async def test_the_demo_links_telegram_in_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LinkdeckApp, "open_url", lambda self, url, new_tab=True: None)
    with demo_environment():
        app = LinkdeckApp()
        async with app.run_test(size=SIZE) as pilot:
            card(app, "telegram").focus()
            await pilot.press("enter")
            screen = app.screen
            assert await pause_until(pilot, lambda: screen.query_one("#link-credentials-step").display)
            hint = str(screen.query_one("#link-credentials-hint").render())
            assert "Bot token: from @BotFather" in hint and "/newbot" in hint
            assert "Channel or group: its @name" in hint
            token, chat = screen.query("#link-credentials Input")
            assert token.password and not chat.password  # type: ignore[attr-defined]
            token.value = DEMO_TOKEN  # type: ignore[attr-defined]
            await pilot.click("#link-sign-in")
            assert await pause_until(pilot, lambda: screen.query_one("#link-choose-step").display)
            choices = screen.query_one("#link-choices")
            assert choices.option_count == 3  # type: ignore[attr-defined]
            await pilot.pause()
            assert app.focused is choices and choices.highlighted == 0  # type: ignore[attr-defined]
            await pilot.press("enter")  # the first: the public channel
            assert await pause_until(pilot, lambda: type(app.screen).__name__ == "AccountsScreen")
            await pilot.pause()
            linked = card(app, "telegram").card
            assert linked is not None and linked.state is CardState.LINKED
            [account] = app.ctx.store.accounts()
            assert account.target_name == "Harbour News (@harbour_news)"
