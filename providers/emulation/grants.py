"""What the sandbox's authorization server remembers, and the small rules around it: registered
apps, pending consent requests, codes, issued tokens, the per-network :class:`OAuthPolicy`, the
shared :class:`Clock` tests can move forward, and :class:`Ledger`, which keeps them: registering
apps, issuing, revoking and looking up tokens.

Separate from the endpoints (:mod:`.oauth`, :mod:`.oauth_consent`) so the records read as a data
model. Secret fields are kept out of reprs; everything lives in memory only.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
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


class Ledger:
    """The authorization server's memory and what changes it; the endpoints build on it."""

    def __init__(self, policy: OAuthPolicy, clock: Clock) -> None:
        self.policy = policy
        self.clock = clock
        self.apps: dict[str, App] = {}
        self.pending: dict[str, Pending] = {}
        self.grants: dict[str, Grant] = {}
        self.tokens: dict[str, Issued] = {}  # access token → its record
        self.refresh_tokens: dict[str, Issued] = {}  # refresh token → the same record
        self._next_app = 1

    def register(self, name: str, website: str | None, redirect_uris: list[str], scopes: list[str]) -> App:
        number = self._next_app
        self._next_app += 1
        client_id = str(number) if self.policy.numeric_client_ids else secrets.token_urlsafe(32)
        app = App(
            id=str(number),
            name=name,
            website=website,
            client_id=client_id,
            client_secret=secrets.token_urlsafe(32),
            redirect_uris=redirect_uris,
            scopes=scopes,
            created_at=self.clock.now(),
        )
        self.apps[client_id] = app
        return app

    def issue(self, app: App, user_id: str | None, scopes: list[str], refresh: bool = True) -> Issued:
        now = self.clock.now()
        policy = self.policy
        issued = Issued(
            token=secrets.token_urlsafe(32),
            client_id=app.client_id,
            user_id=user_id,
            scopes=list(scopes),
            created_at=now,
            expires_at=now + policy.access_seconds if policy.access_seconds else None,
        )
        if refresh and policy.refresh_seconds is not None:
            issued.refresh = secrets.token_urlsafe(32)
            issued.refresh_expires_at = now + policy.refresh_seconds
            self.refresh_tokens[issued.refresh] = issued
        self.tokens[issued.token] = issued
        return issued

    def find(self, token: str) -> Issued | None:
        """The record of an access or a refresh token."""
        return self.tokens.get(token) or self.refresh_tokens.get(token)

    @staticmethod
    def revoke_issued(issued: Issued | None) -> None:
        if issued is not None:
            issued.revoked = True

    def revoke_app_for_user(self, client_id: str, user_id: str) -> int:
        """The user's "authorized applications" page: revoke every token of one app."""
        found = [t for t in self.tokens.values() if t.client_id == client_id and t.user_id == user_id]
        for issued in found:
            self.revoke_issued(issued)
        return len(found)

    def authorized_apps(self, user_id: str) -> list[tuple[App, list[str]]]:
        live = [t for t in self.tokens.values() if t.user_id == user_id and not t.revoked]
        seen: dict[str, list[str]] = {}
        for issued in live:
            seen.setdefault(issued.client_id, [])
            seen[issued.client_id] += [s for s in issued.scopes if s not in seen[issued.client_id]]
        return [(self.apps[cid], scopes) for cid, scopes in seen.items() if cid in self.apps]

    def accepts(self, token: str) -> bool:
        """Whether ``token`` (an access or a refresh token) still works here."""
        issued = self.find(token)
        if issued is None or issued.revoked:
            return False
        expires = issued.expires_at if issued.token == token else issued.refresh_expires_at
        return expires is None or expires >= self.clock.now()
