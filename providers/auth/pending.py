"""Waiting for the user, shared by the browser flows (OAuth 2 code, OAuth 1.0a) and the device flow.

:class:`Waiter` makes any await lose to a cancel (the UI's Cancel button, Escape, Ctrl-C).
:class:`PendingAnswer` is "the first of: the loopback listener's callback, a pasted or relayed
answer, the timeout, a cancel", with the listener closed however it ends. Keeping this in one place
is what makes the listener and paste-back behave identically.

Public API (for flows; adapters use the flows)::

    waiter = Waiter(network_name); await waiter.race(awaitable); waiter.cancel()
    answer = PendingAnswer(network_name, timeout, waiter)
    answer.begin(listener | None); answer.settle(code=...) / answer.settle(exc=...)
    code = await answer.get(); answer.close()
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from providers.auth.loopback import LoopbackListener
from providers.errors import CallbackRejected, LinkCancelled, LinkError

T = TypeVar("T")


class Waiter:
    """Cancellation for one flow: any step awaited through :meth:`race` loses to :meth:`cancel`."""

    def __init__(self, network_name: str) -> None:
        self._network_name = network_name
        self._cancelled = asyncio.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        self._cancelled.set()

    def error(self) -> LinkCancelled:
        return LinkCancelled(f"{self._network_name}: linking was cancelled; nothing was linked.")

    async def race(self, awaitable: Awaitable[T]) -> T:
        """Await ``awaitable`` unless cancel() comes first (then LinkCancelled, and the awaitable
        is cancelled)."""
        if self.cancelled:
            if asyncio.iscoroutine(awaitable):
                awaitable.close()
            raise self.error()
        task: asyncio.Future[T] = asyncio.ensure_future(awaitable)
        stopper = asyncio.ensure_future(self._cancelled.wait())
        both: set[asyncio.Future[Any]] = {task, stopper}
        try:
            await asyncio.wait(both, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
            if not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        if task.cancelled():
            raise self.error()
        return task.result()


class PendingAnswer:
    """The answer to one authorization request, from whichever source delivers it first."""

    def __init__(self, network_name: str, timeout: float, waiter: Waiter) -> None:
        self.network_name = network_name
        self.timeout = timeout
        self.waiter = waiter
        self._future: asyncio.Future[str] | None = None
        self._listener: LoopbackListener | None = None
        self._forward: asyncio.Task[None] | None = None
        self._deadline = 0.0

    @property
    def started(self) -> bool:
        return self._future is not None

    @property
    def done(self) -> bool:
        return self._future is not None and self._future.done()

    def begin(self, listener: LoopbackListener | None) -> None:
        """Start the clock; forward the (already started) listener's result, if there is one."""
        loop = asyncio.get_running_loop()
        self._future = loop.create_future()
        self._deadline = loop.time() + self.timeout
        self._listener = listener
        if listener is not None:
            self._forward = asyncio.create_task(self._from_listener(listener))

    async def _from_listener(self, listener: LoopbackListener) -> None:
        try:
            code = await listener.wait()
        except LinkCancelled:
            return  # closed because the answer came another way, or the flow ended
        except LinkError as exc:
            self.settle(exc=exc)
            return
        self.settle(code=code)

    def settle(self, *, code: str | None = None, exc: LinkError | None = None) -> None:
        """Deliver the answer (first one wins) and stop listening."""
        if self._future is None or self._future.done():
            return
        if exc is not None:
            self._future.set_exception(exc)
        else:
            self._future.set_result(code or "")
        self.close_listener()

    def close_listener(self) -> None:
        if self._listener is not None:
            self._listener.close()

    def close(self) -> None:
        """Everything off: listener closed, forwarding stopped, an unconsumed answer dropped."""
        self.close_listener()
        if self._forward is not None:
            self._forward.cancel()
        if self._future is not None and not self._future.done():
            self._future.cancel()

    def accept(self, read: Callable[[], str]) -> None:
        """Take a pasted or relayed answer: ``read`` parses it into the code. CallbackRejected (not
        this request's answer) leaves the flow waiting; any other LinkError (the network said no)
        ends it; a code settles it. Every flow's ``submit`` goes through here."""
        try:
            code = read()
        except CallbackRejected:
            raise
        except LinkError as exc:
            self.settle(exc=exc)
            raise
        self.settle(code=code)

    async def exchange(self, waiter: Waiter, trade: Callable[[str], Awaitable[T]]) -> T:
        """Wait for the code, then ``trade`` it for a token (cancellable), closing everything
        however it ends. Every flow's ``wait`` is this."""
        try:
            code = await self.get()
            return await waiter.race(trade(code))
        finally:
            self.close()

    async def get(self) -> str:
        """The code (or verifier), or LinkError on timeout / refusal, LinkCancelled on cancel."""
        if self._future is None:
            raise RuntimeError("start() the flow first")
        return await self.waiter.race(self._before_deadline(self._future))

    async def _before_deadline(self, future: asyncio.Future[str]) -> str:
        try:
            async with asyncio.timeout_at(self._deadline):
                return await asyncio.shield(future)
        except TimeoutError:
            minutes = self.timeout / 60
            when = f"{minutes:g} minutes" if minutes >= 1 else f"{self.timeout:g} seconds"
            raise LinkError(
                f"{self.network_name}: no answer from the sign-in page within {when}; nothing was "
                "linked. Start again. (If the page showed an error, for example about the redirect "
                "address, the app's registration with the network needs fixing.)"
            ) from None
