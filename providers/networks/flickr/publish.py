"""Publishing to Flickr: one photo or video per post, uploaded to the account's photostream.

- The caption's first line is the title (:func:`providers.publishing.titles.split_title`, at most
  :data:`.api.TITLE_LIMIT` characters), the rest the description; the caption's ``#hashtags``
  become Flickr tags. Visibility: public → ``is_public=1``; unlisted, private and direct →
  private (``is_public=0``, friends and family off). A sensitive post is ``safety_level=2``
  (moderate), else 1 (safe).
- The file is streamed to ``https://up.flickr.com/services/upload/`` as multipart, signed
  OAuth 1.0a HMAC-SHA1 over the other fields (the file is not part of the signature), with
  ``async=1``; the ticket is polled with ``flickr.photos.upload.checkTickets``.
- Limits: ``flickr.people.getLimits`` per account (photo and video bytes, video seconds), read
  before each send.
- Flickr answers refusals with HTTP 200 and ``<rsp stat="fail"><err code msg/></rsp>``; the codes
  are mapped by :data:`ERROR_RULES` (flickr.com/services/api/upload.api.html: 0, 2–6, 96–100,
  105; networks-2026.md §6a's 3P copy: 7–9, 14).

Flickr has no text-only post (refused before sending) and no idempotency key: a send whose
answer was lost is looked up (``Recovery.LOOKUP``) in ``flickr.people.getPhotos`` (uploaded since
the send, the same title), never uploaded twice.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from providers import clock
from providers.errors import PublishError
from providers.failures import Rule, classify, from_exception
from providers.interface import Publisher, PublishResult, Recovery
from providers.networks.flickr.api import (
    REST,
    TITLE_LIMIT,
    UPLOAD,
    as_list,
    authorization,
    failure,
    parse_rsp,
    photo_page,
    read_rsp,
    rest_params,
)
from providers.publishing.titles import split_title

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import Token
    from providers.interface import Reporter
    from providers.spec import NetworkSpec
    from providers.store import Account, Delivery, Post
    from providers.vault import Vault

NAME = "Flickr"
CLOCK_SLACK = timedelta(minutes=10)
LISTING_GRACE = timedelta(minutes=30)  # a video may take this long to be processed and listed
TICKET_WAITS = (1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 30.0, 30.0)  # about two minutes in all
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")

_SIGNATURE = (
    "Flickr did not accept linkdeck's API key or signature: check the key "
    "(`linkdeck config set flickr client_id`) and secret (`linkdeck config set-secret flickr`), "
    "then link the account again."
)
ERROR_RULES: dict[str, Rule] = {
    "0": Rule("try_later", "Flickr has video uploads turned off for now; linkdeck tries again later."),
    "2": Rule("fix_media", "No file reached Flickr; post it again."),
    "3": Rule("try_later", "linkdeck tries again later."),
    "4": Rule("fix_media", "The file is empty; choose another."),
    "5": Rule("fix_media", "Flickr takes photos and videos only."),
    "6": Rule(
        "refused",
        "The account reached its upload limit (a free account's limit): delete some photos or "
        "upgrade on Flickr, then retry.",
    ),
    "7": Rule("refused", "The account reached its video limit; retry once Flickr allows more."),
    "8": Rule("fix_media", "The file is larger than this Flickr account takes; compress it and post again."),
    "9": Rule("refused", "Flickr already has this exact file in the account (a duplicate)."),
    "14": Rule("try_later", "Flickr is at capacity for this account's uploads; linkdeck tries again later."),
    "95": Rule("refused", "Flickr wants https for uploads."),
    "96": Rule("refused", _SIGNATURE),
    "97": Rule("refused", _SIGNATURE),
    "100": Rule("refused", _SIGNATURE),
    "98": Rule("reconnect", "Link the account again."),
    "99": Rule("reconnect", "Link the account again and allow linkdeck to upload (write)."),
    "105": Rule("try_later", "Flickr's service is unavailable for now; linkdeck tries again later."),
    "106": Rule("try_later", "Flickr's write failed for now; linkdeck tries again later."),
}


def tags_of(caption: str) -> str:
    """The caption's hashtags as Flickr's space-separated tags, each once."""
    return " ".join(dict.fromkeys(_HASHTAG.findall(caption)))


def upload_fields(post: Post, *, is_video: bool) -> dict[str, str]:
    """The upload's fields (all signed), without the file."""
    titled = split_title(post.caption, TITLE_LIMIT)
    public = post.visibility == "public"
    fields = {
        "title": titled.title,
        "description": titled.body,
        "tags": tags_of(post.caption),
        "is_public": "1" if public else "0",
        "is_friend": "0",
        "is_family": "0",
        "safety_level": "2" if post.sensitive else "1",
        "hidden": "1",
        "async": "1",
    }
    if not is_video:
        fields["content_type"] = "1"  # a photo (not a screenshot or art)
    return fields


class FlickrPublisher(Publisher):
    recovery = Recovery.LOOKUP
    can_lookup = True
    error_rules = ERROR_RULES

    def __init__(self, spec: NetworkSpec, client: httpx2.AsyncClient, vault: Vault | None = None) -> None:
        super().__init__(spec, client)
        self._vault = vault  # where limits() reads the account's token; the keyring when None

    def name(self, account: Account) -> str:
        return NAME

    def profile_url(self, account: Account) -> str | None:
        return f"https://www.flickr.com/photos/{account.remote_id}/"

    def error_code(self, response: httpx2.Response) -> str | None:
        refused = failure(read_rsp(response))
        return refused[0] if refused else None

    def vault(self) -> Vault:
        if self._vault is None:
            from providers.vault import Vault

            self._vault = Vault()
        return self._vault

    def _consumer(self, token: Token) -> tuple[str, str]:
        key, secret = token.get("consumer_key"), token.get("consumer_secret")
        if isinstance(key, str) and key and isinstance(secret, str):
            return key, secret
        from providers import settings
        from providers.signin.developer_app import app_credentials

        found_key, found_secret = app_credentials(
            self.spec, settings.load().network(self.spec.id).client_id, self.vault()
        )
        return found_key, found_secret or ""

    def _auth(self, method: str, url: str, fields: dict[str, str], token: Token) -> dict[str, str]:
        consumer = self._consumer(token)
        pair = (str(token.get("oauth_token", "")), str(token.get("oauth_token_secret", "")))
        return {"Authorization": authorization(method, url, fields, consumer=consumer, token=pair)}

    async def _rest(
        self, token: Token, method: str, what: str, *, committed: bool = False, **params: str
    ) -> dict[str, Any]:
        """A signed REST call's answer; PublishError by the rules when refused."""
        query = rest_params(method, **params)
        url = f"{REST}?{urlencode(query)}"
        try:
            response = await self.client.get(url, headers=self._auth("GET", url, {}, token))
        except Exception as exc:
            raise _after_upload(from_exception(exc, NAME, what), committed) from None
        body = read_rsp(response)
        refused = failure(body)
        if response.status_code != 200 or refused is not None or body is None:
            raise _after_upload(self._refusal(response, what, refused), committed)
        return body

    def _refusal(self, response: httpx2.Response, what: str, refused: tuple[str, str] | None) -> PublishError:
        if refused is None:
            if response.status_code == 200:
                return PublishError("try_later", f"{NAME} answered {what} with something unreadable.")
            return self.refused(response, NAME, what)
        code, message = refused
        if code not in ERROR_RULES:
            return PublishError("refused", f"{NAME} refused {what} ({code}: {message}).", status=200)
        return classify(response, NAME, what, code=code, rules=ERROR_RULES, said=message)

    # Limits --------------------------------------------------------------------------------------

    async def limits(self, account: Account) -> NetworkSpec:
        """The spec with this account's own limits (``flickr.people.getLimits``); the spec's
        defaults when they cannot be read (Flickr's refusal then speaks if they were wrong)."""
        try:
            token = self.vault().get_token(account.vault_key) or {}
            body = await self._rest(token, "flickr.people.getLimits", "reading the account's limits")
        except Exception:  # no keyring, no answer: judge by the defaults
            return self.spec
        return apply_limits(self.spec, body)

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
        from providers.media.sniff import HEAD_BYTES, mime_type
        from providers.publishing.multipart import StreamedMultipart

        if not post.media:
            raise PublishError("refused", f"{NAME} has no text-only posts: add a photo or video.")
        if len(post.media) > 1:
            raise PublishError("fix_media", f"{NAME} takes one photo or video per upload.")
        path = Path(post.media[0])
        try:
            with path.open("rb") as handle:
                mime = mime_type(handle.read(HEAD_BYTES))
        except OSError:
            raise PublishError("fix_media", f"{NAME}: {path.name} can no longer be read.") from None
        if mime is None or not mime.startswith(("image/", "video/")):
            raise PublishError("fix_media", f"{NAME}: {path.name} is neither a photo nor a video.")
        fields = upload_fields(post, is_video=mime.startswith("video/"))

        def progress(sent: int, total: int) -> None:
            if report is not None:
                report.uploading(0, 1, sent, total)

        stream = StreamedMultipart(list(fields.items()), "photo", path, content_type=mime, progress=progress)
        headers = {**stream.headers, **self._auth("POST", UPLOAD, fields, token)}
        what = f"uploading {path.name}"
        if report is not None:
            await report.committing()
        try:
            response = await self.client.post(UPLOAD, content=stream, headers=headers)
        except Exception as exc:
            raise from_exception(exc, NAME, what, committing=True) from None
        if response.status_code != 200:
            raise self.refused(response, NAME, what, committing=True)
        body = parse_rsp(response.text)
        refused = failure(body)
        if refused is not None or body is None:
            raise self._refusal(response, what, refused)
        photo_id = _text(body.get("photoid"))
        ticket = _text(body.get("ticketid"))
        if not photo_id and ticket:
            photo_id = await self._ticket(token, ticket, report)
        if not photo_id:
            raise PublishError(
                "try_later", f"{NAME} took the upload without naming it; linkdeck looks for it.",
                maybe_published=True,
            )  # fmt: skip
        return PublishResult(photo_id, photo_page(account.remote_id, photo_id))

    async def _ticket(self, token: Token, ticket: str, report: Reporter | None) -> str:
        """The photo id once Flickr processed the upload (``checkTickets``)."""
        what = "checking the upload"
        for wait in (0.0, *TICKET_WAITS):
            if wait:
                if report is not None:
                    report.processing(0, 1)
                await asyncio.sleep(wait)
            body = await self._rest(
                token, "flickr.photos.upload.checkTickets", what, committed=True, tickets=ticket
            )
            uploader = body.get("uploader")
            found = as_list(uploader.get("ticket")) if isinstance(uploader, dict) else []
            mine = next((t for t in found if isinstance(t, dict) and str(t.get("id")) == ticket), None)
            if mine is None or str(mine.get("invalid", "0")) == "1":
                raise PublishError(
                    "try_later", f"{NAME} does not know the upload's ticket; linkdeck looks for the photo.",
                    maybe_published=True,
                )  # fmt: skip
            complete = str(mine.get("complete", "0"))
            if complete == "1" and mine.get("photoid"):
                return str(mine["photoid"])
            if complete == "2":
                raise PublishError(
                    "fix_media", f"{NAME} could not process the file (its upload ticket failed).", status=200
                )
        raise PublishError(
            "try_later", f"{NAME} is still processing the upload; linkdeck looks for it later.",
            maybe_published=True,
        )  # fmt: skip

    # Looking a post up --------------------------------------------------------------------------

    async def lookup(
        self, account: Account, post: Post, delivery: Delivery, token: Token
    ) -> PublishResult | None:
        """The photo in the account's uploads since the send with the post's title. Not there
        within :data:`LISTING_GRACE`: PublishError (asked again later); after it, None."""
        title = split_title(post.caption, TITLE_LIMIT).title
        committed = delivery.committed_at or delivery.updated_at
        since = int((committed - CLOCK_SLACK).timestamp())
        body = await self._rest(
            token, "flickr.people.getPhotos", "looking the photo up",
            user_id="me", min_upload_date=str(since), extras="date_upload", per_page="100",
        )  # fmt: skip
        found = find_upload(body, title, since)
        if found is not None:
            return PublishResult(found, photo_page(account.remote_id, found))
        if clock.now() - committed < LISTING_GRACE:
            raise PublishError(
                "try_later", f"{NAME} does not list the upload yet; linkdeck looks again before sending it."
            )
        return None


def _after_upload(error: PublishError, committed: bool) -> PublishError:
    """A failure after Flickr took the upload: the photo may exist, so it is looked up, never
    uploaded again."""
    if committed:
        error.maybe_published = True
    return error


def _text(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("_content")
    return str(value).strip() if value is not None else ""


def find_upload(body: dict[str, Any], title: str, since: int) -> str | None:
    """The id of the newest listed photo with this title uploaded at or after ``since``
    (``photos.photo`` of people.getPhotos or photos.search, JSON or XML)."""
    photos = body.get("photos")
    for item in as_list(photos.get("photo") if isinstance(photos, dict) else None):
        if not isinstance(item, dict) or item.get("title") != title:
            continue
        uploaded = str(item.get("dateupload", ""))
        if uploaded.isdigit() and int(uploaded) < since:
            continue
        return str(item.get("id"))
    return None


def apply_limits(spec: NetworkSpec, body: dict[str, Any]) -> NetworkSpec:
    """The spec with getLimits' ``person.photos.maxupload``, ``videos.maxupload`` (bytes) and
    ``videos.maxduration`` (seconds) where Flickr gave them."""

    def part(within: Any, key: str) -> dict[str, Any]:
        found = within.get(key) if isinstance(within, dict) else None
        return found if isinstance(found, dict) else {}

    person = part(body, "person")
    photos, videos = part(person, "photos"), part(person, "videos")

    def number(value: Any) -> int | None:
        text = str(value) if value is not None else ""
        return int(text) if text.isdigit() and int(text) > 0 else None

    media = spec.media
    media = dataclasses.replace(
        media,
        image_max_bytes=number(photos.get("maxupload")) or media.image_max_bytes,
        video_max_bytes=number(videos.get("maxupload")) or media.video_max_bytes,
        video_max_seconds=number(videos.get("maxduration")) or media.video_max_seconds,
    )
    return dataclasses.replace(spec, media=media)


PUBLISHER = FlickrPublisher
