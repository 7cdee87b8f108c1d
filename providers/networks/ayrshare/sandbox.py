"""The emulated Ayrshare: ``api.ayrshare.com`` (and the legacy ``app.ayrshare.com``, which Ayrshare's
own SDK before 1.2.5 called) under ``/api``, and ``profile.ayrshare.com``, the hosted linking page.
Shapes as networks-2026.md §14 records them:

- ``Authorization: Bearer <API key>``; ``Profile-Key`` acts as a User Profile. A wrong key: 401
  ``{status: "error", code, message}``. More than 300 requests in 5 minutes for a profile: 429
  with ``x-ratelimit-max`` / ``x-ratelimit-count``.
- ``POST /api/profiles`` {title (unique)} → {status, title, refId, profileKey} (the only time the
  key is shown); ``GET /api/profiles`` → {profiles[{title, refId, created, activeSocialAccounts}]}
  (no keys); ``POST /api/profiles/generateJWT`` {profileKey, allowedSocial[]} → {status, title,
  token, url} valid 5 minutes; ``DELETE /api/profiles/social`` {platform} → 200 even if not
  linked; ``GET /api/user`` → activeSocialAccounts[], displayNames[] (refreshDaysRemaining…).
- The linking page (``profile.ayrshare.com/?domain=…&jwt=…``): a consent page per network; Allow
  marks them active on the profile; an expired JWT gets a 401 page.
- ``POST /api/media/upload`` (multipart ``file``) → {id, url}; ``GET /api/media/uploadUrl`` →
  {accessUrl, contentType, uploadUrl} and ``PUT`` there.
- ``POST /api/post`` {post, platforms[], mediaUrls[], idempotencyKey} → {status, errors[],
  postIds[{status, id, postUrl, platform}], id, refId, post}; a repeated idempotencyKey answers
  the first post again; the same text again on a platform: 400 code 110 (X) / 107 (others).
  ``GET /api/history`` lists the profile's posts, newest first, as a bare array of {id, post,
  platforms, status, type, created} (Ayrshare's hurl-scripts history.hurl; ``postIds`` with each
  ``postUrl`` is not asserted there: unverified). Unknown fields (the SDK's ``source``) are ignored.
"""

from __future__ import annotations

import secrets
import weakref
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from aiohttp import web

from providers.emulation.framework import (
    Call,
    Emulator,
    Published,
    Routes,
    SandboxDemo,
    esc,
    json_reply,
    page,
)
from providers.emulation.grants import Clock

API, APP, PROFILE, MEDIA = "api.ayrshare.com", "app.ayrshare.com", "profile.ayrshare.com", "img.ayrshare.com"
DEMO_KEY = "AYR-SANDBOX-7F3C9A2E-41B6-4D2B-9C0E-5A1D8E6F2B10"
JWT_SECONDS = 300.0
WINDOW, LIMIT = 300.0, 300
PLATFORMS = (
    "bluesky",
    "facebook",
    "gmb",
    "instagram",
    "linkedin",
    "pinterest",
    "reddit",
    "snapchat",
    "telegram",
    "threads",
    "tiktok",
    "twitter",
    "youtube",
)
DEMO_HANDLES = {"instagram": "harbour.studio", "facebook": "Harbour Studio", "linkedin": "harbour-studio"}


@dataclass
class Profile:
    title: str
    ref_id: str
    key: str
    created: float
    active: dict[str, float] = field(default_factory=dict)  # platform → linked at
    calls: list[float] = field(default_factory=list)


@dataclass
class Post:
    id: str
    profile: str  # title
    text: str
    platforms: list[str]
    media: list[str]
    key: str | None
    created: float
    answer: dict[str, Any]


@dataclass
class World:
    api_keys: set[str] = field(default_factory=lambda: {DEMO_KEY})
    profiles: dict[str, Profile] = field(default_factory=dict)  # profile key → profile
    jwts: dict[str, tuple[str, list[str], float, str]] = field(default_factory=dict)
    posts: list[Post] = field(default_factory=list)
    media: dict[str, int] = field(default_factory=dict)  # id → bytes
    primary: Profile | None = None


_WORLDS: weakref.WeakKeyDictionary[Clock, World] = weakref.WeakKeyDictionary()


def world_of(clock: Clock) -> World:
    found = _WORLDS.get(clock)
    if found is None:
        found = _WORLDS[clock] = World()
        found.primary = Profile("Primary Profile", "primary-" + secrets.token_hex(6), "", clock.now())
    return found


def failure(status: int, message: str, code: int | None = None, **extra: Any) -> web.Response:
    body: dict[str, Any] = {"action": extra.pop("action", "request"), "status": "error", "message": message}
    if code is not None:
        body["code"] = code
    body.update(extra)
    return json_reply(body, status)


class AyrshareServer(Emulator):
    kind = "ayrshare"
    network = "Ayrshare"

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.world = world_of(clock)
        self.routes = Routes()
        for method, path, handler in (
            ("GET", "/api/user", self.user),
            ("GET", "/api/profiles", self.list_profiles),
            ("POST", "/api/profiles", self.create_profile),
            ("POST", "/api/profiles/create-profile", self.create_profile),  # the SDK's path
            ("POST", "/api/profiles/profile", self.create_profile),  # hurl-scripts' path
            ("POST", "/api/profiles/generateJWT", self.generate_jwt),
            ("DELETE", "/api/profiles/social", self.unlink),
            ("POST", "/api/media/upload", self.upload),
            ("POST", "/api/upload", self.upload),  # the SDK's path
            ("GET", "/api/media/uploadUrl", self.upload_url),
            ("PUT", "/api/media/put/{id}", self.put_media),
            ("POST", "/api/post", self.post),
            ("GET", "/api/history", self.history),
        ):
            for host in (API, APP):
                self.routes.add(method, f"/{host}{path}", handler)
        self.routes.add("GET", f"/{PROFILE}/", self.linking_page)
        self.routes.add("POST", f"/{PROFILE}/link", self.link)
        self.routes.add("GET", f"/{PROFILE}/done", self.done)

    async def handle(self, call: Call) -> web.StreamResponse:
        found = self.routes.find(call.method, f"/{self.host}{call.path}")
        if found is None:
            return failure(404, "Not found.")
        handler, call.match = found
        return await handler(call)

    def published(self) -> list[Published]:
        if self.host != API:
            return []
        return [Published(p.profile, p.text, len(p.media)) for p in self.world.posts]

    def accepts(self, token: str) -> bool:
        """The API key still reaches a network: a profile of it has one linked."""
        return token in self.world.api_keys and any(p.active for p in self.world.profiles.values())

    # Who is calling ---------------------------------------------------------------------------------

    def caller(self, call: Call) -> Profile | web.Response:
        if call.bearer() not in self.world.api_keys:
            return failure(401, "API Key not valid. Please check your API Key.", 102)
        key = call.request.headers.get("Profile-Key") or call.text("profileKey")
        if key:
            found = self.world.profiles.get(key)
            if found is None:
                return failure(403, "Profile-Key not found or the User Profile is suspended.", 169)
        else:
            assert self.world.primary is not None
            found = self.world.primary
        now = self.clock.now()
        found.calls = [t for t in found.calls if now - t < WINDOW] + [now]
        if len(found.calls) > LIMIT:
            return json_reply(
                {"status": "error", "code": 429, "message": "Too many requests."},
                429,
                {"x-ratelimit-max": str(LIMIT), "x-ratelimit-count": str(len(found.calls))},
            )
        return found

    # Profiles ---------------------------------------------------------------------------------------

    async def create_profile(self, call: Call) -> web.Response:
        who = self.caller(call)
        if isinstance(who, web.Response):
            return who
        title = " ".join((call.text("title") or "").split())
        if not title:
            return failure(400, "Title is required.", action="create")
        if any(p.title.casefold() == title.casefold() for p in self.world.profiles.values()):
            return failure(400, "Profile title already exists. Titles must be unique.", action="create")
        profile = Profile(
            title,
            secrets.token_hex(12),
            "-".join(secrets.token_hex(4).upper() for _ in range(4)),
            self.clock.now(),
        )
        self.world.profiles[profile.key] = profile
        return json_reply(
            {"status": "success", "title": title, "refId": profile.ref_id, "profileKey": profile.key}
        )

    async def list_profiles(self, call: Call) -> web.Response:
        who = self.caller(call)
        if isinstance(who, web.Response):
            return who
        wanted = call.text("title")
        rows = [
            {
                "title": p.title,
                "refId": p.ref_id,
                "created": _iso(p.created),
                "createdUTC": _iso(p.created),
                "activeSocialAccounts": sorted(p.active),
            }
            for p in self.world.profiles.values()
            if wanted is None or p.title == wanted
        ]
        return json_reply({"profiles": rows, "count": len(rows), "hasMore": False})

    async def generate_jwt(self, call: Call) -> web.Response:
        who = self.caller(call)
        if isinstance(who, web.Response):
            return who
        profile = self.world.profiles.get(call.text("profileKey") or "")
        if profile is None:
            return failure(
                400, "profileKey is required and must be a User Profile's key.", action="generateJWT"
            )
        allowed = call.params.get("allowedSocial")
        platforms = [p for p in allowed if p in PLATFORMS] if isinstance(allowed, list) else list(PLATFORMS)
        token = secrets.token_urlsafe(24)
        redirect = call.text("redirect") or ""
        self.world.jwts[token] = (profile.key, platforms, self.clock.now() + JWT_SECONDS, redirect)
        domain = call.text("domain") or "linkdeck"
        url = f"https://{PROFILE}?domain={quote(domain)}&jwt={token}"
        return json_reply({"status": "success", "title": profile.title, "token": token, "url": url})

    async def unlink(self, call: Call) -> web.Response:
        who = self.caller(call)
        if isinstance(who, web.Response):
            return who
        platform = call.text("platform") or ""
        who.active.pop(platform, None)  # 200 even when it was not linked
        return json_reply({"status": "success", "platform": platform, "refId": who.ref_id})

    async def user(self, call: Call) -> web.Response:
        who = self.caller(call)
        if isinstance(who, web.Response):
            return who
        names = [
            {
                "platform": p,
                "displayName": DEMO_HANDLES.get(p, "Harbour Studio"),
                "id": f"{p}-{who.ref_id[:8]}",
                "username": DEMO_HANDLES.get(p, "harbourstudio"),
                "profileUrl": f"https://{p}.example/harbourstudio",
                "userImage": f"https://{MEDIA}/avatars/{p}.png",
                "created": _iso(at),
                "type": "business",
                "refreshDaysRemaining": 58,
                "refreshRequired": False,
            }
            for p, at in sorted(who.active.items())
        ]
        return json_reply(
            {
                "activeSocialAccounts": sorted(who.active),
                "displayNames": names,
                "refId": who.ref_id,
                "title": who.title,
                "monthlyApiCalls": len(who.calls),
                "email": None,
            }
        )

    # The linking page --------------------------------------------------------------------------------

    def _jwt(self, call: Call) -> tuple[str, tuple[str, list[str], float, str]] | web.Response:
        token = call.text("jwt") or ""
        found = self.world.jwts.get(token)
        if found is None:
            return page("Ayrshare", "<h1>This linking page is not valid.</h1>", 401)
        if self.clock.now() >= found[2]:
            return page("Ayrshare", "<h1>This linking page has expired.</h1><p>Ask for a new one.</p>", 401)
        return token, found

    async def linking_page(self, call: Call) -> web.StreamResponse:
        checked = self._jwt(call)
        if isinstance(checked, web.Response):
            return checked
        token, (key, platforms, _, _) = checked
        profile = self.world.profiles[key]
        cards = "".join(
            f"<li>{esc(p)}: {'linked' if p in profile.active else 'not linked'}</li>" for p in platforms
        )
        hidden = f"<input type='hidden' name='jwt' value='{esc(token)}'>"
        body = (
            f"<h1>Connect accounts for {esc(profile.title)}</h1><ul>{cards}</ul>"
            f"<form method='post' action='link' id='allow'>{hidden}<button>Link</button></form>"
            f"<form method='post' action='done' id='deny'>{hidden}<button>Close</button></form>"
        )
        return page("Ayrshare: connect accounts", body)

    async def link(self, call: Call) -> web.StreamResponse:
        checked = self._jwt(call)
        if isinstance(checked, web.Response):
            return checked
        _, (key, platforms, _, redirect) = checked
        profile = self.world.profiles[key]
        for platform in platforms:
            profile.active.setdefault(platform, self.clock.now())
        raise web.HTTPFound(redirect or f"{call.base}/done")

    async def done(self, call: Call) -> web.StreamResponse:
        return page("Ayrshare", "<h1>Done. You can close this window.</h1>")

    # Media and posts ----------------------------------------------------------------------------------

    async def upload(self, call: Call) -> web.Response:
        who = self.caller(call)
        if isinstance(who, web.Response):
            return who
        upload = call.params.get("file")
        data = getattr(upload, "file", None)
        size = len(data.read()) if data is not None else len(str(upload or ""))
        if not size:
            return failure(400, "A file is required.", action="upload")
        ident = secrets.token_hex(8)
        self.world.media[ident] = size
        name = call.text("fileName") or getattr(upload, "filename", None) or "file"
        return json_reply(
            {
                "status": "success",
                "id": ident,
                "url": f"https://{MEDIA}/{ident}/{quote(name)}",
                "fileName": name,
                "description": call.text("description") or "",
            }
        )

    async def upload_url(self, call: Call) -> web.Response:
        who = self.caller(call)
        if isinstance(who, web.Response):
            return who
        ident, name = secrets.token_hex(8), call.text("fileName") or "file"
        self.world.media[ident] = 0
        return json_reply(
            {
                "accessUrl": f"https://{MEDIA}/{ident}/{quote(name)}",
                "contentType": call.text("contentType") or "application/octet-stream",
                "uploadUrl": f"https://{API}/api/media/put/{ident}",
            }
        )

    async def put_media(self, call: Call) -> web.Response:
        ident = call.match["id"]
        if ident not in self.world.media:
            return failure(404, "Unknown upload.")
        size = 0
        async for chunk in call.stream():
            size += len(chunk)
        self.world.media[ident] = size
        return json_reply({"status": "success"})

    async def post(self, call: Call) -> web.Response:
        who = self.caller(call)
        if isinstance(who, web.Response):
            return who
        key = call.text("idempotencyKey")
        for made in self.world.posts:
            if key and made.key == key and made.profile == who.title:
                return json_reply(made.answer)
        text = call.text("post") or ""
        platforms = call.params.get("platforms")
        if not text or not isinstance(platforms, list) or not platforms:
            return failure(400, "post and platforms are required.", action="post")
        media = call.params.get("mediaUrls") or []
        media = media if isinstance(media, list) else [media]
        ident = secrets.token_hex(10)
        errors, ids = [], []
        for platform in platforms:
            if platform == "twitter" and not call.request.headers.get("X-Twitter-OAuth1-Api-Key"):
                errors.append(
                    {
                        "action": "post",
                        "status": "error",
                        "code": 272,
                        "platform": platform,
                        "message": "X requires your own X API keys (X-Twitter-OAuth1 headers).",
                    }
                )
            elif platform not in who.active:
                errors.append(
                    {
                        "action": "post",
                        "status": "error",
                        "code": 156,
                        "platform": platform,
                        "message": f"{platform} is not linked. Please link it again.",
                    }
                )
            elif any(
                platform in p.platforms and p.text == text and p.profile == who.title
                for p in self.world.posts
            ):
                code = 110 if platform == "twitter" else 107
                errors.append(
                    {
                        "action": "post",
                        "status": "error",
                        "code": code,
                        "platform": platform,
                        "message": "Status is a duplicate.",
                    }
                )
            else:
                ids.append(
                    {
                        "status": "success",
                        "id": f"{platform}_{ident}",
                        "platform": platform,
                        "postUrl": f"https://{platform}.example/harbourstudio/{ident}",
                    }
                )
        answer: dict[str, Any] = {
            "status": "error" if errors else "success",
            "errors": errors,
            "postIds": ids,
            "id": ident,
            "refId": who.ref_id,
            "post": text,
        }
        if ids:
            done = [i["platform"] for i in ids]
            self.world.posts.append(
                Post(ident, who.title, text, done, list(media), key, self.clock.now(), answer)
            )
        return json_reply(answer, 400 if errors and not ids else 200)

    async def history(self, call: Call) -> web.Response:
        who = self.caller(call)
        if isinstance(who, web.Response):
            return who
        rows = [
            {
                "id": p.id,
                "post": p.text,
                "platforms": p.platforms,
                "postIds": p.answer["postIds"],
                "mediaUrls": p.media,
                "created": _iso(p.created),
                "status": "success",
                "type": "now",
            }
            for p in reversed(self.world.posts)
            if p.profile == who.title
        ]
        return json_reply(rows)  # a bare array (hurl-scripts history.hurl)


def _iso(moment: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


EMULATOR = AyrshareServer
HOSTS = (API, APP, PROFILE, MEDIA)
FIRST_LABELS: tuple[str, ...] = ()
CATCH_ALL = False
# The contract tests and the demo: the sandbox's API key (as the client secret), a profile for
# the brand, its Facebook Page (which takes text alone and photos).
DEMO = SandboxDemo(
    host=API,
    create_path="/api/post",
    fields={"profile": "Harbour Studio", "network": "facebook"},
    client_secret=DEMO_KEY,
)
