"""Turning token-endpoint and transport failures into sentences a user can act on.

Shared by the code exchange, the device flow, OAuth 1.0a, refresh and revocation so one network
problem reads the same everywhere. Every message names the network. :func:`scrub` is applied to
anything that mixes in server-supplied text, so a server that echoes a code or token back in its
``error_description`` still cannot put it in a message.

Public API::

    scrub(text: str, secrets: Iterable[str]) -> str
    token_error_message(network_name, error, description, *, what="sign-in code", then="Start again.") -> str
    describe_http_failure(network_name, endpoint, exc, *, then="") -> str
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from providers.auth.callback import clean_text

if TYPE_CHECKING:
    import httpx2


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every non-trivial secret replaced by ``***``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


# error code -> (what happened, what to do instead of the caller's default advice)
_TOKEN_ERRORS: dict[str, tuple[str, str | None]] = {
    "invalid_client": (
        "did not accept linkdeck's app credentials",
        "Check the app's client id and secret in the network's settings.",
    ),
    "unauthorized_client": ("does not allow linkdeck's app to use this kind of sign-in", None),
    "invalid_request": ("rejected linkdeck's token request as malformed", None),
    "unsupported_grant_type": ("does not support this kind of sign-in", None),
    "invalid_scope": ("rejected the permissions linkdeck asked for", None),
    "access_denied": ("refused access", None),
    "temporarily_unavailable": ("is temporarily unavailable", "Try again in a moment."),
    "server_error": ("had an internal error", "Try again in a moment."),
}


def token_error_message(
    network_name: str,
    error: str,
    description: str | None,
    *,
    what: str = "sign-in code",
    then: str = "Start again.",
) -> str:
    """A sentence for an RFC 6749 §5.2 token-endpoint error, followed by ``then`` (what to do)."""
    code = clean_text(error or "", 60) or "unknown_error"
    detail = clean_text(description) if description else ""
    tail = f"({code}{': ' + detail if detail else ''})"
    if code == "invalid_grant":
        return (
            f"{network_name} refused the {what} {tail}: it was already used, has expired, was revoked, "
            f"or does not belong to this request. {then}"
        )
    what_happened, advice = _TOKEN_ERRORS.get(code, ("refused the token request", None))
    return f"{network_name} {what_happened} {tail}. {advice or then}"


def describe_http_failure(network_name: str, endpoint: str, exc: BaseException, *, then: str = "") -> str:
    """A sentence for a failed HTTP exchange with the network's ``endpoint`` (e.g. "token"),
    followed by ``then`` (what it means for the user, e.g. "Nothing was linked.")."""
    import httpx2

    if isinstance(exc, httpx2.HTTPStatusError):
        what = f"the {endpoint} endpoint answered HTTP {exc.response.status_code}"
        said = _oauth_error(exc.response)  # an error status whose body still says why (RFC 6749 §5.2)
        if said in _TOKEN_ERRORS:
            happened, advice = _TOKEN_ERRORS[said]
            what += f": it {happened} ({said})"
            then = advice or then
    elif isinstance(exc, httpx2.TimeoutException):
        what = f"the {endpoint} endpoint did not answer in time"
    elif isinstance(exc, httpx2.TransportError):
        host = ""
        with contextlib.suppress(RuntimeError):  # RuntimeError: no request attached
            host = urlsplit(str(exc.request.url)).netloc
        what = f"could not reach the {endpoint} endpoint" + (f" ({host})" if host else "")
    elif isinstance(exc, ValueError):
        what = f"the {endpoint} endpoint answered with something that is not a token"
    else:
        what = f"the {endpoint} request failed ({type(exc).__name__})"
    return f"{network_name}: {what}." + (f" {then}" if then else "")


def _oauth_error(response: httpx2.Response) -> str:
    """The ``error`` code of a JSON error body ('' when there is none)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, str) else ""
