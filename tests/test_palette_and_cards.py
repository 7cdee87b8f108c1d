"""What a newcomer sees first: cards that say there are more below and never stop mid-sentence,
engine messages without raw backticks or lost [brackets], and a command palette that links,
opens details and Help, and goes to posting."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.text import Text

from providers import catalog, networks
from tests.support.tui import SIZE, card, pause_until
from tui.app import LinkdeckApp
from tui.context import Context
from tui.prose import markup, text
from tui.widgets.network_card import fit

pytestmark = pytest.mark.usefixtures("frozen_clock")


def test_engine_messages_lose_their_backticks_and_keep_their_brackets() -> None:
    message = "No keyring: add `[keyring] allow_plaintext = true` to config.toml, or run `linkdeck doctor`."
    shown = text(message)
    assert shown.plain == (
        "No keyring: add [keyring] allow_plaintext = true to config.toml, or run linkdeck doctor."
    )
    assert "`" not in shown.plain and "[keyring]" in shown.plain
    assert any(span.style == "bold" for span in shown.spans)  # the code spans stand out
    assert markup("a [b]tag[/b] is text here") == r"a \[b]tag\[/b] is text here"


def test_a_long_card_text_keeps_whole_sentences_or_says_it_goes_on() -> None:
    console = Console(width=80)
    two = Text("First sentence is short. The second one goes on for quite a long while indeed.")
    shown = fit(two, 26, 2, console)
    assert [line.plain.rstrip() for line in shown] == ["First sentence is short."]
    one = Text("A single sentence that is far too long to fit in two short lines of a card")
    cut = fit(one, 26, 2, console)
    assert len(cut) == 2 and cut[-1].plain.endswith("…")
    small = Text("Fits.")
    assert [line.plain for line in fit(small, 26, 2, console)] == ["Fits."]


async def test_no_card_text_ends_mid_sentence_at_any_size() -> None:
    for size in ((80, 24), (140, 45), (200, 60)):
        app = LinkdeckApp(Context(run_outbox=False))
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for spec in catalog.all_networks():
                widget = card(app, spec.id)
                rendered = [line.rstrip() for line in widget.render().plain.split("\n") if line.strip()]
                last = rendered[-1] if rendered else ""
                assert last.endswith((".", "…", "!", "?")), (size, spec.id, last)


async def test_a_small_terminal_says_more_cards_are_below() -> None:
    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        more = app.screen.query_one("#accounts-more")
        assert more.display and "more below" in str(more.render())
        below = int(str(more.render()).split()[1])
        assert 0 < below < len(catalog.all_networks())
        for _ in range(12):  # walk down to the last card: the arrows move the focus, not the page
            await pilot.press("down")
        assert app.focused is card(app, catalog.all_networks()[-1].id)
        assert await pause_until(pilot, lambda: not more.display)
    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=(200, 60)) as pilot:  # all of them fit: nothing to say
        await pilot.pause()
        assert not app.screen.query_one("#accounts-more").display


async def palette(pilot, app: LinkdeckApp, query: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+p")
    assert await pause_until(pilot, lambda: type(app.screen).__name__ == "CommandPalette")
    await pilot.press(*query)
    await pilot.pause(0.3)
    await pilot.press("enter")


async def test_the_palette_links_a_network_by_name() -> None:
    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await palette(pilot, app, "Link Pixelfed")
        assert await pause_until(pilot, lambda: type(app.screen).__name__ == "LinkScreen")
        assert app.screen.spec.id == "pixelfed"  # type: ignore[attr-defined]


async def test_the_palette_offers_no_link_for_a_network_this_version_cannot_link() -> None:
    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for spec in catalog.all_networks():
            assert (f"Link {spec.name}" in titles) is networks.can_link(spec.id)
            assert f"Details: {spec.name}" in titles and f"Help: {spec.name}" in titles
        assert {"Post", "Schedule a post", "Accounts", "Upload", "Posts", "Help"} <= set(titles)
        assert any("theme" in t.lower() for t in titles)  # Textual's own theme switcher


async def test_the_palette_opens_details_help_and_scheduling() -> None:
    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await palette(pilot, app, "Details: Telegram")
        assert await pause_until(pilot, lambda: type(app.screen).__name__ == "CardDetails")
        assert app.screen.card.spec.id == "telegram"  # type: ignore[attr-defined]
        await pilot.press("escape")
        await palette(pilot, app, "Help: Instagram")
        assert await pause_until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        assert "Instagram" in app.screen.query_one("#help-text").source  # type: ignore[attr-defined]
        await palette(pilot, app, "Schedule a post")
        assert await pause_until(pilot, lambda: getattr(app.focused, "id", None) == "upload-at")
