"""Parts the suite needs (node, the PDS, Chromium, gnome-keyring's Secret Service): skipped on a
developer's machine that lacks one, an error where the suite must be whole.

Strict when ``LINKDECK_TEST_STRICT=1`` or ``CI`` is set (``make test`` sets the first): there a
missing part fails the test that needs it, so a run that could not check something never reports
green. Why not always strict: a contributor without Node should still be able to run the rest.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def strict() -> bool:
    """Whether a missing part is an error (``LINKDECK_TEST_STRICT=1`` or ``CI`` set)."""
    return os.environ.get("LINKDECK_TEST_STRICT", "") not in ("", "0") or bool(os.environ.get("CI"))


def missing(reason: str, *, module: bool = False) -> NoReturn:
    """Skip with ``reason``, or fail with it when :func:`strict`. ``module``: called at import time
    of a test module (a skip must then say so; a failure is a collection error either way)."""
    if strict():
        pytest.fail(f"{reason} (a required part: LINKDECK_TEST_STRICT or CI is set)", pytrace=False)
    pytest.skip(reason, allow_module_level=module)


def chromium_or_missing(path: str = "/usr/bin/chromium") -> None:
    """At a browser test module's import: Debian's Chromium must be there (``make system-deps``)."""
    if not os.path.exists(path):
        missing(f"needs Debian's Chromium at {path} (`make system-deps` installs it)", module=True)


def module_or_missing(name: str, reason: str) -> object:
    """``pytest.importorskip`` that fails instead in strict mode (a dev dependency not installed)."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        missing(reason, module=True)
