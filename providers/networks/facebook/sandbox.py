"""Facebook in the sandbox: ``www.facebook.com`` (the Login dialog, the Share dialog),
``graph.facebook.com`` (the token exchanges, Pages, photos, resumable uploads, the feed) and
``graph-video.facebook.com`` (Page videos), sharing one Facebook per
sandbox (its state lives here, in this package: another emulator may answer other hosts).

Shaped like Graph :data:`~.spec.GRAPH_VERSION` and the recorded bodies (tests/fixtures/recorded/
facebook: ``/{user}/accounts`` with ``tasks`` and ``paging``, the long-lived token answer, the
error objects; /_reported: 190/463 and #200), strict where linkdeck could get it wrong:

- every Graph path starts with a version: the live ones (v21.0–v26.0) are served; an expired
  one (v20.0 expired 2026-09-24) or a malformed one → Graph error 12 (deprecated);
- Login: :mod:`.sandbox_auth` (Development-mode loopback redirects, short- then long-lived token,
  ``DELETE /me/permissions``);
- Pages: Alice has one Page of her own (``/me/accounts``) and one her Business portfolio owns
  (``/me/businesses`` → ``owned_pages``); Bob has none. Lists are paged as Graph pages them
  (``limit``, ``after`` cursors, ``paging.next`` while more remain). Each Page comes with its own
  Page token;
- ``POST /{page}/photos`` (multipart ``source``, ``published=false``): the bytes are really kept
  (JPEG or PNG under 4 MB, else Graph's 1366046); ``GET /{photo-id}/picture`` serves them back;
- ``POST /{page}/feed`` {message, link, attached_media}: only with that Page's token (a user
  token → the reported #200); attached photos must be the Page's own, unpublished and unused;
- video: the Resumable Upload API (``POST /{app-id}/uploads`` with the user token →
  ``upload:{id}``; ``POST /upload:{id}`` with ``Authorization: OAuth`` and ``file_offset``, which
  must be where the session is; ``GET /upload:{id}`` → ``file_offset``; only sizes and a digest are
  kept), then ``POST graph-video.facebook.com/{page}/videos`` with the complete file's handle;
- Reels: ``POST /{page}/video_reels`` start → the bytes at ``rupload.facebook.com`` → finish, the
  status read at ``GET /{video-id}?fields=status`` (:mod:`.sandbox_reels` says what it checks);
- ``GET /{page}/feed`` newest first (``since``, ``limit``, ``fields``);
- rate-limit headers on every Graph answer: ``X-App-Usage`` and, for Page calls,
  ``X-Business-Use-Case-Usage`` (call_count, total_cputime, total_time in percent);
- error injection (``POST /__sandbox__/instance {"host": "graph.facebook.com", "fail_next_posts":
  ["too_fast"]}``): the next feed (or video) posts answer ``expired`` (190/463), ``permission`` (#200),
  ``blocked`` (368), ``too_fast`` (368/1390008) or ``photo`` (1366046); ``development_mode``
  (false: http redirects are refused); ``require_app_secret`` (true: a Graph call without
  ``appsecret_proof`` is refused, as for an app with "Require App Secret"; a wrong proof is
  refused always); ``device_interval`` (Login for Devices' polling seconds;
  the app's client token is sandbox_auth's ``DEMO_CLIENT_TOKEN``, the code is approved at
  ``www.facebook.com/device?user_code=…``).
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, Published, Routes, SandboxDemo, json_reply
from providers.emulation.grants import Clock, Issued
from providers.networks.facebook.sandbox_auth import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, graph_error_reply
from providers.networks.facebook.sandbox_media import FacebookMedia
from providers.networks.facebook.sandbox_reels import FacebookReels
from providers.networks.facebook.sandbox_world import (
    BUSINESSES,
    DEFAULT_SETTINGS,
    LIVE_VERSIONS,
    PAGES,
    FbPage,
    FeedPost,
    world_for,
)


class FacebookServer(FacebookMedia, FacebookReels):
    kind = "facebook"
    network = "Facebook"

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.world = world_for(clock)
        self.settings = self.world.settings
        self.routes = r = Routes()
        auth = self.world.auth
        if host == "www.facebook.com":
            r.add("GET", "/{version}/dialog/oauth", self.dialog)
            r.add("POST", "/oauth/authorize", self._plain(auth.decide))  # the consent form
            r.add("GET", "/sharer/sharer.php", self.sharer)
            r.add("*", "/device", self._plain(auth.device_page))
            return
        if host == "rupload.facebook.com":
            r.add("POST", "/video-upload/{version}/{video}", self.graph(self.rupload))
            return
        if host == "graph-video.facebook.com":
            r.add("POST", "/{version}/{page}/videos", self.graph(self.create_video))
            return
        r.add("POST", "/{version}/upload:{session}", self.graph(self.upload_bytes))
        r.add("GET", "/{version}/upload:{session}", self.graph(self.upload_offset))
        r.add("POST", "/{version}/{app}/uploads", self.graph(self.start_upload))
        r.add("*", "/{version}/oauth/access_token", self._plain(auth.access_token))
        r.add("POST", "/{version}/device/login", self._plain(auth.device_login))
        r.add("POST", "/{version}/device/login_status", self._plain(auth.device_status))
        r.add("GET", "/{version}/me", self.graph(self.me))
        r.add("DELETE", "/{version}/me/permissions", self.graph(self.permissions))
        r.add("GET", "/{version}/{user}/accounts", self.graph(self.accounts))
        r.add("GET", "/{version}/{user}/businesses", self.graph(self.businesses))
        r.add("GET", "/{version}/{business}/owned_pages", self.graph(self.owned_pages))
        r.add("GET", "/{version}/{business}/client_pages", self.graph(self.client_pages))
        r.add("POST", "/{version}/{page}/video_reels", self.graph(self.video_reels))
        r.add("POST", "/{version}/{page}/photos", self.graph(self.upload_photo))
        r.add("POST", "/{version}/{page}/feed", self.graph(self.create_post))
        r.add("GET", "/{version}/{page}/feed", self.graph(self.read_feed))
        r.add("GET", "/{version}/{node}/picture", self.picture)
        r.add("GET", "/{version}/{node}", self.graph(self.node))

    # Emulator ---------------------------------------------------------------------------------------

    def configure(self, values: dict[str, Any]) -> None:
        self.settings.update({k: v for k, v in values.items() if k in DEFAULT_SETTINGS})

    def accepts(self, token: str) -> bool:
        return self.world.auth.accepts(token)

    def published(self) -> list[Published]:
        if self.host != "graph.facebook.com":  # listed once, by the Graph host
            return []
        return [Published(p.page, p.message, len(p.photos) + bool(p.video)) for p in self.world.posts]

    async def handle(self, call: Call) -> web.StreamResponse:
        found = self.routes.find(call.method, call.path)
        if found is None:
            return graph_error_reply(400, "Unknown path components", 2500)
        handler, call.match = found
        version = call.match.get("version")
        if version is not None and version not in LIVE_VERSIONS:
            return graph_error_reply(
                400, f"(#12) Graph API {version} is deprecated or unknown: use {LIVE_VERSIONS[-1]}", 12
            )
        return await handler(call)

    @staticmethod
    def _plain(handler: Any) -> Any:
        async def handle(call: Call) -> web.StreamResponse:
            response: web.StreamResponse = handler(call)
            return response

        return handle

    def graph(self, handler: Any) -> Any:
        """A Graph call: the token checked (a user or a Page token), usage headers added."""

        async def handle(call: Call) -> web.StreamResponse:
            found = self.world.auth.caller(call)
            if isinstance(found, web.Response):
                return found
            response: web.Response = await handler(call, *found)
            self.world.calls += 1
            share = min(100, self.world.calls // 4)  # percent of an hour's calls, as Graph counts them
            usage = {"call_count": share, "total_cputime": 1, "total_time": 1}
            response.headers["X-App-Usage"] = json.dumps(usage)
            page = found[1] or call.match.get("page")
            if page:
                buc = [{"type": "pages", **usage, "estimated_time_to_regain_access": 0}]
                response.headers["X-Business-Use-Case-Usage"] = json.dumps({page: buc})
            return response

        return handle

    # www.facebook.com ---------------------------------------------------------------------------------

    async def dialog(self, call: Call) -> web.Response:
        if call.match["version"] not in LIVE_VERSIONS:
            from providers.emulation import pages

            return pages.error("invalid_request", f"Graph API {call.match['version']} is not available.")
        return self.world.auth.authorize(call)

    async def sharer(self, call: Call) -> web.Response:
        from providers.emulation.framework import esc, page

        shared = call.text("u") or ""
        return page(
            "Share on Facebook",
            f"<h1>Share on Facebook</h1><p>Share this link on your Timeline:</p>"
            f"<p><a id='shared' href='{esc(shared)}'>{esc(shared)}</a></p>",
        )

    # Graph: who and which Pages ----------------------------------------------------------------------

    @staticmethod
    def _pages_of(issued: Issued) -> list[FbPage]:
        return [p for p in PAGES if p.owner == issued.user_id]

    async def me(self, call: Call, issued: Issued, page: str | None) -> web.Response:
        who = people.user_by_id(issued.user_id or "")
        if who is None:
            return graph_error_reply(400, "Unknown user", 100)
        body: dict[str, Any] = {"id": who.id, "name": who.display_name}
        if "picture" in (call.text("fields") or ""):
            url = f"https://graph.facebook.com/{call.match['version']}/{who.id}/picture"
            body["picture"] = {"data": {"height": 50, "width": 50, "is_silhouette": False, "url": url}}
        return json_reply(body)

    def _page_list(self, call: Call, issued: Issued, pages: list[FbPage]) -> web.Response:
        """``limit`` Pages from the ``after`` cursor on, with ``paging.next`` while more remain (the
        recorded list's shape)."""
        if "pages_show_list" not in issued.scopes:
            return graph_error_reply(
                403, "(#10) This endpoint requires the 'pages_show_list' permission.", 10
            )
        start = int(call.text("after") or 0) if (call.text("after") or "0").isdigit() else 0
        limit = int(call.text("limit") or 25) if (call.text("limit") or "25").isdigit() else 25
        shown = pages[start : start + max(1, limit)]
        data = [
            {
                "access_token": self.world.auth.page_token(p.id, issued),
                "category": "Photographer",
                "name": p.name,
                "id": p.id,
                "tasks": ["ANALYZE", "ADVERTISE", "MESSAGING", "MODERATE", "CREATE_CONTENT", "MANAGE"],
            }
            for p in shown
        ]
        paging: dict[str, Any] = {"cursors": {"before": str(start), "after": str(start + 1)}}
        if start + 1 < len(pages):
            paging["next"] = (
                f"{call.base}{call.path}?limit=1&after={start + 1}&fields={call.text('fields') or ''}"
            )
        return json_reply({"data": data, "paging": paging})

    @staticmethod
    def _not_you(call: Call, issued: Issued) -> web.Response | None:
        if call.match["user"] in ("me", issued.user_id):
            return None
        return graph_error_reply(400, "(#100) Tried accessing nonexisting field", 100)

    async def accounts(self, call: Call, issued: Issued, page: str | None) -> web.Response:
        refused = self._not_you(call, issued)
        if refused is not None:
            return refused
        own = [p for p in self._pages_of(issued) if p.business is None]
        return self._page_list(call, issued, own)

    async def businesses(self, call: Call, issued: Issued, page: str | None) -> web.Response:
        refused = self._not_you(call, issued)
        if refused is not None:
            return refused
        if "business_management" not in issued.scopes:
            return graph_error_reply(403, "(#100) Missing Permission: business_management", 100)
        data = [{"id": b, "name": n} for b, (n, owner) in BUSINESSES.items() if owner == issued.user_id]
        return json_reply({"data": data, "paging": {"cursors": {"before": "0", "after": "0"}}})

    async def owned_pages(self, call: Call, issued: Issued, page: str | None) -> web.Response:
        business = call.match["business"]
        if BUSINESSES.get(business, ("", ""))[1] != issued.user_id:
            return graph_error_reply(400, "Unsupported get request.", 100, 33)
        return self._page_list(call, issued, [p for p in PAGES if p.business == business])

    async def client_pages(self, call: Call, issued: Issued, page: str | None) -> web.Response:
        if BUSINESSES.get(call.match["business"], ("", ""))[1] != issued.user_id:
            return graph_error_reply(400, "Unsupported get request.", 100, 33)
        return json_reply({"data": []})

    async def permissions(self, call: Call, issued: Issued, page: str | None) -> web.Response:
        return self.world.auth.revoke_permissions(issued)

    async def read_feed(self, call: Call, issued: Issued, page: str | None) -> web.Response:
        wanted = call.match["page"]
        if page != wanted and wanted not in {p.id for p in self._pages_of(issued)}:
            return graph_error_reply(
                400, "(#10) This endpoint requires the 'pages_read_engagement' permission", 10
            )
        since = float(call.text("since") or 0) if (call.text("since") or "0").isdigit() else 0.0
        limit = int(call.text("limit") or 25) if (call.text("limit") or "25").isdigit() else 25
        mine = [p for p in reversed(self.world.posts) if p.page == wanted and p.created >= since][:limit]
        return json_reply({"data": [self._post_body(p) for p in mine], "paging": {}})

    @staticmethod
    def _post_body(post: FeedPost) -> dict[str, Any]:
        from datetime import UTC, datetime

        created = datetime.fromtimestamp(post.created, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
        return {"id": post.id, "message": post.message, "created_time": created}

    async def node(self, call: Call, issued: Issued, page: str | None) -> web.Response:
        node = call.match["node"]
        reel = self.world.reels.get(node)
        if reel is not None and page == reel.page:
            return self.reel_status(reel)
        post = next((p for p in self.world.posts if p.id == node), None)
        if post is not None:
            return json_reply(self._post_body(post))
        photo = self.world.photos.get(node)
        if photo is not None:
            return json_reply({"id": photo.id, "published": photo.published, "bytes": len(photo.data)})
        found = next((p for p in PAGES if p.id == node), None)
        if found is not None:
            return json_reply({"id": found.id, "name": found.name})
        return graph_error_reply(400, f"(#100) Object with ID '{node}' does not exist", 100, 33)

    async def picture(self, call: Call) -> web.Response:
        node = call.match["node"]
        photo = self.world.photos.get(node)
        if photo is not None:
            return web.Response(body=photo.data, content_type=photo.mime)
        who = people.user_by_id(node)
        return web.Response(body=people.avatar_png(who.username if who else ""), content_type="image/png")


EMULATOR = FacebookServer
HOSTS = ("www.facebook.com", "graph.facebook.com", "graph-video.facebook.com", "rupload.facebook.com")
FIRST_LABELS: tuple[str, ...] = ()
CATCH_ALL = False
# The contract tests and the demo link Alice with the sandbox's Meta app (a confidential client:
# its secret too); feed posts are created at graph.facebook.com/{version}/{page}/feed.
DEMO = SandboxDemo(
    host="graph.facebook.com",
    create_path="/v*/*/feed",
    client_id=DEMO_CLIENT_ID,
    client_secret=DEMO_CLIENT_SECRET,
)
