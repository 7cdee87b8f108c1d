"""A one-shot hand-over between the ``linkdeck serve`` process and one app session, through files.

Under textual-serve every browser tab runs its own app process, and what the browser sends to the
served page (a network's OAuth redirect, a file picked for Upload) reaches the server process, not
the session that asked for it. They share the data folder, so each hand-over is two files named by
a hash of a secret the session made (the *capability*):

- the session registers ``pending/<hash>`` when it starts waiting;
- the server, given the capability, claims the registration (one delivery per registration: the
  first wins), writes ``inbox/<hash>`` atomically, and the session reads and deletes it.

The capability itself never appears in a file name, and nothing is accepted for a capability no
session registered. :mod:`providers.auth.relay` (OAuth callbacks) and :mod:`providers.uploads`
(files from the browser) are the two users.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
from pathlib import Path

from providers import paths


class Handover:
    def __init__(self, name: str, base: Path | None = None) -> None:
        self._name = name
        self._base = base

    @property
    def folder(self) -> Path:
        path = self._base or paths.data_dir() / self._name
        for sub in ("pending", "inbox"):
            (path / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        return path

    @staticmethod
    def key(capability: str) -> str:
        return hashlib.sha256(capability.encode()).hexdigest()

    def register(self, capability: str) -> None:
        (self.folder / "pending" / self.key(capability)).touch(mode=0o600)

    def unregister(self, capability: str) -> None:
        folder = self.folder
        for sub in ("pending", "inbox"):
            with contextlib.suppress(FileNotFoundError):
                (folder / sub / self.key(capability)).unlink()

    def is_registered(self, capability: str) -> bool:
        return (self.folder / "pending" / self.key(capability)).exists()

    def claim(self, capability: str) -> bool:
        """Take the registration (False: none, or another delivery took it first)."""
        try:
            (self.folder / "pending" / self.key(capability)).unlink()
        except FileNotFoundError:
            return False
        return True

    def put(self, capability: str, text: str) -> None:
        """The answer for a claimed capability, written so the session never reads half of it."""
        key = self.key(capability)
        temporary = self.folder / "inbox" / f".{key}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        temporary.replace(self.folder / "inbox" / key)

    async def wait(self, capability: str, interval: float = 0.25) -> str:
        """The answer for ``capability``, once the server has written it (polls the inbox)."""
        inbox = self.folder / "inbox" / self.key(capability)
        while True:
            try:
                text = inbox.read_text(encoding="utf-8")
            except FileNotFoundError:
                await asyncio.sleep(interval)
                continue
            inbox.unlink(missing_ok=True)
            return text
