"""Screens, dialogs and panes that know which app runs them: ``self.app`` is a ``LinkdeckApp``.

Textual types ``app`` as a plain ``App``, so reaching ``self.app.ctx`` needed an ignore at every
use. These bases retype it for the type checker only, with Textual's own ``getters.app``; at run
time nothing changes and ``tui.app`` is not imported (it imports the screens: a cycle).

Panes get a base class of their own rather than a mixin: Textual inherits CSS along the first base
class only, so a widget mixin listed first would drop the widget's own default CSS, and a mixin
that is not a widget cannot retype ``app`` (mypy sees two incompatible definitions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual.containers import Vertical
from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from textual import getters

    from tui.app import LinkdeckApp

ResultType = TypeVar("ResultType")

SHORT = 38  # rows: below this a dialog's body at its usual height would push its buttons off screen


class LinkdeckScreen(Screen[ResultType]):
    """A full screen (a mode) of the linkdeck app."""

    if TYPE_CHECKING:
        app = getters.app(LinkdeckApp)


class LinkdeckModal(ModalScreen[ResultType]):
    """A dialog over a linkdeck screen. Below SHORT rows the screen has the class ``-short``: the
    dialog then takes the whole height, its body scrolls and its buttons stay on screen
    (styles/dialogs.tcss)."""

    VERTICAL_BREAKPOINTS = [(0, "-short"), (SHORT, "-tall")]

    if TYPE_CHECKING:
        app = getters.app(LinkdeckApp)


class LinkdeckPane(Vertical):
    """A section of a screen that reaches the engine itself (the store, the vault, linking)."""

    if TYPE_CHECKING:
        app = getters.app(LinkdeckApp)
