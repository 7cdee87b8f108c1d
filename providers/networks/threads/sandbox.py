"""Threads in the sandbox: the Authorization Window on ``threads.com`` / ``threads.net`` and the
Graph API on ``graph.threads.net`` / ``graph.threads.com`` (Meta: "either"), one emulated Threads
behind them (a :class:`World` per sandbox, keyed by its clock).

- sign-in: :mod:`.sandbox_oauth` (short-lived token, th_exchange_token, th_refresh_token); the
  memory the hosts share, container states and fetching media: :mod:`.sandbox_world`;
- ``GET /v1.0/me?fields=id,username,name,threads_profile_picture_url``;
- ``GET /v1.0/{user-id}/threads_publishing_limit?fields=quota_usage,config``: the posts of the
  last 24 hours against ``quota_total`` 250 (``quota_duration`` 86400); the ``quota_used``
  setting adds posts made elsewhere;
- containers, ``POST /v1.0/{user-id}/threads`` (``media_type`` TEXT, IMAGE, VIDEO, CAROUSEL): a
  TEXT container is FINISHED at once; an IMAGE or VIDEO container is IN_PROGRESS while its
  ``image_url``/``video_url`` **is really fetched** (JPEG or PNG ≤ 8 MB; MP4 or MOV ≤ 1 GB, only
  counted; else ERROR with an ``error_message``, or "UNKNOWN" as Meta sometimes says, postiz-app
  PR #1991), and stays IN_PROGRESS for ``processing_polls`` status reads more (default 1) so the
  states are seen; ``is_carousel_item=true`` makes an item that only a CAROUSEL (``children``: 2–20
  item ids, each used once) publishes, its status following its children's; a container not
  published within 24 hours is EXPIRED;
- ``GET /v1.0/{id}?fields=status,error_message`` (containers) or ``fields=permalink,…`` (posts);
- ``POST /v1.0/{user-id}/threads_publish`` ``creation_id``: a container not FINISHED is refused
  with error subcode 4279009 ("Media Not Found", the code of postiz-app PR #2047; the wording
  is this emulator's); a quota used up is code 4; a text over 500 (emoji counted as their UTF-8
  bytes) is refused at creation;
- ``GET /v1.0/{user-id}/threads``: the user's posts, newest first (``limit``);
- every Graph answer carries Graph's ``x-app-usage`` header (call_count, total_cputime,
  total_time as percentages; its use on Threads is unverified).

Error injection: the sandbox's faults (``DEMO.create_path`` is the publish call), the
``container_error`` setting (every new media container ends in ERROR with that message) and
``not_ready_publishes`` (that many publish calls answer 4279009 even for a ready container, the
race postiz-app PR #2047 saw).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, Emulator, Published, Routes, SandboxDemo, json_reply
from providers.emulation.grants import Clock, Issued
from providers.networks.threads.sandbox_oauth import CLIENT_ID, CLIENT_SECRET, graph_error
from providers.networks.threads.sandbox_world import (
    CAROUSEL_MAX,
    CAROUSEL_MIN,
    DAY,
    DEFAULT_SETTINGS,
    MEDIA,
    QUOTA_TOTAL,
    TEXT_MAX,
    VERSION,
    Container,
    Thread,
    meta_time,
    new_id,
    threads_length,
    world_for,
)


class ThreadsServer(Emulator):
    kind = "threads"
    network = "Threads"

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.world = world_for(clock)
        self.settings = self.world.settings
        oauth = self.world.oauth
        r = self.routes = Routes()

        def sync(handler: Any) -> Any:
            async def run(call: Call) -> web.Response:
                result: web.Response = handler(call)
                return result

            return run

        r.add("GET", "/oauth/authorize", sync(oauth.authorize))
        r.add("POST", "/oauth/authorize", sync(oauth.decide))
        r.add("POST", "/oauth/access_token", sync(oauth.token))
        r.add("GET", "/access_token", sync(oauth.exchange))
        r.add("GET", "/oauth/access_token", sync(oauth.exchange))  # python-facebook's exchange
        r.add("GET", "/refresh_access_token", sync(oauth.refresh))
        r.add("GET", "/sandbox-avatars/{name}.png", self.avatar)
        r.add("GET", f"{VERSION}/me", self.me)
        r.add("GET", f"{VERSION}/{{user}}/threads_publishing_limit", self.limit)
        r.add("POST", f"{VERSION}/{{user}}/threads_publish", self.publish)
        r.add("POST", f"{VERSION}/{{user}}/threads", self.create)
        r.add("GET", f"{VERSION}/{{user}}/threads", self.list_threads)
        r.add("GET", f"{VERSION}/{{id}}", self.get_object)

    def configure(self, values: dict[str, Any]) -> None:
        for key in DEFAULT_SETTINGS:
            if key in values:
                self.settings[key] = values[key]

    def published(self) -> list[Published]:
        if self.host != "graph.threads.net":  # the hosts share one memory; the posts are listed once
            return []
        return [Published(t.user, t.text, t.media) for t in self.world.threads]

    def accepts(self, token: str) -> bool:
        return self.world.oauth.accepts(token)

    async def handle(self, call: Call) -> web.StreamResponse:
        found = self.routes.find(call.method, call.path)
        if found is None:
            return graph_error(400, "Unsupported request - method type or path is not supported", 100)
        handler, call.match = found
        answer = await handler(call)
        if call.path.startswith(VERSION):
            usage = {"call_count": min(100, len(self.world.threads)), "total_cputime": 1, "total_time": 1}
            answer.headers["x-app-usage"] = json.dumps(usage)
        return answer

    # Helpers --------------------------------------------------------------------------------------

    def signed_in(self, call: Call, scope: str = "threads_basic") -> Issued | web.Response:
        issued = self.world.oauth.authenticate_graph(call)
        if issued is None or issued.user_id is None:
            return graph_error(400, "Invalid OAuth access token - Cannot parse access token", 190)
        if scope not in issued.scopes:
            return graph_error(
                403, f"(#10) Application does not have permission for this action ({scope})", 10
            )
        return issued

    def owner(self, call: Call, scope: str = "threads_basic") -> Issued | web.Response:
        """The signed-in user, when the path's ``{user}`` is them (or ``me``)."""
        issued = self.signed_in(call, scope)
        if isinstance(issued, Issued) and call.match.get("user") not in (issued.user_id, "me"):
            return graph_error(
                400,
                f"Unsupported request: Object with ID '{call.match.get('user')}' does not exist, cannot "
                "be loaded due to missing permissions, or does not support this operation",
                100,
                33,
            )
        return issued

    def posts_today(self, user: str) -> int:
        since = self.clock.now() - DAY
        return sum(1 for t in self.world.threads if t.user == user and t.created >= since) + int(
            self.settings.get("quota_used") or 0
        )

    def permalink(self, thread: Thread) -> str:
        who = people.user_by_id(thread.user)
        return f"https://www.threads.com/@{who.username if who else 'user'}/post/{thread.shortcode}"

    def thread_json(self, thread: Thread, fields: set[str]) -> dict[str, Any]:
        who = people.user_by_id(thread.user)
        values: dict[str, Any] = {
            "id": thread.id,
            "text": thread.text,
            "media_type": thread.media_type,
            "permalink": self.permalink(thread),
            "timestamp": meta_time(thread.created),
            "username": who.username if who else "",
            "shortcode": thread.shortcode,
            "media_product_type": "THREADS",
        }
        return {"id": thread.id, **{k: v for k, v in values.items() if k in fields}}

    # Routes ---------------------------------------------------------------------------------------

    async def me(self, call: Call) -> web.Response:
        issued = self.signed_in(call)
        if not isinstance(issued, Issued):
            return issued
        who = people.user_by_id(str(issued.user_id))
        if who is None:
            return graph_error(400, "Unknown user", 100)
        fields = set((call.text("fields") or "id").split(","))
        values = {
            "id": who.id,
            "username": who.username,
            "name": who.display_name,
            # Real pictures are on Meta's CDN (scontent-*.cdninstagram.com, another emulation's
            # hosts); here they are served on threads.net.
            "threads_profile_picture_url": f"https://threads.net/sandbox-avatars/{who.username}.png",
            "threads_biography": who.note,
        }
        return json_reply({"id": who.id, **{k: v for k, v in values.items() if k in fields}})

    async def avatar(self, call: Call) -> web.Response:
        return web.Response(body=people.avatar_png(call.match["name"]), content_type="image/png")

    async def limit(self, call: Call) -> web.Response:
        issued = self.owner(call)
        if not isinstance(issued, Issued):
            return issued
        fields = set((call.text("fields") or "quota_usage").split(","))
        item: dict[str, Any] = {}
        if "quota_usage" in fields:
            item["quota_usage"] = self.posts_today(str(issued.user_id))
        if "config" in fields:
            item["config"] = {"quota_total": QUOTA_TOTAL, "quota_duration": DAY}
        return json_reply({"data": [item]})

    async def create(self, call: Call) -> web.Response:
        issued = self.owner(call, "threads_content_publish")
        if not isinstance(issued, Issued):
            return issued
        media_type = call.text("media_type") or ""
        text = call.text("text") or ""
        item = call.text("is_carousel_item") == "true"
        if media_type not in ("TEXT", "IMAGE", "VIDEO", "CAROUSEL") or (item and media_type not in MEDIA):
            return graph_error(400, "(#100) The parameter media_type is required and must be valid.", 100)
        if threads_length(text) > TEXT_MAX:
            return graph_error(400, f"(#100) Param text must be at most {TEXT_MAX} characters long.", 100)
        if media_type == "TEXT" and not text:
            return graph_error(400, "(#100) The parameter text is required for TEXT posts.", 100)
        container = Container(new_id(), str(issued.user_id), media_type, text, self.clock.now())
        container.carousel_item = item
        container.alt_text = call.text("alt_text") if media_type in MEDIA else None
        if media_type == "TEXT":
            container.status = "FINISHED"
        elif media_type == "CAROUSEL":
            refused = self.take_children(container, call.text("children") or "")
            if refused is not None:
                return refused
        else:
            url = call.text(f"{media_type.lower()}_url")
            if not url or not url.startswith(("https://", "http://")):
                return graph_error(400, f"(#100) The parameter {media_type.lower()}_url is required.", 100)
            container.media_url = url
            container.polls_left = int(self.settings.get("processing_polls") or 0)
            task = asyncio.get_running_loop().create_task(self.world.fetch(container))
            self.world.tasks.add(task)
            task.add_done_callback(self.world.tasks.discard)
        self.world.containers[container.id] = container
        return json_reply({"id": container.id})

    def take_children(self, carousel: Container, children: str) -> web.Response | None:
        """A CAROUSEL's ``children``: 2–20 of this user's carousel items, each used once."""
        ids = [c for c in children.split(",") if c]
        found = [self.world.containers.get(c) for c in ids]
        if not CAROUSEL_MIN <= len(ids) <= CAROUSEL_MAX:
            return graph_error(
                400, f"(#100) A carousel needs {CAROUSEL_MIN} to {CAROUSEL_MAX} children.", 100
            )
        for child in found:
            if child is None or child.user != carousel.user or not child.carousel_item or child.in_carousel:
                return graph_error(400, "(#100) The parameter children must be carousel item ids.", 100)
        for child in found:
            if child is not None:
                child.in_carousel = True
        carousel.children = ids
        carousel.status = "FINISHED"  # its status follows its children's (status_of)
        return None

    async def get_object(self, call: Call) -> web.Response:
        issued = self.signed_in(call)
        if not isinstance(issued, Issued):
            return issued
        object_id = call.match["id"]
        fields = set((call.text("fields") or "id").split(","))
        container = self.world.containers.get(object_id)
        if container is not None and container.user == issued.user_id:
            status = self.world.status_of(container)
            body: dict[str, Any] = {"id": container.id}
            if "status" in fields:
                body["status"] = status
            if "error_message" in fields and container.error_message:
                body["error_message"] = container.error_message
            return json_reply(body)
        for thread in self.world.threads:
            if thread.id == object_id and thread.user == issued.user_id:
                return json_reply(self.thread_json(thread, fields))
        return graph_error(
            400,
            f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be loaded "
            "due to missing permissions, or does not support this operation",
            100,
            33,
        )

    async def publish(self, call: Call) -> web.Response:
        issued = self.owner(call, "threads_content_publish")
        if not isinstance(issued, Issued):
            return issued
        container = self.world.containers.get(call.text("creation_id") or "")
        if container is None or container.user != issued.user_id:
            return graph_error(400, "(#100) The parameter creation_id is required and must be valid.", 100)
        if container.published:
            return graph_error(400, "(#100) This container was already published.", 100)
        if container.carousel_item:
            return graph_error(400, "(#100) A carousel item is published inside its CAROUSEL.", 100)
        racing = int(self.settings.get("not_ready_publishes") or 0)
        if racing > 0:
            self.settings["not_ready_publishes"] = racing - 1
        if racing > 0 or not self.world.ready(container):
            return graph_error(
                400,
                "Media Not Found",
                24,
                4279009,
                is_transient=False,
                error_user_title="Media Not Found",
                error_user_msg="The media is not ready to be published yet. Please wait a moment.",
            )
        user = str(issued.user_id)
        if self.posts_today(user) >= QUOTA_TOTAL:
            return graph_error(400, "(#4) Application request limit reached", 4, is_transient=True)
        container.published = True
        kind = {"TEXT": "TEXT_POST", "CAROUSEL": "CAROUSEL_ALBUM"}.get(
            container.media_type, container.media_type
        )
        media = len(container.children) or (0 if container.media_type == "TEXT" else 1)
        thread = Thread(new_id(), user, container.text, kind, self.clock.now(), media)
        self.world.threads.append(thread)
        return json_reply({"id": thread.id})

    async def list_threads(self, call: Call) -> web.Response:
        issued = self.owner(call)
        if not isinstance(issued, Issued):
            return issued
        fields = set((call.text("fields") or "id").split(","))
        limit = max(1, min(100, int(call.text("limit") or 25)))
        mine = [t for t in reversed(self.world.threads) if t.user == issued.user_id][:limit]
        return json_reply({"data": [self.thread_json(t, fields) for t in mine], "paging": {}})


EMULATOR = ThreadsServer
HOSTS: tuple[str, ...] = ("threads.com", "threads.net", "graph.threads.net", "graph.threads.com")
FIRST_LABELS: tuple[str, ...] = ()
CATCH_ALL = False
# The contract tests and the demo sign in with the sandbox's Threads app as Alice; faults are
# injected on the publish call (the request that makes the post).
DEMO = SandboxDemo(
    host="graph.threads.net",
    create_path="/v1.0/*/threads_publish",
    client_id=CLIENT_ID,
    client_secret=CLIENT_SECRET,
)
