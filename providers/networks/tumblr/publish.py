"""Publishing to Tumblr: one NPF post (``POST /v2/blog/{blog}/posts``) on the chosen blog, its
media travelling in the same request.

- Content (tumblr/docs@708be10 npf-spec.md): an ``image`` block per photo (``alt_text`` from the
  post's description), a ``video`` block for the one uploaded video a post may have, then the
  caption as one ``text`` block (≤ 4,096 code points, the spec's caption limit).
- With media the request is ``multipart/form-data``: a ``json`` part, then one part per file named
  by the ``identifier`` its block gives (``media-0``, ``media-1``…), streamed from disk
  (:class:`~providers.publishing.multipart.StreamedFiles`); a text post is plain JSON.
- ``state`` comes from the target chosen when linking (:mod:`.link`): published, queue or draft.
  The answer (201) gives the post id only: a published post's link is
  ``https://www.tumblr.com/{blog}/{id}``; a queued or drafted one is not public yet, so its link is
  the blog's queue or drafts page.
- Refused before sending, naming Tumblr and the rule: more than one video (one native video per
  post), no text and no media.
- Errors: Tumblr's body is ``{"meta": {status, msg}, "response": [], "errors": [{title, code,
  detail}]}``; ``errors[0].code`` (8001–8023, api.md "Errors and Error Subcodes") decides with
  :data:`ERROR_RULES`, the detail (else title, else meta.msg) is what the user reads. A 429 waits
  for Retry-After, else for the Tumblr rate-limit header whose budget is spent
  (``X-Ratelimit-Perhour-Reset`` / ``-Perday-Reset``, seconds).
- Recovery: Tumblr has no idempotency key, so a send whose answer was lost is looked up (LOOKUP):
  the blog's newest posts (its queue or drafts for those states) matched by the caption and the
  number of media blocks, made after the send started (a minute's grace).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from providers.errors import MediaError, PublishError
from providers.failures import Rule, classify, from_exception
from providers.interface import Publisher, PublishResult, Recovery
from providers.networks.tumblr.link import API, blog_and_state

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import Token
    from providers.interface import Reporter
    from providers.store import Account, Delivery, Post

NAME = "Tumblr"
_DAILY = "Tumblr counts these per calendar day; linkdeck tries again later."
# NPF post-creation error subcodes (tumblr/docs@708be10 api.md), as what the user can do.
ERROR_RULES: dict[str, Rule] = {
    "8001": Rule("refused", "linkdeck sent a post Tumblr could not read (invalid NPF)."),
    "8002": Rule("refused", "The post to reblog cannot be found or interacted with."),
    "8004": Rule("try_later", f"You cannot upload more media today (250 images a day). {_DAILY}", 3 * 3600),
    "8005": Rule("fix_media", "Tumblr cannot accept this file's format; convert it and post again."),
    "8006": Rule("try_later", "Tumblr's upload failed; linkdeck tries again later.", 300),
    "8008": Rule("refused", "A video cannot be uploaded in a reblog."),
    "8009": Rule("try_later", "Tumblr's video upload failed; linkdeck tries again later.", 300),
    "8010": Rule("try_later", "Another video is still transcoding on Tumblr; linkdeck waits for it.", 600),
    "8011": Rule("try_later", f"You cannot upload more videos today (20 a day). {_DAILY}", 3 * 3600),
    "8016": Rule("refused", "The answer's content or layout is invalid."),
    "8022": Rule("refused", "The blog's queue is full (1,000 posts); publish or delete some queued posts."),
    "8023": Rule("try_later", f"The blog reached its daily post limit (250 a day). {_DAILY}", 3 * 3600),
}
RATE_HEADERS = ("Perhour", "Perday")


def envelope_errors(response: httpx2.Response) -> tuple[str | None, str]:
    """(the first error's code, the words to show) of a Tumblr error body; (None, "") if none."""
    try:
        body = response.json()
    except ValueError:
        return None, ""
    if not isinstance(body, dict):
        return None, ""
    errors = body.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    code = first.get("code")
    code_text = str(code) if isinstance(code, int | str) and not isinstance(code, bool) else None
    meta = body.get("meta")
    msg = meta.get("msg") if isinstance(meta, dict) else None
    for said in (first.get("detail"), first.get("title"), msg, body.get("error")):
        if isinstance(said, str) and said.strip():
            return code_text, said.strip()
    return code_text, ""


def envelope_response(response: httpx2.Response) -> dict[str, Any] | None:
    """The ``response`` object of a Tumblr answer; None when the body has none."""
    try:
        body = response.json()
    except ValueError:
        return None
    found = body.get("response") if isinstance(body, dict) else None
    return found if isinstance(found, dict) else None


def rate_limit_wait(response: httpx2.Response) -> float | None:
    """Seconds until the spent Tumblr budget (per hour, else per day) resets; None if not said."""
    for period in RATE_HEADERS:
        remaining = response.headers.get(f"X-Ratelimit-{period}-Remaining", "").strip()
        reset = response.headers.get(f"X-Ratelimit-{period}-Reset", "").strip()
        if remaining == "0" and reset.isdigit():
            return float(reset)
    return None


def post_link(blog: str, state: str, post_id: str) -> str:
    if state == "queue":
        return f"https://www.tumblr.com/blog/{blog}/queue"
    if state == "draft":
        return f"https://www.tumblr.com/blog/{blog}/drafts"
    return f"https://www.tumblr.com/{blog}/{post_id}"


def media_blocks(post: Post) -> tuple[list[dict[str, Any]], list[tuple[str, Path, str]]]:
    """The NPF blocks of the post's files and the parts carrying them; PublishError before
    anything is sent when Tumblr would refuse the set."""
    from providers.media.model import MediaKind
    from providers.media.probe import inspect
    from providers.media.sniff import MIME_TYPES

    blocks: list[dict[str, Any]] = []
    parts: list[tuple[str, Path, str]] = []
    videos = 0
    for index, file in enumerate(post.media):
        path = Path(file)
        if not path.is_file():
            raise PublishError(
                "fix_media", f"{NAME}: {path.name} is no longer at {path}; nothing was published."
            )
        try:
            info = inspect(path)
        except MediaError as exc:  # changed since it was checked: say so, send nothing
            raise PublishError("fix_media", f"{NAME} cannot post {path.name}: {exc}") from None
        mime = MIME_TYPES.get(info.format)
        if info.kind is MediaKind.UNKNOWN or mime is None:
            raise PublishError("fix_media", f"{NAME} cannot post {path.name}: it is not a photo or a video.")
        identifier = f"media-{index}"
        media: dict[str, Any] = {"type": mime, "identifier": identifier}
        if info.width and info.height:
            media.update(width=info.width, height=info.height)
        if info.kind is MediaKind.VIDEO:
            videos += 1
            blocks.append({"type": "video", "media": media})
        else:
            block: dict[str, Any] = {"type": "image", "media": [media]}
            if post.description_for(index):
                block["alt_text"] = post.description_for(index)
            blocks.append(block)
        parts.append((identifier, path, mime))
    if videos > 1:
        raise PublishError(
            "fix_media",
            f"{NAME} posts can have one uploaded video; this post has {videos}. Post them separately.",
        )
    return blocks, parts


class TumblrPublisher(Publisher):
    recovery = Recovery.LOOKUP
    error_rules = ERROR_RULES

    def name(self, account: Account) -> str:
        return NAME

    def profile_url(self, account: Account) -> str | None:
        blog, _ = blog_and_state(account.target_id or account.handle)
        return f"https://www.tumblr.com/{blog}"

    def error_code(self, response: httpx2.Response) -> str | None:
        return envelope_errors(response)[0]

    def refused(
        self, response: httpx2.Response, name: str, what: str, *, committing: bool = False
    ) -> PublishError:
        code, said = envelope_errors(response)
        error = classify(
            response, name, what, committing=committing, code=code, rules=self.error_rules, said=said
        )
        wait = rate_limit_wait(response)
        if response.status_code == 429 and error.retry_after is None and wait is not None:
            return PublishError(
                "try_later",
                f"{name} is rate-limiting {what}; try again in {wait:.0f} s.",
                retry_after=wait,
                status=429,
            )
        return error

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
        from providers.publishing.multipart import FilePart, StreamedFiles

        blog, state = blog_and_state(account.target_id or account.handle)
        blocks, parts = media_blocks(post)
        if post.caption.strip():
            blocks.append({"type": "text", "text": post.caption})
        if not blocks:
            raise PublishError(
                "fix_media", f"{NAME} posts need text or a photo or video; this one has neither."
            )
        document = json.dumps({"content": blocks, "state": state}, ensure_ascii=False)
        url, what = f"{API}/blog/{blog}/posts", "creating the post"
        if report is not None:
            await report.committing()  # the media travel in the creating request itself
        try:
            if parts:
                count = len(parts)
                progress = (
                    None
                    if report is None
                    else (lambda index, sent, total: report.uploading(index, count, sent, total))
                )
                files = [FilePart(name, path, kind) for name, path, kind in parts]
                body = StreamedFiles([("json", document, "application/json")], files, progress=progress)
                response = await self.client.post(
                    url, content=body, headers={**self._auth(token), **body.headers}, timeout=600.0
                )
            else:
                response = await self.client.post(
                    url,
                    content=document.encode("utf-8"),
                    headers={**self._auth(token), "Content-Type": "application/json"},
                )
        except Exception as exc:
            raise from_exception(exc, NAME, what, committing=True) from None
        if response.status_code not in (200, 201):
            raise self.refused(response, NAME, what, committing=True)
        created = envelope_response(response) or {}
        post_id = created.get("id_string", created.get("id"))
        if not isinstance(post_id, str | int) or isinstance(post_id, bool) or not str(post_id):
            raise PublishError(
                "try_later", f"{NAME} answered the new post without its id.", maybe_published=True
            )
        return PublishResult(str(post_id), post_link(blog, state, str(post_id)))

    async def lookup(
        self, account: Account, post: Post, delivery: Delivery, token: Token
    ) -> PublishResult | None:
        """The blog's newest posts (or its queue or drafts), matched by the caption and the
        number of media blocks, made since the send started (a minute's grace)."""
        blog, state = blog_and_state(account.target_id or account.handle)
        where = {"queue": "/queue", "draft": "/draft"}.get(state, "")
        what = "looking for the post"
        try:
            response = await self.client.get(
                f"{API}/blog/{blog}/posts{where}",
                params={"npf": "true", "limit": 20},
                headers=self._auth(token),
            )
        except Exception as exc:
            raise from_exception(exc, NAME, what) from None
        if response.status_code != 200:
            raise self.refused(response, NAME, what)
        found = envelope_response(response) or {}
        since = (delivery.committed_at or delivery.updated_at) - timedelta(minutes=1)
        for entry in found.get("posts") or []:
            if isinstance(entry, dict) and _matches(entry, post, since, timed=state == "published"):
                post_id = str(entry.get("id_string") or entry.get("id"))
                return PublishResult(post_id, post_link(blog, state, post_id))
        return None


def _matches(entry: dict[str, Any], post: Post, since: datetime, *, timed: bool) -> bool:
    content = [b for b in entry.get("content") or [] if isinstance(b, dict)]
    text = "\n".join(str(b.get("text", "")) for b in content if b.get("type") == "text")
    media = sum(1 for b in content if b.get("type") in ("image", "video"))
    stamp = entry.get("timestamp")
    if timed:
        if not isinstance(stamp, int | float) or isinstance(stamp, bool):
            return False
        if datetime.fromtimestamp(stamp, UTC) < since:
            return False
    return " ".join(text.split()) == " ".join(post.caption.split()) and media == len(post.media)


PUBLISHER = TumblrPublisher
