"""OAuth 2.0 authorization code flow with PKCE S256 and state, for any network.

Public API::

    flow = AuthorizationCodeFlow(config: ClientConfig, *, redirect: RedirectKind = RedirectKind.LOOPBACK,
                                 port: int = 0, path: str = "/callback", relay_uri: str | None = None,
                                 timeout: float = 600.0)
    request = await flow.start()    # AuthorizationRequest: the URL to open (sandbox rule applied)
    flow.state                      # the state sent (for the relay to route callbacks; not secret
                                    # from the browser, but never show or log it)
    flow.submit(pasted: str)        # paste-back or a relayed redirect URL; a bare code where allowed
    token = await flow.wait()       # Token (the token endpoint's JSON plus "expires_at")
    await flow.cancel()             # wait() raises LinkCancelled
    flow.redirect_uri               # as sent (known after start()); flow.listener_port likewise

    authorize_url(base: str, params: dict[str, str]) -> str   # helpers, shared with OAuth 1.0a
    with_expiry(token: dict, now: float, refresh_seconds=None) -> Token
        # adds "expires_at" from "expires_in" (and "refresh_expires_at" from refresh_seconds)

The ``timeout`` runs from ``start()``: a flow nobody answers ends with a LinkError saying so, and
its listener is closed whichever way the flow ends.

Redirects:

- ``LOOPBACK``: ``http://127.0.0.1:{port}{path}`` answered by a
  :class:`~providers.auth.loopback.LoopbackListener` (port 0 = any free port; a network that
  registered a fixed port passes it). Paste-back works too, for a user on SSH who copies the
  address of the page that failed to load.
- ``OOB``: ``urn:ietf:wg:oauth:2.0:oob``; the network shows the code, the user pastes it.
- ``RELAY``: ``relay_uri`` (the served page's callback); the relay calls :meth:`submit` with the
  full URL it received.

Whichever way the answer comes, it is checked by :mod:`providers.auth.callback` with the same
rules. A forged or foreign answer raises :class:`~providers.auth.callback.CallbackRejected` from
``submit`` at once and leaves the flow waiting; a network error (``access_denied``...) ends it.

A bare code carries no state. It is accepted when the redirect is OOB (the network's own page
showed it) or when PKCE is on (a code injected by someone else was issued for *their* challenge and
cannot be exchanged with our verifier). Loopback or relay flows without PKCE want the full URL.

The exchange uses authlib's ``AsyncOAuth2Client`` (an httpx2 client) built with
:func:`providers.http.client_kwargs`, so the sandbox rule applies. Errors become ``LinkError``
naming the network; nothing secret (code, verifier, client secret, tokens) is ever in a message,
and the original exception is not chained (its repr may carry request data).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from providers import clock
from providers.auth import pkce
from providers.auth.callback import looks_like_url, parse_pasted, parse_query
from providers.auth.failures import describe_http_failure, scrub, token_error_message
from providers.auth.loopback import BIND_HOST, LoopbackListener
from providers.auth.pending import PendingAnswer, Waiter
from providers.auth.types import OOB_REDIRECT, AuthorizationRequest, ClientConfig, RedirectKind, Token
from providers.errors import CallbackRejected, LinkError
from providers.http import client_kwargs, rewrite

log = logging.getLogger("linkdeck.auth.oauth2")

# Parameters the flow owns; extra_authorize_params may not override them.
_PROTECTED = frozenset(
    {"response_type", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method"}
)


def authorize_url(base: str, params: dict[str, str]) -> str:
    """``base`` with ``params`` added to its query (existing query kept), spaces as %20."""
    parts = urlsplit(base)
    existing = parse_query(parts.query) if parts.query else {}
    query = urlencode({**existing, **params}, quote_via=quote)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def unwrapped(token: dict[str, Any]) -> dict[str, Any]:
    """The token answer itself when a server wraps it in a one-item ``data`` list (Meta's
    Business Login for Instagram documents ``{"data": [{"access_token", "user_id",
    "permissions"}]}``); any other answer as it is."""
    data = token.get("data")
    if "access_token" not in token and isinstance(data, list) and len(data) == 1:
        inner = data[0]
        if isinstance(inner, dict) and inner.get("access_token"):
            return dict(inner)
    return token


def with_expiry(token: dict[str, Any], now: float, refresh_seconds: int | None = None) -> Token:
    """A plain dict of the token response with ``expires_at`` (epoch seconds) computed from
    ``expires_in`` when the server sent it, and ``refresh_expires_at`` from
    ``refresh_token_expires_in`` (Pinterest, LinkedIn) when it sent that, else from
    ``refresh_seconds`` (a lifetime the network documents but does not send, Tumblr's 42 days)
    when there is a refresh token. A token answer wrapped in a one-item ``data`` list is
    unwrapped first (:func:`unwrapped`)."""
    result: Token = unwrapped(dict(token))
    lifetimes = (("expires_in", "expires_at"), ("refresh_token_expires_in", "refresh_expires_at"))
    for lifetime, moment in lifetimes:
        value = result.get(lifetime)
        try:
            seconds = int(value) if value is not None else None
        except (TypeError, ValueError):
            seconds = None
        if seconds is not None:
            result[moment] = int(now) + seconds
        else:
            result.pop(moment, None)
    if refresh_seconds and result.get("refresh_token") and "refresh_expires_at" not in result:
        result["refresh_expires_at"] = int(now) + refresh_seconds
    return result


class AuthorizationCodeFlow:
    """One authorization-code attempt for one network. Single use."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        redirect: RedirectKind = RedirectKind.LOOPBACK,
        port: int = 0,
        path: str = "/callback",
        relay_uri: str | None = None,
        timeout: float = 600.0,
    ) -> None:
        if redirect is RedirectKind.RELAY and not relay_uri:
            raise ValueError("a RELAY flow needs relay_uri")
        clash = _PROTECTED & set(config.extra_authorize_params)
        if clash:
            raise ValueError(f"extra_authorize_params may not set {', '.join(sorted(clash))}")
        self.config = config
        self.redirect = redirect
        self._port = port
        self._path = path
        self._relay_uri = relay_uri
        self._timeout = timeout
        self._state = secrets.token_urlsafe(32)
        self._verifier = pkce.new_verifier() if config.pkce else None
        self._listener: LoopbackListener | None = None
        self._waiter = Waiter(config.network_name)
        self._answer = PendingAnswer(config.network_name, timeout, self._waiter)
        self.redirect_uri = ""

    def __repr__(self) -> str:  # no state, no verifier
        return f"<AuthorizationCodeFlow {self.config.network_name} {self.redirect} {self.redirect_uri!r}>"

    @property
    def state(self) -> str:
        return self._state

    @property
    def relay_key(self) -> str | None:
        """The state the served page's relay routes the answer by (RELAY flows only)."""
        return self._state if self.redirect is RedirectKind.RELAY else None

    @property
    def listener_port(self) -> int | None:
        return self._listener.port if self._listener is not None else None

    async def start(self) -> AuthorizationRequest:
        if self._answer.started:
            raise RuntimeError("this flow was already started; make a new one to link again")
        if self.redirect is RedirectKind.LOOPBACK:
            self._listener = LoopbackListener(
                path=self._path,
                port=self._port,
                expected_state=self._state,
                network_name=self.config.network_name,
            )
            port = await self._listener.start()
            self.redirect_uri = f"http://{BIND_HOST}:{port}{self._path}"
        elif self.redirect is RedirectKind.OOB:
            self.redirect_uri = OOB_REDIRECT
        else:
            assert self._relay_uri is not None
            self.redirect_uri = self._relay_uri
        self._answer.begin(self._listener)
        params = {
            "response_type": "code",
            "client_id": self.config.client_id,
            "redirect_uri": self.redirect_uri,
            "state": self._state,
        }
        if self.config.scopes:
            params["scope"] = self.config.scope_separator.join(self.config.scopes)
        if self._verifier is not None:
            params["code_challenge"] = pkce.challenge(self._verifier)
            params["code_challenge_method"] = "S256"
        params.update(self.config.extra_authorize_params)
        url = rewrite(authorize_url(self.config.authorize_url, params))
        log.info("linking %s: authorization started (%s redirect)", self.config.network_name, self.redirect)
        return AuthorizationRequest(
            url=url,
            redirect_uri=self.redirect_uri,
            redirect_kind=self.redirect,
            listener_port=self.listener_port,
            expires_in=self._timeout,
        )

    def submit(self, pasted: str) -> None:
        """Hand the flow the redirect URL (or bare code) the user pasted or the relay received.

        Raises CallbackRejected at once when it is not the answer to this request (the flow keeps
        waiting), AuthorizationRefused when it carries the network's refusal (the flow ends with
        it)."""
        if not self._answer.started:
            raise RuntimeError("start() the flow first")
        name = self.config.network_name
        if self._answer.done:
            raise CallbackRejected(f"{name}: this link request already has its answer.")
        text = pasted.strip()
        if (
            text
            and not looks_like_url(text)
            and self.redirect is not RedirectKind.OOB
            and self._verifier is None
        ):
            raise CallbackRejected(
                f"{name}: paste the whole address the browser ended on (it carries the state that "
                "proves it answers this request), not only the code."
            )
        self._answer.accept(
            lambda: parse_pasted(
                text, expected_state=self._state, redirect_uri=self.redirect_uri, network_name=name
            )
        )

    async def cancel(self) -> None:
        """Give up: wait() raises LinkCancelled, the listener closes."""
        self._waiter.cancel()
        self._answer.close_listener()

    async def wait(self) -> Token:
        """The token, once the answer has come and the code was exchanged."""
        return await self._answer.exchange(self._waiter, self._exchange)

    async def _exchange(self, code: str) -> Token:
        from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

        config = self.config
        secrets_in_play = (code, self._verifier or "", config.client_secret or "")
        extra: dict[str, str] = dict(config.extra_token_params)
        if self._verifier is not None:
            extra["code_verifier"] = self._verifier
        client = AsyncOAuth2Client(
            client_id=config.client_id,
            client_secret=config.client_secret,
            token_endpoint_auth_method=config.token_auth_method,
            **client_kwargs(headers=config.http_headers()),
        )
        try:
            async with client:
                token = await client.fetch_token(
                    config.token_url,
                    grant_type="authorization_code",
                    code=code,
                    redirect_uri=self.redirect_uri,
                    **extra,
                )
        except OAuthError as exc:
            raise LinkError(
                scrub(token_error_message(config.network_name, exc.error, exc.description), secrets_in_play)
            ) from None
        except Exception as exc:
            raise LinkError(
                scrub(
                    describe_http_failure(config.network_name, "token", exc, then="Nothing was linked."),
                    secrets_in_play,
                )
            ) from None
        result = with_expiry(token, clock.timestamp(), config.refresh_token_seconds)
        if not result.get("access_token"):
            raise LinkError(f"{config.network_name}: the token endpoint answered without an access token.")
        log.info("linking %s: code exchanged for a token", config.network_name)
        return result
