"""Where linkdeck is running, which decides whether it may launch a browser.

Over SSH, or on a machine with no display, launching a browser would either do nothing or start a
console browser that fights the TUI for the terminal; linkdeck shows the URL (and QR, copy) instead.
Under textual-serve the browser tab is the user's own, so opening a URL is right.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum


class Place(StrEnum):
    LOCAL = "local"  # a terminal with a display: open the browser here
    SSH = "ssh"  # never launch a browser on the remote host
    HEADLESS = "headless"  # no display (a container, a server console)
    WEB = "web"  # textual-serve: the browser is the user's tab


def where(env: dict[str, str] | None = None, platform: str | None = None) -> Place:
    env = dict(os.environ) if env is None else env
    platform = platform or sys.platform
    if env.get("LINKDECK_WEB") == "1" or "WebDriver" in env.get("TEXTUAL_DRIVER", ""):
        return Place.WEB
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY") or env.get("SSH_CLIENT"):
        return Place.SSH
    if platform.startswith("linux") and not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return Place.HEADLESS
    return Place.LOCAL


def may_launch_browser(place: Place | None = None) -> bool:
    return (place or where()) in (Place.LOCAL, Place.WEB)
