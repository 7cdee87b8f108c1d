"""atproto OAuth for Bluesky: a public *loopback* client with PAR, DPoP and PKCE S256.

Why a client of our own: authlib has no DPoP and no PAR client, and the atproto profile makes all
three mandatory (atproto.com/specs/oauth; bluesky-social/atproto packages/oauth/oauth-provider).
What it does, checked against @atproto/pds 0.4.217 run locally:

1. Discovery (:func:`~.bluesky_dpop.discover`): the PDS's ``/.well-known/oauth-protected-resource`` names its
   authorization server; that server's ``/.well-known/oauth-authorization-server`` must require
   PAR, offer S256 and ES256 DPoP.
2. The client id is the loopback form ``http://localhost?redirect_uri=…&scope=…``: no client
   metadata document to host; redirects go to ``http://127.0.0.1:<free port>/callback`` (the
   ``localhost`` host name is refused there).
3. PAR (``/oauth/par``) with the PKCE challenge, state, scope and ``login_hint``; every request to
   the authorization server and the PDS carries a DPoP proof (ES256, a fresh P-256 key per link,
   kept in the vault with the tokens). Servers answer the first proof with ``use_dpop_nonce`` and a
   ``DPoP-Nonce``; :func:`~.bluesky_dpop.dpop_request` retries once with it and remembers the
   newest nonce per origin.
4. The user signs in on the PDS's own page (a JS app) and approves; the browser comes back to the
   loopback listener (``state`` and ``iss`` checked) or the user pastes that address.
5. The code is exchanged (DPoP-bound token, ``token_type`` DPoP); ``sub`` is the account's DID,
   and the DID's own PDS must name this same authorization server (:func:`verify_identity`), so a
   server cannot claim someone else's account.

Lifetimes (public client): access 1 hour, the whole sign-in 2 weeks at most
(oauth-provider/src/oauth-constants.ts) — which is why app passwords stay linkdeck's default
(refresh JWT 90 days, renewed) and OAuth is offered when no app password is typed.

Public API (DPoP keys, requests and discovery are in :mod:`.bluesky_dpop`)::

    flow = AtprotoOAuthFlow(server, pds, login_hint, port=0); await flow.start(); flow.submit(text)
    token = await flow.wait(); await flow.cancel()
    await refresh(token) -> Token;  await revoke(token) -> bool
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from providers import clock
from providers.auth.types import AuthorizationRequest, RedirectKind, Token
from providers.errors import LinkError
from providers.networks.bluesky.dpop import DPoPKey, OAuthServer, discover, dpop_request
from providers.networks.bluesky.xrpc import NAME, RenewLater, did_document, pds_of, plc_url

if TYPE_CHECKING:
    from collections.abc import Mapping


log = logging.getLogger("linkdeck.catalog.bluesky.oauth")

SCOPE = "atproto transition:generic"
SESSION_SECONDS = 14 * 24 * 3600  # a public client's whole sign-in (oauth-constants.ts)


async def verify_identity(did: str, issuer: str) -> str:
    """The PDS of ``did`` (from its DID document), after checking that that PDS's authorization
    server is ``issuer``: a server may only sign in accounts it hosts."""
    pds = pds_of(await did_document(did, plc_url()))
    server = await discover(pds) if pds else None
    if pds is None or server is None or server.issuer != issuer:
        raise LinkError(
            f"{NAME}: the sign-in server {issuer} answered for {did}, whose identity names another "
            "server; nothing was linked."
        )
    return pds


def _session_token(answer: Mapping[str, Any], key: DPoPKey, server: OAuthServer, client_id: str) -> Token:
    access, refresh = answer.get("access_token"), answer.get("refresh_token")
    if not isinstance(access, str) or not access or str(answer.get("token_type", "")).lower() != "dpop":
        raise LinkError(f"{NAME}: the token endpoint answered without a DPoP-bound access token.")
    scope = str(answer.get("scope") or "")
    if "atproto" not in scope.split():
        raise LinkError(f"{NAME}: the sign-in was granted without the atproto scope ({scope or 'none'}).")
    token: Token = {
        "method": "oauth",
        "token_type": "DPoP",
        "access_token": access,
        "scope": scope,
        "issuer": server.issuer,
        "token_endpoint": server.token_endpoint,
        "revocation_endpoint": server.revocation_endpoint,
        "client_id": client_id,
        "dpop_jwk": key.private_jwk(),
    }
    if isinstance(refresh, str) and refresh:
        token["refresh_token"] = refresh
    if isinstance(answer.get("expires_in"), int | float):
        token["expires_at"] = int(clock.timestamp()) + int(answer["expires_in"])
    if isinstance(answer.get("sub"), str):
        token["did"] = answer["sub"]
    return token


async def refresh(token: Token) -> Token:
    """The refresh grant with the token's own DPoP key. Returns the new fields (the caller merges
    them into the vault); RenewLater when the server cannot be asked now, LinkError naming its
    refusal (the sign-in was revoked or ran out)."""
    from providers.http import async_client

    key = DPoPKey.from_jwk(token["dpop_jwk"])
    form = {
        "grant_type": "refresh_token",
        "refresh_token": token["refresh_token"],
        "client_id": token["client_id"],
    }
    try:
        async with async_client() as client:
            response = await dpop_request(
                client, "POST", token["token_endpoint"], token, data=form, authorize=False
            )
    except Exception as exc:  # offline: not the account's fault
        raise RenewLater(f"{NAME}: the sign-in server could not be reached ({type(exc).__name__}).") from None
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code == 429 or response.status_code >= 500:
        raise RenewLater(f"{NAME}'s sign-in server is busy (HTTP {response.status_code}); try again later.")
    if response.status_code != 200:
        said = answer.get("error_description") or answer.get("error") or response.status_code
        raise LinkError(f"{NAME} refused to renew the sign-in ({said}).")
    server = OAuthServer(
        token["issuer"], "", "", token["token_endpoint"], token.get("revocation_endpoint"), ()
    )
    fresh = _session_token(answer, key, server, token["client_id"])
    if fresh.get("did") and fresh["did"] != token.get("did"):
        raise LinkError(f"{NAME}: the renewed sign-in belongs to another account; link it again.")
    return fresh


async def revoke(token: Token) -> bool:
    """RFC 7009 revocation of the refresh token (the whole sign-in); True when confirmed."""
    from providers.http import async_client

    endpoint, refresh_token = token.get("revocation_endpoint"), token.get("refresh_token")
    if not isinstance(endpoint, str) or not isinstance(refresh_token, str):
        return False
    form = {"token": refresh_token, "client_id": token["client_id"]}
    try:
        async with async_client() as client:
            response = await dpop_request(client, "POST", endpoint, token, data=form, authorize=False)
    except Exception as exc:
        log.warning("Bluesky OAuth revocation failed: %s", type(exc).__name__)
        return False
    return response.status_code == 200


class AtprotoOAuthFlow:
    """One atproto OAuth authorization for one account; the same interface as the engine's
    AuthorizationCodeFlow (providers.interface.BrowserFlow), so the link session drives it alike."""

    def __init__(
        self, server: OAuthServer, pds: str, login_hint: str | None, *, port: int = 0, timeout: float = 600.0
    ) -> None:
        from providers.auth import pkce
        from providers.auth.pending import PendingAnswer, Waiter

        self.server, self.pds, self.login_hint = server, pds, login_hint
        self._port, self._timeout = port, timeout
        self._state = secrets.token_urlsafe(32)
        self._verifier = pkce.new_verifier()
        self._key = DPoPKey.new()
        self._waiter = Waiter(NAME)
        self._answer = PendingAnswer(NAME, timeout, self._waiter)
        self._listener: Any = None
        self.redirect_uri = ""
        self.client_id = ""

    def __repr__(self) -> str:  # no state, no verifier, no key
        return f"<AtprotoOAuthFlow {self.server.issuer}>"

    @property
    def state(self) -> str:
        return self._state

    @property
    def relay_key(self) -> None:
        """Never relayed: the atproto client id names its loopback redirect."""
        return None

    @property
    def instance(self) -> str:
        """The PDS the sign-in is for (the account's ``instance``)."""
        return self.pds

    def _check(self, params: Mapping[str, str]) -> str:
        """The listener's and paste-back's check: state first, then the issuer (RFC 9207)."""
        from providers.auth.callback import read_callback
        from providers.errors import CallbackRejected

        code = read_callback(params, expected_state=self._state, network_name=NAME)
        if params.get("iss") != self.server.issuer:
            raise CallbackRejected(f"{NAME}: the answer came from another sign-in server; it was refused.")
        return code

    async def start(self) -> AuthorizationRequest:
        from providers.auth import pkce
        from providers.auth.loopback import BIND_HOST, LoopbackListener
        from providers.http import async_client, rewrite

        self._listener = LoopbackListener(port=self._port, network_name=NAME, validate=self._check)
        port = await self._listener.start()
        self.redirect_uri = f"http://{BIND_HOST}:{port}/callback"
        self.client_id = "http://localhost?" + urlencode({"redirect_uri": self.redirect_uri, "scope": SCOPE})
        form = {
            "client_id": self.client_id,
            "response_type": "code",
            "redirect_uri": self.redirect_uri,
            "scope": SCOPE,
            "state": self._state,
            "code_challenge": pkce.challenge(self._verifier),
            "code_challenge_method": "S256",
        }
        if self.login_hint:
            form["login_hint"] = self.login_hint
        token = {"dpop_jwk": self._key.private_jwk()}
        try:
            async with async_client() as client:
                response = await dpop_request(
                    client, "POST", self.server.par_endpoint, token, data=form, authorize=False
                )
            request_uri = response.json().get("request_uri") if response.status_code in (200, 201) else None
        except Exception as exc:
            self._listener.close()
            raise LinkError(
                f"{NAME}: the sign-in server could not be reached ({type(exc).__name__})."
            ) from None
        if not isinstance(request_uri, str):
            self._listener.close()
            raise LinkError(f"{NAME}: the sign-in server refused the request (HTTP {response.status_code}).")
        self._answer.begin(self._listener)
        query = urlencode({"client_id": self.client_id, "request_uri": request_uri})
        return AuthorizationRequest(
            url=rewrite(f"{self.server.authorization_endpoint}?{query}"),
            redirect_uri=self.redirect_uri,
            redirect_kind=RedirectKind.LOOPBACK,
            listener_port=port,
            expires_in=self._timeout,
        )

    def submit(self, pasted: str) -> None:
        """The address the browser ended on (a bare code is refused: the issuer must be checked)."""
        from providers.auth.callback import parse_query
        from providers.errors import CallbackRejected

        if self._answer.done:
            raise CallbackRejected(f"{NAME}: this link request already has its answer.")
        parts = urlsplit(pasted.strip())
        if (parts.path or "/") != "/callback" or not parts.query:
            raise CallbackRejected(
                f"{NAME}: paste the whole address the browser ended on ({self.redirect_uri}…)."
            )
        self._answer.accept(lambda: self._check(parse_query(parts.query)))

    async def cancel(self) -> None:
        self._waiter.cancel()
        self._answer.close_listener()

    async def wait(self) -> Token:
        return await self._answer.exchange(self._waiter, self._exchange)

    async def _exchange(self, code: str) -> Token:
        from providers.http import async_client

        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": self._verifier,
            "client_id": self.client_id,
        }
        token = {"dpop_jwk": self._key.private_jwk()}
        async with async_client() as client:
            response = await dpop_request(
                client, "POST", self.server.token_endpoint, token, data=form, authorize=False
            )
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if response.status_code != 200:
            raise LinkError(
                f"{NAME} refused the sign-in code ({answer.get('error') or response.status_code})."
            )
        result = _session_token(answer, self._key, self.server, self.client_id)
        if not result.get("did") or not result.get("refresh_token"):
            raise LinkError(
                f"{NAME}: the token endpoint answered without the account (sub) or a refresh token."
            )
        result["pds"] = await verify_identity(result["did"], self.server.issuer)
        result["refresh_expires_at"] = int(clock.timestamp()) + SESSION_SECONDS
        return result
