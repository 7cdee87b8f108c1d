"""Help: a topic list and a Markdown page."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, Markdown, OptionList
from textual.widgets.option_list import Option

from tui import help_pages
from tui.screens.base import LinkdeckScreen


class HelpScreen(LinkdeckScreen[None]):
    # Parsed when this screen is first opened, not at start-up.
    CSS_PATH = "../styles/help.tcss"
    SUB_TITLE = "Help"

    def compose(self) -> ComposeResult:
        self._topics = help_pages.topics()
        yield Header()
        with Horizontal():
            yield OptionList(*[Option(t.title, id=t.id) for t in self._topics], id="help-topics")
            with VerticalScroll(id="help-page"):
                yield Markdown(self._topics[0].markdown(), id="help-text", open_links=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-topics", OptionList).highlighted = 0

    @on(OptionList.OptionHighlighted, "#help-topics")
    def _show(self, event: OptionList.OptionHighlighted) -> None:
        topic = next(t for t in self._topics if t.id == event.option.id)
        self.query_one("#help-text", Markdown).update(topic.markdown())
        self.query_one("#help-page", VerticalScroll).scroll_home(animate=False)

    @on(Markdown.LinkClicked)
    def _link(self, event: Markdown.LinkClicked) -> None:
        self.app.open_external(event.href)

    def show_topic(self, topic_id: str) -> None:
        topics = self.query_one("#help-topics", OptionList)
        topics.highlighted = next(i for i, t in enumerate(self._topics) if t.id == topic_id)
