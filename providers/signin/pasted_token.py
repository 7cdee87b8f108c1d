"""The pasted-token sign-in: a bot token or an API key the user copies from the network's own
settings (Telegram's BotFather, Ayrshare's dashboard), checked with one call before it is kept.

A network subclasses :class:`PastedTokenSignIn` with ``token_label`` and ``token_hint`` and
:meth:`~PastedTokenSignIn.check` (who the token belongs to); the token goes to the vault as
``{"access_token": …}`` like any other.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from providers.interface import Authorized, CredentialField, Profile
from providers.signin.credentials import CredentialsSignIn

if TYPE_CHECKING:
    from providers.auth.types import Token


class PastedTokenSignIn(CredentialsSignIn):
    token_label: ClassVar[str] = "Token"
    token_hint: ClassVar[str] = ""

    def credential_fields(self, instance: str | None) -> tuple[CredentialField, ...]:
        return (CredentialField("token", self.token_label, secret=True, hint=self.token_hint),)

    async def sign_in(self, instance: str | None, values: Mapping[str, str]) -> Authorized:
        token: Token = {"access_token": values["token"].strip()}
        await self.profile(token, instance)  # refused tokens fail here, before anything is kept
        return Authorized(instance, token)

    @abc.abstractmethod
    async def profile(self, token: Token, instance: str | None) -> Profile:
        """Who the token belongs to (the bot, the account). LinkError when the network refuses it."""
