"""Publishing to a Google Business Profile location: a local post ("What's new" update).

``POST https://mybusiness.googleapis.com/v4/accounts/{a}/locations/{l}/localPosts`` with JSON
(developers.google.com/my-business/reference/rest/v4/accounts.locations.localPosts):

- ``summary``: the caption (1,500 characters, checked before sending);
- ``topicType``: ``STANDARD``. Google requires it ("Topic type is required for post creation",
  spotonlive/php-google-my-business#26); events, offers and alerts need fields linkdeck does not
  ask for, so they are not built in this version (the spec's notes say so);
- ``media``: at most one ``{"mediaFormat": "PHOTO", "sourceUrl": …}``. Google takes no upload:
  it fetches the photo from a public address, so the photo is staged first (providers.staging:
  the user's S3-compatible bucket, a presigned address that expires) and the staged copy is
  deleted once Google has it, or the post failed;
- ``callToAction``: **linkdeck's decision**: the first http(s) address in the caption becomes a
  "Learn more" button (``LEARN_MORE`` with that ``url``); the caption keeps the address as the
  user wrote it. No address, no button. Other buttons (Book, Order, Call…) are not offered.

The answer is the LocalPost; its ``searchUrl`` is the link. Google gives no idempotency key, so
after a lost answer the post is looked up (``Recovery.LOOKUP``): the location's local posts,
newest first, one whose summary is the caption and whose ``createTime`` is after the send started.

A project without the v4 API enabled answers 403 SERVICE_DISABLED even when the Business Profile
APIs used for linking are enabled (postiz-app issue #1692): the message says to enable it.
"""

from __future__ import annotations

import asyncio
import mimetypes
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from providers.errors import PublishError
from providers.failures import Rule, from_exception
from providers.interface import Publisher, PublishResult, Recovery, Reporter
from providers.networks.google_business import google
from providers.publishing.answers import json_object as _json
from providers.publishing.answers import moment as _when

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import Token
    from providers.store import Account, Delivery, Post

API = "https://mybusiness.googleapis.com/v4"
TOPIC = "STANDARD"
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
PROCESSING_POLLS = (1.0, 2.0, 4.0, 8.0, 15.0)  # while Google still fetches the photo, before deleting it


def call_to_action(caption: str) -> dict[str, str] | None:
    """The "Learn more" button for the caption's first web address, or None when it has none."""
    found = _URL.search(caption)
    if found is None:
        return None
    return {"actionType": "LEARN_MORE", "url": found.group(0).rstrip(".,;:!?")}


def local_post(caption: str, photo_url: str | None) -> dict[str, Any]:
    """The LocalPost linkdeck creates for ``caption`` (and a staged photo's address)."""
    body: dict[str, Any] = {"summary": caption, "topicType": TOPIC}
    if photo_url is not None:
        body["media"] = [{"mediaFormat": "PHOTO", "sourceUrl": photo_url}]
    action = call_to_action(caption)
    if action is not None:
        body["callToAction"] = action
    return body


class GoogleBusinessPublisher(Publisher):
    recovery = Recovery.LOOKUP
    stages_media = True
    error_rules: ClassVar[Mapping[str, Rule]] = {
        "SERVICE_DISABLED": Rule(
            "refused",
            google.enable_advice(google.API_NAMES["mybusiness.googleapis.com"])
            + " Linking works without it; posting does not.",
        ),
        "ACCESS_TOKEN_SCOPE_INSUFFICIENT": Rule(
            "reconnect", "The sign-in lacks the business.manage permission; link the account again."
        ),
        "PERMISSION_DENIED": Rule(
            "refused",
            "The linked Google account may no longer manage this location; choose another location "
            "or link the account that manages it.",
        ),
        "NOT_FOUND": Rule("refused", "The location is gone or was moved; link again to choose a location."),
        "RATE_LIMIT_EXCEEDED": Rule("try_later", "Google's quota for the project is used up for now.", 60.0),
        "RESOURCE_EXHAUSTED": Rule("try_later", "Google's quota for the project is used up for now.", 60.0),
        "INVALID_ARGUMENT": Rule("fix_media", "Change the post and try again."),
    }

    def error_code(self, response: httpx2.Response) -> str | None:
        return google.reason(response)

    def error_words(self, response: httpx2.Response) -> str | None:
        return google.message(response)

    def name(self, account: Account) -> str:
        return f"{self.spec.name} ({account.target_name})" if account.target_name else self.spec.name

    @staticmethod
    def _auth(token: Token) -> dict[str, str]:
        return {"Authorization": f"Bearer {token.get('access_token', '')}"}

    def _location(self, account: Account) -> str:
        target = account.target_id or ""
        if not re.fullmatch(r"accounts/[^/]+/locations/[^/]+", target):
            raise PublishError(
                "refused",
                f"{self.spec.name}: no business location is chosen for {account.handle}; link the "
                "account again and choose one.",
            )
        return target

    async def publish(
        self,
        account: Account,
        post: Post,
        delivery: Delivery,
        token: Token,
        *,
        report: Reporter | None = None,
    ) -> PublishResult:
        name, location = self.name(account), self._location(account)
        if len(post.media) > self.spec.media.max_images:
            raise PublishError(
                "fix_media", f"{name} takes one photo per post; this post has {len(post.media)}."
            )
        if not post.media:
            return await self._create(name, location, token, local_post(post.caption, None), report)
        if self.staging is None:  # the outbox refuses this before; a direct caller gets the same
            from providers.staging import not_set_up

            raise PublishError("refused", not_set_up(name))
        path = Path(post.media[0])
        if not path.is_file():
            raise PublishError(
                "fix_media", f"{name}: {path.name} is no longer at {path}; nothing was published."
            )
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        progress = None if report is None else (lambda sent, total: report.uploading(0, 1, sent, total))
        async with self.staging.staged(path, content_type=content_type, progress=progress) as url:
            result, state = await self._create_with_state(
                name, location, token, local_post(post.caption, url), report
            )
            if state == "PROCESSING":  # Google may still be fetching the photo: not yet deleted
                await self._wait_while_processing(result.remote_post_id, token)
        return result

    async def _create(
        self, name: str, location: str, token: Token, body: dict[str, Any], report: Reporter | None
    ) -> PublishResult:
        return (await self._create_with_state(name, location, token, body, report))[0]

    async def _create_with_state(
        self, name: str, location: str, token: Token, body: dict[str, Any], report: Reporter | None
    ) -> tuple[PublishResult, str]:
        if report is not None:
            await report.committing()
        what = "creating the post"
        try:
            response = await self.client.post(
                f"{API}/{location}/localPosts", json=body, headers=self._auth(token)
            )
        except Exception as exc:
            raise from_exception(exc, name, what, committing=True) from None
        if response.status_code != 200:
            raise self.refused(response, name, what, committing=True)
        created = _json(response)
        if created is None or not isinstance(created.get("name"), str):
            raise PublishError(
                "try_later", f"{name} answered the new post without its name.", maybe_published=True
            )
        state = created.get("state")
        return _result(created), state if isinstance(state, str) else ""

    async def _wait_while_processing(self, post_name: str, token: Token) -> None:
        """A few looks at the post until Google has stopped processing it (bounded; whatever the
        answer, the staged photo is deleted afterwards)."""
        for delay in PROCESSING_POLLS:
            await asyncio.sleep(delay)
            try:
                response = await self.client.get(f"{API}/{post_name}", headers=self._auth(token))
            except Exception:
                return
            body = _json(response) if response.status_code == 200 else None
            if body is None or body.get("state") != "PROCESSING":
                return

    async def lookup(
        self, account: Account, post: Post, delivery: Delivery, token: Token
    ) -> PublishResult | None:
        """The location's local posts, newest first: one with this caption made after the send
        started (a minute's grace for clock skew), with as many photos."""
        name, location = self.name(account), self._location(account)
        what = "looking for the post"
        try:
            response = await self.client.get(
                f"{API}/{location}/localPosts", params={"pageSize": "100"}, headers=self._auth(token)
            )
        except Exception as exc:
            raise from_exception(exc, name, what) from None
        if response.status_code != 200:
            raise self.refused(response, name, what)
        body = _json(response) or {}
        since = (delivery.committed_at or delivery.updated_at) - timedelta(minutes=1)
        posts = body.get("localPosts")
        for found in posts if isinstance(posts, list) else []:
            if not isinstance(found, dict) or not isinstance(found.get("name"), str):
                continue
            created = _when(found.get("createTime"))
            media = found.get("media")
            photos = len(media) if isinstance(media, list) else 0
            if (
                created is not None
                and created >= since
                and found.get("summary") == post.caption
                and photos == len(post.media)
            ):
                return _result(found)
        return None


def _result(created: Mapping[str, Any]) -> PublishResult:
    url = created.get("searchUrl")
    return PublishResult(str(created["name"]), url if isinstance(url, str) and url else None)


PUBLISHER = GoogleBusinessPublisher
