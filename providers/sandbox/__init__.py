"""The built-in sandbox networks: a local server that behaves like the real networks, strictly.

Why: linking, publishing and their failure modes must be testable and demonstrable with no
internet and no developer accounts. The sandbox listens on 127.0.0.1 only.

Two ways to use it (both work at once):

1. Rewrite mode. ``LINKDECK_SANDBOX_URL=http://127.0.0.1:PORT`` makes every request linkdeck would
   send to ``https://HOST/PATH`` go to ``http://127.0.0.1:PORT/HOST/PATH`` (providers.http). Then
   ``linkdeck link mastodon --instance https://mastodon.example`` talks to the emulated
   ``mastodon.example``; authorize pages shown to the user are rewritten the same way.
2. Direct mode, for per-instance networks. The sandbox URL, with or without a host segment, is
   itself a Mastodon-shaped instance: ``linkdeck link mastodon --instance http://127.0.0.1:PORT``
   or ``--instance http://127.0.0.1:PORT/mastodon.example`` (plain http is allowed for loopback
   instances). ``--instance http://127.0.0.1:PORT/pixelfed.example`` is a Pixelfed instance.

Any host segment is a Mastodon instance unless :mod:`providers.sandbox.registry` says otherwise.
Each host keeps its own apps, codes and tokens in memory. Users are the fixed demo users of
:mod:`providers.emulation.people` (alice, bob). ``linkdeck sandbox [--port P] [--latency S]`` runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable

from providers.sandbox.server import Running, Sandbox, fingerprint, start


def run(
    port: int = 0,
    latency: float = 0.0,
    *,
    announce: Callable[[str], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> None:
    """Serve until Ctrl-C or SIGTERM. ``announce`` gets the base URL once it is listening."""

    async def main() -> None:
        running = await start(port, latency, log)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # not main thread / Windows
                loop.add_signal_handler(sig, stop.set)
        (announce or _print_flush)(running.url)
        try:
            await stop.wait()
        finally:
            await running.close()

    asyncio.run(main())


def _print_flush(line: str) -> None:
    print(line, flush=True)
    sys.stdout.flush()


__all__ = ["Running", "Sandbox", "fingerprint", "run", "start"]
