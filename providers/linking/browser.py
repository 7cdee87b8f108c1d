"""The browser step of a link: the network's page, and every way its answer can come back.

Whichever comes first wins: the loopback listener (a browser on this machine), an address or code
pasted by the user (a browser elsewhere, over SSH), the served page's relay (``linkdeck serve``),
a code from the network's own code page (``code_page``, Mastodon's oob), or an approved device
code. A pasted bare code goes to the code page's flow first; if that flow refuses it, it may be
the main flow's code copied out of the loopback address, and is handed over once (a refused
exchange does not use up a code). An alternative that fails never ends the link while the main
flow can still be answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from providers.errors import LinkCancelled, LinkError
from providers.linking import steps
from providers.redirects import loopback_port

if TYPE_CHECKING:
    from providers.auth.types import Token
    from providers.interface import BrowserFlow, DeviceCodeFlow
    from providers.settings import Settings
    from providers.spec import NetworkSpec

log = logging.getLogger("linkdeck.linking.browser")


class BrowserStep:
    def __init__(
        self,
        spec: NetworkSpec,
        flow: BrowserFlow,
        code_page: BrowserFlow | None,
        device: DeviceCodeFlow | None,
        relay_uri: str | None,
        settings: Settings,
    ) -> None:
        self.spec, self.flow, self.code_page, self.device = spec, flow, code_page, device
        self._relay_uri, self._settings = relay_uri, settings
        self._relay: asyncio.Task[None] | None = None
        self._relay_key: str | None = None
        self._code_page_code: str | None = None

    async def start(self, open_browser: Callable[[str], object] | None) -> steps.ShowAddress:
        try:
            request = await self.flow.start()
        except LinkError as exc:
            if isinstance(exc, LinkCancelled):
                raise
            raise LinkError(f"{exc.message} {self._port_advice()}".rstrip()) from None
        code_request = await self.code_page.start() if self.code_page is not None else None
        device_code = None
        if self.device is not None:
            try:
                device_code = await self.device.start()
            except LinkError as exc:  # the device route is an extra: the address still works
                log.info("%s: no device code (%s)", self.spec.name, exc.message)
                self.device = None
        key = self.flow.relay_key
        if self._relay_uri and key:
            self._watch_relay(key)
        return steps.ShowAddress(
            self.spec.name,
            request=request,
            opened_browser=_open(open_browser, request.url),
            code_page=code_request,
            device=device_code,
            on_paste=self.paste,
        )

    def _port_advice(self) -> str:
        port = loopback_port(self.spec, self._settings)
        if not port:
            return ""
        return (
            f"linkdeck's {self.spec.name} redirect address uses port {port}; if another program "
            f"holds it, set another with `[networks.{self.spec.id}] port = …` in config.toml."
        )

    def paste(self, pasted: str) -> None:
        from providers.auth.callback import looks_like_url

        text = pasted.strip()
        if self.code_page is not None and text and not looks_like_url(text):
            self.code_page.submit(text)
            self._code_page_code = text
            return
        self.flow.submit(text)

    def _watch_relay(self, key: str) -> None:
        from providers.auth import relay

        relay.register(key)
        self._relay_key = key
        flow = self.flow

        async def forward() -> None:
            text = await relay.wait(key)
            with contextlib.suppress(LinkError):  # a refusal ends the flow, which wait() reports
                flow.submit(text)

        self._relay = asyncio.create_task(forward())

    async def wait(self) -> Token:
        main: asyncio.Future[Token] = asyncio.ensure_future(self.flow.wait())
        others: dict[asyncio.Future[Token], str] = {}
        if self.code_page is not None:
            others[asyncio.ensure_future(self.code_page.wait())] = "code_page"
        if self.device is not None:
            others[asyncio.ensure_future(self.device.wait())] = "device"
        waiting: set[asyncio.Future[Token]] = {main, *others}
        try:
            while waiting:
                done, waiting = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    problem = task.exception()
                    if problem is None:
                        return task.result()
                    if task is not main and (isinstance(problem, LinkCancelled) or not main.done()):
                        if others[task] == "code_page" and not isinstance(problem, LinkCancelled):
                            self._hand_code_to_main()
                        continue  # the main flow may still get (or have been handed) the answer
                    raise problem
            raise LinkError(f"{self.spec.name}: linking ended without an answer.")
        finally:
            for pending in (main, *others):
                if not pending.done():
                    pending.cancel()
                    with contextlib.suppress(BaseException):
                        await pending
                elif not pending.cancelled():
                    pending.exception()  # retrieved: another answer already decided

    def _hand_code_to_main(self) -> None:
        code, self._code_page_code = self._code_page_code, None
        if code:
            with contextlib.suppress(LinkError):
                self.flow.submit(code)

    async def close(self) -> None:
        for flow in (self.flow, self.code_page, self.device):
            if flow is not None:
                await flow.cancel()
        if self._relay is not None:
            from providers.auth import relay

            self._relay.cancel()
            if self._relay_key:
                relay.unregister(self._relay_key)


def _open(open_browser: Callable[[str], object] | None, url: str) -> bool:
    """Open ``url`` with the caller's opener (None: never); False when no browser opened."""
    if open_browser is None:
        return False
    try:
        opened = open_browser(url)
    except Exception as exc:  # no browser after all: the URL is still shown
        log.info("could not open a browser: %s", type(exc).__name__)
        opened = False
    return opened is not False
