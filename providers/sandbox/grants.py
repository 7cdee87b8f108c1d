"""What the sandbox's authorization server remembers, and the small rules around it: registered
apps, pending consent requests, codes, issued tokens, the per-network :class:`OAuthPolicy`, and the
shared :class:`Clock` tests can move forward.

Separate from :mod:`.oauth` (the endpoints) so the records read as a data model. Secret fields are
kept out of reprs; everything lives in memory only.
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

OOB = "urn:ietf:wg:oauth:2.0:oob"


class Clock:
    """Time for every emulated host; tests move it forward (``POST /__sandbox__/clock``)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset


@dataclass(frozen=True)
class OAuthPolicy:
    network: str  # "Mastodon", shown on pages
    known_scopes: frozenset[str]
    default_scope: str
    require_pkce: bool
    access_seconds: int | None  # None: never expires
    refresh_seconds: int | None  # None: no refresh tokens
    passport: bool = False  # Laravel Passport error/token bodies instead of Doorkeeper's
    numeric_client_ids: bool = False


@dataclass
class App:
    id: str
    name: str
    website: str | None
    client_id: str
    client_secret: str = field(repr=False)
    redirect_uris: list[str]
    scopes: list[str]
    created_at: float


@dataclass
class Issued:
    """An access token (and its refresh token, if any)."""

    token: str = field(repr=False)
    client_id: str
    user_id: str | None  # None: an app token (client_credentials)
    scopes: list[str]
    created_at: float
    expires_at: float | None
    refresh: str | None = field(default=None, repr=False)
    refresh_expires_at: float | None = None
    revoked: bool = False


@dataclass
class Grant:
    code: str = field(repr=False)
    client_id: str
    user_id: str
    redirect_uri: str
    scopes: list[str]
    challenge: str | None
    expires_at: float
    used: bool = False
    issued: list[str] = field(default_factory=list)


@dataclass
class Pending:
    """An authorization request waiting on the consent page; keyed by a one-time form token."""

    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str | None
    challenge: str | None
    expires_at: float


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def redirect_uri_problem(uri: str) -> str | None:
    """Doorkeeper's redirect URI validation: absolute, no fragment, no script schemes; oob allowed;
    http allowed (Mastodon sets force_ssl_in_redirect_uri false)."""
    if uri == OOB:
        return None
    parts = urlsplit(uri)
    if not parts.scheme or not (parts.netloc or parts.scheme not in ("http", "https")):
        return "must be an absolute URI."
    if parts.fragment:
        return "cannot contain a fragment."
    if parts.scheme.lower() in ("data", "vbscript", "javascript"):
        return "is forbidden by the server."
    return None


def with_query(uri: str, params: dict[str, str | None]) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{uri}{'&' if '?' in uri else '?'}{query}"
