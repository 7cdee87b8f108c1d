"""One link in progress: runs the network's sign-in as a conversation of typed steps, then reads
who signed in and stores the account (token in the keyring only).

Why a conversation: every sign-in (a server address, typed credentials, a browser page, a device
code, a choice of Page) is a sequence of things to show and answers to wait for. The sign-in calls
this session (it implements providers.interface.Conversation); each call becomes a step that the
Link window and the command line render the same way (:mod:`.steps`), so a new sign-in route never
edits either front end.

Public API::

    session = await begin_link(…)                   # providers.linking
    async for step in session.steps(): …            # render each; answer the ones that ask
    linked = await session.finish()                 # or: drive to the end, no answers needed
    await session.cancel()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

from providers.errors import LinkCancelled, LinkdeckError, LinkError, UsageError
from providers.linking.browser import BrowserStep
from providers.linking.checks import resolve_instance
from providers.linking.record import record_link
from providers.linking.steps import (
    TERMINAL,
    AskFields,
    AskInstance,
    ChooseTarget,
    Failed,
    Linked,
    ShowDeviceCode,
    Step,
    Working,
)

if TYPE_CHECKING:
    from providers.auth.types import Token
    from providers.interface import BrowserFlow, CredentialField, DeviceCodeFlow, SignIn
    from providers.settings import Settings
    from providers.spec import NetworkSpec
    from providers.store import Store
    from providers.vault import Vault

log = logging.getLogger("linkdeck.linking")

T = TypeVar("T")
ANSWER_TIMEOUT = 600.0  # how long a typed answer is waited for before the link gives up


class LinkSession:
    """One link, single use. Made by :func:`providers.linking.begin_link`."""

    def __init__(
        self,
        spec: NetworkSpec,
        sign_in: SignIn,
        *,
        settings: Settings,
        store: Store,
        vault: Vault,
        instance: str | None = None,
        open_browser: Callable[[str], object] | None = None,
        relay_uri: str | None = None,
        brand_id: int | None = None,
        preset: Mapping[str, str] | None = None,
    ) -> None:
        self.spec = spec
        self.brand_id = brand_id  # the brand the account goes into (None: the default, or as it was)
        # Answers given before the link starts (a broker's network, from that network's card):
        # those fields are not asked.
        self.preset = dict(preset or {})
        self.sign_in = sign_in
        self.settings = settings
        self.store = store
        self.vault = vault
        self.instance = instance
        self._open_browser = open_browser
        self._relay_uri = relay_uri
        self._queue: asyncio.Queue[Step] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._over = False
        self._cancelled = False
        self._asked_beyond_instance = False

    def __repr__(self) -> str:
        return f"<LinkSession {self.spec.id} {self.instance or ''}>"

    # Driving it ----------------------------------------------------------------------------------

    async def steps(self) -> AsyncIterator[Step]:
        """Every step, in order, ending with Linked or Failed."""
        while not self._over:
            step = await self.next_step()
            yield step

    async def next_step(self) -> Step:
        if self._over:
            raise RuntimeError("this link session has ended")
        if self._task is None:
            if self._cancelled:
                self._over = True
                raise LinkCancelled(f"{self.spec.name}: linking was cancelled; nothing was linked.")
            self._task = asyncio.create_task(self._run(), name=f"link-{self.spec.id}")
        step = await self._queue.get()
        if isinstance(step, TERMINAL):
            self._over = True
        return step

    async def finish(self) -> Linked:
        """Go through the steps to the end when none of them needs an answer from here (the
        browser is answered by the loopback listener or a paste made elsewhere). Raises the
        Failed step's error."""
        while True:
            step = await self.next_step()
            if isinstance(step, Linked):
                return step
            if isinstance(step, Failed):
                assert step.error is not None
                raise step.error
            if isinstance(step, AskInstance | AskFields | ChooseTarget):
                await self.cancel()
                raise RuntimeError(f"{type(step).__name__} needs an answer; drive the steps instead")

    async def cancel(self) -> None:
        """Stop the link (its listener closes, nothing is stored); the steps end with Failed."""
        self._cancelled = True
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task

    def _emit(self, step: Step) -> None:
        self._queue.put_nowait(step)

    # The link ------------------------------------------------------------------------------------

    async def _run(self) -> None:
        name = self.spec.name
        try:
            asked, error = False, ""
            while True:
                if self.instance is None and self._asks_instance():
                    self.instance, asked = await self._ask_instance(error), True
                try:
                    authorized = await self.sign_in.authorize(self, self.instance)
                    break
                except LinkError as exc:
                    # A server that turned out wrong before anything else was asked: ask again.
                    if not asked or self._asked_beyond_instance or isinstance(exc, LinkCancelled):
                        raise
                    self.instance, error = None, exc.message
            self.instance = authorized.instance
            self.progress(f"Reading your {name} account…")
            profile = await self.sign_in.profile(authorized.token, authorized.instance)
            held_before = self._held()
            account, choices = await record_link(
                self.spec, authorized, profile, self.store, self.vault, self.brand_id
            )
            if choices:
                ask = ChooseTarget(name, tuple(choices))
                self._emit(ask)
                chosen = choices[await ask.reply.wait()]
                account = self.store.set_target(account.id, chosen.kind, chosen.target_id, chosen.name)
            self._emit(Linked(name, account, profile, released=max(0, held_before - self._held())))
        except asyncio.CancelledError:
            self._emit(Failed(name, LinkCancelled(f"{name}: linking was cancelled; nothing was linked.")))
            raise
        except LinkdeckError as exc:
            self._emit(Failed(name, exc))
        except Exception as exc:  # a bug: still end the conversation, with a message, and say so
            log.exception("linking %s failed unexpectedly", name)
            self._emit(Failed(name, LinkError(f"{name}: linking failed ({type(exc).__name__}).")))

    def _held(self) -> int:
        """Deliveries held now (linking an account again releases its own, in the same write)."""
        from providers.store import DeliveryState

        return self.store.counts_by_state().get(DeliveryState.HELD, 0)

    def _asks_instance(self) -> bool:
        return self.spec.capabilities.per_instance

    async def _ask_instance(self, error: str) -> str | None:
        spec = self.spec
        configured = self.settings.network(spec.id).base_url
        if configured and not error:
            return resolve_instance(spec, configured, self.settings)
        recent = tuple(r.removeprefix("https://") for r in self.store.recent_instances(spec.id))
        prefill = recent[0] if recent else (spec.default_instance or "").removeprefix("https://")
        while True:
            ask = AskInstance(
                spec.name,
                prefill,
                spec.instance_example.removeprefix("https://"),
                recent,
                required=not self.sign_in.locates_instance,
                error=error,
            )
            self._emit(ask)
            text = (await _within(ask.reply.wait(), spec.name, "server address")).strip()
            if not text and self.sign_in.locates_instance:
                return None
            try:
                return resolve_instance(spec, text, self.settings)
            except UsageError as exc:
                prefill, error = text, exc.message

    # The Conversation a sign-in talks through ------------------------------------------------------

    @property
    def relay_uri(self) -> str | None:
        return self._relay_uri

    def progress(self, text: str) -> None:
        self._emit(Working(self.spec.name, text))

    async def fields(
        self, fields: Sequence[CredentialField], attempt: Callable[[Mapping[str, str]], Awaitable[T]]
    ) -> T:
        self._asked_beyond_instance = True
        name, error = self.spec.name, ""
        asked = tuple(f for f in fields if f.name not in self.preset)
        while True:
            values: Mapping[str, str] = {}
            if asked:
                ask = AskFields(name, asked, error=error)
                self._emit(ask)
                values = await _within(ask.reply.wait(), name, "credentials")
            elif error:  # nothing to ask again: the refusal ends the link
                raise LinkError(error)
            values = {**values, **self.preset}
            missing = [f.label for f in fields if f.required and not str(values.get(f.name, "")).strip()]
            if missing:
                error = f"{name} needs your {' and '.join(missing)}."
                continue
            self.progress("Signing in…")
            try:
                return await attempt({f.name: str(values.get(f.name, "")).strip() for f in fields})
            except LinkCancelled:
                raise
            except LinkError as exc:
                error = exc.message

    async def browser(
        self,
        flow: BrowserFlow,
        *,
        code_page: BrowserFlow | None = None,
        device: DeviceCodeFlow | None = None,
    ) -> Token:
        self._asked_beyond_instance = True
        step = BrowserStep(self.spec, flow, code_page, device, self._relay_uri, self.settings)
        try:
            shown = await step.start(self._open_browser)
            self._emit(shown)
            return await step.wait()
        finally:
            await step.close()

    async def device(self, flow: DeviceCodeFlow) -> Token:
        self._asked_beyond_instance = True
        try:
            code = await flow.start()
            self._emit(ShowDeviceCode(self.spec.name, code))
            return await flow.wait()
        finally:
            await flow.cancel()


async def _within(answer: Awaitable[T], network: str, what: str) -> T:
    try:
        return await asyncio.wait_for(answer, ANSWER_TIMEOUT)
    except TimeoutError:
        raise LinkError(f"{network}: nothing was typed in time ({what}); nothing was linked.") from None
