"""Errors the engine raises for the user to read.

Each carries a message fit to show as is (naming the network and the rule where one applies) and
the CLI exit code it maps to: 1 when a network refused or a check failed, 2 for usage or setup.
"""

from __future__ import annotations


class LinkdeckError(Exception):
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class SetupError(LinkdeckError):
    """Configuration or environment is missing something (exit 2)."""

    exit_code = 2


class UsageError(LinkdeckError):
    exit_code = 2


class NotBuiltYet(SetupError):
    """A feature the spec names but this version does not have yet."""


class KeyringUnavailable(SetupError):
    pass


class NetworkRefused(LinkdeckError):
    exit_code = 1
