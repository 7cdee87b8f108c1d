"""What X's answers say, read from their structure: problem JSON (``{"title", "detail", "type",
"status"}``), ``{"errors": [...]}`` partial errors, and the ``x-rate-limit-*`` headers.

X's error shapes (XO ``Problem`` schema; the recorded tweepy/python-twitter answers):

- a refused request: ``{"title": "Forbidden", "detail": "…", "type": "about:blank", "status": 403}``
  or a typed problem ``{"type": "https://api.twitter.com/2/problems/<code>", "title", "detail",
  …}`` (``client-forbidden`` with ``reason: client-not-enrolled``, ``usage-capped``, ``credits``,
  ``invalid-request`` with ``errors: [{"parameters": …, "message": …}]``);
- an answer with ``errors`` beside or instead of ``data`` (``[{"message", "type", "title",
  "detail"}]``).

The code is the last segment of the problem's ``type`` (``client-forbidden``), or its ``reason``
where it has one (``client-not-enrolled``): never a search of the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from providers.networks.x.spec import PRICE_PER_POST, PRICE_PER_POST_WITH_URL

if TYPE_CHECKING:
    import httpx2

NAME = "X"
PROBLEMS = "/2/problems/"


def body_of(response: httpx2.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _problems(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The top-level problem (when the body is one) and each entry of ``errors``."""
    found = [body] if any(k in body for k in ("title", "detail", "type")) else []
    errors = body.get("errors")
    if isinstance(errors, list):
        found += [e for e in errors if isinstance(e, dict)]
    return found


def code_of(response: httpx2.Response) -> str | None:
    """``reason`` (client-not-enrolled) or the problem type's last segment (usage-capped)."""
    for problem in _problems(body_of(response)):
        reason = problem.get("reason")
        if isinstance(reason, str) and reason:
            return reason
        kind = problem.get("type")
        if isinstance(kind, str) and PROBLEMS in kind:
            return kind.rsplit("/", 1)[-1]
    return None


def words_of(response: httpx2.Response) -> str:
    """The server's own words: the problem's detail (or title), then each error's message."""
    from providers.auth.callback import clean_text

    said: list[str] = []
    for problem in _problems(body_of(response)):
        for key in ("detail", "message"):
            value = problem.get(key)
            if isinstance(value, str) and value.strip():
                said.append(value.strip().rstrip("."))
                break
        else:
            title = problem.get("title")
            if isinstance(title, str) and title.strip():
                said.append(title.strip())
    if not said:  # not a problem document: the older {"error": …} / {"errors": [{"message"}]} words
        from providers.failures import server_message

        return server_message(response)
    return clean_text("; ".join(dict.fromkeys(said)))


@dataclass(frozen=True)
class RateLimit:
    """``x-rate-limit-limit/remaining/reset`` of one answer (reset: epoch seconds)."""

    limit: int
    remaining: int
    reset: float

    def shown(self) -> str:
        at = datetime.fromtimestamp(self.reset, UTC).strftime("%H:%M UTC")
        return f"{self.remaining} of {self.limit} left in this window (it resets at {at})"


def rate_limit(response: httpx2.Response) -> RateLimit | None:
    headers = response.headers
    try:
        return RateLimit(
            int(headers["x-rate-limit-limit"]),
            int(headers["x-rate-limit-remaining"]),
            float(headers["x-rate-limit-reset"]),
        )
    except (KeyError, ValueError):
        return None


def price(with_url: bool) -> str:
    """What X bills for one post, from the catalog."""
    return f"${PRICE_PER_POST_WITH_URL:.2f}" if with_url else f"${PRICE_PER_POST}"


def credits_advice(with_url: bool) -> str:
    kind = "a post with a link" if with_url else "a post"
    return (
        "Your X developer account has no API credits left (X bills pay-per-use since 2026-02-06: "
        f"{kind} costs {price(with_url)}). Add credits in the X developer console "
        "(console.x.com), then retry the post."
    )


TIER_ADVICE = (
    "Your X developer app's access does not include this: in the X developer portal attach the "
    "app to a Project and check its plan (pay-per-use credits or a Basic/Pro subscription) and "
    "that its user authentication settings allow Read and write."
)
