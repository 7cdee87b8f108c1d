"""Keyring backends for tests that choose the backend themselves (with the ``use_keyring`` fixture),
and :func:`secret_service_missing_reason`: whether keyring talks to a real Secret Service here.

The in-memory keyring is for unit tests that need a keyring to misbehave in a way a real Secret
Service cannot be made to (fail with the secret in its error text, hold an unparsable entry, stay
locked without a prompter): each such test says so. Everything else uses the real one.
"""

from __future__ import annotations

import os

import keyring
import keyring.backend
import keyring.errors
from keyring.backends.chainer import ChainerBackend
from keyring.compat import properties


def secret_service_missing_reason() -> str | None:
    """None if keyring talks to a Secret Service (tests/with_keyring.sh), else why not."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return (
            "needs a real Secret Service: DBUS_SESSION_BUS_ADDRESS is not set "
            "(run inside tests/with_keyring.sh, which starts dbus-run-session + gnome-keyring)"
        )
    chosen = keyring.get_keyring()
    chain = list(chosen.backends) if isinstance(chosen, ChainerBackend) else [chosen]
    if not any(type(b).__module__ == "keyring.backends.SecretService" for b in chain):
        return (
            f"needs a real Secret Service: the keyring backend is {chosen!r}, not SecretService "
            "(run inside tests/with_keyring.sh)"
        )
    return None


class MemoryKeyring(keyring.backend.KeyringBackend):
    """An in-process keyring for tests. Never auto-detected: its priority raises."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test backend; set explicitly")

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")
