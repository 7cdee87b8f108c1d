"""LinkedIn in the sandbox: ``www.linkedin.com`` (sign-in, Permitted services, upload URLs),
``api.linkedin.com`` (userinfo and the versioned REST API) and ``media.licdn.com`` (pictures),
sharing one LinkedIn per sandbox.

Strict where linkdeck could get it wrong, in LinkedIn's shapes (learn.microsoft.com/en-us/linkedin
…/community-management/shares/posts-api, images-api, videos-api, versioning; the recorded errors in
tests/fixtures/recorded/linkedin; shared/reference/networks-2026.md §8):

- every ``/rest/`` call needs ``LinkedIn-Version: YYYYMM``: none → 400 ``VERSION_MISSING``; one
  older than ``oldest_version`` (a sunset version) → 426 ``NONEXISTENT_VERSION``, "Requested
  version … is not active" (postiz-app#2005); creating a post also needs
  ``X-Restli-Protocol-Version: 2.0.0``;
- a bad or revoked token → 401 ``{"serviceErrorCode":65600,"message":"Invalid access token"}``
  (recorded); a missing permission → 403 ``ACCESS_DENIED`` "Not enough permissions to access";
- images: ``initializeUpload`` gives one upload URL, the bytes are PUT there (201); videos: one URL
  per part of ``video_part_bytes`` with its byte range, each PUT answers an ``ETag``,
  ``finalizeUpload`` wants every part's ETag in order, then the video is PROCESSING for
  ``processing_polls`` reads before AVAILABLE;
- ``POST /rest/posts``: the author must be the member (``w_member_social``) or a Page the member
  administers (``w_organization_social``); media must be the author's own finished uploads;
  commentary at most 3,000 characters; 201 with the new post's URN in ``x-restli-id``;
- reading posts back (``GET /rest/posts/{urn}``, ``?q=author``) needs ``r_organization_social``
  for a Page and the private ``r_member_social`` for a member, as LinkedIn's permission table
  says; without it → 403 whether or not the post exists;
- commentary is LinkedIn's "little text": reserved characters must be backslash-escaped; an
  unescaped one cuts the text there (the truncation people report), and the post shows the rest.

Knobs (``POST /__sandbox__/instance {"host": "api.linkedin.com", …}``): ``community_management``,
``r_member_social``, ``standard_redirect``, ``oldest_version``, ``video_part_bytes``,
``processing_polls``, ``lose_next_posts`` (answer 201 and keep nothing: LinkedIn's false success,
postiz-app#989).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, Emulator, Published, Routes, SandboxDemo, json_reply
from providers.emulation.grants import Clock, Issued
from providers.media.sniff import HEAD_BYTES
from providers.media.sniff import mime_type as sniff_mime
from providers.networks.linkedin.sandbox_sessions import (
    NATIVE_CLIENT_ID,
    PERMITTED_SERVICES,
    STANDARD_REDIRECT,
    LinkedInAuth,
    Member,
    member_by_id,
    organization_names,
)

DEFAULT_SETTINGS: dict[str, Any] = {
    "community_management": True,
    "r_member_social": False,
    "standard_redirect": STANDARD_REDIRECT,
    "oldest_version": "202512",
    "video_part_bytes": 4 * 1024 * 1024,
    "processing_polls": 1,
    "lose_next_posts": 0,
}
MAX_COMMENTARY = 3000
RESERVED = set("\\|{}@[]()<>#*_~")  # little text's reserved characters
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif")
_VERSION = re.compile(r"^\d{6}(\.\d{2})?$")


def unescape(commentary: str) -> str:
    """What LinkedIn shows for a little-text commentary: escapes undone, cut at the first
    reserved character that was not escaped."""
    out, chars = [], iter(commentary)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            if nxt in RESERVED:
                out.append(nxt)
                continue
            break
        if char in RESERVED:
            break
        out.append(char)
    return "".join(out)


def li_error(status: int, message: str, code: str | None = None, service: int | None = None) -> web.Response:
    body: dict[str, Any] = {"status": status, "message": message}
    if code:
        body["code"] = code
    if service is not None:
        body["serviceErrorCode"] = service
    return json_reply(body, status)


def denied(what: str) -> web.Response:
    return li_error(403, f"Not enough permissions to access: {what}", "ACCESS_DENIED", 100)


@dataclass
class Slot:
    """One upload URL: the asset it fills, the bytes it expects (a video part) and what came."""

    asset: str
    size: int | None
    data: bytes | None = None
    etag: str | None = None


@dataclass
class Asset:
    urn: str
    owner: str
    slots: list[str]
    finalized: bool = False
    polls_left: int = 0
    mime: str | None = None

    @property
    def video(self) -> bool:
        return self.urn.startswith("urn:li:video:")


@dataclass
class World:
    """One LinkedIn: its sign-in server, uploads and posts, shared by its hosts."""

    clock: Clock
    settings: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_SETTINGS))
    assets: dict[str, Asset] = field(default_factory=dict)
    slots: dict[str, Slot] = field(default_factory=dict)
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)
    lost: dict[str, str] = field(default_factory=dict)  # urn → author, of posts answered but not kept
    numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(7_300_000_000_000_000_001))

    def __post_init__(self) -> None:
        self.auth = LinkedInAuth(self.clock, self.settings)


_WORLDS: weakref.WeakKeyDictionary[Clock, World] = weakref.WeakKeyDictionary()


def world_for(clock: Clock) -> World:
    found = _WORLDS.get(clock)
    if found is None:
        found = _WORLDS[clock] = World(clock)
    return found


RestHandler = Callable[["LinkedInServer", Call, Issued, Member], Awaitable[web.Response]]


def rest(handler: RestHandler) -> Callable[[LinkedInServer, Call], Awaitable[web.Response]]:
    """A REST endpoint: the LinkedIn-Version and the bearer token are checked before it runs."""

    @functools.wraps(handler)
    async def checked(self: LinkedInServer, call: Call) -> web.Response:
        refused = self._versioned(call)
        found = refused or self._caller(call)
        if isinstance(found, web.Response):
            return found
        return await handler(self, call, *found)

    return checked


class LinkedInServer(Emulator):
    kind = "linkedin"
    network = "LinkedIn"

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.world = world_for(clock)
        self.settings = self.world.settings
        self.routes = Routes()
        if host == "www.linkedin.com":
            auth = self.world.auth
            self.routes.add("GET", "/oauth/v2/authorization", _sync(auth.authorize))
            self.routes.add("POST", "/oauth/authorize", _sync(auth.decide))  # the consent form
            self.routes.add("POST", "/oauth/v2/accessToken", _sync(auth.token))
            self.routes.add("*", PERMITTED_SERVICES, _sync(auth.permitted_services))
            self.routes.add("PUT", "/dms-uploads/sp/{key}", self.receive_upload)
        elif host == "media.licdn.com":
            self.routes.add("GET", "/dms/image/{file}", self.picture)
        else:
            for method, path, handler in (
                ("GET", "/v2/userinfo", self.userinfo),
                ("GET", "/rest/organizationAcls", self.organization_acls),
                ("GET", "/rest/organizations/{id}", self.organization),
                ("POST", "/rest/images", self.images_action),
                ("GET", "/rest/images/{urn}", self.asset_status),
                ("POST", "/rest/videos", self.videos_action),
                ("GET", "/rest/videos/{urn}", self.asset_status),
                ("POST", "/rest/posts", self.create_post),
                ("GET", "/rest/posts/{urn}", self.get_post),
                ("GET", "/rest/posts", self.find_posts),
            ):
                self.routes.add(method, path, handler)

    # The emulator protocol ------------------------------------------------------------------------

    async def handle(self, call: Call) -> web.StreamResponse:
        found = self.routes.find(call.method, call.path)
        if found is None:
            return li_error(404, f"Resource {call.path.strip('/')} does not exist", service=0)
        handler, call.match = found
        return await handler(call)

    def configure(self, values: dict[str, Any]) -> None:
        self.settings.update({k: v for k, v in values.items() if k in DEFAULT_SETTINGS})

    def published(self) -> list[Published]:
        return [
            Published(post["author"], unescape(str(post.get("commentary", ""))), _media_count(post))
            for post in self.world.posts.values()
        ]

    def accepts(self, token: str) -> bool:
        return self.world.auth.accepts(token)

    # Who is asking -------------------------------------------------------------------------------

    def _caller(self, call: Call) -> tuple[Issued, Member] | web.Response:
        found = self.world.auth.bearer_error(call)
        if isinstance(found, web.Response):
            return found
        member = member_by_id(found.user_id)
        if member is None:
            return li_error(401, "Invalid access token", service=65600)
        return found, member

    def _versioned(self, call: Call) -> web.Response | None:
        version = call.request.headers.get("LinkedIn-Version", "")
        if not version:
            return li_error(
                400,
                "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
                "VERSION_MISSING",
            )
        if not _VERSION.match(version) or version[:6] < str(self.settings["oldest_version"]):
            return li_error(426, f"Requested version {version} is not active", "NONEXISTENT_VERSION")
        return None

    def _may_write_as(self, issued: Issued, member: Member, author: str) -> web.Response | None:
        """The author a token may post or upload as: the member, or a Page they administer."""
        if author == member.urn and "w_member_social" in issued.scopes:
            return None
        admin = {f"urn:li:organization:{org_id}" for org_id, _, _ in member.organizations}
        if author in admin and "w_organization_social" in issued.scopes:
            return None
        return denied("partnerApiPostsExternal.CREATE")

    def _may_read(self, issued: Issued, member: Member, author: str) -> bool:
        if author.startswith("urn:li:person:"):
            return author == member.urn and "r_member_social" in issued.scopes
        admin = {f"urn:li:organization:{org_id}" for org_id, _, _ in member.organizations}
        return author in admin and "r_organization_social" in issued.scopes

    # Sign-in side: who and which Pages -------------------------------------------------------------

    async def userinfo(self, call: Call) -> web.Response:
        found = self._caller(call)
        if isinstance(found, web.Response):
            return found
        issued, member = found
        if not {"openid", "profile"} <= set(issued.scopes):
            return denied("userinfo.GET.NO_VERSION")
        given, _, family = member.user.display_name.partition(" ")
        return json_reply(
            {
                "sub": member.sub,
                "email_verified": True,
                "name": member.user.display_name,
                "locale": {"country": "US", "language": "en"},
                "given_name": given,
                "family_name": family,
                "picture": f"https://media.licdn.com/dms/image/{member.user.username}.png",
            }
        )

    async def picture(self, call: Call) -> web.Response:
        name = call.match["file"].rsplit(".", 1)[0]
        return web.Response(body=people.avatar_png(name), content_type="image/png")

    @rest
    async def organization_acls(self, call: Call, issued: Issued, member: Member) -> web.Response:
        if call.text("q") != "roleAssignee":
            return li_error(400, "Invalid query parameters passed to request", "ILLEGAL_ARGUMENT")
        if "rw_organization_admin" not in issued.scopes:
            return denied("organizationAcls.FINDER-roleAssignee")
        role, state = call.text("role"), call.text("state")
        elements = [
            {
                "roleAssignee": member.urn,
                "state": "APPROVED",
                "role": "ADMINISTRATOR",
                "organization": f"urn:li:organization:{org_id}",
            }
            for org_id, _, _ in member.organizations
            if role in (None, "ADMINISTRATOR") and state in (None, "APPROVED")
        ]
        return json_reply({"elements": elements, "paging": {"count": 10, "start": 0, "total": len(elements)}})

    @rest
    async def organization(self, call: Call, issued: Issued, member: Member) -> web.Response:
        org_id = int(call.match["id"]) if call.match["id"].isdigit() else -1
        named = organization_names().get(org_id)
        if named is None:
            return li_error(404, f"Organization {call.match['id']} does not exist", "NOT_FOUND")
        return json_reply({"id": org_id, "localizedName": named[0], "vanityName": named[1]})

    # Uploads ---------------------------------------------------------------------------------------

    def _new_slot(self, asset: str, size: int | None) -> tuple[str, str]:
        key = hashlib.sha256(f"{asset}:{len(self.world.slots)}".encode()).hexdigest()[:24]
        self.world.slots[key] = Slot(asset, size)
        return (
            key,
            f"https://www.linkedin.com/dms-uploads/sp/{key}?ca=vector_feedshare&cn=uploads&app=linkdeck",
        )

    @rest
    async def images_action(self, call: Call, issued: Issued, member: Member) -> web.Response:
        return self._initialize(call, issued, member, video=False)

    @rest
    async def videos_action(self, call: Call, issued: Issued, member: Member) -> web.Response:
        if call.text("action") == "finalizeUpload":
            return self._finalize(call)
        return self._initialize(call, issued, member, video=True)

    def _initialize(self, call: Call, issued: Issued, member: Member, *, video: bool) -> web.Response:
        request = call.params.get("initializeUploadRequest")
        if call.text("action") != "initializeUpload" or not isinstance(request, dict):
            return li_error(400, "Missing initializeUploadRequest", "ILLEGAL_ARGUMENT")
        owner = str(request.get("owner") or "")
        not_allowed = self._may_write_as(issued, member, owner)
        if not_allowed is not None:
            return not_allowed
        number = next(self.world.numbers)
        expires = int((self.clock.now() + 86400) * 1000)
        if not video:
            urn = f"urn:li:image:D4E10AQ{number}"
            key, url = self._new_slot(urn, None)
            self.world.assets[urn] = Asset(urn, owner, [key], finalized=True)
            return json_reply({"value": {"uploadUrlExpiresAt": expires, "uploadUrl": url, "image": urn}})
        size = request.get("fileSizeBytes")
        if not isinstance(size, int) or size <= 0:
            return li_error(400, "fileSizeBytes must be a positive number", "ILLEGAL_ARGUMENT")
        urn = f"urn:li:video:D4E10AQ{number}"
        part, instructions, keys = int(self.settings["video_part_bytes"]), [], []
        for first in range(0, size, part):
            last = min(size, first + part) - 1
            key, url = self._new_slot(urn, last - first + 1)
            keys.append(key)
            instructions.append({"uploadUrl": url, "firstByte": first, "lastByte": last})
        self.world.assets[urn] = Asset(urn, owner, keys)
        return json_reply(
            {
                "value": {
                    "uploadUrlsExpireAt": expires,
                    "video": urn,
                    "uploadInstructions": instructions,
                    "uploadToken": "",
                }
            }
        )

    async def receive_upload(self, call: Call) -> web.Response:
        slot = self.world.slots.get(call.match["key"])
        if slot is None:
            return web.Response(status=404, text="")
        data = await call.request.read()
        if slot.size is not None and len(data) != slot.size:
            return web.Response(status=400, text=f"expected {slot.size} bytes, got {len(data)}")
        slot.data = data
        asset = self.world.assets[slot.asset]
        if not asset.video:
            asset.mime = sniff_mime(data[:HEAD_BYTES])
            return web.Response(status=201)
        slot.etag = "/ambry-video/signedId/" + hashlib.sha256(data).hexdigest()[:32]
        return web.Response(status=200, headers={"ETag": slot.etag})

    def _finalize(self, call: Call) -> web.Response:
        request = call.params.get("finalizeUploadRequest")
        request = request if isinstance(request, dict) else {}
        asset = self.world.assets.get(str(request.get("video") or ""))
        if asset is None or not asset.video:
            return li_error(404, "Video not found", "NOT_FOUND")
        etags = [self.world.slots[key].etag for key in asset.slots]
        if None in etags or request.get("uploadedPartIds") != etags:
            return li_error(400, "uploadedPartIds do not match the uploaded parts", "ILLEGAL_ARGUMENT")
        asset.finalized, asset.polls_left = True, int(self.settings["processing_polls"])
        return json_reply({})

    @rest
    async def asset_status(self, call: Call, issued: Issued, member: Member) -> web.Response:
        asset = self.world.assets.get(call.match["urn"])
        if asset is None:
            return li_error(404, f"{call.match['urn']} does not exist", "NOT_FOUND")
        status = self._status(asset)
        if asset.polls_left > 0 and asset.finalized:
            asset.polls_left -= 1
        return json_reply({"id": asset.urn, "owner": asset.owner, "status": status})

    @staticmethod
    def _status(asset: Asset) -> str:
        if not asset.finalized:
            return "WAITING_UPLOAD"
        if asset.video:
            return "PROCESSING" if asset.polls_left > 0 else "AVAILABLE"
        return "AVAILABLE" if asset.mime in IMAGE_TYPES else "PROCESSING_FAILED"

    # Posts -----------------------------------------------------------------------------------------

    @rest
    async def create_post(self, call: Call, issued: Issued, member: Member) -> web.Response:
        if call.request.headers.get("X-Restli-Protocol-Version") != "2.0.0":
            return li_error(400, "Rest.li protocol 2.0.0 is required (X-Restli-Protocol-Version)")
        body = call.params
        author = str(body.get("author") or "")
        not_allowed = self._may_write_as(issued, member, author)
        if not_allowed is not None:
            return not_allowed
        problem = self._post_problem(body, author)
        if problem is not None:
            return li_error(422, problem, "UNPROCESSABLE_ENTITY")
        urn = f"urn:li:share:{next(self.world.numbers)}"
        if int(self.settings["lose_next_posts"]) > 0:
            self.settings["lose_next_posts"] = int(self.settings["lose_next_posts"]) - 1
            self.world.lost[urn] = author
        else:
            self.world.posts[urn] = {
                "id": urn,
                "author": author,
                "commentary": body.get("commentary", ""),
                "visibility": body.get("visibility"),
                "lifecycleState": "PUBLISHED",
                "content": body.get("content"),
                "createdAt": int(self.clock.now() * 1000),
                "lastModifiedAt": int(self.clock.now() * 1000),
                "publishedAt": int(self.clock.now() * 1000),
                "distribution": body.get("distribution"),
                "isReshareDisabledByAuthor": bool(body.get("isReshareDisabledByAuthor")),
            }
        return web.Response(status=201, headers={"x-restli-id": urn, "x-linkedin-id": urn})

    def _post_problem(self, body: dict[str, Any], author: str) -> str | None:
        commentary = body.get("commentary", "")
        if not isinstance(commentary, str):
            return "/commentary :: not a string"
        if len(commentary) > MAX_COMMENTARY:
            return f"/commentary :: length {len(commentary)} exceeds the maximum allowed ({MAX_COMMENTARY})"
        if body.get("lifecycleState") != "PUBLISHED":
            return "/lifecycleState :: must be PUBLISHED"
        if body.get("visibility") not in ("PUBLIC", "CONNECTIONS", "LOGGED_IN"):
            return "/visibility :: invalid value"
        distribution = body.get("distribution")
        if not isinstance(distribution, dict) or distribution.get("feedDistribution") not in (
            "MAIN_FEED",
            "NONE",
        ):
            return "/distribution/feedDistribution :: field is required"
        content = body.get("content")
        if content is None:
            return None
        if not isinstance(content, dict):
            return "/content :: not a record"
        media, multi = content.get("media"), content.get("multiImage")
        if isinstance(media, dict):
            ids = [media.get("id")]
        elif isinstance(multi, dict) and isinstance(multi.get("images"), list):
            ids = [i.get("id") for i in multi["images"] if isinstance(i, dict)]
            if not 2 <= len(ids) <= 20 or any(not str(i).startswith("urn:li:image:") for i in ids):
                return "/content/multiImage/images :: 2 to 20 images"
        else:
            return "/content :: media or multiImage is required"
        for urn in ids:
            asset = self.world.assets.get(str(urn))
            if asset is None or asset.owner != author:
                return f"/content :: {urn} is not an upload of {author}"
            status = self._status(asset)
            if status in ("WAITING_UPLOAD", "PROCESSING_FAILED"):
                return f"/content :: {urn} is {status}"
        return None

    @rest
    async def get_post(self, call: Call, issued: Issued, member: Member) -> web.Response:
        urn = call.match["urn"]
        post = self.world.posts.get(urn)
        author = post["author"] if post else self.world.lost.get(urn, "")
        if author and not self._may_read(issued, member, author):
            return denied("partnerApiPostsExternal.GET")
        if post is None:
            return li_error(404, f"Post {urn} does not exist", "NOT_FOUND")
        return json_reply(post)

    @rest
    async def find_posts(self, call: Call, issued: Issued, member: Member) -> web.Response:
        author = call.text("author") or ""
        if call.text("q") != "author" or not author:
            return li_error(400, "Invalid query parameters passed to request", "ILLEGAL_ARGUMENT")
        if not self._may_read(issued, member, author):
            return denied("partnerApiPostsExternal.FINDER-author")
        mine = [p for p in self.world.posts.values() if p["author"] == author]
        mine.sort(key=lambda p: p["lastModifiedAt"], reverse=True)
        count = int(call.text("count") or 10)
        return json_reply({"elements": mine[:count], "paging": {"count": count, "start": 0}})


def _media_count(post: dict[str, Any]) -> int:
    content = post.get("content") or {}
    if "media" in content:
        return 1
    multi = content.get("multiImage") or {}
    return len(multi.get("images") or [])


def _sync(handler: Any) -> Any:
    """An endpoint of the (synchronous) OAuth server as a route handler."""

    async def handle(call: Call) -> web.StreamResponse:
        response: web.StreamResponse = handler(call)
        return response

    return handle


EMULATOR = LinkedInServer
HOSTS = ("www.linkedin.com", "api.linkedin.com", "media.licdn.com")
FIRST_LABELS: tuple[str, ...] = ()
CATCH_ALL = False
# The contract tests and the demo link Alice with the sandbox's native (PKCE) app, which needs no
# secret; posts are created at api.linkedin.com.
DEMO = SandboxDemo(
    host="api.linkedin.com",
    create_path="/rest/posts",
    client_id=NATIVE_CLIENT_ID,
    settings={"optional_scopes": True},  # the sandbox app has Community Management
)
