"""The device authorization grant (RFC 8628): link from a machine with no usable browser.

Public API::

    flow = DeviceFlow(config: ClientConfig, *, sleep=asyncio.sleep)
    code = await flow.start()     # DeviceCode: user_code and verification_uri to show (with a QR)
    token = await flow.wait()     # polls until the user approves; Token with "expires_at"
    await flow.cancel()           # wait() raises LinkCancelled

``config.device_url`` is the device authorization endpoint; ``config.token_url`` is polled with
``grant_type=urn:ietf:params:oauth:grant-type:device_code``. Client authentication follows
``config.token_auth_method`` (public clients send ``client_id`` in the body).

Polling follows the server: it waits ``interval`` seconds (5 if the server named none) *before*
each poll; ``authorization_pending`` keeps polling; ``slow_down`` adds 5 seconds to the interval
for this and every later poll (§3.5); ``expired_token`` or the code's ``expires_in`` passing ends
with "the code expired"; ``access_denied`` ends with "you declined". A dropped connection or a 5xx
is retried with the interval doubled, at most three times in a row, since one lost poll should not
cost the user the code they are typing.

``sleep`` is injectable so tests can record the intervals instead of waiting them out. The
device code itself never leaves this object; the verification URLs pass through the sandbox rule.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from providers import clock
from providers.auth.callback import error_message
from providers.auth.failures import describe_http_failure, scrub, token_error_message
from providers.auth.oauth2 import with_expiry
from providers.auth.pending import Waiter
from providers.auth.types import ClientConfig, DeviceCode, Token
from providers.errors import LinkError
from providers.http import client_kwargs, rewrite

log = logging.getLogger("linkdeck.auth.device")

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_INTERVAL = 5.0
SLOW_DOWN_STEP = 5.0
MAX_TRANSIENT_FAILURES = 3

Sleep = Callable[[float], Awaitable[Any]]


class DeviceFlow:
    """One device-code attempt. Single use."""

    def __init__(self, config: ClientConfig, *, sleep: Sleep = asyncio.sleep) -> None:
        self.config = config
        self._sleep = sleep
        self._waiter = Waiter(config.network_name)
        self._device_code: str | None = None
        self._interval = DEFAULT_INTERVAL
        self._expires_in = 0.0
        self._started_at = 0.0

    def __repr__(self) -> str:  # no device code
        return f"<DeviceFlow {self.config.network_name}>"

    def _client(self) -> Any:
        from authlib.integrations.httpx_client import AsyncOAuth2Client

        return AsyncOAuth2Client(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
            token_endpoint_auth_method=self.config.token_auth_method,
            **client_kwargs(),
        )

    def _secrets(self) -> tuple[str, ...]:
        return (self._device_code or "", self.config.client_secret or "")

    async def start(self) -> DeviceCode:
        """Ask the network for a user code. LinkError if it refuses or cannot be reached."""
        config = self.config
        name = config.network_name
        if not config.device_url:
            raise LinkError(f"{name} does not offer sign-in with a device code.")
        if self._device_code is not None:
            raise RuntimeError("this device flow was already started")
        data = {"scope": config.scope_separator.join(config.scopes)} if config.scopes else {}
        try:
            async with self._client() as client:
                response = await self._waiter.race(
                    client.post(
                        config.device_url,
                        data=data,
                        auth=client.client_auth(config.token_auth_method),
                        headers={"Accept": "application/json"},
                    )
                )
                body = response.json() if response.content else {}
        except LinkError:
            raise
        except Exception as exc:
            raise LinkError(
                describe_http_failure(name, "device authorization", exc, then="Nothing was linked.")
            ) from None
        if not isinstance(body, dict):
            body = {}
        if response.status_code != 200 or "error" in body:
            raise LinkError(
                scrub(
                    token_error_message(
                        name,
                        str(body.get("error") or f"HTTP {response.status_code}"),
                        body.get("error_description"),
                        what="device sign-in request",
                    ),
                    self._secrets(),
                )
            )
        return self._accept(body)

    def _accept(self, body: dict[str, Any]) -> DeviceCode:
        name = self.config.network_name
        # Google's endpoint says "verification_url"; RFC 8628 says "verification_uri".
        uri = body.get("verification_uri") or body.get("verification_url")
        device_code, user_code = body.get("device_code"), body.get("user_code")
        if not (isinstance(device_code, str) and isinstance(user_code, str) and isinstance(uri, str)):
            raise LinkError(f"{name}: the device sign-in answer is missing its code or address.")
        try:
            interval = float(body.get("interval") or DEFAULT_INTERVAL)
            expires_in = float(body.get("expires_in") or 600)
        except (TypeError, ValueError):
            raise LinkError(
                f"{name}: the device sign-in answer has a malformed interval or expiry."
            ) from None
        self._device_code = device_code
        self._interval = max(interval, 1.0)
        self._expires_in = expires_in
        self._started_at = time.monotonic()
        complete = body.get("verification_uri_complete")
        log.info("linking %s: device code issued", name)
        return DeviceCode(
            user_code=user_code,
            verification_uri=rewrite(uri),
            verification_uri_complete=rewrite(complete) if isinstance(complete, str) else None,
            expires_in=expires_in,
            interval=self._interval,
        )

    @property
    def interval(self) -> float:
        """The current polling interval (grows with each ``slow_down``)."""
        return self._interval

    async def cancel(self) -> None:
        self._waiter.cancel()

    def _expired(self) -> LinkError:
        return LinkError(
            f"{self.config.network_name}: the code expired before the sign-in was approved; "
            "nothing was linked. Start again for a new code."
        )

    async def wait(self) -> Token:
        """Poll until the user approves, declines, or the code expires."""
        from authlib.integrations.httpx_client import OAuthError

        if self._device_code is None:
            raise RuntimeError("start() the device flow first")
        name = self.config.network_name
        slept = 0.0
        failures = 0
        async with self._client() as client:
            while True:
                delay = self._interval * (2**failures)
                if max(slept, time.monotonic() - self._started_at) + delay > self._expires_in:
                    raise self._expired()
                await self._waiter.race(self._sleep(delay))
                slept += delay
                try:
                    token = await self._waiter.race(
                        client.fetch_token(
                            self.config.token_url, grant_type=DEVICE_GRANT, device_code=self._device_code
                        )
                    )
                except OAuthError as exc:
                    failures = 0
                    error = str(exc.error or "")
                    if error == "authorization_pending":
                        continue
                    if error == "slow_down":
                        self._interval += SLOW_DOWN_STEP
                        log.debug("linking %s: slow_down, interval now %gs", name, self._interval)
                        continue
                    if error == "expired_token":
                        raise self._expired() from None
                    if error == "access_denied":
                        raise LinkError(error_message(name, "access_denied")) from None
                    raise LinkError(
                        scrub(
                            token_error_message(name, error, exc.description, what="device code"),
                            self._secrets(),
                        )
                    ) from None
                except LinkError:
                    raise
                except Exception as exc:
                    if _transient(exc) and failures < MAX_TRANSIENT_FAILURES:
                        failures += 1
                        continue
                    raise LinkError(
                        describe_http_failure(name, "token", exc, then="Nothing was linked.")
                    ) from None
                result = with_expiry(token, clock.timestamp(), self.config.refresh_token_seconds)
                if not result.get("access_token"):
                    raise LinkError(f"{name}: the token endpoint answered without an access token.")
                log.info("linking %s: device sign-in approved", name)
                return result


def _transient(exc: BaseException) -> bool:
    import httpx2

    if isinstance(exc, httpx2.TransportError):
        return True
    return isinstance(exc, httpx2.HTTPStatusError) and exc.response.status_code >= 500
