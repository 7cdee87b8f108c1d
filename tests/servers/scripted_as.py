"""A scripted OAuth 2 authorization server (aiohttp, in the test's event loop, on 127.0.0.1).

oidc-provider proves the happy paths and its own validation; it cannot be told "answer the next
poll with slow_down" or "wait 200 ms, then refresh without a refresh_token", nor count requests.
This server does exactly what each test scripts, and records every request it gets:

    POST /device      RFC 8628 device authorization: a fixed device_code / user_code
    POST /token       device_code polls answer from ``device_answers`` (one per poll; the last
                      one repeats); refresh_token grants answer from ``refresh_answer`` (a function
                      of the form, so rotation can be modelled) once ``refresh_gate`` is open
                      (``refresh_arrived`` is set when a refresh reaches the server)
    POST /revoke      RFC 7009: ``revoke_status``

The same endpoints answer under ``/<host>/`` too, where ``LINKDECK_SANDBOX_URL`` sends requests for
``https://<host>/...``.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from providers.auth.types import ClientConfig

Answer = tuple[int, dict[str, Any]]

PENDING: Answer = (400, {"error": "authorization_pending"})
SLOW_DOWN: Answer = (400, {"error": "slow_down"})
EXPIRED: Answer = (400, {"error": "expired_token"})
DENIED: Answer = (400, {"error": "access_denied"})
INVALID_GRANT: Answer = (400, {"error": "invalid_grant", "error_description": "grant request is invalid"})


def granted(access_token: str = "device-access-1", refresh_token: str = "device-refresh-1") -> Answer:
    return 200, {
        "access_token": access_token,
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "expires_in": 3600,
    }


def _opened() -> asyncio.Event:
    event = asyncio.Event()
    event.set()
    return event


@dataclass
class ScriptedAS:
    base_url: str = ""
    device_answers: list[Answer] = field(default_factory=lambda: [granted()])
    device_interval: int = 5
    device_expires_in: int = 600
    refresh_answer: Callable[[dict[str, str]], Answer] | None = None
    # Open unless a test clears it: then a refresh waits at the server until the test sets it
    # again, so "a slow refresh" is a held one, not a sleep.
    refresh_gate: asyncio.Event = field(default_factory=_opened)
    refresh_arrived: asyncio.Event = field(default_factory=asyncio.Event)
    revoke_status: int = 200
    requests: list[tuple[str, dict[str, str], dict[str, str]]] = field(default_factory=list)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def config(self, **overrides: Any) -> ClientConfig:
        values: dict[str, Any] = {
            "network_name": "Scripted",
            "client_id": "scripted-client",
            "authorize_url": f"{self.base_url}/authorize",
            "token_url": f"{self.base_url}/token",
            "device_url": f"{self.base_url}/device",
            "revoke_url": f"{self.base_url}/revoke",
            "scopes": ("read", "write"),
        }
        values.update(overrides)
        return ClientConfig(**values)

    def forms(self, path: str, grant_type: str | None = None) -> list[dict[str, str]]:
        return [
            form
            for p, form, _ in self.requests
            if p == path and (grant_type is None or form.get("grant_type") == grant_type)
        ]

    def rotating(self, form: dict[str, str]) -> Answer:
        """The default refresh answer: a new access and refresh token each time."""
        n = next(self._counter)
        return 200, {
            "access_token": f"scripted-access-{n}",
            "refresh_token": f"scripted-refresh-{n}",
            "token_type": "Bearer",
            "expires_in": 3600,
        }

    # Handlers -----------------------------------------------------------------------------------

    async def _record(self, request: web.Request) -> dict[str, str]:
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.requests.append((request.path, form, dict(request.headers)))
        return form

    async def device(self, request: web.Request) -> web.Response:
        await self._record(request)
        # Reached through the sandbox rewrite (/<host>/device), answer as that host would.
        host = request.match_info.get("host")
        site = f"https://{host}" if host else self.base_url
        return web.json_response(
            {
                "device_code": "scripted-device-code",
                "user_code": "WDJB-MJHT",
                "verification_uri": f"{site}/activate",
                "verification_uri_complete": f"{site}/activate?user_code=WDJB-MJHT",
                "expires_in": self.device_expires_in,
                "interval": self.device_interval,
            }
        )

    async def token(self, request: web.Request) -> web.Response:
        form = await self._record(request)
        grant = form.get("grant_type")
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            status, body = (
                self.device_answers.pop(0) if len(self.device_answers) > 1 else self.device_answers[0]
            )
        elif grant == "refresh_token":
            self.refresh_arrived.set()
            await self.refresh_gate.wait()
            status, body = (self.refresh_answer or self.rotating)(form)
        else:
            status, body = 400, {"error": "unsupported_grant_type"}
        return web.json_response(body, status=status)

    async def revoke(self, request: web.Request) -> web.Response:
        await self._record(request)
        return web.Response(status=self.revoke_status)


class Running:
    """Start/stop helper for the fixture."""

    def __init__(self, server: ScriptedAS) -> None:
        self.server = server
        app = web.Application()
        # Also under /<host>/..., which is where LINKDECK_SANDBOX_URL sends https://<host>/...
        for prefix in ("", "/{host}"):
            app.router.add_post(f"{prefix}/device", server.device)
            app.router.add_post(f"{prefix}/token", server.token)
            app.router.add_post(f"{prefix}/revoke", server.revoke)
        self.runner = web.AppRunner(app, access_log=None)

    async def start(self) -> ScriptedAS:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        host, port = self.runner.addresses[0][:2]
        self.server.base_url = f"http://{host}:{port}"
        return self.server

    async def stop(self) -> None:
        await self.runner.cleanup()
