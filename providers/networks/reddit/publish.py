"""Publishing to Reddit: a text, link, photo or video submission to the account's chosen subreddit
(or its own profile), with the flair chosen with it.

The caption becomes a title and a body (:func:`providers.publishing.titles.split_title`, 300
characters): the first line is the title, the rest the body. Which kind of post:

- no file, and the body is one web address and nothing else (or the whole caption is one): a
  **link** post to that address (linkdeck's choice: a caption that is only a link is what a person
  sharing a link writes); otherwise a **text** (self) post;
- a photo: the **media lease flow** PRAW uses (``POST /api/media/asset.json`` for an upload lease,
  the file streamed to the S3 form it names, then ``/api/submit`` ``kind=image`` with the uploaded
  address), the body as the post's text;
- a video: the same for the video and for a poster image (its first frame, PyAV), then
  ``kind=video`` with ``video_poster_url``.

Reddit answers a refused submission with **HTTP 200** and ``json.errors`` (RATELIMIT, flair
required, the subreddit's post types…), read here and mapped by :data:`ERROR_RULES`. A photo or
video submission answers only a ``websocket_url`` (no post id): linkdeck does not listen on that
socket; it finds the new post in the account's newest submissions instead (the same look-up as
crash recovery). If it is not there yet, the delivery is left "unknown" and looked up again later,
never submitted a second time (``Recovery.LOOKUP``: Reddit has no idempotency key).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from providers import clock
from providers.errors import PublishError
from providers.failures import Rule, classify, from_exception
from providers.interface import Publisher, PublishResult, Recovery
from providers.networks.reddit.api import (
    API,
    TITLE_LIMIT,
    WWW,
    children,
    split_target,
    submit_errors,
    user_agent,
)
from providers.publishing.titles import split_title

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import Token
    from providers.interface import Reporter
    from providers.store import Account, Delivery, Post

NAME = "Reddit"
CLOCK_SLACK = timedelta(minutes=10)  # Reddit's clock against this machine's, for the look-up
# How long a post may take to show in the account's submissions (a video is processed first);
# until then "not there" means "not yet", and the delivery waits rather than being sent again.
LISTING_GRACE = timedelta(minutes=30)
LOOKUP_LIMIT = 25
_URL = re.compile(r"^https?://\S+$")

_FLAIR = (
    "This subreddit wants a post flair: change the account's target to the subreddit with a flair, "
    "then retry."
)
_TYPES = "This subreddit does not take this kind of post; choose another subreddit or post kind."
ERROR_RULES: dict[str, Rule] = {
    "RATELIMIT": Rule("try_later", "linkdeck tries again later.", wait=600.0),
    "SUBMIT_VALIDATION_FLAIR_REQUIRED": Rule("refused", _FLAIR),
    "BAD_FLAIR_TEMPLATE_ID": Rule("refused", _FLAIR),
    "SUBREDDIT_NOTALLOWED": Rule("refused", "The account may not post there; choose another target."),
    "SUBREDDIT_NOEXIST": Rule("refused", "Choose another target."),
    "SUBREDDIT_REQUIRED": Rule("refused", "Choose a target for the account."),
    "NO_SELFS": Rule("refused", _TYPES),
    "NO_LINKS": Rule("refused", _TYPES),
    "INVALID_OPTION": Rule("refused", _TYPES),
    "TOO_LONG": Rule("fix_media", "Shorten the caption and post again."),
    "NO_TEXT": Rule("fix_media", "Write a caption: its first line is the title."),
    "BAD_URL": Rule("fix_media", "Check the address and post again."),
    "USER_REQUIRED": Rule("reconnect", "Link the account again."),
}


def post_kind(caption: str) -> tuple[str, str, str, str | None]:
    """(kind, title, body, url) of a post without media: ``link`` when the body is one address
    (or the caption is only one), else ``self``."""
    titled = split_title(caption, TITLE_LIMIT)
    if _URL.match(titled.body):
        return "link", titled.title, "", titled.body
    if not titled.body and _URL.match(titled.title) and not titled.shortened:
        return "link", titled.title, "", titled.title
    return "self", titled.title, titled.body, None


def poster_of(video: Path, into: Path) -> Path:
    """A JPEG of the video's first frame (PyAV), or a plain dark frame when it cannot be decoded."""
    from PIL import Image

    image: Any = None
    try:
        import av

        with av.open(str(video)) as container:
            for frame in container.decode(video=0):
                image = frame.to_image()  # type: ignore[no-untyped-call]
                break
    except Exception:  # any decoder trouble: the plain poster below
        image = None
    if image is None:
        image = Image.new("RGB", (640, 360), (26, 26, 27))
    image.convert("RGB").save(into, "JPEG", quality=85)
    return into


class RedditPublisher(Publisher):
    recovery = Recovery.LOOKUP
    can_lookup = True
    error_rules = ERROR_RULES

    def name(self, account: Account) -> str:
        return NAME

    def profile_url(self, account: Account) -> str | None:
        return f"{WWW}/user/{account.handle.removeprefix('u/')}/submitted/"

    def error_code(self, response: httpx2.Response) -> str | None:
        try:
            errors = submit_errors(response.json())
        except ValueError:
            return None
        return errors[0][0] if errors else None

    def _headers(self, account: Account, token: Token) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token.get('access_token', '')}",
            "User-Agent": self._agent(account),
        }

    def _agent(self, account: Account) -> str:
        from providers import settings

        client_id = settings.load().network(self.spec.id).client_id or ""
        return user_agent(client_id, account.handle.removeprefix("u/"))

    async def _call(
        self, method: str, url: str, what: str, *, committing: bool = False, **kwargs: Any
    ) -> httpx2.Response:
        try:
            return await self.client.request(method, url, **kwargs)
        except Exception as exc:
            raise from_exception(exc, NAME, what, committing=committing) from None

    # Publishing ---------------------------------------------------------------------------------

    async def publish(
        self,
        account: Account,
        post: Post,
        delivery: Delivery,
        token: Token,
        *,
        report: Reporter | None = None,
    ) -> PublishResult:
        where = delivery.target_id or account.target_id
        if not where:
            raise PublishError(
                "refused", f"{NAME}: the account has no subreddit chosen; link it again to choose one."
            )
        subreddit, flair = split_target(where)
        headers = self._headers(account, token)
        data: dict[str, str] = {
            "api_type": "json",
            "sr": subreddit,
            "resubmit": "true",
            "sendreplies": "true",
            "nsfw": "true" if post.sensitive else "false",
            "spoiler": "true" if post.spoiler_text else "false",
            "validate_on_submit": "true",
        }
        if flair:
            data["flair_id"] = flair
        if len(post.media) > 1:
            raise PublishError(
                "fix_media",
                f"{NAME}: linkdeck posts one photo or video per Reddit post (galleries are not built).",
            )
        if post.media:
            titled = split_title(post.caption, TITLE_LIMIT)
            data.update(title=titled.title, text=titled.body)
            data.update(await self._upload_media(Path(post.media[0]), headers, report))
        else:
            kind, title, body, url = post_kind(post.caption)
            data.update(kind=kind, title=title, text=body)
            if url:
                data["url"] = url
        since = clock.now() - CLOCK_SLACK
        if report is not None:
            await report.committing()
        response = await self._call(
            "POST", f"{API}/api/submit", "creating the post", committing=True,
            data=data, headers=headers, params={"raw_json": "1"},
        )  # fmt: skip
        body = self._body(response)
        if response.status_code != 200:
            raise self.refused(response, NAME, "creating the post", committing=True)
        errors = submit_errors(body)
        if errors:
            raise self.submit_refusal(response, body, errors)
        made = body.get("json", {}).get("data") if isinstance(body, dict) else None
        made = made if isinstance(made, dict) else {}
        fullname, link = made.get("name"), made.get("url")
        if isinstance(fullname, str) and fullname and isinstance(link, str) and link:
            return PublishResult(fullname, link)
        # A photo or video: Reddit answers with its websocket only; find the post instead.
        found = await self._newest(account, headers, subreddit, data["title"], since)
        if found is not None:
            return found
        raise PublishError(
            "try_later",
            f"{NAME} took the post but has not listed it yet (photos and videos are processed first); "
            "linkdeck looks for it again instead of posting twice.",
            maybe_published=True,
        )

    @staticmethod
    def _body(response: httpx2.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            return None

    def submit_refusal(
        self, response: httpx2.Response, body: Any, errors: list[tuple[str, str, str]]
    ) -> PublishError:
        """A refusal inside an HTTP 200: the first error by :data:`ERROR_RULES`, with Reddit's
        words; a rate limit waits ``json.ratelimit`` seconds when Reddit says."""
        code, message, _ = errors[0]
        if code not in ERROR_RULES:
            words = f": {message}" if message else ""
            return PublishError("refused", f"{NAME} refused creating the post ({code}{words}).", status=200)
        error = classify(response, NAME, "creating the post", code=code, rules=ERROR_RULES, said=message)
        wait = body.get("json", {}).get("ratelimit") if isinstance(body, dict) else None
        if code == "RATELIMIT" and isinstance(wait, int | float) and wait > 0:
            return PublishError(error.kind, error.message, retry_after=float(wait), status=200)
        return error

    # Uploads ------------------------------------------------------------------------------------

    async def _upload_media(
        self, path: Path, headers: dict[str, str], report: Reporter | None
    ) -> dict[str, str]:
        from providers.media.sniff import HEAD_BYTES, mime_type

        with path.open("rb") as handle:
            mime = mime_type(handle.read(HEAD_BYTES))
        if mime is None or not mime.startswith(("image/", "video/")):
            raise PublishError(
                "fix_media", f"{NAME}: {path.name} is neither a photo nor a video Reddit takes."
            )
        if mime.startswith("image/"):
            return {"kind": "image", "url": await self._upload(path, mime, headers, report)}
        url = await self._upload(path, mime, headers, report)
        with tempfile.TemporaryDirectory(prefix="linkdeck-reddit-") as folder:
            poster = await asyncio.to_thread(poster_of, path, Path(folder) / "poster.jpg")
            poster_url = await self._upload(poster, "image/jpeg", headers, None)
        return {"kind": "video", "url": url, "video_poster_url": poster_url}

    async def _upload(self, path: Path, mime: str, headers: dict[str, str], report: Reporter | None) -> str:
        """Lease, then stream the file to the form the lease names; the uploaded file's address."""
        from providers.publishing.multipart import StreamedMultipart

        what = f"uploading {path.name}"
        lease = await self._call(
            "POST", f"{API}/api/media/asset.json", what,
            data={"filepath": path.name, "mimetype": mime}, headers=headers, params={"raw_json": "1"},
        )  # fmt: skip
        body = self._body(lease) if lease.status_code == 200 else None
        args = body.get("args") if isinstance(body, dict) else None
        action = args.get("action") if isinstance(args, dict) else None
        fields = args.get("fields") if isinstance(args, dict) else None
        if not isinstance(action, str) or not isinstance(fields, list):
            if lease.status_code == 200:
                raise PublishError("try_later", f"{NAME} gave no upload lease when {what}.")
            raise self.refused(lease, NAME, what)
        form = [(str(f["name"]), str(f["value"])) for f in fields if isinstance(f, dict) and "name" in f]
        key = next((value for name, value in form if name == "key"), "")
        upload_url = f"https:{action}" if action.startswith("//") else action

        def progress(sent: int, total: int) -> None:
            if report is not None:
                report.uploading(0, 1, sent, total)

        stream = StreamedMultipart(form, "file", path, content_type=mime, progress=progress)
        # To the storage form, not to Reddit: no bearer token, Reddit's User-Agent all the same.
        agent = {"User-Agent": headers["User-Agent"]}
        stored = await self._call(
            "POST", upload_url, what, content=stream, headers={**stream.headers, **agent}
        )
        if stored.status_code not in (200, 201, 204):
            raise self._storage_refusal(stored, path.name)
        return f"{upload_url}/{key}"

    @staticmethod
    def _storage_refusal(response: httpx2.Response, file_name: str) -> PublishError:
        """S3's XML error: a file over the size the lease allows names both sizes."""
        with contextlib.suppress(ElementTree.ParseError):
            root = ElementTree.fromstring(response.text)
            values = {child.tag: (child.text or "") for child in root}
            if values.get("Code") == "EntityTooLarge" and values.get("MaxSizeAllowed", "").isdigit():
                most = int(values["MaxSizeAllowed"])
                return PublishError(
                    "fix_media",
                    f"{NAME} refused {file_name}: it is larger than the {most:,} bytes Reddit takes; "
                    "compress it and post again.",
                    status=response.status_code,
                )
            if values.get("Message"):
                return PublishError(
                    "fix_media" if response.status_code < 500 else "try_later",
                    f"{NAME} refused uploading {file_name}: {values['Message']}.",
                    status=response.status_code,
                )
        return classify(response, NAME, f"uploading {file_name}")

    # Looking a post up --------------------------------------------------------------------------

    async def lookup(
        self, account: Account, post: Post, delivery: Delivery, token: Token
    ) -> PublishResult | None:
        """The post in the account's newest submissions. Not there within :data:`LISTING_GRACE` of
        the submit: PublishError (recovery asks again later); after it, None (it was never made,
        so sending it is not sending it twice)."""
        subreddit, _ = split_target(delivery.target_id or account.target_id or "")
        title = split_title(post.caption, TITLE_LIMIT).title
        committed = delivery.committed_at or delivery.updated_at
        headers = self._headers(account, token)
        found = await self._newest(account, headers, subreddit, title, committed - CLOCK_SLACK)
        if found is None and clock.now() - committed < LISTING_GRACE:
            raise PublishError(
                "try_later", f"{NAME} does not list the post yet; linkdeck looks again before sending it."
            )
        return found

    async def _newest(
        self, account: Account, headers: dict[str, str], subreddit: str, title: str, since: Any
    ) -> PublishResult | None:
        """The account's newest submission with this title in this subreddit made after
        ``since``; None when there is none."""
        name = account.handle.removeprefix("u/")
        response = await self._call(
            "GET", f"{API}/user/{name}/submitted", "looking the post up", headers=headers,
            params={"sort": "new", "limit": str(LOOKUP_LIMIT), "raw_json": "1"},
        )  # fmt: skip
        if response.status_code != 200:
            raise self.refused(response, NAME, "looking the post up")
        floor = since.timestamp()
        for item in children(self._body(response)):
            created = item.get("created_utc")
            if (
                item.get("title") == title
                and str(item.get("subreddit", "")).lower() == subreddit.lower()
                and isinstance(created, int | float)
                and created >= floor
            ):
                permalink = str(item.get("permalink") or "")
                url = f"{WWW}{permalink}" if permalink.startswith("/") else str(item.get("url") or "")
                return PublishResult(str(item.get("name") or item.get("id")), url or None)
        return None


PUBLISHER = RedditPublisher
