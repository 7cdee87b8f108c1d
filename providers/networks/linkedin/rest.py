"""LinkedIn's versioned REST API: the one version constant and the headers every call sends.

Why one constant: LinkedIn ships a version a month and retires each about a year later; a
retired version is answered with HTTP 426 ``NONEXISTENT_VERSION`` ("Requested version … is not
active"), and Postiz broke exactly there by pinning different versions in different places
(postiz-app#2005; learn.microsoft.com/en-us/linkedin/marketing/versioning; shared/reference/
networks-2026.md §8a, §17). Moving linkdeck to a newer version is this one line (and a release).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

API_BASE = "https://api.linkedin.com"
# 202608: the newest version seen cited (an issue of 2026-09-01, networks-2026.md §8a); supported
# for about a year from its release, so until about August 2027.
API_VERSION = "202608"


def rest_headers(token: Mapping[str, Any], **extra: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token.get('access_token', '')}",
        "LinkedIn-Version": API_VERSION,
        "X-Restli-Protocol-Version": "2.0.0",
        **extra,
    }
