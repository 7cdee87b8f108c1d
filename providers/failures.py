"""HTTP answers and transport errors turned into :class:`PublishError` with a user's next step.

The mapping (one place for every network that speaks plain HTTP + JSON):

- 401 → ``reconnect`` (``unauthorized``: the outbox refreshes the token once first);
  403 about scopes/permissions → ``reconnect`` (linking again grants them), other 403 → ``refused``
- 413, 415, 422 → ``fix_media`` with the server's own words (a 422 "not finished processing" is
  ``try_later``: the media needs a moment)
- 429 → ``try_later`` with ``retry_after`` from Retry-After (seconds or an HTTP date) or
  Mastodon's X-RateLimit-Reset
- 408, 5xx, timeouts, connection failures → ``try_later``
- other 4xx → ``refused``

``committing=True`` marks the request that creates the post: when its answer is lost (a read
timeout, a dropped connection, a 502/504 from a proxy) the post may exist, so the error carries
``maybe_published`` and the outbox never resends it blindly.
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from providers import clock
from providers.errors import PublishError

if TYPE_CHECKING:
    import httpx2

MAX_RETRY_AFTER = 24 * 3600.0


def _clamp(seconds: float) -> float:
    return max(0.0, min(MAX_RETRY_AFTER, seconds))


def retry_after(response: httpx2.Response, now: datetime | None = None) -> float | None:
    """Seconds to wait, from Retry-After (delta seconds or HTTP date) or, on Mastodon, from
    X-RateLimit-Reset (an ISO time); None when the answer does not say."""
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
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return _clamp((when - moment).total_seconds())
    reset = response.headers.get("X-RateLimit-Reset", "").strip()
    if reset and response.status_code == 429:
        try:
            when = datetime.fromisoformat(reset.replace("Z", "+00:00"))
        except ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return _clamp((when - moment).total_seconds())
    return None


def _said(response: httpx2.Response) -> str:
    return server_message(response).rstrip(". ")


def from_response(
    response: httpx2.Response, name: str, what: str, *, committing: bool = False
) -> PublishError:
    """The error for a non-success answer to ``what`` ("uploading photo.jpg", "creating the post")."""
    status = response.status_code
    detail = _said(response)
    said = f": {detail}" if detail else ""
    if status == 401:
        return PublishError(
            "reconnect",
            f"{name} did not accept linkdeck's sign-in when {what}{said}; reconnect the account.",
            unauthorized=True,
            status=status,
        )
    if status == 403:
        lowered = detail.lower()
        if any(word in lowered for word in ("scope", "permission", "authoriz", "forbidden")) or not detail:
            return PublishError(
                "reconnect",
                f"{name} refused {what}: the sign-in lacks a permission{said}; "
                "link the account again to grant it.",
                status=status,
            )
        return PublishError("refused", f"{name} refused {what}{said}.", status=status)
    if status == 422 and "processing" in detail.lower():
        return PublishError(
            "try_later", f"{name} is still processing the media{said}.", retry_after=5.0, status=status
        )
    if status in (413, 415, 422):
        reason = detail or (
            "the file is larger than the server accepts" if status == 413 else f"HTTP {status}"
        )
        return PublishError("fix_media", f"{name} refused {what}: {reason}.", status=status)
    if status == 429:
        wait = retry_after(response)
        later = f"; try again in {wait:g} s" if wait is not None else ""
        return PublishError(
            "try_later", f"{name} is rate-limiting {what}{later}.", retry_after=wait, status=status
        )
    if status == 408 or status >= 500:
        return PublishError(
            "try_later",
            f"{name} had a server problem (HTTP {status}) when {what}{said}; linkdeck tries again later.",
            retry_after=retry_after(response),
            maybe_published=committing and status in (502, 504),
            status=status,
        )
    return PublishError("refused", f"{name} answered HTTP {status} when {what}{said}.", status=status)


def from_exception(exc: BaseException, name: str, what: str, *, committing: bool = False) -> PublishError:
    """The error for a request that got no answer. Only a request that was fully sent and whose
    answer was lost (a read timeout, a dropped connection) may have created the post."""
    import httpx2

    from providers.publishing.multipart import FileChanged

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
