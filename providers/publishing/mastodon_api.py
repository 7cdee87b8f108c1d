"""Publishing to servers that speak the Mastodon API (Mastodon, and Pixelfed with its differences in
its own package): the shared base both networks' publishers are built on.

The flow (mastodon/documentation@2903485 methods/media.md, statuses.md; shared/reference/
networks.md §Mastodon, §Pixelfed):

1. each file: ``POST /api/v2/media`` (multipart, streamed from disk, alt text as ``description``):
   200 when the server has processed it, 202 when it processes it later (video, GIF); then
   ``GET /api/v1/media/:id`` answers 206 until the file is ready, then 200;
2. ``POST /api/v1/statuses`` {status, media_ids[], visibility, spoiler_text, sensitive} with the
   header ``Idempotency-Key: <delivery.idempotency_key>``: Mastodon remembers the key for an hour
   per account (mastodon/mastodon app/services/post_status_service.rb, ``redis.setex(…, 3_600,
   …)``) and answers a repeat with the status it already made, so after a crash the outbox may
   resend with the same key. Pixelfed ignores the header; its posts are looked up instead.

Limits come live from the server's ``/api/v2/instance`` (``/api/v1/instance`` before 4.0), cached
for ten minutes per instance: caption length and URL weight, attachments per post, sizes, types.

It stays one module a little past 300 lines: the limits, the uploads, the processing wait, the
idempotent create and the lookup after a crash are the steps of one delivery against one API.
"""

from __future__ import annotations

import asyncio
import html
import mimetypes
import re
import time
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from providers.errors import PublishError
from providers.failures import Rule, from_exception
from providers.interface import Publisher, PublishResult, Recovery, Reporter
from providers.publishing.answers import json_object as _json
from providers.publishing.answers import moment as _when
from providers.publishing.instance_limits import apply_instance_limits
from providers.spec import NetworkSpec

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import Token
    from providers.store import Account, Delivery, Post

INSTANCE_TTL = 600.0
_instances: dict[str, tuple[float, dict[str, Any]]] = {}

_TAGS = re.compile(r"<[^>]+>")
_BREAKS = re.compile(r"<br\s*/?>|</p>\s*<p>", re.IGNORECASE)


def plain_text(content: str) -> str:
    """A status's HTML as comparable text: tags gone, entities decoded, white space squeezed."""
    text = html.unescape(_TAGS.sub("", _BREAKS.sub("\n", content)))
    return " ".join(text.split())


class MastodonApiPublisher(Publisher):
    def error_code(self, response: httpx2.Response) -> str | None:
        body = _json(response)
        error = body.get("error") if body is not None else None
        return error if isinstance(error, str) else None

    recovery = Recovery.IDEMPOTENT
    # Mastodon's errors carry no codes, only fixed messages in ``error``: these two mean something
    # other than their status says (mastodon/mastodon app/controllers/api/base_controller.rb,
    # app/services/post_status_service.rb).
    error_rules: ClassVar[Mapping[str, Rule]] = {
        "This action is outside the authorized scopes": Rule(
            "reconnect", "The sign-in lacks a permission; link the account again to grant it."
        ),
        "Cannot attach files that have not finished processing. Try again in a moment!": Rule(
            "try_later", "The server needs a moment with the media.", wait=5.0
        ),
    }
    # Mastodon keeps a key an hour per account (post_status_service.rb, redis.setex(…, 3_600, …)).
    idempotency_seconds: ClassVar[float | None] = 3600.0
    can_lookup = True
    poll_first = 0.2
    poll_max = 5.0
    processing_timeout = 600.0

    # Names and links -----------------------------------------------------------------------------

    def _base(self, account: Account) -> str:
        if not account.instance:
            raise PublishError(
                "refused", f"{self.spec.name}: the account has no server address; link it again."
            )
        return account.instance.rstrip("/")

    def profile_url(self, account: Account) -> str | None:
        username = account.handle.lstrip("@").split("@")[0]
        return f"{account.instance.rstrip('/')}/@{username}" if account.instance and username else None

    @staticmethod
    def _auth(token: Token) -> dict[str, str]:
        return {"Authorization": f"Bearer {token.get('access_token', '')}"}

    # Limits --------------------------------------------------------------------------------------

    async def instance_document(self, account: Account) -> dict[str, Any] | None:
        base = self._base(account)
        cached = _instances.get(base)
        if cached is not None and time.monotonic() - cached[0] < INSTANCE_TTL:
            return cached[1]
        for path in ("/api/v2/instance", "/api/v1/instance"):
            try:
                response = await self.client.get(base + path)
            except Exception:  # offline: judge with the catalog's limits
                return None
            if response.status_code == 200:
                try:
                    body = response.json()
                except ValueError:
                    continue
                if isinstance(body, dict):
                    _instances[base] = (time.monotonic(), body)
                    return body
        return None

    async def limits(self, account: Account) -> NetworkSpec:
        document = await self.instance_document(account)
        configuration = document.get("configuration") if document else None
        found = configuration if isinstance(configuration, dict) else {}
        return apply_instance_limits(self.spec, found)

    # Publishing ----------------------------------------------------------------------------------

    async def publish(
        self,
        account: Account,
        post: Post,
        delivery: Delivery,
        token: Token,
        *,
        report: Reporter | None = None,
    ) -> PublishResult:
        name, base, auth = self.name(account), self._base(account), self._auth(token)
        if not self.spec.media.text_only and not post.media:
            raise PublishError("fix_media", f"{name} posts need at least one photo; this post has none.")
        count = len(post.media)
        media_ids: list[str] = []
        waiting: list[tuple[int, str]] = []
        for index, file in enumerate(post.media):
            media_id, ready = await self._upload(
                base, auth, name, Path(file), post.description_for(index), index, count, report
            )
            media_ids.append(media_id)
            if not ready:
                waiting.append((index, media_id))
        for index, media_id in waiting:
            if report is not None:
                report.processing(index, count)
            await self._wait_until_processed(base, auth, name, media_id, Path(post.media[index]).name)
        if report is not None:
            await report.committing()
        headers = {**auth, "Idempotency-Key": delivery.idempotency_key}
        what = "creating the post"
        try:
            response = await self.client.post(
                f"{base}/api/v1/statuses", data=self.status_form(post, media_ids), headers=headers
            )
        except Exception as exc:
            raise from_exception(exc, name, what, committing=True) from None
        if response.status_code != 200:
            raise self.refused(response, name, what, committing=True)
        status = _json(response)
        if status is None or not isinstance(status.get("id"), str | int):
            raise PublishError(
                "try_later", f"{name} answered the new post without its id.", maybe_published=True
            )
        return PublishResult(str(status["id"]), _str(status.get("url")) or _str(status.get("uri")))

    def status_form(self, post: Post, media_ids: list[str]) -> dict[str, Any]:
        form: dict[str, Any] = {"status": post.caption, "visibility": post.visibility}
        if media_ids:
            form["media_ids[]"] = media_ids
        if post.spoiler_text:
            form["spoiler_text"] = post.spoiler_text
        if post.sensitive:
            form["sensitive"] = "true"
        return form

    async def _upload(
        self,
        base: str,
        auth: dict[str, str],
        name: str,
        path: Path,
        description: str,
        index: int,
        count: int,
        report: Reporter | None,
    ) -> tuple[str, bool]:
        """POST one file; (media id, whether it is processed already)."""
        from providers.publishing.multipart import StreamedMultipart

        what = f"uploading {path.name}"
        if not path.is_file():
            raise PublishError(
                "fix_media", f"{name}: {path.name} is no longer at {path}; nothing was published."
            )
        progress = (
            None if report is None else (lambda sent, total: report.uploading(index, count, sent, total))
        )
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        try:
            body = StreamedMultipart(
                [("description", description)] if description else [],
                "file",
                path,
                content_type=content_type,
                progress=progress,
            )
            response = await self.client.post(
                f"{base}/api/v2/media", content=body, headers={**auth, **body.headers}
            )
        except Exception as exc:
            raise from_exception(exc, name, what) from None
        if response.status_code not in (200, 202):
            raise self.refused(response, name, what)
        media = _json(response)
        if media is None or not isinstance(media.get("id"), str | int):
            raise PublishError("try_later", f"{name} answered the upload of {path.name} without a media id.")
        return str(media["id"]), response.status_code == 200 and media.get("url") is not None

    async def _wait_until_processed(
        self, base: str, auth: dict[str, str], name: str, media_id: str, label: str
    ) -> None:
        what = f"processing {label}"
        delay, waited = self.poll_first, 0.0
        while True:
            await asyncio.sleep(delay)
            waited += delay
            try:
                response = await self.client.get(f"{base}/api/v1/media/{media_id}", headers=auth)
            except Exception as exc:
                raise from_exception(exc, name, what) from None
            if response.status_code == 200:
                body = _json(response)
                if body is not None and body.get("url"):
                    return
            elif response.status_code != 206:
                raise self.refused(response, name, what)
            if waited >= self.processing_timeout:
                raise PublishError(
                    "try_later", f"{name} was still processing {label} after {self.processing_timeout:g} s."
                )
            delay = min(self.poll_max, delay * 1.5)

    # Recovery ------------------------------------------------------------------------------------

    async def lookup(
        self, account: Account, post: Post, delivery: Delivery, token: Token
    ) -> PublishResult | None:
        """The account's recent statuses, matched by caption and number of attachments, created
        after the send started (a minute's grace for clock skew)."""
        name, base = self.name(account), self._base(account)
        what = "looking for the post"
        try:
            response = await self.client.get(
                f"{base}/api/v1/accounts/{account.remote_id}/statuses",
                params={"limit": 40},
                headers=self._auth(token),
            )
        except Exception as exc:
            raise from_exception(exc, name, what) from None
        if response.status_code != 200:
            raise self.refused(response, name, what)
        try:
            statuses = response.json()
        except ValueError:
            raise PublishError(
                "try_later", f"{name} answered the lookup with something that is not JSON."
            ) from None
        since = (delivery.committed_at or delivery.updated_at) - timedelta(minutes=1)
        wanted = " ".join(post.caption.split())
        for status in statuses if isinstance(statuses, list) else []:
            if not isinstance(status, dict):
                continue
            created = _when(status.get("created_at"))
            text = _str(status.get("content_text")) or plain_text(_str(status.get("content")) or "")
            attachments = status.get("media_attachments")
            same_media = len(attachments) if isinstance(attachments, list) else 0
            if created is not None and created >= since and text == wanted and same_media == len(post.media):
                return PublishResult(
                    str(status.get("id")), _str(status.get("url")) or _str(status.get("uri"))
                )
        return None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
