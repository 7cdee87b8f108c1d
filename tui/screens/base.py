"""Screens and dialogs that know which app runs them: ``self.app`` is a ``LinkdeckApp``.

Textual types ``app`` as a plain ``App``, so reaching ``self.app.ctx`` needed an ignore at every
use. These bases retype it for the type checker only, with Textual's own ``getters.app``; at run
time nothing changes and ``tui.app`` is not imported (it imports the screens: a cycle).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from textual import getters

    from tui.app import LinkdeckApp

ResultType = TypeVar("ResultType")


class LinkdeckScreen(Screen[ResultType]):
    """A full screen (a mode) of the linkdeck app."""

    if TYPE_CHECKING:
        app = getters.app(LinkdeckApp)


class LinkdeckModal(ModalScreen[ResultType]):
    """A dialog over a linkdeck screen."""

    if TYPE_CHECKING:
        app = getters.app(LinkdeckApp)
