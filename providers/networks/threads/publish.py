"""Publishing to Threads: the container flow (developers.facebook.com/docs/threads/posts).

1. The account's quota first: ``GET /{user-id}/threads_publishing_limit?fields=quota_usage,config``
   (250 posts per 24 hours, a carousel counting one; …/threads/overview). A used-up quota is
   "try later" before anything is created.
2. A container: ``POST /{user-id}/threads`` with ``media_type`` TEXT (and ``text``), IMAGE
   (``image_url``) or VIDEO (``video_url``). Threads takes no upload: it fetches each file from a
   public address, so the files are staged first (providers.staging: the user's S3-compatible
   bucket, presigned addresses) and deleted once the post is made or has failed. Several files
   make a carousel (at most 20): one container per file with ``is_carousel_item=true``, each
   FINISHED, then a CAROUSEL container with ``children`` (their ids, comma-separated) and the
   ``text``. A file's alt text goes with it as ``alt_text`` (…/threads/posts/accessibility).
3. Its status until FINISHED: ``GET /{container-id}?fields=status,error_message``, polled with
   backoff (Meta suggests about 30 s on average; a photo is fetched meanwhile). ERROR is the
   media's fault (Threads may say only "UNKNOWN", postiz-app PR #1991); EXPIRED or still
   IN_PROGRESS after about five minutes is "try later".
4. ``POST /{user-id}/threads_publish`` with ``creation_id``: the post. Publishing before the
   container is ready answers error subcode **4279009** ("Media Not Found", postiz-app PR #2047),
   sometimes even after FINISHED: the same container is published again after 5, 15 and 30 s,
   and then it is "try later", never a failure.
5. Its link: ``GET /{media-id}?fields=permalink``.

Errors are Graph documents ``{"error": {message, type, code, error_subcode, fbtrace_id}}``; the
subcode (else the code) is looked up in :attr:`ThreadsPublisher.error_rules`.

Recovery is a look-up (Threads has no idempotency key): the user's threads, newest first
(``GET /{user-id}/threads``), one whose text is the caption, of the same kind, made after the
send started (of the same kind: TEXT_POST, IMAGE, VIDEO, CAROUSEL_ALBUM).
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from providers.errors import PublishError
from providers.failures import Rule, from_exception
from providers.interface import Publisher, PublishResult, Quota, Recovery, Reporter
from providers.publishing.answers import json_object as _json
from providers.publishing.answers import moment as _when
from providers.publishing.meta_quota import publishing_limit

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import Token
    from providers.store import Account, Delivery, Post

API = "https://graph.threads.net/v1.0"
NOT_READY = "4279009"  # publishing a container Threads has not finished fetching
DAY = 86_400
QUOTA_WAIT = 3600.0  # a used-up 24-hour quota: look again in an hour
TRY_LATER_READY = 30.0  # Meta's average wait before publishing
CAROUSEL_MAX = 20


def graph_error(response: httpx2.Response) -> Mapping[str, Any]:
    body = _json(response) or {}
    error = body.get("error")
    return error if isinstance(error, Mapping) else {}


class ThreadsPublisher(Publisher):
    recovery = Recovery.LOOKUP
    stages_media = True
    reads_quota = True
    # Seconds between looks at a container's status (about five minutes in all).
    poll_delays: ClassVar[tuple[float, ...]] = (0.5, 1, 2, 4, 8, 15, 30, 30, 30, 30, 30, 30, 60, 60)
    # Seconds before publishing the same container again after 4279009 (Threads not ready yet,
    # even after FINISHED: postiz-app PR #2047); then the outbox tries again later.
    not_ready_delays: ClassVar[tuple[float, ...]] = (5, 15, 30)
    error_rules: ClassVar[Mapping[str, Rule]] = {
        NOT_READY: Rule(
            "try_later", "Threads had not finished with the media yet; linkdeck tries again.", TRY_LATER_READY
        ),
        "190": Rule("reconnect", "The Threads sign-in expired or was removed; link the account again."),
        "10": Rule(
            "reconnect",
            "The sign-in lacks threads_content_publish (or the app lost it); link the account again.",
        ),
        "200": Rule(
            "reconnect",
            "The sign-in lacks threads_content_publish (or the app lost it); link the account again.",
        ),
        "4": Rule("try_later", "The Meta app's call budget is used up for now.", 300.0),
        "17": Rule("try_later", "The account's call budget is used up for now.", 300.0),
        "32": Rule("try_later", "The account's call budget is used up for now.", 300.0),
        "613": Rule("try_later", "Threads is limiting calls for now.", 300.0),
    }

    def error_code(self, response: httpx2.Response) -> str | None:
        """The error subcode where it has a rule of its own (4279009), else the code (190 with
        any subcode: 463 expired, 460 password changed… all mean link again)."""
        error = graph_error(response)
        found = [
            str(value)
            for value in (error.get("error_subcode"), error.get("code"))
            if isinstance(value, int | str) and not isinstance(value, bool) and str(value)
        ]
        known = [code for code in found if code in self.error_rules]
        return next(iter(known or found), None)

    def error_words(self, response: httpx2.Response) -> str | None:
        error = graph_error(response)
        words = [error.get(k) for k in ("message", "error_user_msg")]
        found = [w for w in words if isinstance(w, str) and w.strip()]
        return ": ".join(dict.fromkeys(found)) if found else None

    def profile_url(self, account: Account) -> str | None:
        return f"https://www.threads.com/{account.handle}" if account.handle.startswith("@") else None

    @staticmethod
    def _auth(token: Token) -> dict[str, str]:
        return {"Authorization": f"Bearer {token.get('access_token', '')}"}

    async def _call(
        self, method: str, url: str, name: str, what: str, token: Token, **kwargs: Any
    ) -> dict[str, Any]:
        try:
            response = await self.client.request(method, url, headers=self._auth(token), **kwargs)
        except Exception as exc:
            raise from_exception(exc, name, what) from None
        if response.status_code != 200:
            raise self.refused(response, name, what)
        body = _json(response)
        if body is None:
            raise PublishError("try_later", f"{name} answered {what} with something that is not JSON.")
        return body

    # Publishing -------------------------------------------------------------------------------------

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
        self._refuse_unbuilt(name, post)
        await self.check_quota(name, user, token)
        if not post.media:
            container = await self._container(name, user, token, {"media_type": "TEXT", "text": post.caption})
            await self._wait_finished(name, container, token)
            return await self._publish(name, user, container, token, report)
        if self.staging is None:  # the outbox refuses this before; a direct caller gets the same
            from providers.staging import not_set_up

            raise PublishError("refused", not_set_up(name))
        files = [Path(item) for item in post.media]
        for path in files:
            if not path.is_file():
                raise PublishError(
                    "fix_media", f"{name}: {path.name} is no longer at {path}; nothing was published."
                )
        count = len(files)
        async with contextlib.AsyncExitStack() as staged:  # every file fetchable until it is posted
            containers = []
            for index, path in enumerate(files):
                kind = media_kind(path) or "IMAGE"  # anything else was refused above
                url = await staged.enter_async_context(
                    self.staging.staged(
                        path, content_type=content_type(path), progress=_progress(report, index, count)
                    )
                )
                fields: dict[str, str] = {"media_type": kind, f"{kind.lower()}_url": url}
                fields.update({"is_carousel_item": "true"} if count > 1 else {"text": post.caption})
                if post.description_for(index):  # alt text (…/threads/posts/accessibility)
                    fields["alt_text"] = post.description_for(index)
                containers.append(await self._container(name, user, token, fields))
            for index, container in enumerate(containers):
                if report is not None:
                    report.processing(index, count)
                await self._wait_finished(name, container, token)
            if count > 1:
                fields = {"media_type": "CAROUSEL", "children": ",".join(containers), "text": post.caption}
                carousel = await self._container(name, user, token, fields)
                await self._wait_finished(name, carousel, token)
                containers = [carousel]
            return await self._publish(name, user, containers[0], token, report)

    def _refuse_unbuilt(self, name: str, post: Post) -> None:
        """What Threads cannot take, refused before anything is sent: more than 20 items in a
        carousel, files that are neither a photo nor a video."""
        if len(post.media) > CAROUSEL_MAX:
            raise PublishError(
                "fix_media",
                f"{name} carousels hold at most {CAROUSEL_MAX} photos and videos; this post has "
                f"{len(post.media)}.",
            )
        for item in post.media:
            if media_kind(Path(item)) is None:
                raise PublishError(
                    "fix_media",
                    f"{name} takes photos (JPEG, PNG) and videos (MP4, MOV); {Path(item).name} is neither.",
                )

    async def quota(self, account: Account, token: Token) -> Quota | None:
        """The account's quota as Threads reports it now (250 posts a day today, read each time)."""
        body = await self._call(
            "GET",
            f"{API}/{account.remote_id}/threads_publishing_limit",
            self.name(account),
            "reading the posting quota",
            token,
            params={"fields": "quota_usage,config"},
        )
        return publishing_limit(body)

    async def check_quota(self, name: str, user: str, token: Token) -> None:
        """Try later, before anything is created, when the 24-hour quota is used up. A quota that
        cannot be read does not stop the post (Threads refuses it then if it must)."""
        try:
            body = await self._call(
                "GET",
                f"{API}/{user}/threads_publishing_limit",
                name,
                "reading the posting quota",
                token,
                params={"fields": "quota_usage,config"},
            )
        except PublishError as error:
            if error.kind == "reconnect":
                raise
            return
        found = publishing_limit(body)
        if found is not None and found.left == 0:
            raise PublishError(
                "try_later",
                f"{name}: this account has made {found.used} of its {found.total} posts for the last "
                "24 hours (Threads' limit for apps); linkdeck tries again in an hour.",
                retry_after=QUOTA_WAIT,
            )

    async def _container(self, name: str, user: str, token: Token, fields: dict[str, str]) -> str:
        body = await self._call(
            "POST", f"{API}/{user}/threads", name, "creating the post's container", token, data=fields
        )
        container = body.get("id")
        if not isinstance(container, str | int) or not str(container):
            raise PublishError("try_later", f"{name} answered the new container without its id.")
        return str(container)

    async def _wait_finished(self, name: str, container: str, token: Token) -> None:
        """Poll the container until FINISHED (backoff; ERROR and EXPIRED end it)."""
        for delay in (0.0, *self.poll_delays):
            if delay:
                await asyncio.sleep(delay)
            body = await self._call(
                "GET",
                f"{API}/{container}",
                name,
                "checking the post's container",
                token,
                params={"fields": "status,error_message"},
            )
            status = body.get("status")
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status == "ERROR":
                said = body.get("error_message")
                reason = (
                    "Threads gave no reason (UNKNOWN)"
                    if not isinstance(said, str) or not said or said == "UNKNOWN"
                    else said
                )
                raise PublishError(
                    "fix_media",
                    f"{name} could not use the post's media: {reason}. Threads takes JPEG or PNG "
                    "photos (at most 8 MB, 320–1440 pixels wide, at most 10:1) and MP4 or MOV videos "
                    "(at most 1 GB and 5 minutes).",
                )
            if status == "EXPIRED":
                raise PublishError(
                    "try_later", f"{name}: the post's container expired before it was published."
                )
        raise PublishError(
            "try_later",
            f"{name} was still processing the post's media after about five minutes; linkdeck "
            "tries again later.",
            retry_after=TRY_LATER_READY,
        )

    async def _publish(
        self, name: str, user: str, container: str, token: Token, report: Reporter | None
    ) -> PublishResult:
        if report is not None:
            await report.committing()
        what = "publishing the post"
        for delay in (0.0, *self.not_ready_delays):
            if delay:
                await asyncio.sleep(delay)
            try:
                response = await self.client.post(
                    f"{API}/{user}/threads_publish",
                    data={"creation_id": container},
                    headers=self._auth(token),
                )
            except Exception as exc:
                raise from_exception(exc, name, what, committing=True) from None
            if response.status_code == 200 or self.error_code(response) != NOT_READY:
                break
        if response.status_code != 200:
            raise self.refused(response, name, what, committing=True)
        body = _json(response) or {}
        media_id = body.get("id")
        if not isinstance(media_id, str | int) or not str(media_id):
            raise PublishError(
                "try_later", f"{name} answered the new post without its id.", maybe_published=True
            )
        return PublishResult(str(media_id), await self._permalink(str(media_id), token))

    async def _permalink(self, media_id: str, token: Token) -> str | None:
        try:
            response = await self.client.get(
                f"{API}/{media_id}", params={"fields": "permalink"}, headers=self._auth(token)
            )
        except Exception:
            return None
        body = _json(response) if response.status_code == 200 else None
        link = (body or {}).get("permalink")
        return link if isinstance(link, str) and link.startswith("https://") else None

    # Recovery ---------------------------------------------------------------------------------------

    async def lookup(
        self, account: Account, post: Post, delivery: Delivery, token: Token
    ) -> PublishResult | None:
        """The account's threads, newest first: one with this caption and kind made after the
        send started (a minute's grace for clock skew)."""
        name = self.name(account)
        body = await self._call(
            "GET",
            f"{API}/{account.remote_id}/threads",
            name,
            "looking for the post",
            token,
            params={"fields": "id,text,media_type,permalink,timestamp", "limit": "25"},
        )
        since = (delivery.committed_at or delivery.updated_at) - timedelta(minutes=1)
        kind = (
            "TEXT_POST"
            if not post.media
            else "CAROUSEL_ALBUM"
            if len(post.media) > 1
            else media_kind(Path(post.media[0]))
        )
        found = body.get("data")
        for item in found if isinstance(found, list) else []:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str | int):
                continue
            made = _when(_iso(item.get("timestamp")))
            if made is None or made < since or item.get("text", "") != post.caption:
                continue
            if item.get("media_type") != kind:
                continue
            link = item.get("permalink")
            return PublishResult(str(item["id"]), link if isinstance(link, str) and link else None)
        return None


def content_type(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def media_kind(path: Path) -> str | None:
    """IMAGE or VIDEO, the container's ``media_type`` for this file; None for anything else."""
    kind = content_type(path)
    if kind.startswith("image/"):
        return "IMAGE"
    if kind.startswith("video/"):
        return "VIDEO"
    return None


def _progress(report: Reporter | None, index: int, count: int) -> Callable[[int, int], None] | None:
    if report is None:
        return None
    return lambda sent, total: report.uploading(index, count, sent, total)


def _iso(value: object) -> object:
    """Meta's ``2026-12-07T16:50:00+0000`` as ISO 8601 (``+00:00``)."""
    if isinstance(value, str) and len(value) > 5 and value[-5] in "+-" and value[-4:].isdigit():
        return f"{value[:-2]}:{value[-2:]}"
    return value


PUBLISHER = ThreadsPublisher
