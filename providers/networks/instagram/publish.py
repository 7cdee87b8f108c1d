"""Publishing to an Instagram professional account: Meta's container flow on graph.instagram.com
(developers.facebook.com/docs/instagram-platform/content-publishing; networks.md §2,
networks-2026.md §0.2, §2a):

1. the quota: ``GET /{ig-user-id}/content_publishing_limit?fields=quota_usage,config``; the
   total (``config.quota_total``) is read each time, never assumed (50 today, 25 before);
   a used-up quota waits for the day's window instead of sending;
2. each photo is staged (providers.staging: the user's bucket, a presigned address that expires)
   and a container made for it: ``POST /{ig-user-id}/media`` with ``image_url`` (and ``caption``;
   ``is_carousel_item=true`` for a carousel's items, then ``media_type=CAROUSEL`` with
   ``children``, 2–10). Meta fetches the photo from the address;
3. the containers' ``status_code`` is polled with a growing wait (IN_PROGRESS → FINISHED; ERROR
   and EXPIRED end it with the reason, its 2207xxx code mapped). Nothing is published before
   FINISHED (publishing early is 9007/2207027, "Media ID is not available");
4. ``POST /{ig-user-id}/media_publish`` with ``creation_id`` makes the post; its permalink is the
   link. The staged copies are deleted afterwards, however it went.

Videos: a single video is a Reel (``media_type=REELS`` with ``video_url``; Meta publishes every
single feed video as a Reel since 1 July 2023); in a carousel a video is a ``media_type=VIDEO``
item (networks-2026.md §2a, as Postiz sends them). A Story (a delivery whose target is
``TargetKind.STORY``) is one ``media_type=STORIES`` container with ``image_url`` or ``video_url``
and no caption, judged against the spec's ``STORY_MEDIA`` (:meth:`limits`) before upload.
Instagram has no text-only posts.

Recovery: a container is not idempotent, but Meta refuses to publish one container twice; after
a lost answer to ``media_publish`` the post is looked up (``Recovery.LOOKUP``): the account's
newest media, one whose caption is the post's, made after the send started (for a Story, which
has no caption: the account's live stories, one made after the send started).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from providers.errors import PublishError
from providers.failures import Rule, from_exception
from providers.interface import Publisher, PublishResult, Quota, Recovery, Reporter, is_story
from providers.publishing.answers import json_object as _json
from providers.publishing.meta_quota import publishing_limit

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import Token
    from providers.spec import NetworkSpec
    from providers.store import Account, Delivery, Post

API = "https://graph.instagram.com/v26.0"
# Seconds between status reads: Meta suggests polling about once a minute for up to five minutes
# for video; photos are usually ready within seconds, so it starts short and grows.
POLL_DELAYS = (0.2, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0, 60.0, 60.0, 60.0)
QUOTA_WAIT = 3600.0  # a used-up quota is a moving 24-hour window; look again in an hour
CONTAINER_CODE = re.compile(r"\b(22\d{5})\b")

FIX = "Change the photo and post again."
# Meta's container and publishing error subcodes (networks-2026.md §2a: the codes Postiz maps;
# meanings as Postiz words them), and the Graph codes around them.
REASONS: dict[str, Rule] = {
    "2207001": Rule("try_later", "Instagram had a problem processing the photo.", 300.0),
    "2207003": Rule("try_later", "Instagram timed out fetching the photo.", 120.0),
    "2207004": Rule("fix_media", f"The photo is too large for Instagram (8 MB). {FIX}"),
    "2207005": Rule("fix_media", f"Instagram does not support this image format (JPEG only). {FIX}"),
    "2207006": Rule("refused", "Instagram could not find the media container; it may have been published."),
    "2207008": Rule("try_later", "The media container expired before it was published.", 60.0),
    "2207009": Rule(
        "fix_media",
        f"The aspect ratio must be between 4:5 and 1.91:1; crop or pad the photo (Upload: f). {FIX}",
    ),
    "2207010": Rule("fix_media", "The caption is too long for Instagram (2,200 characters)."),
    "2207020": Rule("try_later", "The media expired on Instagram's side; it will be sent again.", 60.0),
    "2207026": Rule("fix_media", f"Instagram does not support this video format. {FIX}"),
    "2207027": Rule("try_later", "The media was not ready to publish yet.", 60.0),
    "2207028": Rule("fix_media", "The carousel is not valid (2–10 photos, each accepted)."),
    "2207042": Rule(
        "try_later", "The account reached Instagram's limit of API posts in 24 hours.", QUOTA_WAIT
    ),
    "2207050": Rule("refused", "Instagram restricts this account; check it in the Instagram app."),
    "2207051": Rule("refused", "Instagram blocked this post as spam or against its rules."),
    "2207052": Rule(
        "fix_media",
        "Instagram could not fetch the photo from the staged address; check that the [staging] "
        "bucket's addresses are public https.",
    ),
    "2207053": Rule("try_later", "Instagram failed to upload the media.", 120.0),
    "2207057": Rule("fix_media", "The video's thumbnail offset is not valid."),
    "2207082": Rule("fix_media", "Instagram could not process the media."),
    "2207085": Rule("fix_media", "Instagram refused the media."),
    "36001": Rule("fix_media", f"The photo's resolution is not supported (width 320–1440 px). {FIX}"),
    "36003": Rule("fix_media", "The aspect ratio must be between 4:5 and 1.91:1; crop or pad the photo."),
    "190": Rule("reconnect", "The sign-in is no longer valid; link Instagram again."),
    "10": Rule(
        "reconnect",
        "The sign-in lacks the instagram_business_content_publish permission, or the account is not "
        "a Business or Creator account; link again.",
    ),
    "4": Rule("try_later", "Meta's rate limit for the app is reached.", 600.0),
    "17": Rule("try_later", "Meta's rate limit for the account is reached.", 600.0),
    "32": Rule("try_later", "Meta's rate limit for the page is reached.", 600.0),
    "613": Rule("try_later", "Meta's rate limit is reached.", 600.0),
    "80002": Rule("try_later", "Meta's call budget for this Instagram account is spent for now.", 600.0),
    "9007": Rule("try_later", "The media was not ready to publish yet.", 60.0),
}


def graph_code(body: Mapping[str, Any] | None) -> str | None:
    """The most precise code of a Graph error document: ``error_subcode``, else ``code``."""
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        return None
    for key in ("error_subcode", "code"):
        value = error.get(key)
        if isinstance(value, int | str) and not isinstance(value, bool) and str(value):
            code = str(value)
            if key == "error_subcode" and code not in REASONS:
                continue  # an unmapped subcode: its code may still say something
            return code
    return None


def graph_words(body: Mapping[str, Any] | None) -> str | None:
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        return None
    for key in ("error_user_msg", "message"):
        value = error.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:300]
    return None


class InstagramPublisher(Publisher):
    recovery = Recovery.LOOKUP
    stages_media = True
    reads_quota = True
    posts_stories = True
    error_rules: ClassVar[Mapping[str, Rule]] = REASONS
    poll_delays: ClassVar[tuple[float, ...]] = POLL_DELAYS

    def error_code(self, response: httpx2.Response) -> str | None:
        return graph_code(_json(response))

    def error_words(self, response: httpx2.Response) -> str | None:
        return graph_words(_json(response))

    def refused(
        self, response: httpx2.Response, name: str, what: str, *, committing: bool = False
    ) -> PublishError:
        """As the base, waiting as long as Meta's usage header says the account's budget needs
        (``X-Business-Use-Case-Usage``: ``estimated_time_to_regain_access``, minutes)."""
        error = super().refused(response, name, what, committing=committing)
        minutes = regain_minutes(response.headers.get("X-Business-Use-Case-Usage"))
        if error.kind == "try_later" and minutes:
            error.retry_after = max(error.retry_after or 0.0, minutes * 60.0)
        return error

    def profile_url(self, account: Account) -> str | None:
        return f"https://www.instagram.com/{account.handle.lstrip('@')}/"

    async def limits(self, account: Account) -> NetworkSpec:
        """A Story's own limits (one portrait photo or video) for a Story delivery."""
        if is_story(account) and self.spec.story_media is not None:
            from dataclasses import replace

            return replace(self.spec, media=self.spec.story_media)
        return self.spec

    @staticmethod
    def _auth(token: Token) -> dict[str, str]:
        return {"Authorization": f"Bearer {token.get('access_token', '')}"}

    async def publish(
        self,
        account: Account,
        post: Post,
        delivery: Delivery,
        token: Token,
        *,
        report: Reporter | None = None,
    ) -> PublishResult:
        name, user = self.name(account), account.remote_id
        photos = [Path(p) for p in post.media]
        story = is_story(account)
        if not photos:
            raise PublishError("refused", f"{name} has no text-only posts: add a photo or a video.")
        if story and len(photos) != 1:
            raise PublishError(
                "fix_media", f"{name}: a Story is one photo or one video; this post has {len(photos)}."
            )
        if len(photos) > (self.spec.media.max_images or 10):
            raise PublishError(
                "fix_media", f"{name}: a carousel has at most 10 photos; this post has {len(photos)}."
            )
        if self.staging is None:  # the outbox refuses this before; a direct caller gets the same
            from providers.staging import not_set_up

            raise PublishError("refused", not_set_up(name))
        for path in photos:
            if not path.is_file():
                raise PublishError(
                    "fix_media", f"{name}: {path.name} is no longer at {path}; nothing was published."
                )
        await self.check_quota(name, user, token)
        carousel = len(photos) > 1
        async with contextlib.AsyncExitStack() as staged:
            children: list[str] = []
            for index, path in enumerate(photos):
                progress = None if report is None else self._progress(report, index, len(photos))
                video, kind = what_file(path)
                url = await staged.enter_async_context(
                    self.staging.staged(path, content_type=kind, progress=progress)
                )
                fields = {"video_url": url} if video else {"image_url": url}
                if story:  # a Story takes no caption
                    fields["media_type"] = "STORIES"
                else:
                    if video:
                        fields["media_type"] = "VIDEO" if carousel else "REELS"
                    fields.update({"is_carousel_item": "true"} if carousel else {"caption": post.caption})
                children.append(
                    await self.container(name, user, token, fields, f"creating a container for {path.name}")
                )
            if carousel:
                await self.wait_until_finished(name, children, token, report)
                fields = {"media_type": "CAROUSEL", "children": ",".join(children), "caption": post.caption}
                creation = await self.container(name, user, token, fields, "creating the carousel")
            else:
                creation = children[0]
            await self.wait_until_finished(name, [creation], token, report)
            if report is not None:
                await report.committing()
            media_id = await self.publish_container(name, user, token, creation)
        return PublishResult(media_id, await self.permalink(media_id, token))

    @staticmethod
    def _progress(report: Reporter, index: int, count: int):  # type: ignore[no-untyped-def]
        return lambda sent, total: report.uploading(index, count, sent, total)

    async def quota(self, account: Account, token: Token) -> Quota | None:
        """The account's quota as Instagram reports it now (``quota_total`` read, not assumed)."""
        return await self.read_quota(self.name(account), account.remote_id, token)

    async def read_quota(self, name: str, user: str, token: Token) -> Quota | None:
        what = "reading the publishing quota"
        try:
            response = await self.client.get(
                f"{API}/{user}/content_publishing_limit",
                params={"fields": "quota_usage,config"},
                headers=self._auth(token),
            )
        except Exception as exc:
            raise from_exception(exc, name, what) from None
        if response.status_code != 200:
            raise self.refused(response, name, what)
        return publishing_limit(_json(response))

    async def check_quota(self, name: str, user: str, token: Token) -> None:
        """Refuse to send while the account's publishing quota is used up (read, not assumed)."""
        found = await self.read_quota(name, user, token)
        if found is not None and found.left == 0:
            raise PublishError(
                "try_later",
                f"{name}: the account has published {found.used} of its {found.total} API posts in "
                "the last 24 hours (Instagram's limit); linkdeck tries again later.",
                retry_after=QUOTA_WAIT,
            )

    async def container(self, name: str, user: str, token: Token, fields: dict[str, str], what: str) -> str:
        try:
            response = await self.client.post(f"{API}/{user}/media", data=fields, headers=self._auth(token))
        except Exception as exc:
            raise from_exception(exc, name, what) from None
        if response.status_code != 200:
            raise self.refused(response, name, what)
        body = _json(response) or {}
        made = body.get("id")
        if not isinstance(made, str | int) or not str(made):
            raise PublishError("try_later", f"{name} answered {what} without the container's id.")
        return str(made)

    async def wait_until_finished(
        self, name: str, containers: list[str], token: Token, report: Reporter | None
    ) -> None:
        """Poll each container's ``status_code`` with a growing wait until FINISHED."""
        waiting = list(containers)
        for index, delay in enumerate((0.0, *self.poll_delays)):
            if delay:
                await asyncio.sleep(delay)
            still: list[str] = []
            for container in waiting:
                status, words = await self.status(name, container, token)
                if status == "FINISHED":
                    continue
                if status == "ERROR":
                    raise self.container_failed(name, words)
                if status == "EXPIRED":
                    raise PublishError(
                        "try_later",
                        f"{name}: the media container expired before it was published; sent again later.",
                        retry_after=60.0,
                    )
                still.append(container)
            if not still:
                return
            waiting = still
            if report is not None:
                report.processing(index % max(1, len(containers)), len(containers))
        raise PublishError(
            "try_later",
            f"{name} was still processing the photo after several minutes; linkdeck tries again later.",
        )

    async def status(self, name: str, container: str, token: Token) -> tuple[str, str]:
        what = "checking the media container"
        try:
            response = await self.client.get(
                f"{API}/{container}", params={"fields": "status_code,status"}, headers=self._auth(token)
            )
        except Exception as exc:
            raise from_exception(exc, name, what) from None
        if response.status_code != 200:
            raise self.refused(response, name, what)
        body = _json(response) or {}
        code, words = body.get("status_code"), body.get("status")
        return (code if isinstance(code, str) else "IN_PROGRESS"), (words if isinstance(words, str) else "")

    def container_failed(self, name: str, words: str) -> PublishError:
        """An ERROR container, by the 2207xxx code its status text names."""
        found = CONTAINER_CODE.search(words)
        rule = REASONS.get(found.group(1)) if found else None
        said = words.strip()[:300] or "the container failed"
        if rule is None:
            return PublishError("fix_media", f"{name} could not process the media ({said}).")
        advice = f" {rule.advice}" if rule.advice else ""
        return PublishError(
            rule.kind, f"{name} could not process the media ({said}).{advice}", retry_after=rule.wait
        )

    async def publish_container(self, name: str, user: str, token: Token, creation: str) -> str:
        what = "publishing the post"
        try:
            response = await self.client.post(
                f"{API}/{user}/media_publish", data={"creation_id": creation}, headers=self._auth(token)
            )
        except Exception as exc:
            raise from_exception(exc, name, what, committing=True) from None
        if response.status_code != 200:
            raise self.refused(response, name, what, committing=True)
        body = _json(response) or {}
        media_id = body.get("id")
        if not isinstance(media_id, str | int) or not str(media_id):
            raise PublishError("try_later", f"{name} answered the post without its id.", maybe_published=True)
        return str(media_id)

    async def permalink(self, media_id: str, token: Token) -> str | None:
        try:
            response = await self.client.get(
                f"{API}/{media_id}", params={"fields": "permalink"}, headers=self._auth(token)
            )
        except Exception:
            return None
        body = _json(response) if response.status_code == 200 else None
        link = body.get("permalink") if body else None
        return link if isinstance(link, str) and link.startswith("https://") else None

    async def lookup(
        self, account: Account, post: Post, delivery: Delivery, token: Token
    ) -> PublishResult | None:
        """The account's newest media: one with this caption, made after the send started (a
        minute's grace for clock skew)."""
        name, user = self.name(account), account.remote_id
        what = "looking for the post"
        story = is_story(account)
        try:
            response = await self.client.get(
                f"{API}/{user}/{'stories' if story else 'media'}",
                params={"fields": "id,caption,media_type,permalink,timestamp", "limit": "25"},
                headers=self._auth(token),
            )
        except Exception as exc:
            raise from_exception(exc, name, what) from None
        if response.status_code != 200:
            raise self.refused(response, name, what)
        since = (delivery.committed_at or delivery.updated_at) - timedelta(minutes=1)
        items = (_json(response) or {}).get("data")
        for found in items if isinstance(items, list) else []:
            if not isinstance(found, dict) or not isinstance(found.get("id"), str | int):
                continue
            made = graph_time(found.get("timestamp"))
            same = story or (found.get("caption") or "") == post.caption  # a Story has no caption
            if made is not None and made >= since and same:
                link = found.get("permalink")
                return PublishResult(str(found["id"]), link if isinstance(link, str) else None)
        return None


def what_file(path: Path) -> tuple[bool, str]:
    """(is it a video, its content type), from its first bytes (providers.media's sniffing)."""
    from providers.media.model import MediaKind
    from providers.media.sniff import mime_type, sniff

    with path.open("rb") as handle:
        head = handle.read(64)
    video = sniff(head)[0] is MediaKind.VIDEO
    return video, mime_type(head) or ("video/mp4" if video else "image/jpeg")


def regain_minutes(header: str | None) -> int:
    """The longest ``estimated_time_to_regain_access`` (minutes) in a Business Use Case usage
    header; 0 when it says none or cannot be read."""
    import json

    try:
        usage = json.loads(header or "{}")
    except ValueError:
        return 0
    found = [
        item.get("estimated_time_to_regain_access")
        for items in (usage.values() if isinstance(usage, dict) else [])
        if isinstance(items, list)
        for item in items
        if isinstance(item, dict)
    ]
    return max([m for m in found if isinstance(m, int) and not isinstance(m, bool)] or [0])


def graph_time(value: Any) -> datetime | None:
    """Graph's ``2021-07-26T10:45:20+0000``."""
    if not isinstance(value, str):
        return None
    for form in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
        try:
            return datetime.strptime(value, form).astimezone(UTC)
        except ValueError:
            continue
    return None


PUBLISHER = InstagramPublisher
