"""Publishing to LinkedIn: text, up to 20 photos, or one video, as the member or as a Page they
administer, through the versioned REST API (learn.microsoft.com/en-us/linkedin/marketing/
community-management/shares/posts-api, images-api, videos-api; shared/reference/networks.md §5,
networks-2026.md §8).

Steps, every call with ``LinkedIn-Version`` (:mod:`.rest`, one constant) and
``X-Restli-Protocol-Version: 2.0.0``:

1. each photo: ``POST /rest/images?action=initializeUpload {owner}`` → an upload URL and the
   ``urn:li:image``; the file in one streamed PUT there;
2. a video: ``POST /rest/videos?action=initializeUpload {owner, fileSizeBytes}`` → one upload URL
   per part with its byte range; each part PUT to its own URL, its ``ETag`` kept; then
   ``action=finalizeUpload {video, uploadToken, uploadedPartIds}`` with the ETags in order;
3. every upload is read back (``GET /rest/images|videos/{urn}``) until AVAILABLE, so a file
   LinkedIn could not process fails here, naming it, and never becomes a post without it;
4. ``POST /rest/posts {author, commentary, visibility, distribution, content, lifecycleState}``:
   201 with the new post's URN in ``x-restli-id``; the link is
   ``https://www.linkedin.com/feed/update/<urn>``;
5. the post is read back (``GET /rest/posts/{urn}``): it counts as published when LinkedIn has it.
   Postiz reported Page posts answered 201 that never appeared (postiz-app#989), so a 404 there is
   not a success: the delivery becomes "unknown — check" with the link. Reading a *member's* posts
   needs ``r_member_social``, a private permission LinkedIn gives few apps, so for a member the
   read-back is usually refused (403); then the 201 and its URN are all LinkedIn lets linkdeck
   know, and that is what the post is taken on.

The caption is LinkedIn's "little text": its reserved characters are escaped so the text shows as
written (unescaped, LinkedIn cuts the text at them).

Errors: LinkedIn's ``code`` (or the older ``serviceErrorCode``) names the rule; a retired API
version (426 ``NONEXISTENT_VERSION``) says linkdeck needs an update, never "try again"; an empty
error body still says its HTTP status (postiz-app#1058).

Recovery: ``CHECK``. A lost answer cannot be looked up for a member (listing their posts needs the
same private permission), so crash recovery asks a person with a link rather than resend.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from providers.errors import PublishError
from providers.failures import Rule, from_exception
from providers.interface import Publisher, PublishResult, Recovery
from providers.media.sniff import HEAD_BYTES, mime_type
from providers.networks.linkedin.rest import API_BASE, API_VERSION, rest_headers
from providers.networks.linkedin.upload import FileRange

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import Token
    from providers.interface import Reporter
    from providers.store import Account, Delivery, Post

NAME = "LinkedIn"
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif")
VIDEO_TYPES = ("video/mp4",)
RESERVED = "\\|{}@[]()<>#*_~"  # little text's reserved characters, escaped with a backslash
_UPDATE = (
    f"linkdeck needs an update: it speaks LinkedIn API version {API_VERSION}, which LinkedIn has "
    "retired. Trying again will not help; update linkdeck."
)

ERROR_RULES: dict[str, Rule] = {
    "NONEXISTENT_VERSION": Rule("refused", _UPDATE),
    "VERSION_MISSING": Rule("refused", _UPDATE),
    "65600": Rule("reconnect", "Link the account again."),  # "Invalid access token" (recorded)
    "ACCESS_DENIED": Rule(
        "refused",
        "The linked account may not do this: posting as a Page needs its administrator and the "
        "Community Management product on your LinkedIn app.",
    ),
}


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}"


def little_text(caption: str) -> str:
    """The caption with LinkedIn's reserved characters escaped, so it shows as written."""
    return "".join("\\" + c if c in RESERVED else c for c in caption)


class LinkedInPublisher(Publisher):
    recovery = Recovery.CHECK
    error_rules: ClassVar[Mapping[str, Rule]] = ERROR_RULES
    poll_first = 0.2
    poll_max = 5.0
    processing_timeout = 900.0
    read_back_tries = 3

    def error_code(self, response: httpx2.Response) -> str | None:
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            code = body.get("code")
            if isinstance(code, str) and code:
                return code
            service = body.get("serviceErrorCode")
            if isinstance(service, int) and not isinstance(service, bool) and service:
                return str(service)
        return "NONEXISTENT_VERSION" if response.status_code == 426 else None

    def profile_url(self, account: Account) -> str | None:
        if account.target_kind == "organization" and account.target_id:
            return f"https://www.linkedin.com/company/{account.target_id.rsplit(':', 1)[-1]}/"
        return "https://www.linkedin.com/in/me/recent-activity/all/"

    @staticmethod
    def author(account: Account, delivery: Delivery | None = None) -> str:
        """Who posts: the target chosen when linking (the member or a Page), else the member."""
        target = (delivery.target_id if delivery else None) or account.target_id
        return target or f"urn:li:person:{account.remote_id}"

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
        author = self.author(account, delivery)
        kinds = self._kinds(post)
        count, content_ids = len(post.media), []
        for index, (path, mime) in enumerate(kinds):
            urn = await self._upload(token, author, path, mime, index, count, report)
            content_ids.append(urn)
        for index, urn in enumerate(content_ids):
            if report is not None:
                report.processing(index, count)
            await self._wait_available(token, urn, kinds[index][0].name)
        body: dict[str, Any] = {
            "author": author,
            "commentary": little_text(post.caption),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if content_ids:
            body["content"] = self._content(post, content_ids)
        if report is not None:
            await report.committing()
        what = "creating the post"
        response = await self._call("POST", f"{API_BASE}/rest/posts", what, token, json=body, committing=True)
        if response.status_code != 201:
            raise self.refused(response, NAME, what, committing=True)
        urn = str(response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id") or "")
        if not urn:
            raise PublishError(
                "try_later", f"{NAME} answered the new post without its id.", maybe_published=True
            )
        await self._read_back(token, urn, author)
        return PublishResult(urn, post_url(urn))

    def _kinds(self, post: Post) -> list[tuple[Path, str]]:
        """Each file with its sniffed type, refused before anything is sent when LinkedIn cannot
        take the mix (one video, or up to 20 photos, never both)."""
        found: list[tuple[Path, str]] = []
        for raw in post.media:
            path = Path(raw)
            try:
                with path.open("rb") as handle:
                    head = handle.read(HEAD_BYTES)
            except OSError as exc:
                raise from_exception(exc, NAME, f"reading {path.name}") from None
            mime = mime_type(head)
            if mime not in IMAGE_TYPES + VIDEO_TYPES:
                raise PublishError(
                    "fix_media", f"{path.name}: {NAME} takes JPEG, PNG or GIF photos or MP4 video."
                )
            found.append((path, str(mime)))
        videos = sum(1 for _, mime in found if mime in VIDEO_TYPES)
        if videos and len(found) > 1:
            raise PublishError(
                "fix_media", f"{NAME} posts hold one video, or photos, not both and not two videos."
            )
        most = self.spec.media.max_images
        if len(found) > most:
            raise PublishError(
                "fix_media", f"{NAME} allows up to {most} photos per post; {len(found)} given."
            )
        return found

    def _content(self, post: Post, ids: list[str]) -> dict[str, Any]:
        def media(index: int, urn: str) -> dict[str, Any]:
            alt = post.description_for(index)
            return {"id": urn, **({"altText": alt} if alt else {})}

        if len(ids) == 1:
            return {"media": media(0, ids[0])}
        return {"multiImage": {"images": [media(i, urn) for i, urn in enumerate(ids)]}}

    async def _call(
        self, method: str, url: str, what: str, token: Token, *, committing: bool = False, **kw: Any
    ) -> httpx2.Response:
        headers = {**rest_headers(token), **kw.pop("headers", {})}
        try:
            return await self.client.request(method, url, headers=headers, timeout=300.0, **kw)
        except Exception as exc:
            raise from_exception(exc, NAME, what, committing=committing) from None

    async def _initialize(
        self, token: Token, kind: str, request: dict[str, Any], what: str
    ) -> dict[str, Any]:
        response = await self._call(
            "POST",
            f"{API_BASE}/rest/{kind}",
            what,
            token,
            params={"action": "initializeUpload"},
            json={"initializeUploadRequest": request},
        )
        try:
            value = response.json().get("value") if response.status_code == 200 else None
        except (ValueError, AttributeError):
            value = None
        if not isinstance(value, dict):
            raise self.refused(response, NAME, what)
        return value

    async def _upload(
        self,
        token: Token,
        author: str,
        path: Path,
        mime: str,
        index: int,
        count: int,
        report: Reporter | None,
    ) -> str:
        """Upload one file; its image or video URN."""
        what = f"uploading {path.name}"
        size = path.stat().st_size
        done = 0

        def progress(sent: int) -> None:
            if report is not None:
                report.uploading(index, count, done + sent, size)

        if mime in IMAGE_TYPES:
            value = await self._initialize(token, "images", {"owner": author}, what)
            urn, url = value.get("image"), value.get("uploadUrl")
            if not isinstance(urn, str) or not isinstance(url, str):
                raise PublishError("try_later", f"{NAME} answered the upload of {path.name} without its URL.")
            await self._put(token, url, FileRange(path, progress=progress), what)
            return urn
        request = {"owner": author, "fileSizeBytes": size, "uploadCaptions": False, "uploadThumbnail": False}
        value = await self._initialize(token, "videos", request, what)
        urn, parts = value.get("video"), value.get("uploadInstructions")
        if not isinstance(urn, str) or not isinstance(parts, list) or not parts:
            raise PublishError("try_later", f"{NAME} answered the upload of {path.name} without its parts.")
        etags: list[str] = []
        for part in parts:
            first, last, url = part.get("firstByte"), part.get("lastByte"), part.get("uploadUrl")
            if not isinstance(first, int) or not isinstance(last, int) or not isinstance(url, str):
                raise PublishError(
                    "try_later", f"{NAME} sent an upload part of {path.name} without its range."
                )
            response = await self._put(token, url, FileRange(path, first, last, progress=progress), what)
            etag = response.headers.get("etag")
            if not etag:
                raise PublishError("try_later", f"{NAME} did not confirm a part of {path.name} (no ETag).")
            etags.append(etag)
            done += last - first + 1
        finish = {"video": urn, "uploadToken": value.get("uploadToken") or "", "uploadedPartIds": etags}
        response = await self._call(
            "POST",
            f"{API_BASE}/rest/videos",
            what,
            token,
            params={"action": "finalizeUpload"},
            json={"finalizeUploadRequest": finish},
        )
        if response.status_code != 200:
            raise self.refused(response, NAME, what)
        return urn

    async def _put(self, token: Token, url: str, body: FileRange, what: str) -> httpx2.Response:
        headers = {"Authorization": f"Bearer {token.get('access_token', '')}", **body.headers}
        try:
            response = await self.client.put(url, content=body, headers=headers, timeout=300.0)
        except Exception as exc:
            raise from_exception(exc, NAME, what) from None
        if response.status_code not in (200, 201):
            raise self.refused(response, NAME, what)
        return response

    async def _wait_available(self, token: Token, urn: str, label: str) -> None:
        kind = "videos" if urn.startswith("urn:li:video:") else "images"
        what = f"processing {label}"
        delay, waited = self.poll_first, 0.0
        while True:
            response = await self._call("GET", f"{API_BASE}/rest/{kind}/{quote(urn, safe='')}", what, token)
            if response.status_code != 200:
                raise self.refused(response, NAME, what)
            status = response.json().get("status")
            if status == "AVAILABLE":
                return
            if status in ("PROCESSING_FAILED", "FAILED"):
                raise PublishError("fix_media", f"{NAME} could not process {label}; nothing was published.")
            if waited >= self.processing_timeout:
                raise PublishError(
                    "try_later", f"{NAME} was still processing {label} after {self.processing_timeout:g} s."
                )
            await asyncio.sleep(delay)
            waited += delay
            delay = min(self.poll_max, delay * 1.5)

    async def _read_back(self, token: Token, urn: str, author: str) -> None:
        """Success only when LinkedIn has the post, where LinkedIn lets linkdeck read it: a Page's
        posts always (r_organization_social comes with posting as a Page), a member's only with
        the private r_member_social, so a 403 there is LinkedIn's rule, not a missing post."""
        member = author.startswith("urn:li:person:")
        what, answer = "reading the new post back", "no answer"
        for attempt in range(self.read_back_tries):
            if attempt:
                await asyncio.sleep(self.poll_first * attempt)
            try:
                response = await self._call(
                    "GET", f"{API_BASE}/rest/posts/{quote(urn, safe='')}", what, token
                )
            except PublishError:
                continue
            if response.status_code == 200:
                return
            if response.status_code == 403 and member:  # r_member_social is private
                return
            answer = f"HTTP {response.status_code}"
        raise PublishError(
            "try_later",
            f"{NAME} answered that it created the post ({urn}), but reading it back found no such "
            f"post ({answer}), so linkdeck does not count it as published. Check {post_url(urn)}.",
            maybe_published=True,
        )


PUBLISHER = LinkedInPublisher
