"""Driving a link session's steps from a test the way a front end would, so tests can say "the
address", "paste this", "finish" without re-implementing the step loop each time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from providers.linking.steps import AskFields, AskInstance, Failed, ShowAddress, Step, Working

if TYPE_CHECKING:
    from providers.auth.types import AuthorizationRequest, DeviceCode
    from providers.linking import LinkSession
    from providers.linking.steps import Linked


async def next_shown(session: LinkSession) -> Step:
    """The next step that shows something (Working steps skipped); raises a Failed step's error."""
    while True:
        step = await session.next_step()
        if isinstance(step, Failed):
            assert step.error is not None
            raise step.error
        if not isinstance(step, Working):
            return step


class Started:
    """A session driven to its address step: what a user sees and can do there."""

    def __init__(self, session: LinkSession, step: ShowAddress) -> None:
        self.session, self.step = session, step

    @property
    def request(self) -> AuthorizationRequest:
        assert self.step.request is not None
        return self.step.request

    @property
    def oob_request(self) -> AuthorizationRequest | None:
        return self.step.code_page

    @property
    def device(self) -> DeviceCode | None:
        return self.step.device

    @property
    def opened_browser(self) -> bool:
        return self.step.opened_browser

    def submit(self, pasted: str) -> None:
        self.step.paste(pasted)

    async def finish(self) -> Linked:
        return await self.session.finish()

    async def cancel(self) -> None:
        await self.session.cancel()


async def to_address(
    session: LinkSession, *, instance: str | None = None, fields: Mapping[str, str] | None = None
) -> Started:
    """Answer the server and credential steps on the way (``instance``, ``fields``), up to the
    address step."""
    while True:
        step = await next_shown(session)
        if isinstance(step, ShowAddress):
            return Started(session, step)
        if isinstance(step, AskInstance) and instance is not None:
            step.answer(instance)
        elif isinstance(step, AskFields) and fields is not None:
            step.answer(fields)
        else:
            raise AssertionError(f"unexpected step before the address: {step!r}")


async def sign_in_with(session: LinkSession, fields: Mapping[str, str], instance: str = "") -> Linked:
    """Answer the server step (empty: let the sign-in find it) and the credential step with
    ``fields``, then finish; a refusal (the fields asked again) raises its LinkError."""
    from providers.errors import LinkError
    from providers.linking.steps import Linked

    answered = False
    while True:
        step = await next_shown(session)
        if isinstance(step, Linked):
            return step
        if isinstance(step, AskFields):
            if answered:
                await session.cancel()
                raise LinkError(step.error)
            step.answer(fields)
            answered = True
        elif isinstance(step, AskInstance):
            step.answer(instance)
        else:
            raise AssertionError(f"unexpected step while signing in: {step!r}")
