"""The emulated Bluesky PDS's sessions: ``com.atproto.server.createSession``, ``refreshSession``,
``deleteSession`` and ``getSession``, and the bearer check every other endpoint of
:mod:`.sandbox` makes.

Strict as a real PDS (@atproto/pds, checked against 0.4.217 run locally, and the bskyr recordings
in ``shared/fixtures/recorded/bluesky``, christopherkenny/bskyr@929c164, MIT): createSession takes
a handle, DID or e-mail and a password; a password in the app-password format is checked against
the app passwords, any other against the account password (as a PDS does), and the session's
scope says which. Every demo user (:mod:`providers.emulation.people`: alice, bob →
``alice.bsky.social``…) has the app password :data:`APP_PASSWORD` (in the ``xxxx-xxxx-xxxx-xxxx``
format a PDS hands out) and the main password :data:`MAIN_PASSWORD`; bob has e-mail two-factor on,
so *his* main password gets 401 ``AuthFactorTokenRequired``. Anything else: 401
``AuthenticationRequired`` "Invalid identifier or password" (recorded). Sessions: access JWT 2
hours, refresh JWT 90 days (sandbox clock); ``refreshSession`` rotates, ``deleteSession`` revokes
the refresh JWT ("Token has been revoked"); an expired access JWT is 400 ``ExpiredToken``, a bad
one 400 ``InvalidToken``.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, Emulator, json_reply
from providers.emulation.grants import Clock
from providers.networks.bluesky.sandbox_lexicon import (
    Session,
    did_document,
    did_of,
    handle_of,
    jwt,
    user_for,
    xrpc_error,
)

APP_PASSWORD = "demo-demo-demo-demo"
MAIN_PASSWORD = "correct-horse-battery"
TWO_FACTOR_USERS = frozenset({"bob"})
ACCESS_SECONDS, REFRESH_SECONDS = 2 * 3600, 90 * 24 * 3600
# How a PDS tells an app password from the account password (account-manager/helpers/scrypt.ts).
APP_PASSWORD_FORMAT = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$")


class PdsSessions(Emulator):
    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.access: dict[str, Session] = {}
        self.refresh: dict[str, Session] = {}

    def accepts(self, token: str) -> bool:
        session = self.access.get(token) or self.refresh.get(token)
        return session is not None and not session.revoked and session.expires >= self.clock.now()

    def _issue(self, did: str, scope: str = "com.atproto.appPass") -> dict[str, str]:
        now = self.clock.now()
        access = jwt(scope, did, now + ACCESS_SECONDS)
        refresh = jwt("com.atproto.refresh", did, now + REFRESH_SECONDS)
        self.access[access] = Session(did, now + ACCESS_SECONDS)
        self.refresh[refresh] = Session(did, now + REFRESH_SECONDS)
        return {"accessJwt": access, "refreshJwt": refresh}

    def _session_body(self, call: Call, user: people.User, tokens: dict[str, str]) -> dict[str, Any]:
        return {
            **tokens,
            "did": did_of(user),
            "didDoc": did_document(user, call.base),
            "handle": handle_of(user),
            "email": f"{user.username}@example.com",
            "emailConfirmed": True,
            "emailAuthFactor": user.username in TWO_FACTOR_USERS,
            "active": True,
        }

    async def create_session(self, call: Call) -> web.Response:
        identifier, password = call.text("identifier") or "", call.text("password") or ""
        user = user_for(identifier)
        app_password = bool(APP_PASSWORD_FORMAT.match(password))  # else: the account password
        if user is None or password != (APP_PASSWORD if app_password else MAIN_PASSWORD):
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        if not app_password and user.username in TWO_FACTOR_USERS:
            return xrpc_error(
                401, "AuthFactorTokenRequired", "A sign in code has been sent to your email address"
            )
        scope = "com.atproto.appPass" if app_password else "com.atproto.access"
        return json_reply(self._session_body(call, user, self._issue(did_of(user), scope)))

    def _bearer(self, call: Call, table: dict[str, Session]) -> Session | web.Response:
        token = call.bearer()
        if not token:
            return xrpc_error(401, "AuthMissing", "Authentication Required")
        session = table.get(token)
        if session is None:
            wrong = (self.refresh if table is self.access else self.access).get(token)
            message = "Invalid token type" if wrong else "Token could not be verified"
            return xrpc_error(400, "InvalidToken", message)
        if session.revoked:
            return xrpc_error(400, "ExpiredToken", "Token has been revoked")
        if session.expires <= self.clock.now():
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        return session

    async def refresh_session(self, call: Call) -> web.Response:
        session = self._bearer(call, self.refresh)
        if isinstance(session, web.Response):
            return session
        session.revoked = True  # rotated: the old refresh JWT is spent
        user = next(u for u in people.USERS if did_of(u) == session.did)
        body = self._session_body(call, user, self._issue(session.did))
        return json_reply(
            {k: body[k] for k in ("accessJwt", "refreshJwt", "did", "didDoc", "handle", "active")}
        )

    async def delete_session(self, call: Call) -> web.Response:
        session = self._bearer(call, self.refresh)
        if isinstance(session, web.Response):
            return session
        session.revoked = True
        return web.Response(status=200)

    async def get_session(self, call: Call) -> web.Response:
        session = self._bearer(call, self.access)
        if isinstance(session, web.Response):
            return session
        user = next(u for u in people.USERS if did_of(u) == session.did)
        return json_reply({"did": session.did, "handle": handle_of(user), "active": True})
