"""Linking Mastodon: the dynamic-registration sign-in on the user's server as it is, with the
server's code page (oob) for users without a browser on this machine (both from the spec)."""

from __future__ import annotations

from providers.signin.registered import RegisteredAppSignIn


class MastodonSignIn(RegisteredAppSignIn):
    pass


SIGN_IN = MastodonSignIn
