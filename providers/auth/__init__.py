"""The OAuth engine: authorization code + PKCE with a loopback listener or paste-back, OAuth 1.0a,
the device authorization grant, refresh and revocation. Network-neutral: adapters describe a
network with a :class:`~providers.auth.types.ClientConfig` and these modules do the rest.
"""
