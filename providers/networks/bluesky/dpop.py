"""DPoP (RFC 9449) for Bluesky's atproto OAuth: the ES256 key, proofs, requests that follow the
servers' nonces, and discovery of a PDS's authorization server.

Why nonces are remembered per origin: an atproto authorization server and each PDS hand out their
own ``DPoP-Nonce`` and rotate it every few minutes; a proof without the current one is answered
``use_dpop_nonce`` (400 from the authorization server, 401 from a PDS) with the new nonce, and
:func:`dpop_request` retries once with it. The key is as secret as the tokens bound to it: it is
kept in the vault with them (``dpop_jwk``), a new one per sign-in.

Public API::

    DPoPKey.new() / DPoPKey.from_jwk(jwk); key.public_jwk(); key.private_jwk(); key.proof(…)
    await dpop_request(client, method, url, token, *, authorize=True, **httpx_kwargs) -> Response
    await discover(pds) -> OAuthServer | None
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from providers import clock

if TYPE_CHECKING:
    from collections.abc import Mapping

    import httpx2

    from providers.auth.types import Token

log = logging.getLogger("linkdeck.catalog.bluesky.oauth")

_nonces: dict[str, str] = {}  # origin → the newest DPoP-Nonce it sent


@dataclass(frozen=True)
class OAuthServer:
    """An atproto OAuth authorization server, as its metadata describes it."""

    issuer: str
    par_endpoint: str
    authorization_endpoint: str
    token_endpoint: str
    revocation_endpoint: str | None
    dpop_algs: tuple[str, ...]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class DPoPKey:
    """An ES256 (P-256) key that proves possession of the tokens bound to it (RFC 9449)."""

    def __init__(self, private: Any) -> None:
        self._private = private

    @classmethod
    def new(cls) -> DPoPKey:
        from cryptography.hazmat.primitives.asymmetric import ec

        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> DPoPKey:
        from cryptography.hazmat.primitives.asymmetric import ec

        numbers = ec.EllipticCurvePrivateNumbers(
            int.from_bytes(_unb64(str(jwk["d"])), "big"),
            ec.EllipticCurvePublicNumbers(
                int.from_bytes(_unb64(str(jwk["x"])), "big"),
                int.from_bytes(_unb64(str(jwk["y"])), "big"),
                ec.SECP256R1(),
            ),
        )
        return cls(numbers.private_key())

    def public_jwk(self) -> dict[str, str]:
        numbers = self._private.public_key().public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": _b64(numbers.x.to_bytes(32, "big")),
            "y": _b64(numbers.y.to_bytes(32, "big")),
        }

    def private_jwk(self) -> dict[str, str]:
        """For the vault only: the key is as secret as the tokens it binds."""
        d = self._private.private_numbers().private_value
        return {**self.public_jwk(), "d": _b64(d.to_bytes(32, "big"))}

    def proof(self, method: str, url: str, nonce: str | None = None, access_token: str | None = None) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        parts = urlsplit(url)
        claims: dict[str, Any] = {
            "jti": secrets.token_urlsafe(16),
            "htm": method.upper(),
            "htu": urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")),
            "iat": int(clock.timestamp()),
        }
        if nonce:
            claims["nonce"] = nonce
        if access_token:
            claims["ath"] = _b64(hashlib.sha256(access_token.encode("ascii")).digest())
        header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": self.public_jwk()}
        signing_input = ".".join(
            _b64(json.dumps(p, separators=(",", ":")).encode()) for p in (header, claims)
        )
        r, s = decode_dss_signature(self._private.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def _wants_nonce(response: httpx2.Response) -> bool:
    if response.status_code not in (400, 401):
        return False
    if "use_dpop_nonce" in response.headers.get("WWW-Authenticate", ""):
        return True
    try:
        return bool(response.json().get("error") == "use_dpop_nonce")
    except (ValueError, AttributeError):
        return False


async def dpop_request(
    client: httpx2.AsyncClient, method: str, url: str, token: Token, **kwargs: Any
) -> httpx2.Response:
    """A request with a DPoP proof (and ``Authorization: DPoP`` when ``token`` has an access
    token); once more with the server's nonce when it asks for one."""
    key = DPoPKey.from_jwk(token["dpop_jwk"])
    access = token.get("access_token") if kwargs.pop("authorize", True) else None
    extra = dict(kwargs.pop("headers", {}) or {})
    origin = _origin(url)
    response = None
    for attempt in (1, 2):
        headers = {**extra, "DPoP": key.proof(method, url, _nonces.get(origin), access)}
        if access:
            headers["Authorization"] = f"DPoP {access}"
        response = await client.request(method, url, headers=headers, **kwargs)
        nonce = response.headers.get("DPoP-Nonce")
        if nonce:
            _nonces[origin] = nonce
        if attempt == 1 and nonce and _wants_nonce(response):
            continue
        break
    assert response is not None
    return response


async def discover(pds: str) -> OAuthServer | None:
    """The PDS's atproto OAuth authorization server; None when it offers none (or not fully)."""
    from providers.http import async_client

    try:
        async with async_client(timeout=10.0) as client:
            resource = (await client.get(f"{pds.rstrip('/')}/.well-known/oauth-protected-resource")).json()
            issuer = (resource.get("authorization_servers") or [None])[0]
            if not isinstance(issuer, str):
                return None
            meta = (await client.get(f"{issuer.rstrip('/')}/.well-known/oauth-authorization-server")).json()
    except Exception as exc:
        log.info("no atproto OAuth at %s: %s", pds, type(exc).__name__)
        return None
    needed = ("pushed_authorization_request_endpoint", "authorization_endpoint", "token_endpoint")
    if (
        not isinstance(meta, dict)
        or meta.get("issuer") != issuer
        or not all(isinstance(meta.get(k), str) for k in needed)
        or "S256" not in meta.get("code_challenge_methods_supported", [])
        or "ES256" not in meta.get("dpop_signing_alg_values_supported", [])
    ):
        return None
    revocation = meta.get("revocation_endpoint")
    return OAuthServer(
        issuer=issuer,
        par_endpoint=meta["pushed_authorization_request_endpoint"],
        authorization_endpoint=meta["authorization_endpoint"],
        token_endpoint=meta["token_endpoint"],
        revocation_endpoint=revocation if isinstance(revocation, str) else None,
        dpop_algs=tuple(str(a) for a in meta.get("dpop_signing_alg_values_supported", [])),
    )
