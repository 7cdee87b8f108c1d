"""What Facebook's refusals mean (by Graph's code and subcode, never by the text) and what its
rate-limit headers say; shared/reference/networks.md §1, networks-2026.md §1a (the codes Postiz
meets), the recorded and reported bodies in tests/fixtures/recorded/facebook and /_reported."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from providers.failures import Rule

if TYPE_CHECKING:
    import httpx2

USAGE_HEADERS = ("X-App-Usage", "X-Business-Use-Case-Usage", "X-Page-Usage")
RELINK = "Link Facebook again and allow every permission linkdeck asks for"

ERROR_RULES: dict[str, Rule] = {
    "190": Rule("reconnect", "Facebook ended linkdeck's sign-in: link the account again."),
    "102": Rule("reconnect", "Facebook ended linkdeck's sign-in: link the account again."),
    "10": Rule("reconnect", f"{RELINK} (posting needs pages_manage_posts and pages_read_engagement)."),
    "200": Rule("reconnect", f"{RELINK} (posting needs pages_manage_posts and pages_read_engagement)."),
    "368": Rule(
        "try_later", "Facebook blocks posting from this Page for a while; linkdeck tries later.", 3600.0
    ),
    "1390008": Rule("try_later", "Facebook says the Page is posting too fast; linkdeck tries later.", 900.0),
    "4": Rule("try_later", "The app's Graph rate limit is reached; linkdeck tries later.", 900.0),
    "32": Rule("try_later", "The Page's Graph rate limit is reached; linkdeck tries later.", 900.0),
    "613": Rule("try_later", "Facebook's rate limit is reached; linkdeck tries later.", 900.0),
    "80001": Rule("try_later", "The Page's Graph rate limit is reached; linkdeck tries later.", 900.0),
    "100": Rule("refused", ""),  # invalid parameter, or a feature the app lacks: Facebook's words say which
    "1366046": Rule("fix_media", "Facebook takes photos under 4 MB, saved as JPG or PNG."),
}
# Which permission a refused call needed (for 10/200: Graph names it only sometimes).
PERMISSION_OF = {
    "uploading": "pages_manage_posts",
    "creating": "pages_manage_posts",
    "looking": "pages_read_engagement",
}


def usage(response: httpx2.Response) -> str:
    """The rate-limit headers, shortened to what they say ("X-App-Usage call_count 12%")."""
    shown = []
    for header in USAGE_HEADERS:
        value = response.headers.get(header)
        if not value:
            continue
        try:
            data: Any = json.loads(value)
        except ValueError:
            continue
        if isinstance(data, dict) and data and all(isinstance(v, list) for v in data.values()):
            data = next((v[0] for v in data.values() if v and isinstance(v[0], dict)), {})  # BUC: per id
        if isinstance(data, dict):
            parts = [
                f"{k} {v}%" for k, v in data.items() if k in ("call_count", "total_time", "total_cputime")
            ]
            if parts:
                shown.append(f"{header} {', '.join(parts)}")
    return "; ".join(shown)
