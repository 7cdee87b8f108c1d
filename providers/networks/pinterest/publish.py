"""Publishing Pins (API v5) on the board chosen when the account was linked.

The Pin (``POST /v5/pins``, pinterest/api-description@c05b189 PinCreate):

- ``board_id``: the account's target, a numeric board id (names fail: postiz-docs PR #248);
- ``title``: the caption's first line, at most 100 characters (providers.publishing.titles);
  ``description``: the rest, at most 800; ``alt_text``: the first file's description, at most 500;
  ``link``: the first web address in the caption, when it fits in 2,048 characters;
- ``media_source``: one image as ``image_base64``, 2–5 images of one size as
  ``multiple_image_base64`` (a carousel), both JPEG or PNG only (the ContentType enum) and streamed
  (:mod:`.media`); or one video: ``POST /v5/media`` registers it, the file goes to the returned
  ``upload_url`` as an S3 form POST (``upload_parameters`` then ``file``, streamed, without
  linkdeck's token), ``GET /v5/media/{id}`` is polled until ``succeeded``, and the Pin names it as
  ``video_id`` with the first frame as its cover (PZI PR #1802: never the cover in the upload),
  in :mod:`.video`.

``image_url`` would let Pinterest fetch GIF, WebP, BMP and TIFF too, but needs a public address
for the file, which linkdeck does not have: those formats are refused before sending, with the
convert fix offered (the spec lists JPEG and PNG).

Errors carry ``{"code", "message"}``; code 29 on a new Pin means the app has Trial access
(networks-2026.md §9), explained in words. Recovery: no idempotency key exists, but the board's
newest Pins can be listed, so a lost answer is looked up (title, description, media kind, created
after the send began) rather than sent again.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from providers.errors import PublishError
from providers.failures import Rule, from_exception
from providers.interface import Publisher, PublishResult, Recovery
from providers.publishing.answers import moment
from providers.publishing.titles import split_title

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import Token
    from providers.interface import Reporter
    from providers.store import Account, Delivery, Post

TITLE_MAX, DESCRIPTION_MAX, ALT_MAX, LINK_MAX = 100, 800, 500, 2048
CAROUSEL = (2, 5)
PIN_URL = "https://www.pinterest.com/pin/{}/"
_URL = re.compile(r"https?://[^\s<>\"']+")

TRIAL = (
    "Your Pinterest app has Trial access, and Pinterest lets Trial apps create Pins only in its "
    "API sandbox, not on pinterest.com. Apply for Standard access in the Pinterest developer "
    "portal (developers.pinterest.com, your app, Upgrade access), then post again."
)
ERROR_RULES: dict[str, Rule] = {"29": Rule("refused", TRIAL)}


def pin_url(pin_id: str) -> str:
    return PIN_URL.format(pin_id)


def first_link(caption: str) -> str | None:
    """The first web address in the caption, as the Pin's link (None when there is none, or it
    is longer than Pinterest takes)."""
    found = _URL.search(caption)
    url = found.group(0).rstrip(".,;:!?)") if found else None
    return url if url and len(url) <= LINK_MAX else None


def pin_text(post: Post, name: str) -> tuple[str, str, str | None]:
    """(title, description, alt text) of the Pin, or PublishError naming the rule broken."""
    titled = split_title(post.caption, TITLE_MAX)
    if len(titled.body) > DESCRIPTION_MAX:
        raise PublishError(
            "fix_media",
            f"{name} descriptions must be at most {DESCRIPTION_MAX} characters; the caption after "
            f"its first line (the title) is {len(titled.body):,}. Shorten the caption.",
        )
    alt = post.description_for(0).strip()
    if len(alt) > ALT_MAX:
        raise PublishError(
            "fix_media",
            f"{name} alt text must be at most {ALT_MAX} characters; this description is "
            f"{len(alt):,}. Shorten it.",
        )
    return titled.title, titled.body, alt or None


class PinterestPublisher(Publisher):
    recovery = Recovery.LOOKUP
    error_rules: ClassVar[Mapping[str, Rule]] = ERROR_RULES

    def error_code(self, response: httpx2.Response) -> str | None:
        body = _json(response)
        code = body.get("code") if body is not None else None
        return str(code) if isinstance(code, int) and not isinstance(code, bool) else None

    def profile_url(self, account: Account) -> str | None:
        return f"https://www.pinterest.com/{account.handle.lstrip('@')}/"

    @property
    def api(self) -> str:
        return str(self.spec.endpoints.api_base)

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
        board = self._board(account)
        title, description, alt = pin_text(post, name)
        files = [Path(p) for p in post.media]
        kinds = [_kind(path) for path in files]
        auth = {"Authorization": f"Bearer {token.get('access_token', '')}"}
        document: dict[str, Any] = {"board_id": board}
        if title:  # an image alone (no caption) makes a Pin without a title
            document["title"] = title
        if description:
            document["description"] = description
        if alt:
            document["alt_text"] = alt
        link = first_link(post.caption)
        if link:
            document["link"] = link
        streamed: list[Path] = []
        from providers.networks.pinterest.media import Base64Json

        marker = Base64Json.new_marker()
        if len(files) == 1 and kinds[0][0] == "video":
            from providers.networks.pinterest.video import VideoUpload, video_source

            upload = VideoUpload(self.client, self.api, self._send, auth, name, report)
            media_id = await upload.run(files[0], kinds[0][1])
            document["media_source"] = await video_source(files[0], media_id)
        elif len(files) == 1:
            document["media_source"] = {
                "source_type": "image_base64",
                "content_type": kinds[0][1],
                "data": Base64Json.slot(marker, 0),
            }
            streamed = files
        elif CAROUSEL[0] <= len(files) <= CAROUSEL[1] and all(k == "image" for k, _ in kinds):
            await asyncio.to_thread(_same_size, files, name)
            items = [
                {"content_type": mime, "data": Base64Json.slot(marker, i)}
                for i, (_, mime) in enumerate(kinds)
            ]
            document["media_source"] = {"source_type": "multiple_image_base64", "items": items}
            streamed = files
        else:
            raise PublishError(
                "fix_media",
                f"{name} Pins have one image, one video, or a carousel of {CAROUSEL[0]}–{CAROUSEL[1]} "
                f"images; this post has {len(files)} file(s).",
            )
        body = Base64Json(
            document,
            streamed,
            marker,
            progress=(lambda i, sent, total: report.uploading(i, len(streamed), sent, total))
            if report is not None
            else None,
        )
        if report is not None:
            await report.committing()
        what = "creating the Pin"
        try:
            response = await self.client.post(
                f"{self.api}/pins", content=body, headers={**auth, **body.headers}, timeout=300.0
            )
        except Exception as exc:
            raise from_exception(exc, name, what, committing=True) from None
        answer = _json(response) if response.status_code in (200, 201) else None
        pin_id = answer.get("id") if answer is not None else None
        if not isinstance(pin_id, str | int):
            raise self.refused(response, name, what, committing=True)
        return PublishResult(str(pin_id), pin_url(str(pin_id)))

    def _board(self, account: Account) -> str:
        if account.target_id:
            return account.target_id
        raise PublishError(
            "refused",
            f"{self.name(account)}: no board is chosen for {account.handle}, and every Pin goes on a "
            "board. Choose one (change target in the account's details), then post again.",
        )

    async def _send(self, method: str, url: str, what: str, name: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self.client.request(method, url, **kwargs)
        except Exception as exc:
            raise from_exception(exc, name, what) from None
        body = _json(response) if response.status_code in (200, 201) else None
        if body is None:
            raise self.refused(response, name, what)
        return body

    async def lookup(
        self, account: Account, post: Post, delivery: Delivery, token: Token
    ) -> PublishResult | None:
        """The board's newest Pins, matched by title, description and media kind, created after
        the send began (a minute's grace for clock skew)."""
        name = self.name(account)
        title, description, _ = pin_text(post, name)
        auth = {"Authorization": f"Bearer {token.get('access_token', '')}"}
        found = await self._send(
            "GET",
            f"{self.api}/boards/{self._board(account)}/pins",
            "looking for the Pin",
            name,
            params={"page_size": "50"},
            headers=auth,
        )
        since = (delivery.committed_at or delivery.updated_at) - timedelta(minutes=1)
        video = any(_kind(Path(p))[0] == "video" for p in post.media)
        for pin in found.get("items") or []:
            if not isinstance(pin, dict) or not isinstance(pin.get("id"), str | int):
                continue
            created = moment(pin.get("created_at"))
            media = pin.get("media")
            kind = str(media.get("media_type") or "") if isinstance(media, dict) else ""
            if (
                (pin.get("title") or "") == title
                and (pin.get("description") or "") == description
                and (created is None or created >= since)
                and (not kind or (kind == "video") == video)
            ):
                return PublishResult(str(pin["id"]), pin_url(str(pin["id"])))
        return None


def _kind(path: Path) -> tuple[str, str]:
    """("image" or "video", MIME type) from the file's first bytes."""
    from providers.media.model import MediaKind
    from providers.media.sniff import HEAD_BYTES, MIME_TYPES, sniff

    with path.open("rb") as handle:
        kind, fmt = sniff(handle.read(HEAD_BYTES))
    return ("video" if kind is MediaKind.VIDEO else "image"), MIME_TYPES.get(fmt, "application/octet-stream")


def _same_size(files: list[Path], name: str) -> None:
    from PIL import Image

    sizes = set()
    for path in files:
        with Image.open(path) as image:
            sizes.add(image.size)
    if len(sizes) > 1:
        raise PublishError(
            "fix_media",
            f"{name} carousel images must all have the same width and height; these have "
            f"{len(sizes)} different sizes. Crop or resize them to one size.",
        )


def _json(response: httpx2.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


PUBLISHER = PinterestPublisher
