"""The interface a network implements: the one module a network package imports its shapes from.

A network is a declarative spec (:class:`NetworkSpec`, re-exported here from providers.spec) plus,
when built, a :class:`SignIn` and a :class:`Publisher`. Both are base classes whose optional
abilities are *declared* (class attributes, or methods with a default), in the manner of
harlequin's adapters: the engine reads the declaration and never probes with ``getattr``.

Why these shapes:

- Linking is a conversation with the user that differs per network only in its steps (ask for a
  server, typed credentials, a browser page, a device code). A sign-in talks through a
  :class:`Conversation` (the link session implements it and turns each call into a typed step
  that the Link window and the command line render the same way), so no front end has a branch
  per network.
- The outbox must decide, for every failure, between "reconnect", "fix the media", "try later"
  and "refused" without knowing the network, and crash recovery must know whether a resend can
  duplicate a post (:class:`Recovery`). A publisher raises :class:`PublishError` (built by
  providers.failures from the answer) and declares its recovery.

Public API::

    Profile, CredentialField, Authorized, Conversation, BrowserFlow, DeviceCodeFlow
    SignIn(spec, store, vault, settings): authorize(talk, instance) -> Authorized,
        profile(token, instance), revoke(token, instance), refresh_config(instance),
        refresh_config_for(token, instance)
        declared: locates_instance, asks_instance
    Publisher(spec, client, staging=None): recovery, idempotency_seconds, can_lookup,
        stages_media, name, profile_url, limits, publish, lookup, error_code, error_words
        declared: reads_quota → quota(account, token) -> Quota | None; posts_stories
    PublishResult, PublishError, Quota, Recovery, Reporter

One module on purpose, past the house's ~300 lines: a network author reads one file to know
everything a network may implement (the spec's own types are defined in providers.spec and only
re-exported here).
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar, Protocol, TypeVar

from providers.errors import LinkError, PublishError
from providers.spec import (
    AuthCapabilities,
    AuthKind,
    Availability,
    CaptionCounting,
    CaptionLimits,
    Endpoints,
    MediaLimits,
    NetworkSpec,
    SignInKind,
    TargetKind,
)

if TYPE_CHECKING:
    from pathlib import Path

    import httpx2

    from providers.auth.types import AuthorizationRequest, ClientConfig, DeviceCode, Token
    from providers.failures import Rule
    from providers.settings import Settings
    from providers.store import Account, Delivery, Post, Store
    from providers.vault import Vault

__all__ = [
    "AuthCapabilities",
    "AuthKind",
    "Authorized",
    "Availability",
    "BrowserFlow",
    "CaptionCounting",
    "CaptionLimits",
    "Conversation",
    "CredentialField",
    "DeviceCodeFlow",
    "Endpoints",
    "LinkError",
    "MediaLimits",
    "NetworkSpec",
    "Profile",
    "PublishError",
    "PublishResult",
    "Publisher",
    "Quota",
    "Recovery",
    "Reporter",
    "SignIn",
    "SignInKind",
    "Staging",
    "TargetKind",
    "as_story",
    "is_story",
]

T = TypeVar("T")


# Linking -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """Who was linked, as the network reports it. ``targets``: places the account can publish to
    (kind, id, name), when the network has more than the account itself (Pages, boards, blogs).
    ``brand``: for a network that groups accounts by brand itself (an Ayrshare User Profile), that
    group's name; the account goes into linkdeck's brand of that name, made when new."""

    remote_id: str
    handle: str
    display_name: str
    avatar_url: str | None = None
    targets: list[tuple[str, str, str]] = field(default_factory=list)
    brand: str | None = None


@dataclass(frozen=True)
class CredentialField:
    """One value a network asks the user to type. ``secret``: mask it when typed (getpass, a
    password Input) and never echo, log or store it outside the vault."""

    name: str
    label: str
    secret: bool = False
    hint: str = ""
    required: bool = True  # False: may be left empty (Bluesky: no app password → browser sign-in)


@dataclass(frozen=True)
class Authorized:
    """What a sign-in ends with: the server the account lives on (None for single-host networks)
    and the token for the vault."""

    instance: str | None
    token: Token


class BrowserFlow(Protocol):
    """A sign-in on the network's own page (providers.auth's OAuth 2 and 1.0a flows, Bluesky's
    atproto OAuth): started once, answered by the loopback listener, a pasted address or code,
    or the served page's relay (keyed by ``relay_key``, None when the flow cannot be relayed)."""

    @property
    def relay_key(self) -> str | None: ...

    async def start(self) -> AuthorizationRequest: ...

    def submit(self, pasted: str) -> None: ...

    async def wait(self) -> Token: ...

    async def cancel(self) -> None: ...


class DeviceCodeFlow(Protocol):
    """The device grant (RFC 8628): a code the user types on the network's device page."""

    async def start(self) -> DeviceCode: ...

    async def wait(self) -> Token: ...

    async def cancel(self) -> None: ...


class Conversation(Protocol):
    """How a sign-in asks the user for things. The link session implements it: each call becomes
    a step the front end renders, and returns when the user has answered."""

    @property
    def relay_uri(self) -> str | None:
        """The served page's callback address under ``linkdeck serve`` (else None)."""
        ...

    async def fields(
        self, fields: Sequence[CredentialField], attempt: Callable[[Mapping[str, str]], Awaitable[T]]
    ) -> T:
        """Ask for ``fields`` until ``attempt(values)`` succeeds; a LinkError it raises is shown
        with the fields asked again."""
        ...

    async def browser(
        self,
        flow: BrowserFlow,
        *,
        code_page: BrowserFlow | None = None,
        device: DeviceCodeFlow | None = None,
    ) -> Token:
        """Start ``flow``, show (and where allowed open) its address, and return its token, from
        whichever answer comes first. ``code_page``: a second flow whose page shows a code to
        paste back (Mastodon's oob); ``device``: a device code offered as another way."""
        ...

    async def device(self, flow: DeviceCodeFlow) -> Token:
        """Start ``flow``, show its user code and page, and return the token once approved."""
        ...

    def progress(self, text: str) -> None:
        """What is happening now ("Signing in…"), for the status line."""
        ...


class SignIn(abc.ABC):
    """How one network links an account. Made by the registry with the spec, the store and the
    vault (for what a sign-in caches: registered apps, client secrets) and the settings.

    Declared abilities:

    - ``locates_instance``: a per-instance network whose sign-in can find the account's server
      by itself (Bluesky resolves the handle), so asking for the server is optional.
    """

    locates_instance: ClassVar[bool] = False

    def __init__(self, spec: NetworkSpec, store: Store, vault: Vault, settings: Settings) -> None:
        self.spec = spec
        self.store = store
        self.vault = vault
        self.settings = settings

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec.id}>"

    @property
    def port(self) -> int:
        """The loopback redirect port: the settings' ``[networks.<id>] port``, else the spec's
        registered port, else 0 (any free port)."""
        from providers.redirects import loopback_port

        return loopback_port(self.spec, self.settings)

    @abc.abstractmethod
    async def authorize(self, talk: Conversation, instance: str | None) -> Authorized:
        """Get a token, asking the user through ``talk``. LinkError names the network and the fix."""

    @abc.abstractmethod
    async def profile(self, token: Token, instance: str | None) -> Profile:
        """Who signed in."""

    async def revoke(self, token: Token, instance: str | None) -> bool:
        """True only when the network confirmed the revocation. Never raises for network trouble.
        The default: the network has no revoke call (``spec.capabilities.provider_revoke``)."""
        return False

    async def refresh_config(self, instance: str | None) -> ClientConfig:
        """The client config the token keeper refreshes with. The default: nothing to refresh."""
        raise LinkError(f"{self.spec.name}: linkdeck cannot renew this account's sign-in; link it again.")

    async def refresh_config_for(self, token: Token, instance: str | None) -> ClientConfig:
        """The client config to renew this ``token`` with. The default: :meth:`refresh_config`; a
        network whose accounts link through one of several clients (a desktop client in the
        browser, a TV client for the device code) picks the one that issued the token."""
        return await self.refresh_config(instance)


# Publishing --------------------------------------------------------------------------------------


class Recovery(StrEnum):
    """What the outbox may do with a delivery whose process died while sending it."""

    IDEMPOTENT = "idempotent"  # resend with the same idempotency key: the network dedupes it
    LOOKUP = "lookup"  # the network's API can tell whether the post exists
    CHECK = "check"  # neither: mark it "unknown — check" with a link, never resend blindly


@dataclass(frozen=True)
class PublishResult:
    remote_post_id: str  # the network's id of the new post
    url: str | None  # where people see it


@dataclass(frozen=True)
class Quota:
    """How many posts an account may publish through the API in the network's moving window, as
    the network reported it (Instagram's ``content_publishing_limit``, Threads'
    ``threads_publishing_limit``): ``total`` is read each time, never assumed."""

    used: int
    total: int
    window_seconds: int = 24 * 3600

    @property
    def left(self) -> int:
        return max(0, self.total - self.used)


class Reporter(Protocol):
    """Where a publisher reports progress. The outbox turns these into DeliveryEvents and records
    :meth:`committing` in the store; the publisher MUST await it right before the request that
    creates the post (after media uploads), never after."""

    def uploading(self, index: int, count: int, sent: int, total: int) -> None:
        """``sent`` of ``total`` bytes of media file ``index`` (0-based) of ``count`` are out."""

    def processing(self, index: int, count: int) -> None:
        """The network is processing media file ``index`` (a video's 202 → poll)."""

    async def committing(self) -> None:
        """The request that creates the post is about to be sent."""


class Staging(Protocol):
    """Somewhere a file gets a public address for a while (providers.staging builds one from the
    settings), for networks that fetch media instead of taking an upload."""

    def staged(
        self, path: Path, *, content_type: str, progress: Callable[[int, int], None] | None = None
    ) -> AbstractAsyncContextManager[str]:
        """Upload ``path`` (streamed); yield its presigned GET address; delete it on leaving,
        however the block ends. Raises PublishError naming the bucket when it cannot."""
        ...


def as_story(account: Account) -> Account:
    """``account`` as a Story delivery is made for it (its target kind STORY; a target id, such
    as the Instagram account behind a Page, is kept)."""
    from dataclasses import replace

    named = f"{account.target_name} (Story)" if account.target_name else "Story"
    return replace(account, target_kind=TargetKind.STORY.value, target_name=named)


def is_story(account: Account) -> bool:
    return account.target_kind == TargetKind.STORY.value


class Publisher(abc.ABC):
    """Publishes stored posts to one network (or one of its instances).

    Declared abilities:

    - ``recovery``: what crash recovery may do with a delivery whose process died while sending
      (resend with the same key for ``idempotency_seconds``, look it up, or ask a person).
    - ``can_lookup``: :meth:`lookup` works (always true for ``Recovery.LOOKUP``; an idempotent
      publisher sets it when it can also look a post up after its key window).
    - ``stages_media``: the network fetches media from a public address instead of taking an
      upload, so the outbox hands the publisher a :class:`Staging` in
      ``self.staging``, and refuses a post with media before anything is sent when none is set up.
    - ``posts_stories``: the publisher posts to the account's Story when the delivery's target
      is ``TargetKind.STORY`` (:func:`as_story`); :meth:`limits` then gives the Story's limits.
    - ``reads_quota``: the network tells how many API posts the account has left in its window;
      :meth:`quota` reads it (the card shows it; providers.quotas keeps the last answer).
    """

    recovery: ClassVar[Recovery] = Recovery.CHECK
    idempotency_seconds: ClassVar[float | None] = None
    can_lookup: ClassVar[bool] = False
    # The network's error codes (as :meth:`error_code` reads them) → what they mean; any other
    # failure is classified by its HTTP status (providers.failures).
    error_rules: ClassVar[Mapping[str, Rule]] = {}
    stages_media: ClassVar[bool] = False
    reads_quota: ClassVar[bool] = False
    posts_stories: ClassVar[bool] = False

    def __init__(self, spec: NetworkSpec, client: httpx2.AsyncClient, staging: Staging | None = None) -> None:
        self.spec = spec
        self.client = client
        self.staging = staging

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def name(self, account: Account) -> str:
        """The network as messages name it: "Mastodon (mastodon.social)"."""
        from providers.instances import instance_label

        return (
            f"{self.spec.name} ({instance_label(account.instance)})" if account.instance else self.spec.name
        )

    def profile_url(self, account: Account) -> str | None:
        """Where a person can see the account's posts (the link of an "unknown — check")."""
        return None

    async def limits(self, account: Account) -> NetworkSpec:
        """The spec with this account's server's own limits on top (read live where the network
        publishes them), for judging media and captions before anything is sent."""
        return self.spec

    @abc.abstractmethod
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

    async def lookup(
        self, account: Account, post: Post, delivery: Delivery, token: Token
    ) -> PublishResult | None:
        """The post, if the network has it; None when it does not. Called only when the
        publisher declares it can (``recovery`` LOOKUP or ``can_lookup``)."""
        return None

    async def quota(self, account: Account, token: Token) -> Quota | None:
        """The account's posting quota as the network reports it now; None when it did not say.
        Raises PublishError for a failed answer. Called only when the publisher declares
        ``reads_quota``."""
        return None

    def error_code(self, response: httpx2.Response) -> str | None:
        """The network's structured error code in a failed answer (read from its JSON, never by
        searching the text), for :attr:`error_rules`. None: none given."""
        return None

    def error_words(self, response: httpx2.Response) -> str | None:
        """The server's own words in a failed answer, when the network puts them somewhere other
        than a top-level ``error``/``message`` string (Google's nested error document). None: look
        there (providers.failures.server_message)."""
        return None

    def refused(
        self, response: httpx2.Response, name: str, what: str, *, committing: bool = False
    ) -> PublishError:
        """A failed answer to ``what`` as the outbox's error, by this network's rules."""
        from providers.failures import classify

        return classify(
            response,
            name,
            what,
            committing=committing,
            code=self.error_code(response),
            rules=self.error_rules,
            said=self.error_words(response),
        )

    @property
    def looks_up(self) -> bool:
        return self.recovery is Recovery.LOOKUP or self.can_lookup
