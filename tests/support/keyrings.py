"""Keyring backends for tests that choose the backend themselves (with the ``use_keyring`` fixture)."""

from __future__ import annotations

import keyring.backend
import keyring.errors
from keyring.compat import properties


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
