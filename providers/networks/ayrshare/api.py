"""What Ayrshare's API and linking share: its base address, its headers, the networks it offers
and how its error bodies are read (shared/reference/networks-2026.md §14; sources in spec.py).

Ayrshare acts for a *User Profile* (one per brand) when a request carries the profile's
``Profile-Key`` header next to the account's API key (``Authorization: Bearer``); both live only
in the keyring: the API key as Ayrshare's client secret, each profile's key beside it
(:func:`profile_secret`) and in the linked account's token document.
"""

from __future__ import annotations

from typing import Any

API = "https://api.ayrshare.com/api"
LINK_PAGE_MINUTES = 5  # a generateJWT address is valid 5 minutes by default (§14)
RATE_WINDOW_SECONDS = 300.0  # 300 requests per 5 minutes per User Profile (§14)

# Ayrshare's ``platforms`` values → how linkdeck names them (§14, create-post-schema.md).
PLATFORMS: dict[str, str] = {
    "bluesky": "Bluesky",
    "facebook": "Facebook Pages",
    "gmb": "Google Business Profile",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "pinterest": "Pinterest",
    "reddit": "Reddit",
    "snapchat": "Snapchat",
    "telegram": "Telegram",
    "threads": "Threads",
    "tiktok": "TikTok",
    "twitter": "X",
    "youtube": "YouTube",
}
# What users may type for a platform (linkdeck's own ids and common names).
ALIASES: dict[str, str] = {
    "x": "twitter",
    "google_business": "gmb",
    "google-business": "gmb",
    "fb": "facebook",
}
NOT_OFFERED = ("tumblr", "flickr", "foursquare")  # not among Ayrshare's platforms (§14)
# Since 2026-03-31 every X call through Ayrshare needs the user's own X app keys (§14).
NEEDS_OWN_KEYS = {"twitter"}


def platform_of(typed: str) -> str:
    """The Ayrshare platform id for what the user typed ('' when it is empty)."""
    word = typed.strip().lower()
    return ALIASES.get(word, word)


def label(platform: str) -> str:
    return f"{PLATFORMS.get(platform, platform)} via Ayrshare"


def headers(api_key: str, profile_key: str | None = None) -> dict[str, str]:
    found = {"Authorization": f"Bearer {api_key}"}
    if profile_key:
        found["Profile-Key"] = profile_key
    return found


def profile_secret(title: str) -> str:
    """The keyring entry (an ``instance`` of Ayrshare's client secret) holding a profile's key:
    Ayrshare shows a Profile-Key only once, when the profile is created."""
    return f"profile:{title.strip().casefold()}"


def first_error(body: Any) -> dict[str, Any] | None:
    """The first of Ayrshare's ``errors[]`` (or the body itself when it is one error)."""
    if not isinstance(body, dict):
        return None
    errors = body.get("errors")
    if isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict):
                return item
    if body.get("status") == "error":
        return body
    return None


def message_of(body: Any) -> str:
    from providers.auth.callback import clean_text

    found = first_error(body)
    text = found.get("message") if found else None
    return clean_text(str(text)) if text else ""
