"""Publishing building blocks shared by the networks' publishers: a streamed multipart upload body
(:mod:`.multipart`), a server's own limits applied to a spec (:mod:`.instance_limits`), and the
Mastodon-API publisher both Mastodon and Pixelfed are built on (:mod:`.mastodon_api`).

The publisher interface and its result and error types are in providers.interface; each
network's publisher is in its package (``providers/networks/<id>/publish.py``); HTTP failures
become errors in providers.failures; the delivery state machine that calls publishers is
:mod:`providers.outbox`.
"""
