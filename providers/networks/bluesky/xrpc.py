"""Plain XRPC for Bluesky: one request helper, its errors, the app-password session token, and
handle → DID → PDS resolution.

Why plain XRPC and not the ``atproto`` SDK: linkdeck needs about ten endpoints, and every request
must go through providers.http (the ``LINKDECK_SANDBOX_URL`` rewrite, our timeout and User-Agent).

XRPC errors are JSON ``{"error": "InvalidRequest", "message": "…"}``. A PDS answers an expired
access token with HTTP 400 ``ExpiredToken`` (not 401), and a revoked refresh token the same way.

The session keeper (refreshes) is in :mod:`.bluesky_session`.

Public API::

    await call(method, base, nsid, what=…, token=None, session=None, params=None, json=None,
               content=None, content_type=None, timeout=30.0, client=None) -> httpx2.Response
    error_of(response) -> (code, message);  XrpcError.of(response, what)
    jwt_expiry(jwt) -> int | None;  session_token(body, pds) -> Token
    await resolve_handle(service, handle) -> did | None;  await did_document(did, directory=None) -> dict
    pds_of(document) -> str | None;  await resolve_pds(handle, service) -> (did, pds);  plc_url() -> str
"""

from __future__ import annotations

import base64
import contextlib
import json as jsonlib
import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from providers.auth.types import Token
from providers.errors import LinkError, NetworkRefused

if TYPE_CHECKING:
    import httpx2


log = logging.getLogger("linkdeck.catalog.bluesky")

NAME = "Bluesky"
PLC_URL = "https://plc.directory"
PLC_ENV = "LINKDECK_BLUESKY_PLC_URL"  # another PLC directory (a local one in tests)
# Error codes that mean "this token is no good", whatever the HTTP status (400 or 401).
TOKEN_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"})


class RenewLater(LinkError):
    """The session could not be renewed *now* (offline, rate-limited, server trouble); the account
    keeps its state and a later try may work."""


class XrpcError(NetworkRefused):
    """A PDS refused a call. ``code``/``detail`` are the server's ``error``/``message``."""

    def __init__(
        self, message: str, *, status: int, code: str, detail: str, retry_after: str | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.detail, self.retry_after = status, code, detail, retry_after

    @classmethod
    def of(cls, response: httpx2.Response, what: str) -> XrpcError:
        code, detail = error_of(response)
        status = response.status_code
        retry = retry_after(response)
        said = f" ({code}: {detail})" if detail else (f" ({code})" if code else "")
        if status == 429:
            later = f"after {retry}" if retry else "in a few minutes"
            message = f"{NAME} is rate-limiting requests ({what}){said}; try again {later}."
        elif status >= 500:
            message = f"{NAME} had a server error (HTTP {status}) when {what}{said}; try again later."
        elif code in TOKEN_ERRORS or status == 401:
            message = f"{NAME} did not accept the saved sign-in when {what}{said}; link the account again."
        else:
            message = f"{NAME} refused {what} (HTTP {status}){said}."
        return cls(message, status=status, code=code, detail=detail, retry_after=retry)


def error_of(response: httpx2.Response) -> tuple[str, str]:
    """The XRPC ``error`` code and ``message`` of a failed call, made safe to show."""
    from providers.auth.callback import clean_text

    try:
        body: Any = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    code, message = body.get("error"), body.get("message")
    return (
        clean_text(code, 60) if isinstance(code, str) else "",
        clean_text(message) if isinstance(message, str) else "",
    )


def retry_after(response: httpx2.Response) -> str | None:
    """When to try again: Retry-After (seconds or a date), else RateLimit-Reset (a Unix time)."""
    value = response.headers.get("Retry-After")
    if value:
        return f"{value} s" if value.strip().isdigit() else value
    reset = response.headers.get("RateLimit-Reset")
    if reset and reset.strip().isdigit():
        return time.strftime("%H:%M:%S UTC", time.gmtime(int(reset)))
    return None


async def call(
    method: str,
    base: str,
    nsid: str,
    *,
    what: str,
    token: str | None = None,
    session: Token | None = None,
    params: dict[str, Any] | None = None,
    json: dict[str, Any] | None = None,
    content: bytes | None = None,
    content_type: str | None = None,
    timeout: float = 30.0,
    client: httpx2.AsyncClient | None = None,
) -> httpx2.Response:
    """One XRPC request to ``base`` (a PDS or AppView URL), on ``client`` when given (a shared
    pool made by providers.http), else on a client of its own. ``token`` is a bearer JWT (the
    refresh JWT for refreshSession/deleteSession); ``session`` is a stored sign-in whose access
    token is sent the way it needs (Bearer for app passwords, DPoP for OAuth). Transport failures
    become LinkError naming Bluesky and ``what``; HTTP errors are returned for the caller to judge."""
    from providers.auth.failures import describe_http_failure
    from providers.http import async_client

    headers: dict[str, str] = {}
    if session is not None and session.get("method") != "oauth":
        token = str(session.get("access_token") or "")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if content_type:
        headers["Content-Type"] = content_type
    url = f"{base.rstrip('/')}/xrpc/{nsid}"
    kwargs: dict[str, Any] = {"params": params, "json": json, "content": content, "headers": headers}
    try:
        async with contextlib.AsyncExitStack() as stack:
            if client is None:
                client = await stack.enter_async_context(async_client(timeout=timeout))
            if session is not None and session.get("method") == "oauth":
                from providers.networks.bluesky.dpop import dpop_request

                return await dpop_request(client, method, url, session, timeout=timeout, **kwargs)
            return await client.request(method, url, timeout=timeout, **kwargs)
    except Exception as exc:
        raise LinkError(describe_http_failure(NAME, nsid, exc, then=f"Nothing was done ({what}).")) from None


def plc_url() -> str:
    """The PLC directory for did:plc documents: ``LINKDECK_BLUESKY_PLC_URL`` or plc.directory."""
    import os

    return os.environ.get(PLC_ENV, "").strip().rstrip("/") or PLC_URL


def jwt_expiry(jwt: str) -> int | None:
    """The ``exp`` claim of a JWT, read without verifying it (the PDS verifies; we only schedule
    refreshes). None when it cannot be read."""
    try:
        payload = jwt.split(".")[1]
        claims = jsonlib.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return int(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def session_token(body: dict[str, Any], pds: str) -> Token:
    """The vault's token for a createSession / refreshSession answer."""
    access, refresh = body.get("accessJwt"), body.get("refreshJwt")
    if not isinstance(access, str) or not access or not isinstance(refresh, str) or not refresh:
        raise LinkError(f"{NAME} answered the sign-in without a session (no accessJwt/refreshJwt).")
    token: Token = {
        "token_type": "Bearer",
        "access_token": access,
        "refresh_token": refresh,
        "method": "app_password",
        "pds": pds_of(body.get("didDoc")) or pds,
    }
    for key in ("did", "handle"):
        if isinstance(body.get(key), str):
            token[key] = body[key]
    for key, jwt in (("expires_at", access), ("refresh_expires_at", refresh)):
        exp = jwt_expiry(jwt)
        if exp is not None:
            token[key] = exp
    return token


# Identity ---------------------------------------------------------------------------------------


async def resolve_handle(service: str, handle: str) -> str | None:
    """``com.atproto.identity.resolveHandle`` at ``service``: the DID, or None when unknown."""
    response = await call(
        "GET",
        service,
        "com.atproto.identity.resolveHandle",
        what="looking up the handle",
        params={"handle": handle},
    )
    if response.status_code != 200:
        return None
    with contextlib.suppress(ValueError):
        did = response.json().get("did")
        if isinstance(did, str) and did.startswith("did:"):
            return did
    return None


async def did_document(did: str, directory: str | None = None) -> dict[str, Any]:
    """The DID document: from the PLC directory (did:plc; ``directory`` or :func:`plc_url`) or
    ``/.well-known/did.json`` (did:web)."""
    from providers.http import async_client

    if did.startswith("did:plc:"):
        url = f"{(directory or plc_url()).rstrip('/')}/{quote(did, safe=':')}"
    elif did.startswith("did:web:"):
        host = did.removeprefix("did:web:").replace("%3A", ":")
        url = f"https://{host}/.well-known/did.json"
    else:
        raise LinkError(f"{NAME}: {did} is not a DID linkdeck can resolve (did:plc or did:web).")
    try:
        async with async_client(timeout=15.0) as client:
            response = await client.get(url)
        document = response.json() if response.status_code == 200 else None
    except Exception as exc:
        raise LinkError(
            f"{NAME}: could not read the identity document of {did} ({type(exc).__name__})."
        ) from None
    if not isinstance(document, dict):
        raise LinkError(
            f"{NAME}: the identity document of {did} was not found (HTTP {response.status_code})."
        )
    return document


def pds_of(document: Any) -> str | None:
    """The ``#atproto_pds`` service endpoint of a DID document (https, or http on loopback)."""
    from providers.http import is_loopback

    if not isinstance(document, dict) or not isinstance(document.get("service"), list):
        return None
    for service in document["service"]:
        if not isinstance(service, dict) or not str(service.get("id", "")).endswith("#atproto_pds"):
            continue
        endpoint = service.get("serviceEndpoint")
        if isinstance(endpoint, str):
            scheme = urlsplit(endpoint).scheme
            if scheme == "https" or (scheme == "http" and is_loopback(endpoint)):
                return endpoint.rstrip("/")
    return None


async def resolve_pds(handle: str, service: str, directory: str | None = None) -> tuple[str, str]:
    """handle → DID (resolveHandle at ``service``) → DID document → the account's PDS URL."""
    did = handle if handle.startswith("did:") else await resolve_handle(service, handle)
    if did is None:
        raise LinkError(
            f"{NAME} could not find the handle @{handle}. Check the spelling (e.g. alice.bsky.social), "
            "or give your server's address with --instance."
        )
    pds = pds_of(await did_document(did, directory))
    if pds is None:
        raise LinkError(f"{NAME}: the identity document of @{handle} names no personal data server (PDS).")
    return did, pds
