"""Publishing building blocks shared by every network's publisher: the result and error types
(:mod:`.types`), a streamed multipart upload body (:mod:`.multipart`) and the mapping of HTTP
failures to what the user can do about them (:mod:`.failures`).

The publishers themselves live next to each network's linking adapter (``providers/catalog/
<network>_publish.py``) and are found through ``providers.catalog.adapter.publisher_for``; the
delivery state machine that calls them is :mod:`providers.outbox`.
"""
