"""Publishing through Ayrshare: each media file uploaded to Ayrshare first (``POST
/api/media/upload``, streamed; over 10 MB through the presigned address of ``GET
/api/media/uploadUrl``), then one ``POST /api/post`` with the account's network in ``platforms``
and the delivery's ``idempotencyKey``; the post's link is that network's ``postUrl`` in
``postIds[]``. Errors arrive in ``errors[]`` with codes (networks-2026.md §14): 110/107
duplicate, 161/156/272 link again, 106 monthly quota. A 429 without Retry-After waits the 5-minute
window of Ayrshare's 300 requests.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from providers.errors import PublishError
from providers.failures import Rule, from_exception
from providers.interface import Publisher, PublishResult, Recovery
from providers.networks.ayrshare.api import API, RATE_WINDOW_SECONDS, first_error, headers, label, message_of

if TYPE_CHECKING:
    from collections.abc import Mapping

    import httpx2

    from providers.auth.types import Token
    from providers.interface import Reporter
    from providers.spec import NetworkSpec
    from providers.store import Account, Delivery, Post

LARGE_FILE = 10 * 1024 * 1024  # over 10 MB: the presigned upload address (§14)
# Each network's own rules still apply through Ayrshare (3P numbers, peers.md §5): photos per post
# [A12], caption length (Buffer's table [B2]); Instagram posts need media and YouTube takes only
# video (PRODUCT.md's network table).
MAX_IMAGES = {
    "facebook": 10,
    "instagram": 10,
    "linkedin": 9,
    "tiktok": 35,
    "gmb": 1,
    "pinterest": 1,
    "reddit": 1,
    "telegram": 1,
}
MAX_CAPTION = {
    "facebook": 5000,
    "instagram": 2200,
    "linkedin": 3000,
    "pinterest": 500,
    "tiktok": 2200,
    "youtube": 5000,
    "threads": 500,
    "bluesky": 300,
}
NEEDS_MEDIA = ("instagram", "youtube")
VIDEO_ONLY = ("youtube",)
RELINK = "Link it again on Ayrshare's page (`linkdeck link ayrshare`)."


class AyrsharePublisher(Publisher):
    # Ayrshare's /post takes an idempotencyKey (networks-2026.md §0.4, §14): a resend with the same
    # key answers with the post already made. The window is not documented: an hour is assumed.
    recovery: ClassVar[Recovery] = Recovery.IDEMPOTENT
    idempotency_seconds: ClassVar[float | None] = 3600.0
    can_lookup: ClassVar[bool] = True  # after the key's window: the profile's history (GET /api/history)
    error_rules: ClassVar[Mapping[str, Rule]] = {
        "110": Rule("refused", "Ayrshare says this is a duplicate of a recent post; change the text."),
        "107": Rule("refused", "Ayrshare says this is a duplicate of a recent post; change the text."),
        "161": Rule("reconnect", RELINK),
        "156": Rule("reconnect", RELINK),
        "272": Rule("reconnect", RELINK),
        "106": Rule(
            "refused", "The profile's monthly post quota is used up; it resets on the 1st (00:07 UTC)."
        ),
    }

    def name(self, account: Account) -> str:
        return label(account.target_id or "") if account.target_id else self.spec.name

    async def limits(self, account: Account) -> NetworkSpec:
        """Ayrshare's limits with the account's network's own on top (its photos per post, its
        caption length, whether it takes text alone or photos at all)."""
        import dataclasses

        platform = account.target_id or ""
        media = dataclasses.replace(
            self.spec.media,
            max_images=MAX_IMAGES.get(platform, self.spec.media.max_images),
            text_only=platform not in NEEDS_MEDIA,
            images=platform not in VIDEO_ONLY,
        )
        caption = dataclasses.replace(
            self.spec.caption, max_length=MAX_CAPTION.get(platform, self.spec.caption.max_length)
        )
        return dataclasses.replace(self.spec, media=media, caption=caption)

    def error_code(self, response: httpx2.Response) -> str | None:
        try:
            found = first_error(response.json())
        except ValueError:
            return None
        code = found.get("code") if found else None
        return str(code) if isinstance(code, int | str) and not isinstance(code, bool) else None

    def _refused(
        self, response: httpx2.Response, name: str, what: str, *, committing: bool = False
    ) -> PublishError:
        from providers.failures import classify

        try:
            said = message_of(response.json())
        except ValueError:
            said = ""
        error = classify(
            response,
            name,
            what,
            committing=committing,
            code=self.error_code(response),
            rules=self.error_rules,
            said=said or None,
        )
        if response.status_code == 429 and error.retry_after is None:
            return PublishError(
                "try_later",
                f"{error.message} Ayrshare allows 300 requests per 5 minutes per profile.",
                retry_after=RATE_WINDOW_SECONDS,
                status=429,
            )
        return error

    async def publish(
        self,
        account: Account,
        post: Post,
        delivery: Delivery,
        token: Token,
        *,
        report: Reporter | None = None,
    ) -> PublishResult:
        name = self.name(account)
        platform = str(token.get("platform") or account.target_id or "")
        auth = headers(str(token.get("access_token", "")), str(token.get("profile_key", "")) or None)
        count = len(post.media)
        urls = [
            await self._upload(auth, name, Path(file), post.description_for(index), index, count, report)
            for index, file in enumerate(post.media)
        ]
        if report is not None:
            await report.committing()
        body: dict[str, Any] = {
            "post": post.caption,
            "platforms": [platform],
            "idempotencyKey": delivery.idempotency_key,
        }
        if urls:
            body["mediaUrls"] = urls
        what = "creating the post"
        try:
            response = await self.client.post(f"{API}/post", json=body, headers=auth)
        except Exception as exc:
            raise from_exception(exc, name, what, committing=True) from None
        answer = _json(response)
        if response.status_code != 200 or (answer or {}).get("status") == "error":
            raise self._refused(response, name, what, committing=True)
        return result_of(answer or {}, platform, name)

    async def _upload(
        self,
        auth: dict[str, str],
        name: str,
        path: Path,
        description: str,
        index: int,
        count: int,
        report: Reporter | None,
    ) -> str:
        """Upload one file to Ayrshare; the address Ayrshare keeps it at."""
        from providers.publishing.multipart import StreamedMultipart

        what = f"uploading {path.name}"
        if not path.is_file():
            raise PublishError(
                "fix_media", f"{name}: {path.name} is no longer at {path}; nothing was published."
            )
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        progress = (
            None if report is None else (lambda sent, total: report.uploading(index, count, sent, total))
        )
        if path.stat().st_size > LARGE_FILE:
            return await self._upload_large(auth, name, path, content_type, what)
        fields = [("fileName", path.name)] + ([("description", description)] if description else [])
        try:
            form = StreamedMultipart(fields, "file", path, content_type=content_type, progress=progress)
            response = await self.client.post(
                f"{API}/media/upload", content=form, headers={**auth, **form.headers}
            )
        except Exception as exc:
            raise from_exception(exc, name, what) from None
        answer = _json(response)
        if response.status_code != 200 or answer is None:
            raise self._refused(response, name, what)
        url = answer.get("url")
        if not isinstance(url, str) or not url:
            raise PublishError(
                "try_later", f"{name}: Ayrshare answered the upload of {path.name} without its address."
            )
        return url

    async def _upload_large(
        self, auth: dict[str, str], name: str, path: Path, content_type: str, what: str
    ) -> str:
        try:
            response = await self.client.get(
                f"{API}/media/uploadUrl",
                params={"fileName": path.name, "contentType": content_type},
                headers=auth,
            )
        except Exception as exc:
            raise from_exception(exc, name, what) from None
        lease = _json(response)
        if response.status_code != 200 or lease is None:
            raise self._refused(response, name, what)
        upload, access = lease.get("uploadUrl"), lease.get("accessUrl")
        if not isinstance(upload, str) or not isinstance(access, str):
            raise PublishError("try_later", f"{name}: Ayrshare answered without an upload address.")
        try:
            with path.open("rb") as handle:
                put = await self.client.put(
                    upload,
                    content=_chunks(handle),
                    headers={"Content-Type": content_type, "Content-Length": str(path.stat().st_size)},
                )
        except Exception as exc:
            raise from_exception(exc, name, what) from None
        if put.status_code not in (200, 201, 204):
            raise self._refused(put, name, what)
        return access

    async def lookup(
        self, account: Account, post: Post, delivery: Delivery, token: Token
    ) -> PublishResult | None:
        """The post in the profile's history (``GET /api/history``, a bare array, newest first):
        the same text on the account's network, created after the send started (a minute's
        grace for clock skew)."""
        from datetime import datetime, timedelta

        name = self.name(account)
        platform = str(token.get("platform") or account.target_id or "")
        auth = headers(str(token.get("access_token", "")), str(token.get("profile_key", "")) or None)
        what = "looking the post up"
        try:
            response = await self.client.get(f"{API}/history", headers=auth)
        except Exception as exc:
            raise from_exception(exc, name, what) from None
        if response.status_code != 200:
            raise self._refused(response, name, what)
        try:
            rows = response.json()
        except ValueError:
            rows = None
        started = (delivery.committed_at or post.created_at) - timedelta(minutes=1)
        for row in rows if isinstance(rows, list) else []:
            if not isinstance(row, dict) or row.get("post") != post.caption:
                continue
            platforms = row.get("platforms")
            if not isinstance(platforms, list) or platform not in platforms:
                continue
            try:
                created = datetime.fromisoformat(str(row.get("created", "")).replace("Z", "+00:00"))
            except ValueError:
                continue
            if created >= started:
                try:
                    return result_of(row, platform, name)
                except PublishError:
                    return PublishResult(str(row.get("id", "")), None)
        return None


async def _chunks(handle: Any, size: int = 256 * 1024) -> Any:
    import asyncio

    while chunk := await asyncio.to_thread(handle.read, size):
        yield chunk


def _json(response: httpx2.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def result_of(answer: dict[str, Any], platform: str, name: str) -> PublishResult:
    """The network's post in Ayrshare's answer: ``postIds[]`` for the platform (its ``postUrl``)."""
    entries = answer.get("postIds")
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("platform") == platform:
            if entry.get("status") not in (None, "success"):
                break
            url = entry.get("postUrl")
            ident = answer.get("id") or entry.get("id")
            return PublishResult(str(ident), url if isinstance(url, str) else None)
    said = message_of(answer)
    raise PublishError("refused", f"{name} did not publish the post{': ' + said if said else ''}.")


PUBLISHER = AyrsharePublisher
