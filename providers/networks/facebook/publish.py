"""Publishing to a Facebook Page: text (a link in it gets its preview), one to ten photos, a video
or a Reel.

As the Page itself, with the chosen Page's own token (the vault's token document keeps one per
Page, :mod:`.link`), on Graph :data:`~.spec.GRAPH_VERSION` (shared/reference/networks.md §1,
networks-2026.md §1):

- text: ``POST /{page-id}/feed`` {message, link: the caption's first link, if any};
- photos: each ``POST /{page-id}/photos`` with ``published=false`` and the file streamed as the
  multipart ``source`` (:class:`~providers.publishing.multipart.StreamedMultipart`), then one
  ``POST /{page-id}/feed`` {message, attached_media: [{media_fbid}, …]};
- one video: uploaded with Meta's Resumable Upload API (:mod:`.video`, streamed, resumed from
  the server's offset), then ``POST graph-video.facebook.com/{page-id}/videos`` {description,
  fbuploader_video_file_chunk}; a video goes on its own (no photos beside it);
- a vertical video: a Reel, through ``/{page-id}/video_reels`` (:mod:`.reels`: start, the bytes
  to rupload, finish with ``video_state=PUBLISHED``, then the status until ready), its limits
  checked first; never ``/videos``, where it would land as a draft.

Errors by Graph's code and subcode, never by the text (:data:`ERROR_RULES`): 190 (the sign-in
ended) → reconnect; 10 and 200 (a permission missing) → reconnect, naming the permission;
368 and 1390008 (posting too fast, a temporary block) → try later; 1366046 (photo too large or
not JPG/PNG) → fix the media; 4 and 32 (app or Page rate limits) → try later. The rate-limit
headers (``X-App-Usage``, ``X-Business-Use-Case-Usage``) are logged and named on a refusal.

Recovery: the feed post takes no idempotency key, so a lost answer is looked up
(``Recovery.LOOKUP``): the Page's newest feed posts created after the commit, matched by message.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from providers.errors import PublishError
from providers.failures import Rule, classify, from_exception
from providers.interface import Publisher, PublishResult, Recovery
from providers.networks.facebook.graph import (
    APP_ID,
    PAGE_TOKENS,
    bearer,
    graph_error,
    graph_url,
    proof_for,
)
from providers.networks.facebook.problems import ERROR_RULES, PERMISSION_OF, RELINK, usage
from providers.networks.facebook.reels import POLL_DELAYS, ReelUpload, is_vertical, publish_reel
from providers.networks.facebook.video import VIDEO_MIME, VideoUpload
from providers.publishing.multipart import StreamedMultipart

if TYPE_CHECKING:
    from collections.abc import Mapping

    import httpx2

    from providers.auth.types import Token
    from providers.interface import Reporter
    from providers.store import Account, Delivery, Post

log = logging.getLogger("linkdeck.networks.facebook")

MIME = {"jpeg": "image/jpeg", "png": "image/png"}
_URL = re.compile(r"https?://\S+")


def post_url(post_id: str) -> str:
    """``PAGEID_POSTID`` → its address (facebook.com/{page}/posts/{post})."""
    page, _, post = post_id.partition("_")
    return f"https://www.facebook.com/{page}/posts/{post}" if post else f"https://www.facebook.com/{post_id}"


class FacebookPublisher(Publisher):
    recovery = Recovery.LOOKUP
    error_rules: ClassVar[Mapping[str, Rule]] = ERROR_RULES
    reel_poll_delays: ClassVar[tuple[float, ...]] = POLL_DELAYS

    def profile_url(self, account: Account) -> str | None:
        return f"https://www.facebook.com/{account.target_id}" if account.target_id else None

    def name(self, account: Account) -> str:
        return f"Facebook ({account.target_name})" if account.target_name else "Facebook"

    def error_code(self, response: httpx2.Response) -> str | None:
        error = graph_error(response)
        if error is None:
            return None
        if error.subcode is not None and str(error.subcode) in self.error_rules:
            return str(error.subcode)
        return None if error.code is None else str(error.code)

    def refused(
        self, response: httpx2.Response, name: str, what: str, *, committing: bool = False
    ) -> PublishError:
        error = graph_error(response)
        said = error.message.rstrip(". ") if error is not None else None
        code = self.error_code(response)
        rules = dict(self.error_rules)
        if code in ("10", "200"):
            needed = PERMISSION_OF.get(what.split(" ", 1)[0], "pages_manage_posts")
            rules[code] = Rule("reconnect", f"It needs the {needed} permission: {RELINK}.")
        result = classify(response, name, what, committing=committing, code=code, rules=rules, said=said)
        shown = usage(response)
        if shown and result.kind == "try_later":
            return PublishError(
                result.kind,
                f"{result.message} ({shown})",
                retry_after=result.retry_after,
                maybe_published=result.maybe_published,
                status=result.status,
            )
        return result

    # Publishing ----------------------------------------------------------------------------------

    def _page(self, account: Account, token: Token) -> tuple[str, str]:
        """The chosen Page and its own token, or an error saying what to do."""
        page = account.target_id
        if not page:
            raise PublishError("refused", "Facebook: choose the Page to post to (the card's details).")
        held = token.get(PAGE_TOKENS)
        page_token = held.get(page) if isinstance(held, dict) else None
        if not isinstance(page_token, str) or not page_token:
            raise PublishError(
                "reconnect",
                f"{self.name(account)}: linkdeck holds no Page token for it; link Facebook again.",
            )
        return page, page_token

    @staticmethod
    def _media(post: Post, name: str) -> list[tuple[Path, str, str]]:
        """(path, MIME type, "photo" or "video") per file, refusing what Facebook refuses before
        anything is sent: other formats, more than one video, a video with photos."""
        from providers.media.sniff import HEAD_BYTES, sniff

        files = []
        for path in (Path(p) for p in post.media):
            try:
                with path.open("rb") as handle:
                    kind, fmt = sniff(handle.read(HEAD_BYTES))
            except OSError:
                raise PublishError(
                    "fix_media", f"{name}: {path.name} can no longer be read; nothing was published."
                ) from None
            if kind == "video":
                mime = VIDEO_MIME.get(fmt)
                if mime is None:
                    raise PublishError("fix_media", f"{name} takes video as MP4 or MOV ({path.name}).")
                files.append((path, mime, "video"))
                continue
            mime = MIME.get(fmt)
            if mime is None:
                raise PublishError(
                    "fix_media",
                    f"{name} takes photos as JPG or PNG only ({path.name} is {fmt or 'neither'}).",
                )
            files.append((path, mime, "photo"))
        videos = [f for f in files if f[2] == "video"]
        if videos and len(files) > 1:
            raise PublishError(
                "fix_media", f"{name}: a Page post carries one video on its own, or up to 10 photos."
            )
        return files

    async def _call(
        self, name: str, url: str, what: str, token: str, *, committing: bool = False, **kw: Any
    ) -> dict[str, Any]:
        headers = {**bearer(token), **kw.pop("headers", {})}
        try:
            response = await self.client.post(url, headers=headers, timeout=300.0, **kw)
        except Exception as exc:
            raise from_exception(exc, name, what, committing=committing) from None
        shown = usage(response)
        if shown:
            log.info("Facebook Graph usage: %s", shown)
        if response.status_code != 200:
            raise self.refused(response, name, what, committing=committing)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("id"), str | int):
            raise PublishError(
                "try_later",
                f"{name} answered {what} without an id; linkdeck looks before sending again.",
                maybe_published=committing,
            )
        return body

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
        page, page_token = self._page(account, token)
        files = self._media(post, name)
        if files and files[0][2] == "video":
            return await self._video(account, post, token, page, page_token, files[0], report)
        media: list[str] = []
        for index, (path, mime, _) in enumerate(files):

            def progress(sent: int, total: int, index: int = index) -> None:
                if report is not None:
                    report.uploading(index, len(files), sent, total)

            body = StreamedMultipart(
                [("published", "false")], "source", path, content_type=mime, progress=progress
            )
            answer = await self._call(
                name,
                graph_url(f"{page}/photos"),
                f"uploading {path.name}",
                page_token,
                params=proof_for(token, page),
                content=body,
                headers=body.headers,
            )
            media.append(str(answer["id"]))
        data: dict[str, Any] = {"message": post.caption}
        if media:
            data["attached_media"] = json.dumps([{"media_fbid": m} for m in media])
        else:
            link = _URL.search(post.caption)
            if link:
                data["link"] = link.group(0)
        if report is not None:
            await report.committing()
        answer = await self._call(
            name,
            graph_url(f"{page}/feed"),
            "creating the post",
            page_token,
            committing=True,
            data=data,
            params=proof_for(token, page),
        )
        post_id = str(answer["id"])
        return PublishResult(post_id, post_url(post_id))

    async def _video(
        self,
        account: Account,
        post: Post,
        token: Token,
        page: str,
        page_token: str,
        file: tuple[Path, str, str],
        report: Reporter | None,
    ) -> PublishResult:
        """One video: a vertical one as a Reel (:mod:`.reels`), any other uploaded with the user
        token (resumable) and posted with the Page's."""
        name, (path, mime, _) = self.name(account), file
        if await is_vertical(path, name):
            return await publish_reel(self.reel_upload(name), page, page_token, token, path, post, report)
        app_id = token.get(APP_ID)
        if not isinstance(app_id, str) or not app_id:
            raise PublishError("reconnect", f"{name}: link Facebook again so linkdeck can upload video.")

        def progress(sent: int, total: int) -> None:
            if report is not None:
                report.uploading(0, 1, sent, total)

        upload = VideoUpload(self.client, name, lambda r, what: self.refused(r, name, what))
        user = str(token.get("access_token") or "")
        handle = await upload.handle(app_id, user, proof_for(token, "me"), path, mime, progress)
        if report is not None:
            await report.committing()
        base = (self.spec.endpoints.upload or "").rstrip("/")
        data = {"description": post.caption, "fbuploader_video_file_chunk": handle}
        answer = await self._call(
            name,
            f"{base}/{page}/videos",
            "creating the post",
            page_token,
            committing=True,
            data=data,
            params=proof_for(token, page),
        )
        video_id = str(answer["id"])
        return PublishResult(video_id, f"https://www.facebook.com/{page}/videos/{video_id}")

    def reel_upload(self, name: str) -> ReelUpload:
        """The Reel flow, its refusals worded here; a 100 ("invalid parameter") while publishing
        a Reel is about the video (too short, not 9:16…), so it is the media to fix."""

        def refuse(response: httpx2.Response, what: str, committing: bool) -> PublishError:
            found = self.refused(response, name, what, committing=committing)
            if found.kind == "refused" and self.error_code(response) == "100" and "Reel" in what:
                return PublishError("fix_media", found.message, status=found.status)
            return found

        return ReelUpload(self.client, name, refuse, self.reel_poll_delays)

    # Recovery ------------------------------------------------------------------------------------

    async def lookup(
        self, account: Account, post: Post, delivery: Delivery, token: Token
    ) -> PublishResult | None:
        name, what = self.name(account), "looking for the post"
        page, page_token = self._page(account, token)
        since = (delivery.committed_at or delivery.updated_at) - timedelta(minutes=1)
        params = {
            "fields": "id,message,created_time",
            "limit": "25",
            "since": str(int(since.timestamp())),
            **proof_for(token, page),
        }
        try:
            response = await self.client.get(
                graph_url(f"{page}/feed"), params=params, headers=bearer(page_token)
            )
        except Exception as exc:
            raise from_exception(exc, name, what) from None
        if response.status_code != 200:
            raise self.refused(response, name, what)
        try:
            found = response.json().get("data")
        except (ValueError, AttributeError):
            found = None
        for item in found if isinstance(found, list) else []:
            if isinstance(item, dict) and str(item.get("message") or "").strip() == post.caption.strip():
                return PublishResult(str(item.get("id")), post_url(str(item.get("id"))))
        return None


PUBLISHER = FacebookPublisher
