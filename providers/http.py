"""The one HTTP rule every request goes through.

``LINKDECK_SANDBOX_URL=http://127.0.0.1:PORT`` sends every request the app would make to a
network host to that server, keeping the host as the first path segment:
``https://graph.facebook.com/v21.0/me?x=1`` → ``http://127.0.0.1:PORT/graph.facebook.com/v21.0/me?x=1``.
The same rewrite applies to authorize URLs shown to the user. It lives here, not in the adapters,
so the sandbox, replay tests and benchmarks all get it for free.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:  # httpx2 is heavy; import it only where a request is really made
    import httpx2


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def sandbox_url() -> str | None:
    value = os.environ.get("LINKDECK_SANDBOX_URL", "").strip()
    return value.rstrip("/") or None


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def rewrite(url: str, sandbox: str | None = None) -> str:
    """Apply the sandbox rule to ``url`` (unchanged when no sandbox is set or it is already local)."""
    sandbox = sandbox if sandbox is not None else sandbox_url()
    if not sandbox:
        return url
    parts = urlsplit(url)
    if not parts.netloc or is_loopback(url):
        return url
    base = urlsplit(sandbox)
    path = f"{base.path.rstrip('/')}/{parts.netloc}{parts.path or '/'}"
    return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))


async def _rewrite_request(request: httpx2.Request) -> None:
    import httpx2

    new = rewrite(str(request.url))
    if new != str(request.url):
        request.url = httpx2.URL(new)
        request.headers["Host"] = request.url.netloc.decode()


def client_kwargs(**kwargs: Any) -> dict[str, Any]:
    """Keyword arguments for any httpx2 ``AsyncClient`` (authlib's OAuth clients included) that
    install the sandbox rewrite as the first request hook, a timeout and our User-Agent."""
    hooks = dict(kwargs.pop("event_hooks", {}))
    hooks["request"] = [_rewrite_request, *hooks.get("request", [])]
    kwargs.setdefault("timeout", 30.0)
    headers = dict(kwargs.pop("headers", {}))
    headers.setdefault("User-Agent", "linkdeck")
    return {"event_hooks": hooks, "headers": headers, **kwargs}


def async_client(**kwargs: Any) -> httpx2.AsyncClient:
    """An httpx2 client whose every request is rewritten by :func:`rewrite`."""
    import httpx2

    return httpx2.AsyncClient(**client_kwargs(**kwargs))
