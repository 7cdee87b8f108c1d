"""The one HTTP failure classifier: a network's answer (or its silence) becomes what the user can
do about it, in words that name the network and the rule.

Every network's failures go through :func:`classify` (an answer) or :func:`from_exception` (no
answer). A network adds what only it knows through two declarations on its publisher
(providers.interface.Publisher): ``error_code(response)`` reads the structured code from its error
body (an XRPC ``error``, a Graph ``code``/``error_subcode``, a fixed Mastodon message), never by
searching the text, and ``error_rules`` maps codes to a :class:`Rule`. Without a rule for the
code, the status decides:

- 401 → ``reconnect`` (``unauthorized``: the outbox refreshes the token once first)
- 403 → ``reconnect`` when the server says nothing (a missing permission), else ``refused``
- 413, 415, 422, 400 → ``fix_media`` with the server's own words
- 429 → ``try_later`` at Retry-After (seconds or an HTTP date) or a rate-limit reset header
- 408, 5xx → ``try_later``; other 4xx → ``refused``

``committing=True`` marks the request that creates the post: when its answer is lost (a read
timeout, a dropped connection, a 502/504 from a proxy) the post may exist, so the error carries
``maybe_published`` and the outbox never resends it blindly. Linking uses the same words
(:func:`response_problem`).
"""

from __future__ import annotations

import email.utils
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from providers import clock
from providers.errors import FileChanged, PublishError

if TYPE_CHECKING:
    import httpx2

MAX_RETRY_AFTER = 24 * 3600.0
EPOCH_SECONDS = 1_000_000_000  # a reset header above this is a moment (epoch seconds), not a delay
RESET_HEADERS = ("X-RateLimit-Reset", "RateLimit-Reset", "X-Rate-Limit-Reset")


@dataclass(frozen=True)
class Rule:
    """What one of a network's error codes means: the kind, and what to do (shown after the
    server's words). ``wait``: seconds to wait when the answer names no Retry-After."""

    kind: str
    advice: str = ""
    wait: float | None = None


def _clamp(seconds: float) -> float:
    return max(0.0, min(MAX_RETRY_AFTER, seconds))


def _moment(value: str, now: datetime) -> float | None:
    """Seconds until a reset header's moment: an ISO time, epoch seconds, or a delay."""
    try:
        number = float(value)
    except ValueError:
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        return _clamp((when - now).total_seconds())
    return _clamp(number - now.timestamp() if number > EPOCH_SECONDS else number)


def retry_after(response: httpx2.Response, now: datetime | None = None) -> float | None:
    """Seconds to wait, from Retry-After (delta seconds or HTTP date) or, on a 429, a rate-limit
    reset header; None when the answer does not say."""
    moment = now or clock.now()
    value = response.headers.get("Retry-After", "").strip()
    if value:
        try:
            return _clamp(float(value))
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
            return _clamp((when - moment).total_seconds())
    if response.status_code == 429:
        for header in RESET_HEADERS:
            reset = response.headers.get(header, "").strip()
            if reset:
                return _moment(reset, moment)
    return None


def server_message(response: httpx2.Response) -> str:
    """The error text a server put in its JSON body (``error``, ``error_description``,
    ``message``), made safe to show; '' when there is none."""
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


def classify(
    response: httpx2.Response,
    name: str,
    what: str,
    *,
    committing: bool = False,
    code: str | None = None,
    rules: Mapping[str, Rule] | None = None,
    said: str | None = None,
) -> PublishError:
    """The error for a non-success answer to ``what`` ("uploading photo.jpg", "creating the
    post") from the network ``name``. ``code``: its structured error code (the publisher's
    ``error_code``), looked up in ``rules``; ``said``: the server's words when the network puts
    them elsewhere than :func:`server_message` looks."""
    status = response.status_code
    detail = (server_message(response) if said is None else said).rstrip(". ")
    words = f": {detail}" if detail else ""
    lost = committing and status in (502, 504)
    rule = (rules or {}).get(code or "")
    if rule is not None:
        named = f" ({code}{words})"
        advice = f" {rule.advice}" if rule.advice else ""
        return PublishError(
            rule.kind,
            f"{name} refused {what}{named}.{advice}",
            retry_after=retry_after(response) if retry_after(response) is not None else rule.wait,
            unauthorized=rule.kind == "reconnect" and status == 401,
            maybe_published=lost,
            status=status,
        )
    if status == 401:
        return PublishError(
            "reconnect",
            f"{name} did not accept linkdeck's sign-in when {what}{words}; reconnect the account.",
            unauthorized=True,
            status=status,
        )
    if status == 403 and not detail:
        return PublishError(
            "reconnect",
            f"{name} refused {what}: the sign-in lacks a permission; link the account again to grant it.",
            status=status,
        )
    if status in (400, 413, 415, 422):
        reason = detail or (
            "the file is larger than the server accepts" if status == 413 else f"HTTP {status}"
        )
        return PublishError("fix_media", f"{name} refused {what}: {reason}.", status=status)
    if status == 429:
        wait = retry_after(response)
        later = f"; try again in {wait:.0f} s" if wait is not None else "; try again later"
        return PublishError(
            "try_later", f"{name} is rate-limiting {what}{later}.", retry_after=wait, status=status
        )
    if status == 408 or status >= 500:
        return PublishError(
            "try_later",
            f"{name} had a server problem (HTTP {status}) when {what}{words}; linkdeck tries again later.",
            retry_after=retry_after(response),
            maybe_published=lost,
            status=status,
        )
    return PublishError("refused", f"{name} refused {what} (HTTP {status}){words}.", status=status)


def response_problem(network_name: str, response: httpx2.Response, what: str) -> str:
    """A failed call while linking, as a sentence: the same words publishing uses."""
    return classify(response, network_name, what).message


def from_exception(exc: BaseException, name: str, what: str, *, committing: bool = False) -> PublishError:
    """The error for a request that got no answer. Only a request that was fully sent and whose
    answer was lost (a read timeout, a dropped connection) may have created the post."""
    import httpx2

    if isinstance(exc, FileChanged):
        return PublishError("fix_media", f"{name}: {exc}; nothing was published.")
    kind = type(exc).__name__
    if isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout | httpx2.PoolTimeout):
        return PublishError(
            "try_later", f"{name} could not be reached when {what} ({kind}); linkdeck tries again later."
        )
    if isinstance(exc, httpx2.WriteError | httpx2.WriteTimeout):
        return PublishError(
            "try_later", f"{name}: sending stalled when {what} ({kind}); linkdeck tries again later."
        )
    if isinstance(exc, httpx2.TimeoutException | httpx2.ReadError | httpx2.RemoteProtocolError):
        return PublishError(
            "try_later",
            f"{name} did not answer in time when {what} ({kind}).",
            maybe_published=committing,
        )
    if isinstance(exc, httpx2.TransportError):
        return PublishError(
            "try_later", f"{name}: the connection failed when {what} ({kind}).", maybe_published=committing
        )
    if isinstance(exc, OSError):
        return PublishError(
            "fix_media", f"{name}: could not read the file when {what} ({exc.strerror or kind})."
        )
    raise exc
