"""OAuth 1.0a (RFC 5849 with the 1.0a callback confirmation), for Flickr and Tumblr's older API.

Public API::

    flow = OAuth1Flow(config: ClientConfig, *, redirect: RedirectKind = RedirectKind.LOOPBACK,
                      port: int = 0, path: str = "/callback", timeout: float = 600.0)
    request = await flow.start()   # gets a request token; AuthorizationRequest with the authorize URL
    flow.submit(pasted: str)       # the full callback URL (oauth_token must be ours) or a typed
                                   # verifier / PIN
    token = await flow.wait()      # {"oauth_token", "oauth_token_secret", ...extra fields such as
                                   #  Flickr's user_nsid and username}
    await flow.cancel()

``config`` needs ``request_token_url``, ``authorize_url``, ``access_token_url``, ``client_id``
(the consumer key) and ``client_secret`` (the consumer secret). Requests are signed HMAC-SHA1 in
the Authorization header by authlib's ``AsyncOAuth1Client``, built with
:func:`providers.http.client_kwargs` (the sandbox rule applies after signing).

Redirects: ``LOOPBACK`` sends ``oauth_callback=http://127.0.0.1:PORT<path>`` and answers it with the
same one-shot listener as OAuth 2; ``OOB`` sends ``oauth_callback=oob`` and the network shows a
verifier (a PIN) for the user to type. OAuth 1.0a has no ``state``: the request token plays its
part, so a callback whose ``oauth_token`` is not ours is refused exactly like a forged state.
A server that does not confirm the callback (``oauth_callback_confirmed=true``) is refused: without
it the verifier is not bound to this request (the 2009 session-fixation flaw 1.0a fixed).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from providers.auth.callback import parse_pasted_oauth1, read_oauth1_callback
from providers.auth.failures import describe_http_failure, scrub, token_error_message
from providers.auth.loopback import BIND_HOST, LoopbackListener
from providers.auth.oauth2 import authorize_url
from providers.auth.pending import PendingAnswer, Waiter
from providers.auth.types import AuthorizationRequest, ClientConfig, RedirectKind, Token
from providers.errors import CallbackRejected, LinkError
from providers.http import client_kwargs, rewrite

log = logging.getLogger("linkdeck.auth.oauth1")

OOB_CALLBACK = "oob"


class OAuth1Flow:
    """One OAuth 1.0a attempt for one network. Single use."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        redirect: RedirectKind = RedirectKind.LOOPBACK,
        port: int = 0,
        path: str = "/callback",
        timeout: float = 600.0,
    ) -> None:
        if redirect not in (RedirectKind.LOOPBACK, RedirectKind.OOB):
            raise ValueError("OAuth 1.0a flows use a loopback callback or oob")
        missing = [
            name
            for name, value in (
                ("request_token_url", config.request_token_url),
                ("access_token_url", config.access_token_url),
                ("client_secret", config.client_secret),
            )
            if not value
        ]
        if missing:
            raise ValueError(f"an OAuth 1.0a ClientConfig needs {', '.join(missing)}")
        self.config = config
        self.redirect = redirect
        self._port = port
        self._path = path
        self._timeout = timeout
        self._listener: LoopbackListener | None = None
        self._waiter = Waiter(config.network_name)
        self._answer = PendingAnswer(config.network_name, timeout, self._waiter)
        self._request_token: str | None = None
        self._request_secret: str | None = None
        self.redirect_uri = ""

    @property
    def relay_key(self) -> None:
        """Never relayed: OAuth 1.0a has no state; its callback is the loopback one."""
        return None

    def __repr__(self) -> str:  # no tokens
        return f"<OAuth1Flow {self.config.network_name} {self.redirect} {self.redirect_uri!r}>"

    def _client(self, **kwargs: Any) -> Any:
        from authlib.integrations.httpx_client import AsyncOAuth1Client

        return AsyncOAuth1Client(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
            **kwargs,
            **client_kwargs(),
        )

    def _secrets(self, *more: str) -> tuple[str, ...]:
        return (self._request_token or "", self._request_secret or "", self.config.client_secret or "", *more)

    def _validate(self, params: Mapping[str, str]) -> str:
        name = self.config.network_name
        if self._request_token is None:
            raise CallbackRejected(f"{name}: no sign-in is waiting for an answer yet; refused.")
        return read_oauth1_callback(params, expected_token=self._request_token, network_name=name)

    async def start(self) -> AuthorizationRequest:
        from authlib.integrations.httpx_client import OAuthError

        if self._answer.started or self._listener is not None:
            raise RuntimeError("this flow was already started; make a new one to link again")
        config = self.config
        name = config.network_name
        if self.redirect is RedirectKind.LOOPBACK:
            self._listener = LoopbackListener(
                path=self._path, port=self._port, network_name=name, validate=self._validate
            )
            port = await self._listener.start()
            self.redirect_uri = f"http://{BIND_HOST}:{port}{self._path}"
        else:
            self.redirect_uri = OOB_CALLBACK
        assert config.request_token_url is not None
        try:
            async with self._client(redirect_uri=self.redirect_uri) as client:
                answer = await self._waiter.race(client.fetch_request_token(config.request_token_url))
        except OAuthError as exc:
            self._stop()
            raise LinkError(
                scrub(_refusal(name, exc, "request for a sign-in token"), self._secrets())
            ) from None
        except LinkError:
            self._stop()
            raise
        except Exception as exc:
            self._stop()
            raise LinkError(
                describe_http_failure(name, "request-token", exc, then="Nothing was linked.")
            ) from None
        token, secret = answer.get("oauth_token"), answer.get("oauth_token_secret")
        if not (isinstance(token, str) and token and isinstance(secret, str)):
            self._stop()
            raise LinkError(f"{name}: the request-token answer has no oauth_token; nothing was linked.")
        if str(answer.get("oauth_callback_confirmed", "")).lower() != "true":
            self._stop()
            raise LinkError(
                f"{name} did not confirm the callback (oauth_callback_confirmed), so it does not speak "
                "OAuth 1.0a; linkdeck will not link it this way."
            )
        self._request_token, self._request_secret = token, secret
        self._answer.begin(self._listener)
        params = {"oauth_token": token, **config.extra_authorize_params}
        url = rewrite(authorize_url(config.authorize_url, params))
        log.info("linking %s: OAuth 1.0a authorization started (%s)", name, self.redirect)
        return AuthorizationRequest(
            url=url,
            redirect_uri=self.redirect_uri,
            redirect_kind=self.redirect,
            listener_port=self._listener.port if self._listener is not None else None,
            expires_in=self._timeout,
        )

    def _stop(self) -> None:
        if self._listener is not None:
            self._listener.close()

    def submit(self, pasted: str) -> None:
        """The callback URL the user pasted, or the verifier / PIN they typed. CallbackRejected
        (flow keeps waiting) when it is not for this request; AuthorizationRefused ends the flow."""
        if not self._answer.started or self._request_token is None:
            raise RuntimeError("start() the flow first")
        name = self.config.network_name
        if self._answer.done:
            raise CallbackRejected(f"{name}: this link request already has its answer.")
        token = self._request_token
        self._answer.accept(
            lambda: parse_pasted_oauth1(
                pasted, expected_token=token, callback_uri=self.redirect_uri, network_name=name
            )
        )

    async def cancel(self) -> None:
        self._waiter.cancel()
        self._stop()

    async def wait(self) -> Token:
        """The access token and secret, once the verifier arrived and was exchanged."""
        return await self._answer.exchange(self._waiter, self._exchange)

    async def _exchange(self, verifier: str) -> Token:
        from authlib.integrations.httpx_client import OAuthError

        config = self.config
        name = config.network_name
        assert config.access_token_url is not None
        secrets_in_play = self._secrets(verifier)
        try:
            async with self._client(token=self._request_token, token_secret=self._request_secret) as client:
                answer = await client.fetch_access_token(config.access_token_url, verifier=verifier)
        except OAuthError as exc:
            raise LinkError(
                scrub(_refusal(name, exc, "verifier"), secrets_in_play)
                + " Check that the verifier or PIN was typed exactly and is from this sign-in."
            ) from None
        except Exception as exc:
            raise LinkError(
                scrub(
                    describe_http_failure(name, "access-token", exc, then="Nothing was linked."),
                    secrets_in_play,
                )
            ) from None
        token: Token = {k: v for k, v in dict(answer).items() if k != "oauth_verifier"}
        if not token.get("oauth_token") or not token.get("oauth_token_secret"):
            raise LinkError(
                f"{name}: the access-token answer has no oauth_token and secret; nothing was linked."
            )
        log.info("linking %s: OAuth 1.0a verifier exchanged for a token", name)
        return token


def _refusal(network_name: str, exc: Any, what: str) -> str:
    """authlib reports an OAuth 1 HTTP error as ``fetch_token_denied`` with the response body in
    the description; show the status only (the body is the server's, possibly long or HTML)."""
    if exc.error == "fetch_token_denied":
        match = re.search(r"failed with code (\d+)", str(exc.description or ""))
        status = f" (HTTP {match.group(1)})" if match else ""
        return f"{network_name} refused the {what}{status}."
    return token_error_message(network_name, str(exc.error or ""), None, what=what)
