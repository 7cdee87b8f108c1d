"""Hands an OAuth callback that reached the served page (``linkdeck serve``) to the app session
that started the flow.

Under textual-serve every browser tab runs its own app process, and the network redirects the
user's browser to ``<served page>/oauth/callback``. The server and the app processes share the data
folder, so the hand-over is two files keyed by a hash of the flow's state:

- the app registers ``pending/<hash>`` when it starts a flow;
- the server, on a callback whose state has a pending registration, writes ``inbox/<hash>`` with
  the callback's path and query and removes the registration (one callback per flow);
- the app, polling, reads and deletes the inbox file and submits it to its flow, which checks the
  state exactly as for a pasted address.

The state is the capability: a callback for a flow nobody started is refused, and the state itself
never appears in a file name. The callback cannot require the page's access cookie, because the
browser does not send a SameSite=Strict cookie on the network's cross-site redirect.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from providers import paths

CALLBACK_PATH = "/oauth/callback"


def relay_dir(base: Path | None = None) -> Path:
    path = base or paths.data_dir() / "relay"
    for sub in ("pending", "inbox"):
        (path / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _key(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def state_of(url: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get("state")
    return values[0] if values else None


def register(state: str, base: Path | None = None) -> None:
    """Called by the app when a flow whose redirect is the served page starts."""
    base = relay_dir(base)
    (base / "pending" / _key(state)).touch(mode=0o600)


def unregister(state: str, base: Path | None = None) -> None:
    base = relay_dir(base)
    for sub in ("pending", "inbox"):
        with contextlib.suppress(FileNotFoundError):
            (base / sub / _key(state)).unlink()


def deliver(path_and_query: str, base: Path | None = None) -> bool:
    """Called by the server for ``/oauth/callback?…``; False when no flow waits for this state."""
    base = relay_dir(base)
    state = state_of(path_and_query)
    if not state:
        return False
    key = _key(state)
    pending = base / "pending" / key
    try:
        pending.unlink()  # one callback per flow: the first one wins
    except FileNotFoundError:
        return False
    temporary = base / "inbox" / f".{key}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(path_and_query)
    temporary.replace(base / "inbox" / key)
    return True


async def wait(state: str, base: Path | None = None, interval: float = 0.25) -> str:
    """The relayed callback for ``state`` (path and query), once the server has written it."""
    base = relay_dir(base)
    inbox = base / "inbox" / _key(state)
    while True:
        try:
            text = inbox.read_text(encoding="utf-8")
        except FileNotFoundError:
            await asyncio.sleep(interval)
            continue
        inbox.unlink(missing_ok=True)
        return text
