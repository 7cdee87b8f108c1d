"""What the emulated networks are built from: the parsed request and a small router
(:mod:`.framework`), a strict OAuth 2 server (:mod:`.oauth`, :mod:`.oauth_consent`,
:mod:`.grants`), real consent pages (:mod:`.pages`), the demo users (:mod:`.people`), and the
Mastodon-API emulator the Mastodon and Pixelfed emulations share (:mod:`.mastodon_api`), and
Google's one sign-in the Google networks' emulations share (:mod:`.google`: its hosts are served
once, through a network's ``SHARED``, never claimed by a network).

Apart from :mod:`providers.sandbox`, the server that hosts the emulations, so that each network's
emulator (``providers/networks/<id>/sandbox.py``) builds on these without importing the server
that finds it: the server → the networks → these, never round.
"""
