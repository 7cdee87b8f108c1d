"""Google Business Profile in the sandbox: the three Business Profile APIs, on their own hosts,
sharing one memory per sandbox (:mod:`.sandbox_google`). Google's sign-in is the sandbox's one
:mod:`providers.emulation.google` (listed in ``SHARED``; shared with YouTube, so neither network
claims its hosts): the consent page on ``accounts.google.com`` (state, PKCE S256 when sent,
single-use codes, any ``http://127.0.0.1:<port>`` redirect for a Desktop client), and on
``oauth2.googleapis.com`` Google's token bodies (a refresh token only for ``access_type=offline``,
not rotated on refresh) and ``/revoke`` (no client authentication; every token of the grant ends).
The tokens it issues are the ones the API hosts accept.
- ``mybusinessaccountmanagement.googleapis.com/v1/accounts`` and
  ``mybusinessbusinessinformation.googleapis.com/v1/accounts/{a}/locations`` (``readMask``
  required): paged with ``pageSize``/``nextPageToken``; ``settings["page_size"]`` makes pages
  smaller so paging is exercised.
- ``mybusiness.googleapis.com/v4/accounts/{a}/locations/{l}/localPosts``: create, list (newest
  first), get. ``topicType`` is required (ValidationError ``topic_type``, verified text); summary
  ≤ 1,500 characters; one PHOTO whose ``sourceUrl`` **is really fetched**, as Google does: an
  address that cannot be fetched, or bytes that are not a JPEG or PNG of at most 5 MB, are refused
  with 400 INVALID_ARGUMENT (the wording of that refusal is this emulator's, unverified). Google
  wants a public https address; here http on 127.0.0.1 is fetched too, since the test's bucket
  (moto) lives there. ``settings["v4_enabled"] = False`` answers 403 SERVICE_DISABLED as a
  project without the v4 API does.

Errors are google.rpc.Status documents (``{"error": {code, message, status, details}}``).
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from providers.emulation.framework import Call, Emulator, Published, Routes, SandboxDemo, json_reply
from providers.emulation.google import GoogleSignIn
from providers.emulation.grants import Clock, Issued
from providers.media.sniff import mime_type
from providers.networks.google_business.sandbox_google import (
    CLIENT_ID,
    CLIENT_SECRET,
    ERROR_INFO,
    SCOPE,
    LocalPost,
    businesses,
    google_error,
    invalid,
    rfc3339,
    world_for,
)

POSTS_HOST = "mybusiness.googleapis.com"
# 5 MB is the catalog's limit (3P figures, networks.md §12). Their 10 KB minimum is not enforced
# here: it is an aggregator's figure, unverified, and the catalog has no minimum to check first.
PHOTO_MAX = 5_000_000
SUMMARY_MAX = 1500


class GoogleBusinessServer(Emulator):
    kind = "google-business"
    network = "Google Business Profile"

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.google = world_for(clock)
        self.settings = self.google.settings
        self.routes = Routes()
        self.routes.add("GET", "/v1/accounts", self.accounts)
        self.routes.add("GET", "/v1/accounts/{account}/locations", self.locations)
        self.routes.add("POST", "/v4/accounts/{account}/locations/{location}/localPosts", self.create_post)
        self.routes.add("GET", "/v4/accounts/{account}/locations/{location}/localPosts", self.list_posts)
        self.routes.add("GET", "/v4/accounts/{account}/locations/{location}/localPosts/{post}", self.get_post)

    def configure(self, values: dict[str, Any]) -> None:
        for key in ("page_size", "v4_enabled"):
            if key in values:
                self.settings[key] = values[key]

    def published(self) -> list[Published]:
        if self.host != POSTS_HOST:  # the hosts share one memory; the posts are listed once
            return []
        return [
            Published(p.user, str(p.body.get("summary", "")), len(p.media))
            for posts in self.google.posts.values()
            for p in posts
        ]

    def accepts(self, token: str) -> bool:
        return self.google.oauth.accepts(token)

    async def handle(self, call: Call) -> web.StreamResponse:
        found = self.routes.find(call.method, call.path)
        if found is None:  # a malformed path: an HTML 404, as Google's front end answers
            return web.Response(
                status=404, text="<html><body>404. That's an error.</body></html>", content_type="text/html"
            )
        handler, call.match = found
        return await handler(call)

    # Helpers --------------------------------------------------------------------------------------

    def signed_in(self, call: Call) -> Issued | web.Response:
        issued = self.google.oauth.authenticate(call)
        if isinstance(issued, str) or issued.user_id is None:
            return google_error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
                "cookie or other valid authentication credential.",
            )
        if SCOPE not in issued.scopes:
            info = {
                "@type": ERROR_INFO,
                "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                "domain": "googleapis.com",
            }
            return google_error(
                403, "PERMISSION_DENIED", "Request had insufficient authentication scopes.", info
            )
        return issued

    def page(
        self, call: Call, items: list[dict[str, Any]], key: str, largest: int, default: int
    ) -> web.Response:
        size = int(call.text("pageSize") or default)
        size = max(1, min(size, largest, int(self.settings.get("page_size") or largest)))
        start = int(call.text("pageToken") or 0)
        body: dict[str, Any] = {key: items[start : start + size]}
        if start + size < len(items):
            body["nextPageToken"] = str(start + size)
        return json_reply(body)

    def owned_location(self, issued: Issued, account: str, location: str) -> bool:
        return any(
            b.account == f"accounts/{account}"
            and any(loc[0] == f"locations/{location}" for loc in b.locations)
            for b in businesses(str(issued.user_id))
        )

    # Account Management and Business Information v1 ----------------------------------------------

    async def accounts(self, call: Call) -> web.Response:
        issued = self.signed_in(call)
        if not isinstance(issued, Issued):
            return issued
        items = [
            {"name": b.account, "accountName": b.title, "type": b.kind, "verificationState": "VERIFIED"}
            for b in businesses(str(issued.user_id))
        ]
        return self.page(call, items, "accounts", 20, 20)

    async def locations(self, call: Call) -> web.Response:
        issued = self.signed_in(call)
        if not isinstance(issued, Issued):
            return issued
        if not call.text("readMask"):
            return google_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.", {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": "read_mask", "description": "Field is required"}],
            })  # fmt: skip
        owned = [
            b for b in businesses(str(issued.user_id)) if b.account == f"accounts/{call.match['account']}"
        ]
        if not owned:
            return google_error(403, "PERMISSION_DENIED", "The caller does not have permission")
        fields = set((call.text("readMask") or "").split(","))
        items = []
        for name, title, town in owned[0].locations:
            item: dict[str, Any] = {"name": name}
            if "title" in fields:
                item["title"] = title
            if "storefrontAddress" in fields:
                item["storefrontAddress"] = {
                    "regionCode": "GB",
                    "locality": town,
                    "addressLines": ["1 Quay St"],
                }
            items.append(item)
        return self.page(call, items, "locations", 100, 10)

    # My Business v4 local posts -----------------------------------------------------------------------

    def v4_gate(self, call: Call) -> Issued | web.Response:
        if not self.settings.get("v4_enabled", True):
            info = {
                "@type": ERROR_INFO,
                "reason": "SERVICE_DISABLED",
                "domain": "googleapis.com",
                "metadata": {"service": "mybusiness.googleapis.com", "consumer": "projects/123456789"},
            }
            return google_error(
                403,
                "PERMISSION_DENIED",
                "Google My Business API has not been used in project 123456789 before or it is "
                "disabled. Enable it by visiting https://console.developers.google.com/apis/api/"
                "mybusiness.googleapis.com/overview?project=123456789 then retry.",
                info,
            )
        issued = self.signed_in(call)
        if not isinstance(issued, Issued):
            return issued
        if not self.owned_location(issued, call.match["account"], call.match["location"]):
            return google_error(404, "NOT_FOUND", "Requested entity was not found.")
        return issued

    def location_path(self, call: Call) -> str:
        return f"accounts/{call.match['account']}/locations/{call.match['location']}"

    async def create_post(self, call: Call) -> web.Response:
        issued = self.v4_gate(call)
        if not isinstance(issued, Issued):
            return issued
        params = call.params
        topic = params.get("topicType")
        if not topic:
            return invalid("topic_type", "Topic type is required for post creation")
        if topic not in ("STANDARD", "EVENT", "OFFER", "ALERT"):
            return invalid("topic_type", f"Invalid topic type: {topic}")
        if topic in ("EVENT", "OFFER") and not isinstance(params.get("event"), dict):
            return invalid("event", "Event is required for this topic type")
        summary = params.get("summary", "")
        if not isinstance(summary, str) or len(summary) > SUMMARY_MAX:
            return invalid("summary", f"Summary must be at most {SUMMARY_MAX} characters")
        action = params.get("callToAction")
        if action is not None:
            kinds = ("BOOK", "ORDER", "SHOP", "LEARN_MORE", "SIGN_UP", "CALL")
            if not isinstance(action, dict) or action.get("actionType") not in kinds:
                return invalid("call_to_action.action_type", "Invalid action type")
            if action.get("actionType") != "CALL" and not str(action.get("url", "")).startswith(
                ("http://", "https://")
            ):
                return invalid("call_to_action.url", "A valid URL is required")
        media = params.get("media") or []
        if not isinstance(media, list) or len(media) > 1:
            return invalid("media", "Only one photo can be added to a post")
        kept: list[dict[str, Any]] = []
        for item in media:
            refused = await self.fetch_photo(item)
            if isinstance(refused, web.Response):
                return refused
            kept.append(refused)
        now = self.clock.now()
        location = self.location_path(call)
        post_id = str(secrets.randbelow(10**18))
        body = {
            k: v for k, v in params.items() if k in ("summary", "topicType", "callToAction", "languageCode")
        }
        post = LocalPost(f"{location}/localPosts/{post_id}", str(issued.user_id), body, now, kept)
        self.google.posts.setdefault(location, []).append(post)
        return json_reply(self.post_json(post))

    async def fetch_photo(self, item: Any) -> dict[str, Any] | web.Response:
        """Fetch the photo as Google does; the MediaItem kept, or the refusal."""
        if not isinstance(item, dict) or item.get("mediaFormat") != "PHOTO":
            return invalid("media.media_format", "Only PHOTO media can be added to a local post")
        url = item.get("sourceUrl")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            return invalid("media.source_url", "A public https URL is required")
        try:
            async with ClientSession(timeout=ClientTimeout(total=20)) as session, session.get(url) as answer:
                data = await answer.content.read(PHOTO_MAX + 1) if answer.status == 200 else b""
                status = answer.status
        except (ClientError, TimeoutError, ValueError):
            return invalid("media.source_url", "The photo could not be fetched from its URL")
        if status != 200:
            return invalid("media.source_url", f"The photo could not be fetched from its URL (HTTP {status})")
        kind = mime_type(data)
        if kind not in ("image/jpeg", "image/png"):
            return invalid("media.source_url", "The photo must be a JPEG or PNG image")
        if len(data) > PHOTO_MAX:
            return invalid("media.source_url", "The photo must be at most 5 MB")
        media_id = secrets.token_hex(8)
        return {
            "name": f"media/{media_id}",
            "mediaFormat": "PHOTO",
            "googleUrl": f"https://lh3.googleusercontent.com/p/{media_id}",
        }

    def post_json(self, post: LocalPost) -> dict[str, Any]:
        created = rfc3339(post.created)
        place, post_id = post.name.split("/")[3], post.name.rsplit("/", 1)[-1]
        body: dict[str, Any] = {"name": post.name, **post.body}
        if post.media:
            body["media"] = post.media
        return {
            **body,
            "state": "LIVE",
            "createTime": created,
            "updateTime": created,
            "searchUrl": f"https://local.google.com/place?id={place}&use=posts&lpsid={post_id}",
        }

    async def list_posts(self, call: Call) -> web.Response:
        issued = self.v4_gate(call)
        if not isinstance(issued, Issued):
            return issued
        posts = reversed(self.google.posts.get(self.location_path(call), []))
        return self.page(call, [self.post_json(p) for p in posts], "localPosts", 100, 20)

    async def get_post(self, call: Call) -> web.Response:
        issued = self.v4_gate(call)
        if not isinstance(issued, Issued):
            return issued
        wanted = f"{self.location_path(call)}/localPosts/{call.match['post']}"
        for post in self.google.posts.get(self.location_path(call), []):
            if post.name == wanted:
                return json_reply(self.post_json(post))
        return google_error(404, "NOT_FOUND", "Requested entity was not found.")


EMULATOR = GoogleBusinessServer
HOSTS: tuple[str, ...] = (
    "mybusinessaccountmanagement.googleapis.com",
    "mybusinessbusinessinformation.googleapis.com",
    "mybusiness.googleapis.com",
)
FIRST_LABELS: tuple[str, ...] = ()
CATCH_ALL = False
SHARED = (GoogleSignIn,)  # Google's sign-in hosts, served once for every Google network
# The contract tests and the demo sign in with the sandbox's Desktop client as Alice, whose posts go
# to a chosen location; faults are injected on the local post create (and its list, by path).
DEMO = SandboxDemo(
    host=POSTS_HOST,
    create_path="/v4/accounts/*/locations/*/localPosts",
    client_id=CLIENT_ID,
    client_secret=CLIENT_SECRET,
)
