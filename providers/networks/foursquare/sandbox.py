"""The emulated Foursquare: ``foursquare.com`` (the v2 OAuth pages: :mod:`.sandbox_oauth`),
``api.foursquare.com/v2`` (the API) and ``fastly.4sqi.net`` (user photos).

The v2 API as its independent client (mLewisLogic/foursquare 1!2020.1.30) calls and reads it:

- every call carries ``v`` (``YYYYMMDD``) and ``oauth_token`` as parameters (query or form); every
  answer is ``{"meta": {"code": …}, "response": {…}}`` and carries ``X-RateLimit-Limit`` and
  ``X-RateLimit-Remaining`` (per token per hour, :data:`DEFAULT_SETTINGS` ``rate_limit``);
- refusals: ``{"meta": {"code": 400, "errorType": "param_error", "errorDetail": …}, "response":
  {}}``; ``invalid_auth`` 401 for a missing or dead token; ``failed_geocode`` 400 for a place it
  cannot find; ``rate_limit_exceeded`` 403 once the hour's calls are spent; ``endpoint_error`` 404;
- ``GET /users/self``; ``GET /venues/search`` (``near`` or ``ll``, ``query``); ``POST
  /checkins/add`` (``venueId``, ``shout`` ≤ 140, ``broadcast``); ``POST /photos/add`` (multipart,
  ``checkinId``, a JPEG ``photo``); ``GET /users/self/checkins`` (``limit``, ``sort``,
  ``afterTimestamp``).

The wording of the error details is the sandbox's own (unverified), the shapes are the client's.
Venues: Lisbon (Harbour Café, Harbour Lighthouse) and Porto (Tide Bakery).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import (
    Call,
    Emulator,
    Published,
    Routes,
    SandboxDemo,
    json_reply,
    synchronous,
)
from providers.emulation.grants import Clock
from providers.networks.foursquare.sandbox_oauth import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    PLACES,
    VENUES,
    Checkin,
    Venue,
    World,
    world_of,
)

WWW, API, PHOTOS = "foursquare.com", "api.foursquare.com", "fastly.4sqi.net"
DEFAULT_SETTINGS: dict[str, Any] = {"rate_limit": 500, "photo_max_bytes": 5 * 1024 * 1024}
SHOUT_LIMIT = 140
BROADCASTS = frozenset({"private", "public", "followers", "facebook", "twitter"})
_VERSION = re.compile(r"^20\d{6}$")


def refusal(status: int, kind: str, detail: str, headers: dict[str, str] | None = None) -> web.Response:
    body = {"meta": {"code": status, "errorType": kind, "errorDetail": detail}, "response": {}}
    return json_reply(body, status, headers)


class FoursquareServer(Emulator):
    kind = "foursquare"
    network = "Foursquare"

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.world: World = world_of(clock, DEFAULT_SETTINGS)
        self.settings = self.world.settings
        self.routes = Routes()
        oauth = self.world.oauth
        for method, path, handler in (
            ("GET", "/oauth2/authenticate", oauth.authorize),
            ("POST", "/oauth/authorize", oauth.decide),  # the consent page's form
            ("GET", "/oauth2/access_token", oauth.token),
            ("POST", "/oauth2/access_token", oauth.token),
        ):
            self.routes.add(method, f"/{WWW}{path}", synchronous(handler))
        for method, path, api in (
            ("GET", "/v2/users/self", self.me),
            ("GET", "/v2/venues/search", self.search),
            ("POST", "/v2/checkins/add", self.checkin),
            ("POST", "/v2/photos/add", self.photo),
            ("GET", "/v2/users/self/checkins", self.checkins),
        ):
            self.routes.add(method, f"/{API}{path}", self.api(api))
        self.routes.add("GET", f"/{PHOTOS}/img/user/original/{{file}}", self.avatar)

    def api(self, handler: Any) -> Any:
        """A v2 call: the version, the token and the hour's calls checked, the answer wrapped in
        ``meta``/``response`` with the rate-limit headers."""

        async def run(call: Call) -> web.StreamResponse:
            issued = self.world.oauth.user_token(call)
            if issued is None:
                return refusal(401, "invalid_auth", "OAuth token invalid or revoked.")
            limit = int(self.settings["rate_limit"])
            hour = int(self.clock.now() // 3600)
            seen_hour, used = self.world.calls.get(issued.token, (hour, 0))
            used = used + 1 if seen_hour == hour else 1
            self.world.calls[issued.token] = (hour, used)
            headers = {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(max(0, limit - used))}
            if used > limit:
                return refusal(403, "rate_limit_exceeded", "Quota exceeded", headers)
            version = call.text("v") or ""
            if not _VERSION.match(version):
                detail = "Missing or invalid version parameter v (YYYYMMDD)."
                return refusal(400, "param_error", detail, headers)
            who = people.user_by_id(issued.user_id or "")
            assert who is not None
            answer = await handler(call, who)
            if isinstance(answer, web.Response):
                answer.headers.update(headers)
                return answer
            return json_reply({"meta": {"code": 200, "requestId": secrets.token_hex(12)}, "response": answer},
                              200, headers)  # fmt: skip

        return run

    async def handle(self, call: Call) -> web.StreamResponse:
        found = self.routes.find(call.method, f"/{self.host}{call.path}")
        if found is None:
            return refusal(404, "endpoint_error", "Endpoint not found")
        handler, call.match = found
        return await handler(call)

    def published(self) -> list[Published]:
        if self.host != API:  # one answer for the whole emulation
            return []
        return [Published(c.user, c.shout, len(c.photos)) for c in self.world.checkins]

    def configure(self, values: dict[str, Any]) -> None:
        self.settings.update({k: int(v) for k, v in values.items() if k in DEFAULT_SETTINGS})

    def accepts(self, token: str) -> bool:
        return self.world.oauth.accepts(token)

    # The account -----------------------------------------------------------------------------------

    async def me(self, call: Call, who: people.User) -> dict[str, Any]:
        first, _, last = who.display_name.partition(" ")
        return {
            "user": {
                "id": who.id[-8:],
                "firstName": first,
                "lastName": last,
                "gender": "none",
                "relationship": "self",
                "photo": {"prefix": f"https://{PHOTOS}/img/user/", "suffix": f"/{who.username}.png"},
                "homeCity": "Lisbon",
                "bio": who.note,
                "checkins": {"count": sum(1 for c in self.world.checkins if c.user == who.username)},
            }
        }

    async def avatar(self, call: Call) -> web.Response:
        name = call.match["file"].removesuffix(".png")
        return web.Response(body=people.avatar_png(name), content_type="image/png")

    # Venues ------------------------------------------------------------------------------------------

    @staticmethod
    def compact(venue: Venue) -> dict[str, Any]:
        return {
            "id": venue.id,
            "name": venue.name,
            "location": {
                "address": venue.address, "city": venue.city, "country": "Portugal", "cc": "PT",
                "lat": venue.lat, "lng": venue.lng,
                "formattedAddress": [venue.address, venue.city, "Portugal"],
            },
            "categories": [],
        }  # fmt: skip

    async def search(self, call: Call, who: people.User) -> dict[str, Any] | web.Response:
        near, ll = (call.text("near") or "").strip(), (call.text("ll") or "").strip()
        if not near and not ll:
            return refusal(400, "param_error", "Must provide parameter ll or near")
        city: str | None = None
        if near:
            city = PLACES.get(near.split(",")[-1].strip().lower()) or PLACES.get(
                near.split(",")[0].strip().lower()
            )
            if city is None:
                return refusal(400, "failed_geocode", f"Couldn't geocode param near: {near}")
        query = (call.text("query") or "").strip().lower()
        limit = min(50, int(call.text("limit") or 30))
        found = [
            self.compact(v) for v in VENUES
            if (city is None or v.city == city) and (not query or query in v.name.lower())
        ]  # fmt: skip
        return {"venues": found[:limit], "confident": bool(found)}

    # Check-ins -----------------------------------------------------------------------------------------

    def view(self, checkin: Checkin) -> dict[str, Any]:
        return {
            "id": checkin.id,
            "createdAt": checkin.created,
            "type": "checkin",
            "shout": checkin.shout,
            "timeZoneOffset": 0,
            "venue": self.compact(checkin.venue),
            "photos": {"count": len(checkin.photos), "items": [{"id": p} for p in checkin.photos]},
            "checkinShortUrl": f"https://www.swarmapp.com/c/{checkin.short}",
        }

    async def checkin(self, call: Call, who: people.User) -> dict[str, Any] | web.Response:
        venue_id = call.text("venueId")
        if not venue_id:
            return refusal(400, "param_error", "Missing parameter venueId")
        venue = next((v for v in VENUES if v.id == venue_id), None)
        if venue is None:
            return refusal(400, "param_error", f"Value {venue_id} is invalid for venue id")
        shout = call.text("shout") or ""
        if len(shout) > SHOUT_LIMIT:
            return refusal(400, "param_error", f"shout must be {SHOUT_LIMIT} characters or less")
        broadcast = [b for b in (call.text("broadcast") or "public").split(",") if b]
        if any(b not in BROADCASTS for b in broadcast):
            return refusal(400, "param_error", f"Value {call.text('broadcast')} is invalid for broadcast")
        made = Checkin(
            id=secrets.token_hex(12),
            user=who.username,
            user_id=who.id[-8:],
            venue=venue,
            shout=shout,
            created=int(self.clock.now()),
            short=secrets.token_urlsafe(8),
        )
        self.world.checkins.append(made)
        return {"checkin": self.view(made), "notifications": []}

    async def photo(self, call: Call, who: people.User) -> dict[str, Any] | web.Response:
        checkin = next(
            (c for c in self.world.checkins if c.id == call.text("checkinId") and c.user == who.username),
            None,
        )
        if checkin is None:
            return refusal(400, "param_error", "Must provide a valid checkinId, tipId, venueId or pageId")
        upload = call.params.get("photo")
        reader = getattr(upload, "file", None)
        if reader is None:
            return refusal(400, "param_error", "Missing parameter photo")
        data = reader.read(int(self.settings["photo_max_bytes"]) + 1)
        if len(data) > int(self.settings["photo_max_bytes"]):
            return refusal(400, "param_error", "Photo is too large")
        if not data.startswith(b"\xff\xd8\xff") or getattr(upload, "content_type", "") != "image/jpeg":
            return refusal(400, "param_error", "Photo must be a JPEG image (image/jpeg)")
        photo_id = secrets.token_hex(12)
        checkin.photos.append(photo_id)
        return {
            "photo": {
                "id": photo_id, "createdAt": int(self.clock.now()), "prefix": f"https://{PHOTOS}/img/general/",
                "suffix": f"/{photo_id}.jpg", "checkin": {"id": checkin.id}, "visibility": "public",
            }
        }  # fmt: skip

    async def checkins(self, call: Call, who: people.User) -> dict[str, Any]:
        mine = [c for c in self.world.checkins if c.user == who.username]
        after = int(call.text("afterTimestamp") or 0)
        mine = [c for c in mine if c.created >= after]
        if call.text("sort") != "oldest":
            mine.reverse()
        limit = min(250, int(call.text("limit") or 20))
        return {"checkins": {"count": len(mine), "items": [self.view(c) for c in mine[:limit]]}}


EMULATOR = FoursquareServer
HOSTS = (WWW, API, PHOTOS)
FIRST_LABELS: tuple[str, ...] = ()
CATCH_ALL = False
# The contract tests and the demo link Alice with the sandbox's legacy project, and choose a
# venue by typing Lisbon and "Harbour" (two venues: the chooser follows).
DEMO = SandboxDemo(
    host=API,
    create_path="/v2/checkins/add",
    client_id=DEMO_CLIENT_ID,
    client_secret=DEMO_CLIENT_SECRET,
    fields={"near": "Lisbon", "query": "Harbour"},
)
