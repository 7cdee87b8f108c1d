"""The emulated Reddit: ``www.reddit.com`` (OAuth: :mod:`.sandbox_oauth`), ``oauth.reddit.com``
(the API), the two S3 buckets the media leases point at, and ``www.redditstatic.com`` (avatars).

Shapes as PRAW 8.0.3 / prawcore 4.0.0 send and read them (tests/test_fidelity_reddit.py runs PRAW
against this), and as shared/reference/networks-2026.md §12 records Reddit's behaviour:

- ``GET /api/v1/me`` (identity); ``/subreddits/mine/{subscriber,moderator}`` (mysubreddits) as
  Listings of ``t5``; ``/api/v1/{sr}/post_requirements`` (submit); ``/r/{sr}/api/link_flair_v2``
  (flair); ``/r/{sr}/about`` (read); ``/user/{name}/submitted`` (history); ``/comments/{id}``.
- ``POST /api/media/asset.json`` (``filepath``, ``mimetype``) leases an upload (:mod:`.sandbox_media`):
  ``args.action`` is ``//<bucket>``, ``args.fields`` the S3 form (``key`` among them), ``asset``
  its id and websocket. The bucket takes the form with the file last and answers 201 with S3's
  ``PostResponse`` XML, or ``EntityTooLarge`` XML over the size limit.
- ``POST /api/submit`` answers **HTTP 200** whatever it decides: refusals in ``json.errors``
  (``[code, message, field]``: NO_TEXT, TOO_LONG, SUBREDDIT_NOEXIST, SUBREDDIT_NOTALLOWED,
  NO_SELFS, NO_LINKS, SUBMIT_VALIDATION_FLAIR_REQUIRED, BAD_FLAIR_TEMPLATE_ID, BAD_URL,
  RATELIMIT with ``json.ratelimit``); a text or link post answers ``json.data`` ``url``, ``id``,
  ``name``; a photo or video post only ``user_submitted_page`` and ``websocket_url`` (the
  websocket itself is not served: nobody here listens on it).
- No token: 401 ``{"message": "Unauthorized", "error": 401}``; a token without the scope: 403
  ``{"message": "Forbidden", "error": 403}``, each with Reddit's ``www-authenticate``.

The demo users (alice, bob): alice follows r/harbourphotos (flair required: OC, Landscape),
r/linkdeck, r/textonly (text posts only) and u/bob's profile; bob follows nothing (linking him
asks for a subreddit by name).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, Emulator, Published, Routes, SandboxDemo, json_reply
from providers.emulation.grants import Clock
from providers.networks.reddit.sandbox_media import (
    IMAGES,
    MEDIA_SETTINGS,
    VIDEOS,
    bucket_reply,
    lease_reply,
    uploaded,
)
from providers.networks.reddit.sandbox_oauth import DEMO_CLIENT_ID, Asset, Submission, World, world_of

WWW, API = "www.reddit.com", "oauth.reddit.com"
STATIC = "www.redditstatic.com"
DEFAULT_SETTINGS: dict[str, Any] = {
    **MEDIA_SETTINGS,
    "ratelimit_seconds": 0,  # >0: the next submit is refused with RATELIMIT
}


@dataclass(frozen=True)
class Subreddit:
    name: str
    submission_type: str = "any"  # any, self, link
    flairs: tuple[tuple[str, str], ...] = ()  # (template id, text)
    flair_required: bool = False
    kind: str = "public"  # public, user


SUBREDDITS = {
    s.name.lower(): s
    for s in (
        Subreddit("linkdeck"),
        Subreddit(
            "harbourphotos",
            flairs=(
                ("3f1c2a60-0c1e-11ee-9a53-4e0d3d5a1b01", "OC"),
                ("3f1c2a60-0c1e-11ee-9a53-4e0d3d5a1b02", "Landscape"),
            ),
            flair_required=True,
        ),
        Subreddit("textonly", submission_type="self"),
        Subreddit("test"),
        *(Subreddit(f"u_{u.username}", kind="user") for u in people.USERS),
    )
}
FOLLOWS = {"alice": ("harbourphotos", "linkdeck", "textonly", "u_bob"), "bob": ()}
MODERATES: dict[str, tuple[str, ...]] = {}


def listing(kind: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "kind": "Listing",
        "data": {
            "after": None, "dist": len(items), "modhash": None, "geo_filter": "",
            "children": [{"kind": kind, "data": item} for item in items], "before": None,
        },
    }  # fmt: skip


class RedditServer(Emulator):
    kind = "reddit"
    network = "Reddit"

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.world: World = world_of(clock, DEFAULT_SETTINGS)
        self.settings = self.world.settings
        self.routes = Routes()
        oauth = self.world.oauth
        for method, path, handler in (
            ("GET", "/api/v1/authorize", self.sync(oauth.authorize)),
            ("GET", "/api/v1/authorize.compact", self.sync(oauth.authorize)),
            ("POST", "/oauth/authorize", self.sync(oauth.decide)),  # the consent page's form
            ("POST", "/api/v1/access_token", self.sync(oauth.token)),
            ("POST", "/api/v1/revoke_token", self.sync(oauth.revoke)),
        ):
            self.routes.add(method, f"/{WWW}{path}", handler)
        for method, path, handler in (
            ("GET", "/api/v1/me", self.me),
            ("GET", "/subreddits/mine/{where}", self.mine),
            ("GET", "/api/v1/{sr}/post_requirements", self.post_requirements),
            ("GET", "/r/{sr}/api/link_flair_v2", self.link_flair),
            ("GET", "/r/{sr}/about", self.about),
            ("POST", "/api/media/asset.json", self.lease),
            ("POST", "/api/submit", self.submit),
            ("GET", "/user/{name}/submitted", self.submitted),
            ("GET", "/comments/{id}", self.comments),
        ):
            self.routes.add(method, f"/{API}{path}", handler)
        for bucket in (IMAGES, VIDEOS):
            self.routes.add("POST", f"/{bucket}/", self.bucket)
        self.routes.add("GET", f"/{STATIC}/avatars/{{file}}", self.avatar)

    @staticmethod
    def sync(handler: Any) -> Any:
        async def run(call: Call) -> web.StreamResponse:
            response: web.StreamResponse = handler(call)
            return response

        return run

    async def handle(self, call: Call) -> web.StreamResponse:
        path = re.sub(r"\.json$", "", call.path) if call.path != "/api/media/asset.json" else call.path
        found = self.routes.find(call.method, f"/{self.host}{path}")
        if found is None:
            return json_reply({"message": "Not Found", "error": 404}, 404)
        handler, call.match = found
        return await handler(call)

    def published(self) -> list[Published]:
        if self.host != API:  # one answer for the whole emulation
            return []
        return [
            Published(s.author, f"{s.title}\n{s.text}" if s.text else s.title, s.media)
            for s in self.world.submissions
        ]

    def configure(self, values: dict[str, Any]) -> None:
        self.settings.update({k: int(v) for k, v in values.items() if k in DEFAULT_SETTINGS})

    def accepts(self, token: str) -> bool:
        return self.world.oauth.accepts(token)

    # Who is calling ---------------------------------------------------------------------------------

    def signed_in(self, call: Call, scope: str) -> people.User | web.Response:
        issued = self.world.oauth.authenticate(call)
        if isinstance(issued, str):
            challenge = 'Bearer realm="reddit", error="invalid_token"'
            return json_reply({"message": "Unauthorized", "error": 401}, 401, {"www-authenticate": challenge})
        if scope not in issued.scopes:
            challenge = 'Bearer realm="reddit", error="insufficient_scope"'
            return json_reply({"message": "Forbidden", "error": 403}, 403, {"www-authenticate": challenge})
        who = people.user_by_id(issued.user_id or "")
        if who is None:
            return json_reply({"message": "Forbidden", "error": 403}, 403)
        return who

    def subreddit(self, name: str | None) -> Subreddit | None:
        return SUBREDDITS.get((name or "").lower().removeprefix("r/"))

    def named_subreddit(self, call: Call, scope: str) -> Subreddit | web.Response:
        """The subreddit of the path's ``{sr}`` for a caller with ``scope``; else the error reply."""
        who = self.signed_in(call, scope)
        if isinstance(who, web.Response):
            return who
        sub = self.subreddit(call.match["sr"])
        return sub if sub is not None else json_reply({"message": "Not Found", "error": 404}, 404)

    # Account and places ---------------------------------------------------------------------------

    async def me(self, call: Call) -> web.Response:
        who = self.signed_in(call, "identity")
        if isinstance(who, web.Response):
            return who
        icon = f"https://{STATIC}/avatars/{who.username}.png?width=256&height=256"
        return json_reply(
            {
                "name": who.username,
                "id": who.id[-7:],
                "icon_img": icon,
                "created_utc": 1_500_000_000.0,
                "link_karma": 1,
                "comment_karma": 0,
                "total_karma": 1,
                "verified": True,
                "has_verified_email": True,
                "is_employee": False,
                "is_mod": bool(MODERATES.get(who.username)),
                "over_18": False,
                "subreddit": {
                    "display_name": f"u_{who.username}",
                    "display_name_prefixed": f"u/{who.username}",
                    "title": who.display_name,
                    "icon_img": icon,
                    "public_description": who.note,
                    "subreddit_type": "user",
                    "url": f"/user/{who.username}/",
                },
            }
        )

    def t5(self, sub: Subreddit, who: people.User) -> dict[str, Any]:
        prefixed = f"u/{sub.name[2:]}" if sub.kind == "user" else f"r/{sub.name}"
        return {
            "display_name": sub.name,
            "display_name_prefixed": prefixed,
            "name": f"t5_{abs(hash(sub.name)) % 10**6:06d}",
            "id": f"{abs(hash(sub.name)) % 10**6:06d}",
            "title": sub.name,
            "public_description": "",
            "subreddit_type": sub.kind,
            "submission_type": sub.submission_type,
            "url": f"/{prefixed}/",
            "over18": False,
            "link_flair_enabled": bool(sub.flairs),
            "user_is_subscriber": sub.name in FOLLOWS.get(who.username, ()),
            "user_is_moderator": sub.name in MODERATES.get(who.username, ()),
            "subscribers": 1,
            "created_utc": 1_500_000_000.0,
        }

    async def mine(self, call: Call) -> web.Response:
        who = self.signed_in(call, "mysubreddits")
        if isinstance(who, web.Response):
            return who
        where = call.match["where"]
        names = {"subscriber": FOLLOWS, "moderator": MODERATES}.get(where, {}).get(who.username, ())
        return json_reply(listing("t5", [self.t5(SUBREDDITS[n], who) for n in names]))

    async def post_requirements(self, call: Call) -> web.Response:
        sub = self.named_subreddit(call, "submit")
        if isinstance(sub, web.Response):
            return sub
        return json_reply(
            {
                "is_flair_required": sub.flair_required,
                "title_text_max_length": None,
                "title_text_min_length": None,
                "body_restriction_policy": "required" if sub.submission_type == "self" else "none",
                "link_restriction_policy": "none",
                "guidelines_text": None,
                "domain_blacklist": [],
                "title_regexes": [],
            }
        )

    async def link_flair(self, call: Call) -> web.Response:
        sub = self.named_subreddit(call, "flair")
        if isinstance(sub, web.Response):
            return sub
        return json_reply(
            [
                {"id": fid, "text": text, "text_editable": False, "type": "text", "mod_only": False,
                 "allowable_content": "all", "css_class": "", "richtext": [], "background_color": ""}
                for fid, text in sub.flairs
            ]
        )  # fmt: skip

    async def about(self, call: Call) -> web.Response:
        who = self.signed_in(call, "read")
        if isinstance(who, web.Response):
            return who
        sub = self.subreddit(call.match["sr"])
        if sub is None:  # Reddit sends an unknown name to its search page
            return json_reply({"kind": "Listing", "data": {"children": [], "after": None}})
        return json_reply({"kind": "t5", "data": self.t5(sub, who)})

    async def avatar(self, call: Call) -> web.Response:
        name = call.match["file"].removesuffix(".png")
        return web.Response(body=people.avatar_png(name), content_type="image/png")

    # Media (the lease and the bucket: .sandbox_media) ------------------------------------------------

    async def lease(self, call: Call) -> web.Response:
        who = self.signed_in(call, "submit")
        if isinstance(who, web.Response):
            return who
        return lease_reply(self.world, who, call.text("filepath"), call.text("mimetype"))

    async def bucket(self, call: Call) -> web.Response:
        return bucket_reply(self.world, self.host, call)

    def uploaded(self, url: str | None, who: people.User, prefix: str) -> Asset | None:
        return uploaded(self.world, url, who, prefix)

    # Submitting ------------------------------------------------------------------------------------

    async def submit(self, call: Call) -> web.Response:
        who = self.signed_in(call, "submit")
        if isinstance(who, web.Response):
            return who
        refused = self.refusal(call, who)
        if refused is not None:
            code, message, field = refused
            body: dict[str, Any] = {"json": {"errors": [[code, message, field]]}}
            if code == "RATELIMIT":
                body["json"]["ratelimit"] = float(self.settings["ratelimit_seconds"])
                self.settings["ratelimit_seconds"] = 0
            return json_reply(body)
        sub = self.subreddit(call.text("sr"))
        assert sub is not None
        kind = call.text("kind") or ""
        made = Submission(
            id=secrets.token_hex(4)[:7],
            author=who.username,
            subreddit=sub.name,
            kind=kind,
            title=call.text("title") or "",
            text=call.text("text") or "",
            url=call.text("url") or "",
            flair_id=call.text("flair_id"),
            created=self.clock.now(),
            media=1 if kind in ("image", "video", "videogif") else 0,
        )
        self.world.submissions.append(made)
        if made.media:
            return json_reply(
                {"json": {"errors": [], "data": {
                    "user_submitted_page": f"https://www.reddit.com/user/{who.username}/submitted/",
                    "websocket_url": f"wss://ws-sandbox.wss.redditmedia.com/rte_images/{made.id}?m=sandbox",
                }}}
            )  # fmt: skip
        url = f"https://www.reddit.com{made.permalink}"
        return json_reply(
            {
                "json": {
                    "errors": [],
                    "data": {"url": url, "drafts_count": 0, "id": made.id, "name": made.fullname},
                }
            }
        )

    def refusal(self, call: Call, who: people.User) -> tuple[str, str, str] | None:
        """The first of Reddit's submit errors this request earns (``[code, message, field]``)."""
        title, kind = (call.text("title") or "").strip(), call.text("kind") or ""
        if int(self.settings["ratelimit_seconds"]) > 0:
            minutes = max(1, int(self.settings["ratelimit_seconds"]) // 60)
            said = (
                f"Looks like you've been doing that a lot. Take a break for {minutes} minutes before "
                "trying again."
            )
            return "RATELIMIT", said, "ratelimit"
        if not title:
            return "NO_TEXT", "we need something here", "title"
        if len(title) > 300:
            return "TOO_LONG", "this is too long (max: 300)", "title"
        if len(call.text("text") or "") > 40_000:
            return "TOO_LONG", "this is too long (max: 40000)", "text"
        if not call.text("sr"):
            return "SUBREDDIT_REQUIRED", "you must specify a subreddit", "sr"
        sub = self.subreddit(call.text("sr"))
        if sub is None:
            return "SUBREDDIT_NOEXIST", "that subreddit doesn't exist", "sr"
        if sub.kind == "user" and sub.name != f"u_{who.username}":
            return "SUBREDDIT_NOTALLOWED", "you aren't allowed to post there.", "sr"
        if kind not in ("self", "link", "image", "video", "videogif"):
            return "INVALID_OPTION", "that option is not valid", "kind"
        if sub.submission_type == "self" and kind != "self":
            return "NO_LINKS", "that subreddit only allows text posts", "sr"
        if sub.submission_type == "link" and kind == "self":
            return "NO_SELFS", "that subreddit doesn't allow text posts", "sr"
        flair = call.text("flair_id")
        if flair and flair not in {fid for fid, _ in sub.flairs}:
            return "BAD_FLAIR_TEMPLATE_ID", "That flair template ID doesn't exist", "flair"
        if sub.flair_required and not flair:
            return "SUBMIT_VALIDATION_FLAIR_REQUIRED", "Your post must contain post flair.", "flair"
        url = call.text("url")
        if kind == "link" and not re.match(r"^https?://[^\s/]+\.[^\s]+$", url or ""):
            return "BAD_URL", "you should check that url", "url"
        if kind == "image" and self.uploaded(url, who, "image/") is None:
            return "BAD_URL", "you should check that url", "url"
        if kind in ("video", "videogif") and (
            self.uploaded(url, who, "video/") is None
            or self.uploaded(call.text("video_poster_url"), who, "image/") is None
        ):
            return "BAD_URL", "you should check that url", "url"
        return None

    def t3(self, s: Submission) -> dict[str, Any]:
        link = f"https://www.reddit.com{s.permalink}"
        return {
            "id": s.id, "name": s.fullname, "title": s.title, "author": s.author,
            "subreddit": s.subreddit, "subreddit_name_prefixed": f"r/{s.subreddit}",
            "created_utc": s.created, "created": s.created, "permalink": s.permalink,
            "url": s.url if s.kind == "link" else link, "selftext": s.text, "is_self": s.kind == "self",
            "is_video": s.kind in ("video", "videogif"), "link_flair_template_id": s.flair_id,
            "domain": f"self.{s.subreddit}" if s.kind == "self" else urlsplit(s.url).netloc,
            "num_comments": 0, "score": 1, "over_18": False, "spoiler": False,
        }  # fmt: skip

    async def submitted(self, call: Call) -> web.Response:
        who = self.signed_in(call, "history")
        if isinstance(who, web.Response):
            return who
        name = call.match["name"].lower()
        mine = [s for s in reversed(self.world.submissions) if s.author.lower() == name]
        limit = min(100, int(call.text("limit") or 25))
        return json_reply(listing("t3", [self.t3(s) for s in mine[:limit]]))

    async def comments(self, call: Call) -> web.Response:
        who = self.signed_in(call, "read")
        if isinstance(who, web.Response):
            return who
        found = next((s for s in self.world.submissions if s.id == call.match["id"]), None)
        if found is None:
            return json_reply({"message": "Not Found", "error": 404}, 404)
        return json_reply([listing("t3", [self.t3(found)]), listing("t1", [])])


EMULATOR = RedditServer
HOSTS = (WWW, API, IMAGES, VIDEOS, STATIC)
FIRST_LABELS: tuple[str, ...] = ()
CATCH_ALL = False
# The contract tests and the demo link Alice with the sandbox's installed app (no secret).
DEMO = SandboxDemo(host=API, create_path="/api/submit", client_id=DEMO_CLIENT_ID)
