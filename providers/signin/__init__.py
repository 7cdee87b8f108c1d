"""The base sign-ins a network links on, one per way networks let apps in; the spec decides which
(:attr:`providers.spec.NetworkSpec.sign_in`) and drives it (endpoints, scopes, PKCE, ports):

==================  =======================================  ==================================
SignInKind          base                                     what the network adds
==================  =======================================  ==================================
REGISTERED          registered.RegisteredAppSignIn           its scope quirks (Mastodon API)
DEVELOPER_APP       developer_app.DeveloperAppSignIn          parse_profile (about 20 lines)
DEVICE              developer_app.DeviceGrantSignIn           parse_profile
OAUTH1              oauth1.OAuth1SignIn                       profile (a signed call)
PASTED_TOKEN        pasted_token.PastedTokenSignIn            profile (check the token)
CREDENTIALS         credentials.CredentialsSignIn             fields, sign_in, browser route
==================  =======================================  ==================================

Atproto (Bluesky) is CREDENTIALS: a handle and an app password, or, with the password left empty,
atproto OAuth in the browser (PAR, DPoP, PKCE), whose protocol code lives in Bluesky's package.
"""

from __future__ import annotations

from providers.spec import SignInKind


def base_for(kind: SignInKind) -> type:
    """The base (a providers.interface.SignIn) a network of this kind builds its sign-in on
    (checked by the contract tests); imported on demand: each base pulls in part of providers.auth."""
    from providers.signin.credentials import CredentialsSignIn
    from providers.signin.developer_app import DeveloperAppSignIn, DeviceGrantSignIn
    from providers.signin.oauth1 import OAuth1SignIn
    from providers.signin.pasted_token import PastedTokenSignIn
    from providers.signin.registered import RegisteredAppSignIn

    bases: dict[SignInKind, type] = {
        SignInKind.REGISTERED: RegisteredAppSignIn,
        SignInKind.DEVELOPER_APP: DeveloperAppSignIn,
        SignInKind.DEVICE: DeviceGrantSignIn,
        SignInKind.OAUTH1: OAuth1SignIn,
        SignInKind.PASTED_TOKEN: PastedTokenSignIn,
        SignInKind.CREDENTIALS: CredentialsSignIn,
    }
    return bases[kind]
