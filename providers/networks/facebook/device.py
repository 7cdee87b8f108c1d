"""Facebook Login for Devices, offered beside the browser address when the user has set their
app's client token (``LINKDECK_FACEBOOK_CLIENT_TOKEN``): a short code typed at facebook.com/device
on any computer or phone, nothing coming back to this one.

Not RFC 8628, so not providers.auth's device grant (shared/reference/networks.md §1;
developers.facebook.com/docs/facebook-login/for-devices; networks-2026.md §1a):

- ``POST /device/login`` {access_token: ``APP_ID|CLIENT_TOKEN``, scope (comma-separated)} →
  {code, user_code, verification_uri, expires_in, interval};
- ``POST /device/login_status`` {access_token, code} every ``interval`` seconds: Graph error
  subcode 1349174 while the person has not yet approved, 1349172 when polled too fast (wait
  longer), 1349152 when the code expired; then {access_token, expires_in}.

Which permissions Facebook allows through device login (``pages_manage_posts`` above all) is
unverified (networks-2026.md §1a): when Facebook refuses a scope, the error says so and the
browser address stays the way to link.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from providers.errors import LinkError
from providers.networks.facebook.graph import NAME, graph_error, graph_url

if TYPE_CHECKING:
    from providers.auth.types import DeviceCode, Token

CLIENT_TOKEN_ENV = "LINKDECK_FACEBOOK_CLIENT_TOKEN"
PENDING, SLOW_DOWN, EXPIRED = 1349174, 1349172, 1349152


class FacebookDeviceFlow:
    """One device login: :meth:`start` shows the code, :meth:`wait` polls until approved."""

    def __init__(self, app_id: str, client_token: str, scopes: tuple[str, ...]) -> None:
        self._credential = f"{app_id}|{client_token}"
        self._scopes = scopes
        self._code: str | None = None
        self._interval = 5.0
        self._cancelled = False
        self.sleep = asyncio.sleep

    def __repr__(self) -> str:  # no credential, no code
        return "<FacebookDeviceFlow>"

    async def _post(self, path: str, data: dict[str, str], what: str) -> tuple[int, Any, Any]:
        from providers.auth.failures import describe_http_failure, scrub
        from providers.http import async_client

        try:
            async with async_client() as client:
                response = await client.post(graph_url(path), data={"access_token": self._credential, **data})
        except Exception as exc:
            raise LinkError(scrub(describe_http_failure(NAME, what, exc), [self._credential])) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        return response.status_code, body, graph_error(response)

    async def start(self) -> DeviceCode:
        from providers.auth.types import DeviceCode

        status, body, error = await self._post(
            "device/login", {"scope": ",".join(self._scopes)}, "device login"
        )
        if status != 200 or not isinstance(body, dict) or not isinstance(body.get("code"), str):
            said = error.message if error is not None else f"HTTP {status}"
            raise LinkError(f"{NAME} refused the device code ({said}); link in the browser instead.")
        self._code = body["code"]
        self._interval = float(body.get("interval") or 5)
        return DeviceCode(
            user_code=str(body.get("user_code") or ""),
            verification_uri=str(body.get("verification_uri") or "https://www.facebook.com/device"),
            verification_uri_complete=None,
            expires_in=float(body.get("expires_in") or 420),
            interval=self._interval,
        )

    async def wait(self) -> Token:
        from providers import clock
        from providers.auth.oauth2 import with_expiry

        if self._code is None:
            raise LinkError(f"{NAME}: the device code was not started.")
        while not self._cancelled:
            await self.sleep(self._interval)
            status, body, error = await self._post(
                "device/login_status", {"code": self._code}, "device login"
            )
            if status == 200 and isinstance(body, dict) and isinstance(body.get("access_token"), str):
                return with_expiry(body, clock.timestamp())
            subcode = error.subcode if error is not None else None
            if subcode == PENDING:
                continue
            if subcode == SLOW_DOWN:
                self._interval += 5
                continue
            if subcode == EXPIRED:
                raise LinkError(f"{NAME}: the device code expired before it was entered; link again.")
            said = error.message if error is not None else f"HTTP {status}"
            raise LinkError(f"{NAME} refused the device login ({said}).")
        raise LinkError(f"{NAME}: the device login was cancelled.")

    async def cancel(self) -> None:
        self._cancelled = True
