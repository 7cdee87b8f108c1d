"""Errors the engine raises for the user to read.

Each carries a message fit to show as is (naming the network and the rule where one applies) and
the CLI exit code it maps to: 1 when a network refused or a check failed, 2 for usage or setup.
"""

from __future__ import annotations

from pathlib import Path


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


class SecretKeyError(KeyringUnavailable):
    """Team mode's secrets cannot be opened: no key, a key that is not well-formed, a key file
    others can read, or a secret sealed with a key that is not configured (or altered). A kind of
    KeyringUnavailable, so a delivery waits and retries instead of failing for good. The message
    names the key ids involved, never a key."""


class RotationIncomplete(LinkdeckError):
    """``linkdeck keys rotate`` left some secrets under an old key (exit 1)."""


class NetworkRefused(LinkdeckError):
    exit_code = 1


class LinkError(LinkdeckError):
    """Linking failed in a way the user must read: denied consent, forged or missing state, timeout,
    a refused code. The message names the network; it never contains a token, code or secret."""

    exit_code = 1


class LinkCancelled(LinkError):
    pass


class CallbackRejected(LinkError):
    """This answer was not accepted: it is not the answer to *this* request (missing or forged
    state, a different address, junk). The flow that got it keeps waiting for the real one."""


class AuthorizationRefused(LinkError):
    """The network answered this request with an error (the user declined, a bad scope...).
    The flow is over."""


ERROR_KINDS = ("reconnect", "fix_media", "try_later", "refused")


class PublishError(LinkdeckError):
    """A publish that did not succeed. ``kind``:

    - ``reconnect``: the network refused the account's sign-in (after one refresh); link it again.
    - ``fix_media``: the network refused the media or the caption; retrying the same post won't help.
    - ``try_later``: rate-limited (``retry_after`` seconds, from Retry-After), a server error, a
      timeout, media still processing; the outbox retries with backoff.
    - ``refused``: any other refusal (a 4xx that is not about the content); retrying won't help.

    ``maybe_published``: the request that creates the post may have reached the network (the
    answer was lost). ``unauthorized``: an HTTP 401, so the outbox refreshes the token once and
    tries again before asking for a reconnect. The message names the network and the rule.
    """

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        retry_after: float | None = None,
        maybe_published: bool = False,
        unauthorized: bool = False,
        status: int | None = None,
    ) -> None:
        if kind not in ERROR_KINDS:
            raise ValueError(f"unknown publish error kind {kind!r}; expected one of {', '.join(ERROR_KINDS)}")
        super().__init__(message)
        self.kind = kind
        self.retry_after = retry_after
        self.maybe_published = maybe_published
        self.unauthorized = unauthorized
        self.status = status

    @property
    def retryable(self) -> bool:
        return self.kind == "try_later"


class MediaError(LinkdeckError):
    """A file that cannot be inspected: missing, empty, broken, not media, or a decompression bomb.

    Unreadable input is a usage problem, not a network's verdict, so the CLI exits 2. ``code`` is
    stable for scripts and tests (``not_found``, ``empty``, ``not_media``, ``truncated``,
    ``corrupt``, ``decompression_bomb``, ``unsupported``, ``unreadable``).
    """

    exit_code = 2

    def __init__(self, path: Path | str, code: str, what: str) -> None:
        self.path = Path(path)
        self.code = code
        super().__init__(f"{self.path.name}: {what}")


class FileChanged(OSError):
    """The file's size changed while it was being uploaded (an OSError: reading it failed)."""
