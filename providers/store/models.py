"""Plain dataclasses the store hands out, and the UTC text form of datetimes.

Nothing here touches the database. None of these classes holds a token or a secret: tokens live in
the OS keyring (:mod:`providers.vault`), keyed by :attr:`Account.vault_key`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from providers import clock

_Member = TypeVar("_Member", bound=StrEnum)


class AccountState(StrEnum):
    """An account row's ``state`` (stored as its value). Reconnect: the network refused the sign-in;
    the account's queued deliveries are held until it is linked again."""

    LINKED = "linked"
    RECONNECT = "reconnect"


class DeliveryState(StrEnum):
    """A delivery's ``state``, stored, compared and printed as its value (``linkdeck queue --json``
    spells each exactly so). The moves between them: :mod:`providers.store.transitions`."""

    # Waits for its post's scheduled_at (or its retry time).
    SCHEDULED = "scheduled"
    # Its account is unlinked (or otherwise on hold, see HoldKind): kept until that same account
    # is linked again.
    HELD = "held"
    # Ready to send now.
    DUE = "due"
    # A send is in flight; a crash here is recovered on restart.
    SENDING = "sending"
    # Final.
    SENT = "sent"
    # Final for the runners (``retryable``: whether a person's retry can help).
    FAILED = "failed"
    # The network may or may not have published it (a timeout after the request went out) and a
    # person may have to look.
    UNKNOWN = "unknown"


# States a delivery is put on hold from when its account goes away. "sending" and "unknown" are
# left alone: a request may already have reached the network, and holding them could send twice.
HOLDABLE_STATES: tuple[DeliveryState, ...] = (DeliveryState.SCHEDULED, DeliveryState.DUE)


class HoldKind(StrEnum):
    """Why a delivery is held (``Delivery.hold_kind``)."""

    UNLINKED = "unlinked"  # its account was unlinked
    RECONNECT = "reconnect"  # its account needs reconnecting
    TARGET_GONE = "target_gone"  # its target (a Page, a board) is gone
    # It fell due while held and the user asked to be asked (``[outbox] release_past_due = "ask"``)
    # before such posts go out.
    ASK = "ask"


def checked(kind: type[_Member], value: str, what: str) -> _Member:
    """``value`` as a member of ``kind``; ValueError naming ``what`` and the choices otherwise.
    (Python 3.11's ``value in kind`` raises TypeError for a plain string, so look it up.)"""
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise ValueError(f"unknown {what} {value!r}; expected one of {choices}") from None


# Mastodon's visibilities; other networks ignore the field.
VISIBILITIES: tuple[str, ...] = ("public", "unlisted", "private", "direct")


def utcnow() -> datetime:
    return clock.now()


def to_text(value: datetime) -> str:
    """UTC ISO-8601 with microseconds, one fixed width, so text order is time order."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime given to the store; pass a timezone-aware datetime")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def opt_to_text(value: datetime | None) -> str | None:
    return None if value is None else to_text(value)


def from_text(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:  # never written by the store, but be lenient with hand-edited rows
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def opt_from_text(value: str | None) -> datetime | None:
    return None if value is None else from_text(value)


def identity_key(network: str, instance: str | None, remote_id: str) -> str:
    return f"{network}:{instance or ''}:{remote_id}"


@dataclass(frozen=True)
class Account:
    id: int
    network: str  # catalog id
    remote_id: str  # the network's user id
    handle: str
    display_name: str
    avatar_path: str | None  # from the avatar cache, when the image for avatar_url is on disk
    avatar_url: str | None
    instance: str | None  # base URL for per-instance networks (Mastodon, Pixelfed), else None
    target_kind: str | None
    target_id: str | None
    target_name: str | None
    state: AccountState
    state_reason: str
    expires_at: datetime | None  # access-token expiry, UTC
    auto_share: bool
    linked_at: datetime
    updated_at: datetime
    # The brand the account belongs to (every account has one; single users have only the default
    # brand and never see it). None only for a row written outside linkdeck.
    brand_id: int | None = None
    brand: str = ""  # that brand's name

    @property
    def vault_key(self) -> str:
        """The key of this account's token in the vault: ``network:instance:remote_id``."""
        return identity_key(self.network, self.instance, self.remote_id)


@dataclass(frozen=True)
class Brand:
    """A group of accounts posted to together (an agency's client). Names are unique ignoring
    case and spacing; the default brand (the first one, made by the migration) cannot be removed."""

    id: int
    name: str
    is_default: bool
    accounts: int  # how many accounts belong to it


@dataclass(frozen=True)
class Target:
    """A place an account can publish to (a Facebook Page, a board, a blog...)."""

    account_id: int
    kind: str
    target_id: str
    name: str


@dataclass(frozen=True)
class Post:
    id: int
    caption: str
    media: list[str]  # file paths, in order
    scheduled_at: datetime | None  # None: post now
    created_at: datetime
    updated_at: datetime
    # Publishing options (Mastodon-style; networks without them ignore them).
    visibility: str = "public"  # one of VISIBILITIES
    spoiler_text: str = ""  # content warning
    sensitive: bool = False
    descriptions: list[str] = field(default_factory=list)  # alt text per media file ('' for none)
    # One caption, with optional per-network overrides (catalog id → caption).
    caption_overrides: dict[str, str] = field(default_factory=dict)
    # '' made in linkdeck; else the network whose post history it was imported from (migration 8).
    origin: str = ""

    def caption_for(self, network: str) -> str:
        """What ``network`` receives: its own caption when one was written, else the shared one."""
        return self.caption_overrides.get(network, self.caption)

    def for_network(self, network: str) -> Post:
        """This post as ``network`` receives it (its caption override in place of the caption), so
        publishers, checks and look-ups see exactly what is sent."""
        return replace(self, caption=self.caption_for(network))

    def description_for(self, index: int) -> str:
        """The alt text of media file ``index`` ('' when none was given)."""
        return self.descriptions[index] if index < len(self.descriptions) else ""


@dataclass(frozen=True)
class Delivery:
    """One post sent to one account. The account is named by its identity, not only its row id,
    so a delivery outlives the account row (held) and finds it again when it is linked again."""

    id: int
    post_id: int
    account_id: int | None  # the account row when created; may point at a removed row
    network: str
    instance: str | None
    remote_id: str
    target_kind: str | None
    target_id: str | None
    target_name: str | None
    state: DeliveryState
    reason: str
    remote_post_id: str | None
    url: str | None
    idempotency_key: str  # uuid4 hex, fixed for the life of the delivery
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime
    # The state machine's bookkeeping (providers.outbox); defaults for rows from older callers.
    retryable: bool | None = None  # failed: whether retrying can help; None otherwise
    hold_kind: HoldKind | None = None  # held: why
    lease_owner: str | None = None  # the runner that claimed it (kept after it finished)
    lease_until: datetime | None = None  # sending: the claim is the owner's until then
    # When the earliest request that may have created the post went out (None: none did, or it is
    # known that it did not). Crash recovery and idempotency windows are judged from it.
    committed_at: datetime | None = None
    check_needed: bool = False  # unknown: nothing can tell automatically; a person must look
    sent_at: datetime | None = None
    # The account's handle when the delivery was made or moved: what Posts shows once the account
    # row is gone (unlinked), instead of the network's user id.
    handle: str = ""

    @property
    def account_key(self) -> str:
        """Same form as :attr:`Account.vault_key`."""
        return identity_key(self.network, self.instance, self.remote_id)


@dataclass(frozen=True)
class CachedAvatar:
    url: str
    path: str
    fetched_at: datetime
