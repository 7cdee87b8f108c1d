"""The typed steps of a link: what a front end shows, one at a time, and how it answers.

A link session (:mod:`.session`) yields these in order; the Link window renders each with a small
widget and the command line prints or prompts for each, so neither has a branch per network.
A step that needs the user's answer has a method to give it (:meth:`AskInstance.answer`,
:meth:`AskFields.answer`, :meth:`ShowAddress.paste`, :meth:`ChooseTarget.choose`); the session
waits for it before yielding the next step. The last step is :class:`Linked` or :class:`Failed`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from providers.auth.types import AuthorizationRequest, DeviceCode
    from providers.errors import LinkdeckError
    from providers.interface import CredentialField, Profile
    from providers.store import Account, Target

A = TypeVar("A")


class Reply(Generic[A]):
    """The answer a step waits for: given once by the front end, awaited by the session."""

    def __init__(self) -> None:
        self._future: asyncio.Future[A] = asyncio.get_running_loop().create_future()

    def give(self, value: A) -> None:
        if not self._future.done():
            self._future.set_result(value)

    @property
    def given(self) -> bool:
        return self._future.done()

    async def wait(self) -> A:
        return await self._future


@dataclass(eq=False)
class Step:
    """One thing to show. ``network``: the network's name as messages use it."""

    network: str


@dataclass(eq=False)
class AskInstance(Step):
    """Which server the account is on (per-instance networks). ``prefill``: a good default (the
    last one used, or where most accounts live); ``required`` False when the sign-in can find the
    server from what the user types next (an empty answer leaves it to it). ``error``: why the
    last answer was refused."""

    prefill: str = ""
    example: str = ""  # a server to name as an example ("mastodon.social")
    recent: tuple[str, ...] = ()
    required: bool = True
    error: str = ""
    reply: Reply[str] = field(default_factory=Reply, repr=False)

    def answer(self, text: str) -> None:
        self.reply.give(text)


@dataclass(eq=False)
class AskFields(Step):
    """Typed credentials (a handle and an app password, a bot token). Mask the ``secret`` fields.
    ``error``: why the last values were refused (the fields are asked again)."""

    fields: tuple[CredentialField, ...] = ()
    error: str = ""
    reply: Reply[Mapping[str, str]] = field(default_factory=Reply, repr=False)

    def answer(self, values: Mapping[str, str]) -> None:
        self.reply.give(dict(values))


@dataclass(eq=False)
class ShowAddress(Step):
    """The network's page to approve linkdeck on: show the address (and a QR code), say whether
    it opened in a browser, and take a pasted final address or code at any time through
    :meth:`paste` (it raises LinkError at once for an answer that is not ours; the session goes on
    waiting). ``code_page``: a second page that shows a code to paste (no browser on this device).
    ``device``: a device code offered as another way. The step ends when the session moves on."""

    request: AuthorizationRequest | None = None
    opened_browser: bool = False
    code_page: AuthorizationRequest | None = None
    device: DeviceCode | None = None
    on_paste: Callable[[str], None] = field(default=lambda text: None, repr=False)

    def paste(self, text: str) -> None:
        """A pasted final address or code. LinkError (CallbackRejected) when it is not the answer
        to this request: show it and keep waiting; another LinkError ends the link (reported by
        the :class:`Failed` step that follows)."""
        self.on_paste(text)


@dataclass(eq=False)
class ShowDeviceCode(Step):
    """A code to type on the network's device page; the session polls until it is approved."""

    code: DeviceCode | None = None


@dataclass(eq=False)
class Working(Step):
    """Something is happening that takes a moment ("Signing in…", "Reading your account…")."""

    text: str = ""


@dataclass(eq=False)
class ChooseTarget(Step):
    """The sign-in gave several places to post to (Pages, boards): which one."""

    choices: tuple[Target, ...] = ()
    reply: Reply[int] = field(default_factory=Reply, repr=False)

    def choose(self, index: int) -> None:
        if not 0 <= index < len(self.choices):
            raise IndexError(f"choose one of 0..{len(self.choices) - 1}")
        self.reply.give(index)


@dataclass(eq=False)
class Linked(Step):
    """Done: the account (stored, token in the keyring) and who the network said signed in."""

    account: Account | None = None
    profile: Profile | None = None
    released: int = 0  # posts held while the account was unlinked or needed reconnecting, now on their way

    @property
    def released_text(self) -> str:
        """ "2 held posts were released." ('' when none were)."""
        if not self.released:
            return ""
        posts = "post" if self.released == 1 else "posts"
        return f"{self.released} held {posts} released: they go out as scheduled."


@dataclass(eq=False)
class Failed(Step):
    """The link did not happen; nothing was stored. ``error`` carries the message and exit code."""

    error: LinkdeckError | None = None

    @property
    def message(self) -> str:
        return str(self.error) if self.error is not None else f"{self.network}: linking failed."


TERMINAL = (Linked, Failed)
