"""What Google's APIs answer, read the same way by the sign-in and the publisher: the error
document (``{"error": {code, message, status, details[]}}``, google.rpc.Status) and its reason.

The reason is the ``google.rpc.ErrorInfo`` detail's ``reason`` (``SERVICE_DISABLED``,
``ACCESS_TOKEN_SCOPE_INSUFFICIENT``, ``RATE_LIMIT_EXCEEDED``…), else the canonical ``status``
(``PERMISSION_DENIED``, ``INVALID_ARGUMENT``, ``NOT_FOUND``…): structured codes, never text
searched. A malformed path gets an HTML 404 page instead of JSON (postiz-app issue #1964), which
:func:`message` says in words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx2

ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
VALIDATION = "type.googleapis.com/google.mybusiness.v4.ValidationError"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"

# The APIs a Cloud project enables one by one (developers.google.com/my-business/content/faq).
API_NAMES = {
    "mybusiness.googleapis.com": "Google My Business API (v4: local posts)",
    "mybusinessaccountmanagement.googleapis.com": "My Business Account Management API",
    "mybusinessbusinessinformation.googleapis.com": "My Business Business Information API",
}


def error_body(response: httpx2.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


def details(error: dict[str, Any]) -> list[dict[str, Any]]:
    found = error.get("details")
    return [d for d in found if isinstance(d, dict)] if isinstance(found, list) else []


def reason(response: httpx2.Response) -> str | None:
    """The ErrorInfo reason, else the canonical status; None for an answer that is not Google's JSON."""
    error = error_body(response)
    if error is None:
        return None
    for detail in details(error):
        if detail.get("@type") == ERROR_INFO and isinstance(detail.get("reason"), str):
            return str(detail["reason"])
    status = error.get("status")
    return status if isinstance(status, str) else None


def disabled_api(response: httpx2.Response) -> str | None:
    """The API's name when the answer is SERVICE_DISABLED (its ErrorInfo names the service)."""
    error = error_body(response)
    for detail in details(error) if error is not None else []:
        if detail.get("@type") == ERROR_INFO and detail.get("reason") == "SERVICE_DISABLED":
            metadata = detail.get("metadata")
            service = metadata.get("service") if isinstance(metadata, dict) else None
            return API_NAMES.get(str(service), str(service or "the API"))
    return None


def message(response: httpx2.Response) -> str:
    """Google's own words: the message, plus each field a validation error names."""
    from providers.auth.callback import clean_text

    error = error_body(response)
    if error is None:
        if "html" in response.headers.get("Content-Type", ""):
            return "Google answered with a web page instead of the API's JSON (a malformed address?)"
        return ""
    words = [str(error.get("message") or "").strip().rstrip(".")]
    for detail in details(error):
        items = detail.get("errorDetails") or detail.get("fieldViolations") or []
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                field = item.get("field", "")
                text = item.get("message") or item.get("description") or ""
                words.append(f"{field}: {text}" if field else str(text))
    return clean_text("; ".join(w for w in words if w), 500)


def enable_advice(api: str) -> str:
    return (
        f"The {api} is not enabled in your Google Cloud project. Each Business Profile API is "
        "enabled on its own: open the Cloud console, APIs & Services → Library, enable it for the "
        "project of your OAuth client, wait a few minutes and try again."
    )
