"""What the emulated Tumblr checks and stores of a post: the ``{meta, response, errors}`` envelope,
NPF content validation with Tumblr's error subcodes, the blogs of the demo users and their posts.

From tumblr/docs@708be10: api.md ("Response Format", "/posts - Create/Reblog a Post (Neue Post
Format)" with its errors and subcodes, "/posts – Retrieve Published Posts", "/user/info",
"/avatar"), npf-spec.md ("Post Content Limits": a text block ≤ 4,096 code points, ≤ 30 image
blocks, ≤ 10 video blocks of which ≤ 1 uploaded, ≤ 1,000 blocks); the 401 body is the one a
maintainer quoted in tumblr/docs#72; the blog object follows the recorded ``/v2/blog/staff/info``
(tests/fixtures/recorded/tumblr). Where the docs say nothing (which subcode an over-long text
block gets, the media formats accepted) this module says so and uses 8001 / 8005.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import json_reply

TEXT_MAX = 4096
IMAGE_BLOCKS_MAX = 30
VIDEO_BLOCKS_MAX = 10
UPLOADED_VIDEOS_MAX = 1
BLOCKS_MAX = 1000
STATES = ("published", "queue", "draft", "private")
BLOCK_TYPES = ("text", "image", "link", "audio", "video", "paywall", "poll")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")  # accepted uploads: unverified
VIDEO_TYPES = ("video/mp4", "video/quicktime")  # unverified
AVATAR_SIZES = (16, 24, 30, 40, 48, 64, 96, 128, 512)


def envelope(status: int, response: Any, headers: dict[str, str] | None = None) -> web.Response:
    meta = {"status": status, "msg": HTTPStatus(status).phrase}
    return json_reply({"meta": meta, "response": response}, status, headers)


def error(
    status: int,
    title: str,
    code: int | None = None,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """Tumblr's error body: ``meta``, an empty ``response`` and ``errors[{title, code, detail}]``."""
    item: dict[str, Any] = {"title": title}
    if code is not None:
        item["code"] = code
    if detail is not None:
        item["detail"] = detail
    body = {"meta": {"status": status, "msg": HTTPStatus(status).phrase}, "response": [], "errors": [item]}
    return json_reply(body, status, headers)


def unauthorized() -> web.Response:
    return error(401, "Unauthorized", 1016, "Unable to authorize")  # as quoted in tumblr/docs#72


class Refusal(Exception):
    """A create refused: the answer to send."""

    def __init__(self, status: int, code: int | None, title: str, detail: str | None = None) -> None:
        super().__init__(title)
        self.status, self.code, self.title, self.detail = status, code, title, detail

    def reply(self) -> web.Response:
        return error(self.status, self.title, self.code, self.detail)


@dataclass(frozen=True)
class Blog:
    name: str
    title: str
    owner: str  # the demo user's username
    primary: bool

    @property
    def uuid(self) -> str:
        digest = hashlib.sha256(f"tumblr-sandbox:{self.name}".encode()).digest()[:16]
        return "t:" + base64.urlsafe_b64encode(digest).decode().rstrip("=")

    @property
    def url(self) -> str:
        return f"https://{self.name}.tumblr.com/"


def demo_blogs() -> dict[str, Blog]:
    """Each demo user's primary blog (their username); alice also has a second blog, so the blog
    chooser has something to choose."""
    blogs = [Blog(u.username, u.display_name, u.username, True) for u in people.USERS]
    blogs.append(Blog("alice-sketches", "Alice's sketches", "alice", False))
    return {b.name: b for b in blogs}


@dataclass
class PostRecord:
    id: int
    blog: str
    state: str
    content: list[dict[str, Any]]
    timestamp: int
    uploads: dict[str, tuple[str, int]] = field(default_factory=dict)  # identifier → (mime, size)

    @property
    def text(self) -> str:
        return "\n".join(str(b.get("text", "")) for b in self.content if b.get("type") == "text")

    @property
    def media(self) -> int:
        return sum(1 for b in self.content if b.get("type") in ("image", "video"))


def _media_objects(block: dict[str, Any]) -> list[dict[str, Any]]:
    media = block.get("media")
    if isinstance(media, dict):
        return [media]
    if isinstance(media, list) and all(isinstance(m, dict) for m in media):
        return list(media)
    raise Refusal(400, 8001, "Bad Request", f"a {block.get('type')} block needs its media")


def check_content(
    document: Any, files: dict[str, tuple[str | None, int]]
) -> tuple[list[dict[str, Any]], str, dict[str, tuple[str, int]]]:
    """(content, state, uploads used) of a create request's JSON, or Refusal. ``files``: the
    uploaded parts by name → (sniffed MIME type, size)."""
    if not isinstance(document, dict):
        raise Refusal(400, 8001, "Bad Request", "the request has no NPF JSON")
    content = document.get("content")
    if not isinstance(content, list):
        raise Refusal(400, 8001, "'content' must be an array'")  # api.md's own example
    if not content:
        raise Refusal(400, 8001, "Bad Request", "'content' cannot be empty for a new post")
    state = document.get("state", "published")
    if state not in STATES:
        raise Refusal(400, 8001, "Bad Request", f"'state' must be one of {', '.join(STATES)}")
    if len(content) > BLOCKS_MAX:
        raise Refusal(400, 8001, "Bad Request", f"a post can have at most {BLOCKS_MAX} content blocks")
    counts = {"image": 0, "video": 0, "uploaded_video": 0}
    used: dict[str, tuple[str, int]] = {}
    for block in content:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind not in BLOCK_TYPES:
            raise Refusal(400, 8001, "Bad Request", f"unknown content block type {kind!r}")
        if kind == "text":
            text = block.get("text")
            if not isinstance(text, str):
                raise Refusal(400, 8001, "Bad Request", "a text block needs its text")
            if len(text) > TEXT_MAX:  # the subcode is not documented; 8001 is "invalid NPF"
                raise Refusal(
                    400, 8001, "Bad Request", f"a text block can have at most {TEXT_MAX} characters"
                )
        if kind in ("image", "video"):
            counts[kind] += 1
            for media in _media_objects(block):
                identifier = media.get("identifier")
                if identifier is None:
                    if not isinstance(media.get("url"), str):
                        raise Refusal(400, 8001, "Bad Request", "a media object needs a url or an identifier")
                    continue
                found = files.get(str(identifier))
                if found is None:
                    raise Refusal(400, 8001, "Bad Request", f"no uploaded file named {identifier!r}")
                mime, size = found
                allowed = IMAGE_TYPES if kind == "image" else VIDEO_TYPES
                if mime is None or mime not in allowed:
                    raise Refusal(
                        400, 8005, "Bad Request", f"the uploaded {kind} is not a format Tumblr accepts"
                    )
                used[str(identifier)] = (mime, size)
                counts["uploaded_video"] += kind == "video"
    if counts["image"] > IMAGE_BLOCKS_MAX:
        raise Refusal(400, 8001, "Bad Request", f"a post can have at most {IMAGE_BLOCKS_MAX} image blocks")
    if counts["video"] > VIDEO_BLOCKS_MAX or counts["uploaded_video"] > UPLOADED_VIDEOS_MAX:
        raise Refusal(400, 8001, "Bad Request", "a post can have one uploaded video")
    return content, state, used


def stored_content(record: PostRecord) -> list[dict[str, Any]]:
    """The content as the posts endpoint shows it: uploads replaced by media URLs."""
    shown: list[dict[str, Any]] = []
    for block in record.content:
        copy = dict(block)
        if block.get("type") in ("image", "video"):
            objects = []
            for media in _media_objects(block):
                media = dict(media)
                identifier = media.pop("identifier", None)
                if identifier is not None:
                    digest = hashlib.sha256(f"{record.id}:{identifier}".encode()).hexdigest()[:32]
                    media["url"] = f"https://64.media.tumblr.com/{digest}/{identifier}"
                objects.append(media)
            copy["media"] = objects if block.get("type") == "image" else objects[0]
            if block.get("type") == "video":
                copy.setdefault("provider", "tumblr")
        shown.append(copy)
    return shown


def blog_info(blog: Blog, total_posts: int) -> dict[str, Any]:
    """The blog object, in the recorded ``/v2/blog/staff/info`` shape (plus ``uuid``)."""
    return {
        "title": blog.title,
        "name": blog.name,
        "total_posts": total_posts,
        "posts": total_posts,
        "url": blog.url,
        "uuid": blog.uuid,
        "updated": 0,
        "description": "",
        "is_nsfw": False,
        "ask": False,
        "ask_page_title": "",
        "ask_anon": False,
        "followed": False,
        "can_send_fan_mail": True,
        "is_blocked_from_primary": False,
        "share_likes": False,
        "subscribed": False,
        "can_subscribe": True,
    }
