"""The small code part of a network: what linking needs beyond the declarative spec.

Why a separate, tiny layer: the spec says *what* a network is (endpoints, scopes, limits); an
adapter does the few things that differ in code: how linkdeck gets its client credentials there
(a developer app from the settings, or registering itself on a Mastodon server), who the signed-in
user is, and how to revoke. The OAuth mechanics are the engine's (providers.auth); orchestration is
providers.linking. A network opts in with an entry in :data:`ADAPTERS` (its adapter class in a
``<network>_adapter`` module; the catalog modules themselves stay pure specs); :func:`adapter_for`
returns None for networks whose linking is not built yet.

Public API::

    Profile(remote_id, handle, display_name, avatar_url=None, targets=[(kind, id, name), …])
    LinkAdapter: spec, default_port, client_config(instance, redirect_uris), profile(token, instance),
                 revoke(token, instance)
    adapter_for(network_id, *, store=None, vault=None) -> LinkAdapter | None
    response_problem(network_name, response, what) -> str      # an HTTP error as a sentence
    cache_avatar(store, url) -> str | None                      # download into paths.avatar_dir()

Publishing is the same idea one step later: a :class:`Publisher` per network (registered in
:data:`PUBLISHERS`, in a ``<network>_publish`` module) turns a stored post into a post on the
network; :func:`publisher_for` returns None where publishing is not built yet. The outbox
(providers.outbox) owns the state machine around it; a publisher only talks to its network::

    Publisher: spec, recovery, idempotency_seconds, name(account), profile_url(account),
               limits(account) -> NetworkSpec, publish(account, post, delivery, token, *, report),
               lookup(account, post, delivery, token) -> PublishResult | None
    publisher_for(network_id, *, client) -> Publisher | None;  can_publish(network_id) -> bool
"""

from __future__ import annotations

import hashlib
import importlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from providers import catalog
from providers.catalog.spec import NetworkSpec

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import ClientConfig, Token
    from providers.publishing.types import PublishResult, Recovery, Reporter
    from providers.store import Account, Delivery, Post, Store
    from providers.vault import Vault

log = logging.getLogger("linkdeck.catalog.adapter")

AVATAR_MAX_BYTES = 2 * 1024 * 1024
_AVATAR_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}


@dataclass(frozen=True)
class Profile:
    """Who was linked, as the network reports it. ``targets``: places the account can publish to
    (kind, id, name), when the network has more than the account itself (Pages, boards, blogs)."""

    remote_id: str
    handle: str
    display_name: str
    avatar_url: str | None = None
    targets: list[tuple[str, str, str]] = field(default_factory=list)


class LinkAdapter(Protocol):
    spec: NetworkSpec
    default_port: int  # the loopback redirect port when the settings do not name one

    async def client_config(self, instance: str | None, redirect_uris: list[str]) -> ClientConfig:
        """Client credentials and endpoints valid for these redirect URIs (registering if needed)."""
        ...

    async def profile(self, token: Token, instance: str | None) -> Profile: ...

    async def revoke(self, token: Token, instance: str | None) -> bool:
        """True only when the network confirmed the revocation. Never raises for network trouble."""
        ...


# Network id → "module:class" of its adapter. Adapters live in their own modules next to the
# specs (catalog modules stay declarative: they import only the spec); the class is called with
# (spec, store, vault). Pixelfed reuses the Mastodon adapter with its differences.
ADAPTERS: dict[str, str] = {
    "mastodon": "providers.catalog.mastodon_adapter:MastodonAdapter",
    "pixelfed": "providers.catalog.mastodon_adapter:PixelfedAdapter",
    "bluesky": "providers.catalog.bluesky_adapter:BlueskyAdapter",
}


def adapter_for(
    network_id: str, *, store: Store | None = None, vault: Vault | None = None
) -> LinkAdapter | None:
    """The network's adapter, or None when linking it is not built yet. ``store`` and ``vault``
    (opened with the defaults when not given) hold what an adapter caches, e.g. registered apps."""
    target = ADAPTERS.get(network_id)
    if target is None:
        return None
    module_name, _, class_name = target.partition(":")
    factory = getattr(importlib.import_module(module_name), class_name)
    if store is None:
        from providers.store import Store

        store = Store.open()
    if vault is None:
        from providers.vault import Vault

        vault = Vault()
    adapter: LinkAdapter = factory(catalog.get(network_id), store, vault)
    return adapter


class Publisher(Protocol):
    """Publishes stored posts to one network (or one of its instances).

    ``recovery`` says what crash recovery may do with a delivery whose process died while sending:
    resend with the same idempotency key (the network dedupes it for ``idempotency_seconds``),
    look the post up (:meth:`lookup`), or neither (a person must check :meth:`profile_url`).
    An idempotent publisher whose :meth:`lookup` also works (for when the key has expired) sets
    the optional class attribute ``can_lookup = True``.
    """

    spec: NetworkSpec
    recovery: Recovery
    idempotency_seconds: float | None

    def name(self, account: Account) -> str:
        """The network as messages name it: "Mastodon (mastodon.social)"."""
        ...

    def profile_url(self, account: Account) -> str | None:
        """Where a person can see the account's posts (the link of an "unknown — check")."""
        ...

    async def limits(self, account: Account) -> NetworkSpec:
        """The catalog spec with this account's server's own limits on top (read live where the
        network publishes them), for judging media and captions before anything is sent."""
        ...

    async def publish(
        self,
        account: Account,
        post: Post,
        delivery: Delivery,
        token: Token,
        *,
        report: Reporter | None = None,
    ) -> PublishResult:
        """Upload the media (streamed), then create the post with ``delivery.idempotency_key``.
        Raises PublishError. Awaits ``report.committing()`` right before the creating request."""
        ...

    async def lookup(
        self, account: Account, post: Post, delivery: Delivery, token: Token
    ) -> PublishResult | None:
        """The post, if the network has it (recovery.LOOKUP); None when it does not."""
        ...


# Network id → "module:class" of its publisher, called with (spec, client: httpx2.AsyncClient).
PUBLISHERS: dict[str, str] = {
    "mastodon": "providers.catalog.mastodon_publish:MastodonPublisher",
    "pixelfed": "providers.catalog.mastodon_publish:PixelfedPublisher",
    "bluesky": "providers.catalog.bluesky_publish:BlueskyPublisher",
}


def can_publish(network_id: str) -> bool:
    return network_id in PUBLISHERS


def publisher_for(network_id: str, *, client: httpx2.AsyncClient) -> Publisher | None:
    """The network's publisher sharing ``client`` (one connection pool per run), or None when
    publishing to it is not built yet."""
    target = PUBLISHERS.get(network_id)
    if target is None:
        return None
    module_name, _, class_name = target.partition(":")
    factory = getattr(importlib.import_module(module_name), class_name)
    publisher: Publisher = factory(catalog.get(network_id), client)
    return publisher


def server_message(response: httpx2.Response) -> str:
    """The error text a server put in its JSON body (Mastodon ``error``/``error_description``,
    Laravel ``message``), made safe to show; '' when there is none."""
    from providers.auth.callback import clean_text

    try:
        body: Any = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    parts = [str(body[k]) for k in ("error", "error_description", "message") if isinstance(body.get(k), str)]
    unique = list(dict.fromkeys(p for p in parts if p))
    return clean_text(": ".join(unique))


def response_problem(network_name: str, response: httpx2.Response, what: str) -> str:
    """A sentence for a failed API call, naming the network, what was being done and the rule."""
    status = response.status_code
    detail = server_message(response)
    said = f" ({detail})" if detail else ""
    if status == 401:
        return f"{network_name} did not accept the access token when {what}{said}; link the account again."
    if status == 403:
        return f"{network_name} refused {what}: the token lacks the permission{said}."
    if status == 404:
        return f"{network_name}: the server has no such endpoint for {what} (HTTP 404); is the address right?"
    if status == 422:
        return f"{network_name} refused {what}{said or ' (HTTP 422)'}."
    if status == 429:
        wait = response.headers.get("Retry-After") or response.headers.get("X-RateLimit-Reset")
        later = f"after {wait}" if wait else "in a few minutes"
        return f"{network_name} is rate-limiting requests ({what}); try again {later}."
    if status >= 500:
        return f"{network_name} had a server error (HTTP {status}) when {what}; try again later."
    return f"{network_name} answered HTTP {status} when {what}{said}."


async def cache_avatar(store: Store, url: str | None) -> str | None:
    """Download the avatar into the avatar cache and record it; the local path, or None when it
    could not be fetched (never fatal: the card shows initials instead)."""
    if not url:
        return None
    cached = store.avatar_for(url)
    if cached is not None:
        return cached.path
    from providers import paths
    from providers.http import async_client

    try:
        async with async_client(follow_redirects=True, timeout=15.0) as client:
            response = await client.get(url)
    except Exception as exc:  # a missing avatar must not fail the link
        log.warning("avatar not fetched: %s", type(exc).__name__)
        return None
    ctype = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if response.status_code != 200 or ctype not in _AVATAR_TYPES or len(response.content) > AVATAR_MAX_BYTES:
        log.warning(
            "avatar not cached: HTTP %s, %s, %d bytes", response.status_code, ctype, len(response.content)
        )
        return None
    name = hashlib.sha256(url.encode()).hexdigest()[:24] + _AVATAR_TYPES[ctype]
    path = paths.avatar_dir() / name
    temporary = path.with_suffix(path.suffix + ".part")
    temporary.write_bytes(response.content)
    temporary.replace(path)
    store.cache_avatar(url, path)
    return str(path)
