"""The typed-credentials sign-in: the user types what the network asks for (a handle and an app
password), linkdeck signs in with it at once. A network may answer some values with a browser
sign-in instead (Bluesky: no app password typed → atproto OAuth on the server's own page).

A network subclasses :class:`CredentialsSignIn` with its fields, its sign-in call and, if it has
one, its browser route; asking, re-asking after a refusal and the browser step are the
conversation's (providers.linking).
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import TYPE_CHECKING

from providers.interface import Authorized, Conversation, CredentialField, SignIn

if TYPE_CHECKING:
    from providers.interface import BrowserFlow


class CredentialsSignIn(SignIn):
    @abc.abstractmethod
    def credential_fields(self, instance: str | None) -> tuple[CredentialField, ...]:
        """What to ask for, in order."""

    @abc.abstractmethod
    async def sign_in(self, instance: str | None, values: Mapping[str, str]) -> Authorized:
        """Sign in with the typed values. LinkError (shown, the fields asked again) when refused."""

    async def browser_route(
        self, instance: str | None, values: Mapping[str, str]
    ) -> tuple[BrowserFlow, str | None] | None:
        """A browser sign-in to use instead for these values, with the instance it is for; None
        (the default): sign in with the values."""
        return None

    async def authorize(self, talk: Conversation, instance: str | None) -> Authorized:
        async def attempt(values: Mapping[str, str]) -> Authorized | tuple[BrowserFlow, str | None]:
            route = await self.browser_route(instance, values)
            return route if route is not None else await self.sign_in(instance, values)

        outcome = await talk.fields(self.credential_fields(instance), attempt)
        if isinstance(outcome, Authorized):
            return outcome
        flow, where = outcome
        return Authorized(where, await talk.browser(flow))
