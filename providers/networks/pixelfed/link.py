"""Linking Pixelfed: the same dynamic registration and account call as the Mastodon API."""

from __future__ import annotations

from providers.signin.registered import RegisteredAppSignIn


class PixelfedSignIn(RegisteredAppSignIn):
    """Pixelfed: no oob page (the spec has none), no ``profile`` scope or version logic (its
    scopes are ``read write``), and no revoke endpoint. PKCE S256 is still sent (the spec does not
    claim it, as unverified; Passport's league/oauth2-server checks S256 when present and a server
    without PKCE ignores the parameters), and tokens come with a refresh token, kept in the vault
    for providers.auth.refresh."""

    async def wanted_scopes(self, instance: str) -> tuple[str, ...]:
        return self.spec.scopes


SIGN_IN = PixelfedSignIn
