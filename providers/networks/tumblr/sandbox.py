"""The emulated Tumblr: ``www.tumblr.com`` (the OAuth 2 consent page, Settings → Apps) and
``api.tumblr.com`` (the token endpoint and API v2), one Tumblr between them.

As tumblr/docs@708be10 api.md describes it (facts and their sources in :mod:`.sandbox_npf`):

- OAuth 2: ``GET /oauth2/authorize`` (client_id, response_type=code, scope, state, redirect_uri)
  shows the consent page; ``POST /v2/oauth2/token`` needs the client secret (no PKCE documented;
  a challenge that is sent must still be S256); scopes ``basic write offline_access``; access
  tokens last 2,520 s (``expires_in``), a refresh token comes only with ``offline_access`` and
  lasts 42 days (tumblr/docs#134); the refresh grant answers a new pair and retires the old one,
  and an expired or retired refresh token gets a 401. The token answer is Tumblr's: ``{access_token,
  expires_in, id_token: false, refresh_token, scope, token_type: "bearer"}``. No revoke endpoint:
  the user removes the app at ``www.tumblr.com/settings/apps`` (the page is here too).
- API answers are ``{meta: {status, msg}, response}``; errors add ``errors: [{title, code,
  detail}]``; a bad or missing bearer token is 401 code 1016. Every API answer carries
  ``X-Ratelimit-Perhour-*`` and ``X-Ratelimit-Perday-*`` (Limit, Remaining, Reset in seconds) for
  the consumer key (1,000 calls an hour, 5,000 a day), and 429 "Limit Exceeded" past them.
- ``GET /v2/user/info`` (scope basic); ``GET /v2/blog/{blog}/info``; ``GET /v2/blog/{blog}/avatar
  [/{size}]`` (a PNG, sizes 16…512; an OAuth1-signed call gets ``{avatar_url}`` instead);
  ``POST /v2/blog/{blog}/posts`` (NPF as JSON, or multipart with a ``json`` part and file parts
  named by ``identifier``; scope write, the user's own blog; 201 ``{id}`` as a string);
  ``GET /v2/blog/{blog}/posts[/queue|/draft]`` (``npf=true`` content; an API key will do for the
  published posts, the queue and drafts are the owner's).
- Per user and day: 250 posts (403 8023), 250 images (403 8004), 20 videos (403 8011); a queue
  holds 1,000 posts (403 8022). :attr:`TumblrServer.settings` holds these numbers; tests lower them
  with ``POST /__sandbox__/instance``.

Where it is lenient on purpose: the demo app (:data:`DEMO`) takes ``/callback`` on any
127.0.0.1 port, because the sandbox's users cannot edit its registration; a real app is
registered with one redirect URL.
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from providers.emulation import pages, people
from providers.emulation.framework import Call, Emulator, Published, Routes, SandboxDemo
from providers.emulation.grants import Clock, Issued
from providers.media.sniff import HEAD_BYTES
from providers.media.sniff import mime_type as sniff_mime
from providers.networks.tumblr.sandbox_npf import (
    AVATAR_SIZES,
    Blog,
    PostRecord,
    Refusal,
    blog_info,
    check_content,
    envelope,
    error,
    stored_content,
    unauthorized,
)
from providers.networks.tumblr.sandbox_world import (
    API,
    DEFAULT_SETTINGS,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    WWW,
    world_for,
)


class TumblrServer(Emulator):
    kind = "tumblr"
    network = "Tumblr"

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.world = world_for(clock)
        self.settings = self.world.settings
        self.routes = Routes()
        if host == WWW:
            self.routes.add("GET", "/oauth2/authorize", self.authorize)
            self.routes.add("POST", "/oauth2/authorize", self.decide)
            self.routes.add("GET", "/settings/apps", self.apps_page)
            self.routes.add("POST", "/settings/apps", self.remove_app)
        else:
            for method, path, handler in (
                ("POST", "/v2/oauth2/token", self.token),
                ("GET", "/v2/user/info", self.user_info),
                ("GET", "/v2/blog/{blog}/info", self.blog_info),
                ("GET", "/v2/blog/{blog}/avatar", self.avatar),
                ("GET", "/v2/blog/{blog}/avatar/{size}", self.avatar),
                ("POST", "/v2/blog/{blog}/posts", self.create_post),
                ("GET", "/v2/blog/{blog}/posts/queue", self.list_posts),
                ("GET", "/v2/blog/{blog}/posts/draft", self.list_posts),
                ("GET", "/v2/blog/{blog}/posts", self.list_posts),
            ):
                self.routes.add(method, path, handler)

    # The emulator protocol ------------------------------------------------------------------------

    async def handle(self, call: Call) -> web.StreamResponse:
        found = self.routes.find(call.method, call.path)
        if found is None:
            if self.host == WWW:
                return pages.error("not_found", "There's nothing here.", 404)
            return error(404, "Not Found", 0, "The requested resource was not found.")
        handler, call.match = found
        return await handler(call)

    def configure(self, values: dict[str, Any]) -> None:
        self.settings.update({k: int(v) for k, v in values.items() if k in DEFAULT_SETTINGS})

    def published(self) -> list[Published]:
        return [Published(self.world.blogs[p.blog].owner, p.text, p.media) for p in self.world.posts]

    def accepts(self, token: str) -> bool:
        return self.world.oauth.accepts(token)

    # www.tumblr.com ------------------------------------------------------------------------------

    async def authorize(self, call: Call) -> web.Response:
        self.world.oauth.allow_loopback(call)
        return self.world.oauth.authorize(call)

    async def decide(self, call: Call) -> web.Response:
        return self.world.oauth.decide(call)

    async def apps_page(self, call: Call) -> web.Response:
        who = people.user(call.text("user")) or people.DEFAULT_USER
        oauth = self.world.oauth
        apps = [(app.client_id, app.name, scopes) for app, scopes in oauth.authorized_apps(who.id)]
        return pages.authorized_apps(call.prefix + "/settings/apps", self.network, self.host, who, apps)

    async def remove_app(self, call: Call) -> web.Response:
        who = people.user(call.text("user")) or people.DEFAULT_USER
        self.world.oauth.revoke_app_for_user(call.text("client_id") or "", who.id)
        oauth = self.world.oauth
        for issued in list(oauth.refresh_tokens.values()):  # the grant's refresh tokens go too
            if issued.client_id == call.text("client_id") and issued.user_id == who.id:
                oauth.revoke_issued(issued)
        raise web.HTTPFound(f"{call.base}/settings/apps?user={who.username}")

    # api.tumblr.com: OAuth and the rate limits ---------------------------------------------------

    async def token(self, call: Call) -> web.Response:
        return self.world.oauth.token(call)

    def _caller(self, call: Call, scope: str | None) -> tuple[Issued | None, dict[str, str]] | web.Response:
        """The bearer token's record (None for an api_key call when ``scope`` is None), with the
        rate-limit headers; or the 401/403/429 to send."""
        token = call.bearer()
        issued: Issued | None = None
        if token is not None or scope is not None:
            checked = self.world.oauth.authenticate(call)
            if isinstance(checked, str) or checked.user_id is None:
                return unauthorized()
            issued = checked
            consumer = issued.client_id
        else:
            consumer = call.text("api_key") or ""
            if consumer not in self.world.oauth.apps:
                return unauthorized()
        headers, over = self.world.count_call(consumer)
        if over:
            return error(429, "Limit Exceeded", None, "You have exceeded the API rate limit.", headers)
        if scope is not None and issued is not None and scope not in issued.scopes:
            return error(403, "Forbidden", 0, f"This token lacks the {scope} scope.", headers)
        return issued, headers

    def _on_blog(
        self, call: Call, scope: str | None, owner_only: str | None
    ) -> tuple[Blog, people.User | None, dict[str, str]] | web.Response:
        """The blog in the path, the signed-in user and the rate-limit headers; or the 401/403/
        404/429 to send. ``owner_only``: the 403's words when only the blog's owner may call."""
        checked = self._caller(call, scope)
        if isinstance(checked, web.Response):
            return checked
        issued, headers = checked
        blog = self._blog(call)
        if blog is None:
            return error(404, "Not Found", 0, "Blog not found.", headers)
        who = people.user_by_id(issued.user_id or "") if issued else None
        if owner_only is not None and (who is None or who.username != blog.owner):
            return error(403, "Forbidden", 0, owner_only, headers)
        return blog, who, headers

    def _blog(self, call: Call) -> Blog | None:
        ident = call.match.get("blog", "").lower()
        ident = ident.removesuffix(".tumblr.com")
        return self.world.blogs.get(ident) or next(
            (b for b in self.world.blogs.values() if b.uuid.lower() == ident), None
        )

    # api.tumblr.com: users and blogs -------------------------------------------------------------

    async def user_info(self, call: Call) -> web.Response:
        checked = self._caller(call, "basic")
        if isinstance(checked, web.Response):
            return checked
        issued, headers = checked
        who = people.user_by_id(issued.user_id or "") if issued else None
        if who is None:
            return unauthorized()
        blogs = [b for b in self.world.blogs.values() if b.owner == who.username]
        listed = [
            {
                "name": b.name,
                "title": b.title,
                "url": b.url,
                "uuid": b.uuid,
                "tweet": "N",
                "primary": b.primary,
                "followers": 0,
                "type": "public",
            }
            for b in sorted(blogs, key=lambda b: not b.primary)
        ]
        user = {
            "following": 0,
            "default_post_format": "html",
            "name": who.username,
            "likes": 0,
            "blogs": listed,
        }
        return envelope(200, {"user": user}, headers)

    async def blog_info(self, call: Call) -> web.Response:
        checked = self._caller(call, None)
        if isinstance(checked, web.Response):
            return checked
        blog = self._blog(call)
        if blog is None:
            return error(404, "Not Found", 0, "Blog not found.", checked[1])
        total = sum(1 for p in self.world.posts if p.blog == blog.name and p.state == "published")
        return envelope(200, {"blog": blog_info(blog, total)}, checked[1])

    async def avatar(self, call: Call) -> web.Response:
        blog = self._blog(call)
        size_text = call.match.get("size", "64")
        if blog is None:
            return error(404, "Not Found", 0, "Blog not found.")
        if not size_text.isdigit() or int(size_text) not in AVATAR_SIZES:  # the answer is unverified
            return error(400, "Bad Request", 0, f"size must be one of {', '.join(map(str, AVATAR_SIZES))}")
        if call.request.headers.get("Authorization", "").startswith("OAuth "):  # an OAuth1-signed call
            where = f"https://{API}/v2/blog/{blog.name}/avatar/{size_text}"
            return envelope(200, {"avatar_url": where}, {"Location": where})
        png = people.avatar_png(blog.owner, int(size_text))
        return web.Response(body=png, content_type="image/png", headers={"Cache-Control": "max-age=3600"})

    # api.tumblr.com: posts -----------------------------------------------------------------------

    async def _document(self, call: Call) -> tuple[Any, dict[str, tuple[str | None, int]]]:
        """The NPF JSON and the uploaded files (name → sniffed MIME type, size)."""
        import json

        files: dict[str, tuple[str | None, int]] = {}
        if call.request.content_type == "application/json":
            return call.params, files
        document: Any = None
        for name, value in call.params.items():
            if isinstance(value, web.FileField):
                data = value.file.read()
                files[name] = (sniff_mime(data[:HEAD_BYTES]), len(data))
            elif name == "json":
                try:  # aiohttp gives a part with a non-text Content-Type as bytes
                    document = json.loads(
                        bytes(value).decode() if isinstance(value, bytes | bytearray) else str(value)
                    )
                except ValueError:
                    document = None
        return document, files

    async def create_post(self, call: Call) -> web.Response:
        checked = self._on_blog(call, "write", "You cannot post to this blog.")
        if isinstance(checked, web.Response):
            return checked
        blog, who, headers = checked
        assert who is not None
        document, files = await self._document(call)
        try:
            content, state, uploads = check_content(document, files)
            self.world.count_post(who.username, blog, state, uploads)
        except Refusal as refusal:
            answer = refusal.reply()
            answer.headers.update(headers)
            return answer
        record = PostRecord(self.world.next_id(), blog.name, state, content, int(self.clock.now()), uploads)
        self.world.posts.append(record)
        return envelope(201, {"id": str(record.id)}, headers)

    async def list_posts(self, call: Call) -> web.Response:
        state = {"queue": "queue", "draft": "draft"}.get(
            call.path.rstrip("/").rsplit("/", 1)[-1], "published"
        )
        owned = "You cannot see this blog's queue or drafts." if state != "published" else None
        checked = self._on_blog(call, "basic" if owned else None, owned)
        if isinstance(checked, web.Response):
            return checked
        blog, _, headers = checked
        asked = call.text("limit") or "20"
        limit = min(20, max(1, int(asked))) if asked.isdigit() else 20
        mine = [p for p in reversed(self.world.posts) if p.blog == blog.name and p.state == state]
        shown = [self._post_json(blog, p) for p in mine[:limit]]
        body: dict[str, Any] = {"posts": shown}
        if state == "published":
            body = {"blog": blog_info(blog, len(mine)), "posts": shown, "total_posts": len(mine)}
        return envelope(200, body, headers)

    @staticmethod
    def _post_json(blog: Blog, record: PostRecord) -> dict[str, Any]:
        return {
            "object_type": "post",
            "type": "blocks",
            "blog_name": blog.name,
            "id": record.id,
            "id_string": str(record.id),
            "post_url": f"https://{blog.name}.tumblr.com/post/{record.id}",
            "timestamp": record.timestamp,
            "date": time.strftime("%Y-%m-%d %H:%M:%S GMT", time.gmtime(record.timestamp)),
            "state": record.state,
            "tags": [],
            "is_blocks_post_format": True,
            "content": stored_content(record),
            "layout": [],
            "trail": [],
        }


EMULATOR = TumblrServer
HOSTS = (WWW, API)
FIRST_LABELS: tuple[str, ...] = ()
CATCH_ALL = False
# The contract tests and the demo link Alice with the demo app; posts are made on api.tumblr.com.
DEMO = SandboxDemo(
    host=API,
    create_path="/v2/blog/*/posts",
    client_id=DEMO_CLIENT_ID,
    client_secret=DEMO_CLIENT_SECRET,
)
