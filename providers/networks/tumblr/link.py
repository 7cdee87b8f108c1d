"""Linking Tumblr: OAuth 2 with the user's own app (client secret required, no PKCE), on the
developer-app base; what only Tumblr has is here.

- Who signed in: ``GET /v2/user/info`` (the ``{meta, response}`` envelope). The account is the
  user's primary blog (its ``uuid`` when given, which survives renames; else the user's name),
  its avatar the blog avatar endpoint at 128 px (``/v2/blog/{blog}/avatar/128``, a PNG for an
  unsigned request).
- Targets: every blog the user may post to, each three ways, so the user chooses where and how
  posts arrive in one step: published at once, added to the blog's queue, or saved as a draft
  (Tumblr's NPF ``state``; target ids ``name``, ``name#queue``, ``name#draft``). The primary blog
  published at once comes first.
- Expiry: Tumblr's refresh token lasts 42 days (tumblr/docs#134) and the token answer does not
  say so; the spec's ``refresh_token_seconds`` makes every token with a refresh token carry
  ``refresh_expires_at`` (at the link and at each refresh, which answers a new refresh token), and
  the account's expiry follows it: the card's date, amber a week before
  (``spec.warn_before_expiry_days``), "reconnect needed" once it has passed.
- No revoke call exists: unlinking points to Tumblr's Settings → Apps (``spec.settings_url``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from providers.errors import LinkError
from providers.interface import Profile
from providers.signin.developer_app import DeveloperAppSignIn
from providers.spec import TargetKind

API = "https://api.tumblr.com/v2"
AVATAR_SIZE = 128
# Target id suffix → (NPF state, what the chooser says).
STATES: tuple[tuple[str, str, str], ...] = (
    ("", "published", "publish now"),
    ("#queue", "queue", "add to queue"),
    ("#draft", "draft", "save as draft"),
)


def avatar_url(blog: str) -> str:
    return f"{API}/blog/{blog}/avatar/{AVATAR_SIZE}"


def blog_and_state(target_id: str) -> tuple[str, str]:
    """``"alice#queue"`` → ("alice", "queue"); a plain blog name is published at once."""
    blog, _, suffix = target_id.partition("#")
    for ending, state, _ in STATES:
        if ending == (f"#{suffix}" if suffix else ""):
            return blog, state
    return blog, "published"


def targets_of(blogs: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, str]]:
    """(kind, id, name) for each blog × state, the primary blog first."""
    ordered = sorted(blogs, key=lambda b: not b.get("primary"))
    found: list[tuple[str, str, str]] = []
    for blog in ordered:
        name = blog.get("name")
        if not isinstance(name, str) or not name:
            continue
        for ending, _, words in STATES:
            found.append((TargetKind.BLOG.value, f"{name}{ending}", f"{name} ({words})"))
    return found


def parse_user_info(body: Mapping[str, Any], network: str = "Tumblr") -> Profile:
    """``/v2/user/info``'s answer as a Profile with the user's blogs as targets."""
    response = body.get("response")
    user = response.get("user") if isinstance(response, dict) else None
    if not isinstance(user, dict) or not isinstance(user.get("name"), str) or not user["name"]:
        raise LinkError(f"{network} answered the account lookup without the user's name.")
    blogs = [b for b in user.get("blogs") or [] if isinstance(b, dict)]
    primary = next((b for b in blogs if b.get("primary")), blogs[0] if blogs else {})
    named = primary.get("name")
    blog_name = named if isinstance(named, str) and named else str(user["name"])
    uuid = primary.get("uuid")
    title = primary.get("title")
    return Profile(
        remote_id=uuid if isinstance(uuid, str) and uuid else str(user["name"]),
        handle=str(user["name"]),
        display_name=title if isinstance(title, str) and title.strip() else str(user["name"]),
        avatar_url=avatar_url(blog_name),
        targets=targets_of(blogs),
    )


class TumblrSignIn(DeveloperAppSignIn):
    def parse_profile(self, body: Mapping[str, Any]) -> Profile:
        return parse_user_info(body, self.spec.name)


SIGN_IN = TumblrSignIn
