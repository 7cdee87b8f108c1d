"""What Foursquare's sign-in and publisher share: the v2 host, the one API version, how a call
carries the token, and how an answer's ``meta`` says what went wrong.

Every v2 call carries ``v=YYYYMMDD`` (the API's behaviour as of that date) and the user's
``oauth_token`` (mLewisLogic/foursquare 1!2020.1.30 ``Requester._enrich_params``): in the query of
a GET, in the form body of a POST, so a POST's address never holds the token. Every answer is
``{"meta": {"code": …, "errorType": …, "errorDetail": …}, "response": {…}}``; a refusal names its
``errorType`` (the library's ``error_types``: invalid_auth, param_error, endpoint_error,
not_authorized, rate_limit_exceeded, deprecated, server_error, failed_geocode, geocode_too_big,
other), and every answer carries ``X-RateLimit-Limit`` / ``X-RateLimit-Remaining``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

API = "https://api.foursquare.com/v2"
# The API version every call names: the date of the last release of the independent v2 client
# (mLewisLogic/foursquare API_VERSION 20200130), the API as legacy projects last knew it.
VERSION = "20200130"
SHOUT_LIMIT = 140


def params(token: Any, **extra: str) -> dict[str, str]:
    """The parameters every call carries: the version and the user's token."""
    access = token.get("access_token", "") if isinstance(token, Mapping) else str(token)
    return {**extra, "v": VERSION, "oauth_token": str(access)}


def meta(body: Any) -> Mapping[str, Any]:
    found = body.get("meta") if isinstance(body, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def response(body: Any) -> Mapping[str, Any]:
    found = body.get("response") if isinstance(body, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def error_type(body: Any) -> str | None:
    value = meta(body).get("errorType")
    return value if isinstance(value, str) and value else None


def error_detail(body: Any) -> str:
    value = meta(body).get("errorDetail")
    return value if isinstance(value, str) else ""


def venue_label(venue: Mapping[str, Any]) -> str:
    """``Harbour Café (Rua do Cais 3, Lisbon)``: the venue's name and where it is."""
    name = str(venue.get("name") or venue.get("id") or "venue")
    where = venue.get("location")
    parts: list[str] = []
    if isinstance(where, Mapping):
        for key in ("address", "city"):
            value = where.get(key)
            if isinstance(value, str) and value and value not in parts:
                parts.append(value)
    return f"{name} ({', '.join(parts)})" if parts else name
