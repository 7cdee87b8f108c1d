"""The command-line commands that need the engine but not Textual."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from providers import catalog, overview
from providers import settings as settings_module
from providers.catalog.spec import Availability, CaptionCounting, NetworkSpec
from providers.errors import UsageError


def _print_json(document: dict[str, Any]) -> None:
    print(json.dumps(document, indent=2, default=str, ensure_ascii=False))


def network_status(spec: NetworkSpec, settings: settings_module.Settings, stored: frozenset[str]) -> str:
    if spec.availability is not Availability.AVAILABLE:
        return str(spec.availability)
    return "needs_setup" if overview.needs_setup(spec, settings, stored) else "available"


def networks(args: argparse.Namespace) -> int:
    from providers.linking import stored_secrets

    settings = settings_module.load()
    stored = stored_secrets([spec.id for spec in overview.secret_networks()])
    rows = []
    for spec in catalog.all_networks():
        data = spec.to_json()
        rows.append(
            {
                "id": spec.id,
                "name": spec.name,
                "auth": str(spec.auth),
                "settings_url": spec.settings_url,
                "status": network_status(spec, settings, stored),
                "status_reason": spec.availability_reason or overview.needs_setup(spec, settings, stored),
                "limits": {"media": data["media"], "caption": data["caption"]},
                "targets": data["targets"],
                "capabilities": data["capabilities"],
                "endpoints": data["endpoints"],
                "scopes": data["scopes"],
                "token_lifetime": spec.token_lifetime,
                "notes": list(spec.notes),
                "sources": spec.sources,
            }
        )
    if args.json:
        _print_json({"networks": rows})
        return 0
    width = max(len(r["name"]) for r in rows)
    for row in rows:
        caption = row["limits"]["caption"]["max_length"]
        counting = CaptionCounting(row["limits"]["caption"]["counting"]).label
        limit = f"{caption} {counting}" if caption else "-"
        print(f"{row['id']:<16} {row['name']:<{width}}  {row['auth']:<12} {row['status']:<12} {limit}")
    return 0


def _account_json(account: Any) -> dict[str, Any]:
    data = asdict(account)
    data["vault_key"] = account.vault_key  # a key name, not a secret
    return data


def accounts(args: argparse.Namespace) -> int:
    from providers.store import Store

    settings = settings_module.load()
    with Store.open() as store:
        cards = overview.cards(settings, store)
    rows = []
    for card in cards:
        for account in card.accounts:
            row = _account_json(account)
            row["network_name"] = card.spec.name
            row["card_state"] = str(card.state)
            rows.append(row)
    if args.json:
        _print_json({"accounts": rows})
        return 0
    if not rows:
        print("No linked accounts. Link one with `linkdeck link NETWORK` or from the Accounts screen.")
        return 0
    for row in rows:
        target = f" → {row['target_name']}" if row["target_name"] else ""
        print(f"{row['id']:>4}  {row['network']:<16} {row['handle']}{target}  [{row['card_state']}]")
    return 0


def link(args: argparse.Namespace) -> int:
    """Link an account. Prints the authorize URL and how to paste the answer back; opens the
    browser unless --no-browser or there is none here (SSH, no display); finishes on whichever
    comes first: the loopback callback or a line pasted on stdin. Networks that sign in with
    typed credentials (Bluesky: handle, then app password) read them instead."""
    import asyncio

    from providers.store import Store
    from providers.vault import Vault

    settings = settings_module.load()
    with Store.open() as store:
        return asyncio.run(_link(args, settings, store, Vault(settings)))


async def _link(args: argparse.Namespace, settings: settings_module.Settings, store: Any, vault: Any) -> int:
    from providers.environment import may_launch_browser
    from providers.linking import begin_link

    spec = catalog.get(args.network)
    opener = _open_browser if not args.no_browser and may_launch_browser() else None
    session = await begin_link(
        spec.id, settings=settings, store=store, vault=vault, instance=args.instance, open_browser=opener
    )
    if session.fields:
        return await _link_with_credentials(session)
    lines = _StdinLines()
    _explain(session)
    result = await _await_browser(session, lines)
    account = result.account
    if result.choices:
        account = await _choose(session, result, lines)
    return _linked(spec, account)


async def _await_browser(session: Any, lines: _StdinLines) -> Any:
    """Finish a browser link: whichever comes first of the loopback callback and a redirect
    address (or code) pasted on stdin."""
    import asyncio
    import contextlib

    from providers.auth.callback import CallbackRejected
    from providers.auth.types import LinkError

    finish = asyncio.ensure_future(session.finish())
    try:
        interactive = sys.stdin.isatty()
        while not finish.done():
            line_task = asyncio.ensure_future(lines.get())
            await asyncio.wait({finish, line_task}, return_when=asyncio.FIRST_COMPLETED)
            if finish.done():  # the loopback callback (or a failure) came first
                line_task.cancel()
                break
            line = line_task.result()
            if line is None:  # end of input: only the loopback callback can still answer
                lines.closed = True
                await asyncio.wait({finish})
                break
            if not line.strip():
                continue
            try:
                session.submit(line)
            except CallbackRejected as exc:
                if not interactive:
                    raise
                print(f"linkdeck: {exc}", file=sys.stderr)
                print("Paste the address again (or the code):", flush=True)
            except LinkError:
                pass  # the network's refusal (e.g. denied) ended the flow; finish() reports it
        return await finish
    finally:
        if not finish.done():
            finish.cancel()
            with contextlib.suppress(BaseException):
                await finish
        await session.cancel()


def _linked(spec: NetworkSpec, account: Any) -> int:
    from providers.catalog.mastodon_adapter import instance_label

    where = f" ({instance_label(account.instance)})" if account.instance else ""
    name = f" ({account.display_name})" if account.display_name else ""
    print(f"Linked {account.handle}{name} on {spec.name}{where}")
    return 0


async def _link_with_credentials(session: Any) -> int:
    """Networks that sign in with typed credentials (Bluesky: handle, then app password). At a
    terminal each field is asked for (secret ones with getpass, never echoed) and a refusal asks
    again, up to three tries; otherwise the values are read as successive lines of stdin and a
    refusal ends the command (exit 1). An optional field left empty may start a browser sign-in
    instead (Bluesky without an app password: atproto OAuth); it then finishes like any browser
    link, by the loopback callback or the redirect address pasted on stdin."""
    import asyncio
    import contextlib

    from providers.auth.types import LinkError

    spec = session.spec
    interactive = sys.stdin.isatty()
    try:
        for attempt in range(3 if interactive else 1):
            values = await asyncio.to_thread(_read_fields, session.fields, interactive, spec.name)
            try:
                await session.submit_credentials(values)
                break
            except LinkError as exc:
                if not interactive or attempt == 2:
                    raise
                print(f"linkdeck: {exc}", file=sys.stderr)
        if session.request is not None:  # a browser sign-in instead
            _explain(session)
            result = await _await_browser(session, _StdinLines())
        else:
            result = await session.finish()
    finally:
        with contextlib.suppress(Exception):
            await session.cancel()
    return _linked(spec, result.account)


def _read_fields(fields: Any, interactive: bool, network_name: str) -> dict[str, str]:
    import getpass

    values: dict[str, str] = {}
    if interactive:
        print(f"Link {network_name}:")
        for field in fields:
            if field.hint:
                print(f"  {field.label}: {field.hint}")
    for field in fields:
        if interactive:
            prompt = f"{field.label}{'' if field.required else ' (optional)'}: "
            value = getpass.getpass(prompt) if field.secret else input(prompt)
        else:
            line = sys.stdin.readline()
            if not line:
                raise UsageError(
                    f"{network_name} needs {', then '.join(f.label for f in fields)}, one per line on "
                    f"standard input; the input ended before the {field.label}."
                )
            value = line.rstrip("\r\n")
        values[field.name] = value.strip()
    return values


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


def _explain(session: Any) -> None:
    request = session.request
    name = session.spec.name
    if session.opened_browser:
        print(f"{name}'s page opened in your browser. Approve linkdeck there; this finishes by itself.")
        print("If it did not open, open this address:")
    else:
        print(f"Open this address in a browser and approve linkdeck on {name}:")
    print(request.url)
    print(
        f"Then paste here the address your browser ends on (it starts with {request.redirect_uri}) "
        "or the code, and press Enter."
    )
    if session.oob_request is not None:
        print(f"Or open this address instead to have {name} show you a code to paste here:")
        print(f"  {session.oob_request.url}")
    sys.stdout.flush()


async def _choose(session: Any, result: Any, lines: _StdinLines) -> Any:
    for number, target in enumerate(result.choices, 1):
        print(f"{number:>3}  {target.kind}: {target.name}")
    while True:
        print(f"Where should {session.spec.name} posts go? Type a number:", flush=True)
        line = await lines.get()
        if line is None:
            raise UsageError(f"no {session.spec.name} target chosen (end of input)")
        if line.strip().isdigit() and 1 <= int(line) <= len(result.choices):
            return await session.choose(result, result.choices[int(line) - 1])


class _StdinLines:
    """Lines from stdin without blocking the event loop: a daemon thread reads them, so a pending
    read never keeps the process alive once the link has finished another way."""

    def __init__(self) -> None:
        self.closed = False
        self._queue: Any = None  # asyncio.Queue[str | None], made on first use inside the loop

    async def get(self) -> str | None:
        import asyncio

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
        line: str | None = await self._queue.get()
        return line


def unlink(args: argparse.Namespace) -> int:
    import asyncio

    from providers import unlinking
    from providers.store import Store
    from providers.vault import Vault

    spec = catalog.get(args.network)
    settings = settings_module.load()
    with Store.open() as store:
        candidates = store.accounts_for(spec.id)
        if args.account:
            candidates = [a for a in candidates if args.account in (str(a.id), a.handle, a.remote_id)]
        if not candidates:
            raise UsageError(
                f"no linked {spec.name} account" + (f" matches {args.account!r}" if args.account else "")
            )
        if len(candidates) > 1:
            listed = ", ".join(f"{a.id} ({a.handle})" for a in candidates)
            raise UsageError(
                f"several {spec.name} accounts are linked: {listed}", hint="Choose one with --account."
            )
        account = candidates[0]
        plan = unlinking.plan(store, account)
        if not args.yes:
            if not sys.stdin.isatty():
                raise UsageError("unlinking asks for confirmation; pass --yes when not at a terminal")
            print(plan.explain().replace("**", ""))
            if input(f"Unlink {account.handle} from {spec.name}? [y/N] ").strip().lower() not in ("y", "yes"):
                print("Nothing changed.")
                return 1
        result = asyncio.run(unlinking.unlink(store, Vault(settings), account))
    print(result.summary())
    return 0


def set_secret(args: argparse.Namespace) -> int:
    from providers.vault import Vault

    spec = catalog.get(args.network)
    if sys.stdin.isatty():
        import getpass

        secret = getpass.getpass(f"{spec.name} client secret: ")
    else:
        secret = sys.stdin.readline()
    secret = secret.strip()
    if not secret:
        raise UsageError(f"no secret given for {spec.name} (read from standard input)")
    Vault(settings_module.load()).set_client_secret(spec.id, secret)
    print(f"Stored the {spec.name} client secret in the keyring.")
    return 0
