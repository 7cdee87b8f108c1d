"""Shapes shared by the OAuth engine, the network adapters and the UI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

Token = dict[str, Any]  # as the token endpoint returned it (plus "expires_at"), kept only in the vault

OOB_REDIRECT = "urn:ietf:wg:oauth:2.0:oob"


def token_expiry(token: Token) -> datetime | None:
    """When the sign-in runs out: the refresh token's expiry when the token says (Bluesky: the
    2-hour access JWT is renewed silently, the 90-day refresh JWT is what needs a reconnect;
    Pinterest's 60-day continuous refresh token), else the access token's."""
    value: Any = token.get("refresh_expires_at", token.get("expires_at"))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return None


class RedirectKind(StrEnum):
    LOOPBACK = "loopback"  # http://127.0.0.1:PORT/callback, answered by our one-shot listener
    OOB = "oob"  # the network shows the code on its own page; the user pastes it
    RELAY = "relay"  # the served page's /oauth/callback hands it to the flow (textual-serve)
    # The network's own hosted page (a broker's linking page): nothing comes back through a
    # redirect (no code, no state); the flow reads the outcome from the network's API.
    HOSTED = "hosted"


@dataclass(frozen=True)
class ClientConfig:
    """Everything the engine needs to talk OAuth to one network (or one instance of it)."""

    network_name: str  # for messages: "Mastodon (mastodon.social)"
    client_id: str
    authorize_url: str
    token_url: str
    scopes: tuple[str, ...] = ()
    client_secret: str | None = field(default=None, repr=False)
    revoke_url: str | None = None
    device_url: str | None = None  # RFC 8628 device authorization endpoint
    pkce: bool = True  # S256 only; never "plain"
    # How the client authenticates at the token endpoint: "none" (public), "client_secret_post",
    # "client_secret_basic".
    token_auth_method: str = "none"
    scope_separator: str = " "
    extra_authorize_params: dict[str, str] = field(default_factory=dict)
    # The User-Agent of the token, refresh and revoke calls, where the network wants its own
    # (Reddit: "<platform>:<app ID>:<version>"); None: linkdeck's default.
    user_agent: str | None = None
    # Sent with every code exchange and refresh (Pinterest's continuous_refresh=true).
    extra_token_params: dict[str, str] = field(default_factory=dict)
    # A refresh token's lifetime the token answer does not carry (the spec's refresh_token_seconds):
    # each token with a refresh token gets "refresh_expires_at" from it.
    refresh_token_seconds: int | None = None
    # A token that renews itself instead of a refresh token (Meta's long-lived Instagram and
    # Threads tokens): GET ``renew_url?grant_type=<renew_grant>&access_token=<the token>`` answers a
    # new one; ``renew_ahead_seconds``: renew once fewer seconds than this are left (0: only when
    # it is about to run out, as refresh tokens are used). The token keeps the same number as
    # ``renew_ahead_seconds`` so the outbox knows to ask without reading every network's config.
    renew_url: str | None = None
    renew_grant: str = ""
    renew_ahead_seconds: int = 0
    # OAuth 1.0a only
    request_token_url: str | None = None
    access_token_url: str | None = None

    def http_headers(self) -> dict[str, str]:
        """Headers every call of this client sends (its own User-Agent, when it has one)."""
        return {"User-Agent": self.user_agent} if self.user_agent else {}


@dataclass(frozen=True)
class AuthorizationRequest:
    """What the user must open; the state and verifier stay inside the flow object."""

    url: str  # already passed through providers.http.rewrite (sandbox rule)
    redirect_uri: str
    redirect_kind: RedirectKind
    listener_port: int | None = None  # the loopback port, for users who forward it over SSH
    expires_in: float | None = None  # seconds until the flow gives up


@dataclass(frozen=True)
class DeviceCode:
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_in: float
    interval: float
