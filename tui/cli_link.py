"""``linkdeck link``: the link steps rendered on a terminal or read from a script's stdin.

The same steps the Link window shows (providers.linking.steps), one renderer each, no network
named: a server address is prompted for (or taken from --instance), typed credentials are read
(secret ones with getpass, never echoed), the network's address is printed and the final address
or code is read from stdin while the loopback listener waits too, a device code is printed, a
target is chosen by number. At a terminal a refusal asks again (three tries for credentials); from
a script it ends the command (exit 1; usage problems exit 2).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from typing import TYPE_CHECKING

from providers import brokers, catalog, instances
from providers.errors import CallbackRejected, LinkError, UsageError
from providers.history import has_history, import_history
from providers.linking.steps import (
    AskFields,
    AskInstance,
    ChooseTarget,
    Failed,
    Linked,
    ShowAddress,
    ShowDeviceCode,
    Step,
    Working,
)

if TYPE_CHECKING:
    from providers.linking import LinkSession
    from providers.settings import Settings
    from providers.store import Store
    from providers.vault import Vault

CREDENTIAL_TRIES = 3


def link(args: argparse.Namespace) -> int:
    """Link an account. Opens the browser unless --no-browser or there is none here (SSH, no
    display); finishes on whichever comes first: the loopback callback or a line on stdin."""
    from providers import settings as settings_module
    from providers.store import Store
    from providers.vault import Vault

    settings = settings_module.load()
    with Store.open() as store:
        return asyncio.run(_link(args, settings, store, Vault(settings)))


async def _link(args: argparse.Namespace, settings: Settings, store: Store, vault: Vault) -> int:
    from providers.environment import may_launch_browser
    from providers.linking import begin_link

    spec = catalog.get(args.network)
    preset: dict[str, str] = {}
    network_name = spec.name
    if getattr(args, "via", None):  # through a broker: its sign-in, with this network already chosen
        route = brokers.route(spec.id, args.via)
        spec, preset = route.broker, route.preset
        network_name = f"{network_name} via {spec.name}"
    opener = _open_browser if not args.no_browser and may_launch_browser() else None
    session = await begin_link(
        spec.id,
        settings=settings,
        store=store,
        vault=vault,
        instance=args.instance,
        open_browser=opener,
        brand=args.brand,
        preset=preset,
    )
    try:
        linked = await Renderer(session).run()
    finally:
        await session.cancel()
    assert linked.account is not None
    account = linked.account
    where = f" ({instances.instance_label(account.instance)})" if account.instance else ""
    name = f" ({account.display_name})" if account.display_name else ""
    # The brand only once there are several (a single user never hears of brands).
    brand = f" in the brand {account.brand!r}" if store.has_brands() else ""
    print(f"Linked {account.handle}{name} on {network_name}{where}{brand}")
    if linked.released_text:
        print(linked.released_text)
    if has_history(account.network):  # what was posted there before: into Posts, once
        report = await import_history(store, vault, account.network)
        print(report.summary())
    return 0


class Renderer:
    """Shows each step of one session; raises the Failed step's error."""

    def __init__(self, session: LinkSession) -> None:
        self.session = session
        self.interactive = sys.stdin.isatty()
        self.lines = StdinLines()
        self._credential_tries = 0

    async def run(self) -> Linked:
        step = await self.session.next_step()
        while True:
            if isinstance(step, Linked):
                return step
            if isinstance(step, Failed):
                raise step.error or LinkError(step.message)
            if isinstance(step, ShowAddress):
                step = await self._address(step)
                continue
            await self._show(step)
            step = await self.session.next_step()

    async def _show(self, step: Step) -> None:
        if isinstance(step, AskInstance):
            step.answer(await self._instance(step))
        elif isinstance(step, AskFields):
            if self.lines.started:  # after a browser step stdin belongs to the line reader
                step.answer(await self._fields_from_lines(step))
            else:
                step.answer(await asyncio.to_thread(self._fields, step))
        elif isinstance(step, ShowDeviceCode):
            assert step.code is not None
            code = step.code
            print(f"Open {code.verification_uri} in any browser and enter the code {code.user_code}")
            print("This finishes by itself once you approve linkdeck there.", flush=True)
        elif isinstance(step, ChooseTarget):
            step.choose(await self._choice(step))
        elif isinstance(step, Working) and self.interactive and sys.stderr.isatty():
            print(step.text, file=sys.stderr, flush=True)

    async def _instance(self, step: AskInstance) -> str:
        if step.error:
            if not self.interactive:
                raise LinkError(step.error)
            print(f"linkdeck: {step.error}", file=sys.stderr)
        if not self.interactive:
            if not step.required:
                return ""  # the sign-in finds the server from what is typed next
            spec = catalog.get(self.session.spec.id)
            raise UsageError(
                f"{step.network} needs your server's address, e.g. --instance https://{step.example}",
                hint=f"Or set `[networks.{spec.id}] base_url` in config.toml.",
            )
        default = f" [{step.prefill}]" if step.prefill else ""
        answer = await asyncio.to_thread(input, f"Your {step.network} server{default}: ")
        return answer.strip() or step.prefill

    def _fields_intro(self, step: AskFields) -> None:
        """The error of the last answer (ending the link when it cannot be asked again), else the
        fields' hints."""
        if step.error:
            self._credential_tries += 1
            if not self.interactive or self._credential_tries >= CREDENTIAL_TRIES:
                raise LinkError(step.error)
            print(f"linkdeck: {step.error}", file=sys.stderr)
        if self.interactive and not step.error:
            print(f"Link {step.network}:")
            for field in step.fields:
                if field.hint:
                    print(f"  {field.label}: {field.hint}")

    async def _fields_from_lines(self, step: AskFields) -> dict[str, str]:
        """The fields asked after a browser step (a venue, a subreddit), one line each from the line
        reader that already owns stdin; typed in the clear, so no network asks a secret here."""
        self._fields_intro(step)
        values: dict[str, str] = {}
        for field in step.fields:
            if self.interactive:
                print(f"{field.label}{'' if field.required else ' (optional)'}: ", end="", flush=True)
            line = await self.lines.get()
            if line is None:
                raise UsageError(
                    f"{step.network} needs {', then '.join(f.label for f in step.fields)}, one per "
                    f"line on standard input; the input ended before the {field.label}."
                )
            values[field.name] = line.strip()
        return values

    def _fields(self, step: AskFields) -> dict[str, str]:
        import getpass

        self._fields_intro(step)
        values: dict[str, str] = {}
        for field in step.fields:
            if self.interactive:
                prompt = f"{field.label}{'' if field.required else ' (optional)'}: "
                value = getpass.getpass(prompt) if field.secret else input(prompt)
            else:
                line = sys.stdin.readline()
                if not line:
                    raise UsageError(
                        f"{step.network} needs {', then '.join(f.label for f in step.fields)}, one per "
                        f"line on standard input; the input ended before the {field.label}."
                    )
                value = line.rstrip("\r\n")
            values[field.name] = value.strip()
        return values

    async def _address(self, step: ShowAddress) -> Step:
        """Print the address; paste each line of stdin into the step until the session moves on
        (the loopback callback, a paste, or a failure). Returns the next step."""
        _explain(step)
        following = asyncio.ensure_future(self.session.next_step())
        try:
            while not following.done():
                line_task = asyncio.ensure_future(self.lines.get())
                await asyncio.wait({following, line_task}, return_when=asyncio.FIRST_COMPLETED)
                if following.done():
                    line_task.cancel()
                    break
                line = line_task.result()
                if line is None:  # end of input: only the loopback callback can still answer
                    self.lines.closed = True
                    await asyncio.wait({following})
                    break
                if not line.strip():
                    continue
                try:
                    step.paste(line)
                except CallbackRejected as exc:
                    if not self.interactive:
                        raise
                    print(f"linkdeck: {exc}", file=sys.stderr)
                    print("Paste the address again (or the code):", flush=True)
                except LinkError:
                    pass  # the network's refusal (e.g. denied) ended the flow: the Failed step says so
                else:
                    break  # the answer is in: the lines after it answer the next steps
            return await following
        finally:
            if not following.done():
                following.cancel()
                with contextlib.suppress(BaseException):
                    await following

    async def _choice(self, step: ChooseTarget) -> int:
        for number, target in enumerate(step.choices, 1):
            print(f"{number:>3}  {target.kind}: {target.name}")
        while True:
            print(f"Where should {step.network} posts go? Type a number:", flush=True)
            line = await self.lines.get()
            if line is None:
                raise UsageError(f"no {step.network} target chosen (end of input)")
            if line.strip().isdigit() and 1 <= int(line) <= len(step.choices):
                return int(line) - 1


def _explain(step: ShowAddress) -> None:
    from providers.auth.types import RedirectKind

    request = step.request
    assert request is not None
    name = step.network
    if step.opened_browser:
        print(f"{name}'s page opened in your browser. Approve linkdeck there; this finishes by itself.")
        print("If it did not open, open this address:")
    else:
        print(f"Open this address in a browser and approve linkdeck on {name}:")
    print(request.url)
    if request.redirect_kind is RedirectKind.HOSTED:  # read back from the network: nothing to paste
        minutes = f" It is valid for {request.expires_in / 60:g} minutes;" if request.expires_in else ""
        print(
            f"This finishes by itself once you are done on that page.{minutes} a new address is "
            "shown when it runs out. Press Enter when done to check at once."
        )
    else:
        print(
            f"Then paste here the address your browser ends on (it starts with {request.redirect_uri}) "
            "or the code, and press Enter."
        )
    if step.code_page is not None:
        print(f"Or open this address instead to have {name} show you a code to paste here:")
        print(f"  {step.code_page.url}")
    if step.device is not None:
        print(f"Or enter the code {step.device.user_code} at {step.device.verification_uri}")
    sys.stdout.flush()


def _open_browser(url: str) -> bool:
    """Open ``url`` with the user's browser without blocking the event loop (some browser
    commands only return when the browser closes, and the loopback listener runs on the loop).
    False when no browser can be found here."""
    import threading
    import webbrowser

    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    threading.Thread(target=browser.open, args=(url,), name="linkdeck-browser", daemon=True).start()
    return True


class StdinLines:
    """Lines from stdin without blocking the event loop: a daemon thread reads them, so a pending
    read never keeps the process alive once the link has finished another way."""

    def __init__(self) -> None:
        self.closed = False
        self._queue: asyncio.Queue[str | None] | None = None  # made on first use, inside the loop

    @property
    def started(self) -> bool:
        """Whether the reading thread runs (then nothing else may read stdin)."""
        return self._queue is not None

    async def get(self) -> str | None:
        if self._queue is None:
            import threading

            loop = asyncio.get_running_loop()
            queue: asyncio.Queue[str | None] = asyncio.Queue()

            def read() -> None:
                while True:
                    try:
                        line = sys.stdin.readline()
                    except (OSError, ValueError):
                        line = ""
                    try:
                        loop.call_soon_threadsafe(queue.put_nowait, line or None)
                    except RuntimeError:  # the link is over and its loop closed
                        return
                    if not line:
                        return

            self._queue = queue
            threading.Thread(target=read, name="linkdeck-stdin", daemon=True).start()
        if self.closed:
            return None
        return await self._queue.get()
