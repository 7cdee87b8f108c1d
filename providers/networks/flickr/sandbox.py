"""The emulated Flickr: ``www.flickr.com`` (OAuth 1.0a, :mod:`.sandbox_oauth`; the default buddy
icon; photo pages), ``api.flickr.com`` (the REST API), ``up.flickr.com`` (uploads) and
``farm66.staticflickr.com`` (buddy icons). Every API call's OAuth 1.0a signature is checked.

REST (``/services/rest/?method=…``), in Flickr's JSON with ``format=json&nojsoncallback=1``
(``{"stat": "fail", "code": 98, "message": "Invalid auth token"}`` when refused, HTTP 200), in
``jsonFlickrApi(…)`` with ``format=json`` alone, else in Flickr's ``<rsp>`` XML:
``flickr.test.login``, ``flickr.people.getInfo`` (``iconfarm``/``iconserver``; bob has no icon:
iconserver 0), ``flickr.people.getLimits``, ``flickr.people.getPhotos`` (``min_upload_date``,
``extras=date_upload``), ``flickr.photos.getInfo``, ``flickr.photos.upload.checkTickets``.

``www.flickr.com/services/auth/list.gne``: the apps a demo user allowed (``?user=``), each with
a form that removes it (its tokens stop working), as Flickr's own page does.

Upload (``POST up.flickr.com/services/upload/``, multipart, signed without the file): ``photo``,
``title``, ``description``, ``tags``, ``is_public``/``is_friend``/``is_family``,
``safety_level`` (1–3), ``content_type`` (1–3), ``hidden`` (1–2), ``async``. Answers XML:
``<photoid>`` or, with ``async=1``, ``<ticketid>`` (complete at the first check unless the
``ticket_checks`` setting says more); refusals ``<rsp stat="fail"><err code msg/></rsp>``:
2 no photo, 4 empty file, 5 not a photo or video, 6 the account's upload limit, 8 too large
(over ``people.getLimits``), 95 not https, 96/98/99/100 signature, token, permission, key.
"""

from __future__ import annotations

import html
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from providers.emulation import pages, people
from providers.emulation.framework import Call, Emulator, Published, Routes, SandboxDemo, page
from providers.emulation.grants import Clock
from providers.emulation.oauth1 import OAuth1Provider
from providers.networks.flickr.sandbox_oauth import (
    DEMO_KEY,
    DEMO_SECRET,
    Access,
    Signed,
    code_of,
    flickr_oauth,
    nsid,
    shared,
)

WWW, API, UP = "www.flickr.com", "api.flickr.com", "up.flickr.com"
FARM, ICON_SERVER = 66, "65535"
ICONS = f"farm{FARM}.staticflickr.com"
DEFAULT_SETTINGS: dict[str, Any] = {
    "photo_maxupload": 15_728_640,  # flickr.people.getLimits doc example: 15 MB
    "video_maxupload": 157_286_400,  # 150 MB
    "video_maxduration": 90,
    "upload_quota": 1000,  # photos and videos an account may hold (6 beyond it)
    "ticket_checks": 0,  # checks answered "not complete" before a ticket completes
}
MESSAGES = {
    "2": "No photo specified",
    "3": "General upload failure",
    "4": "Filesize was zero",
    "5": "Filetype was not recognised",
    "6": "User exceeded upload limit",
    "8": "Filesize was too large",
    "95": "SSL is required",
    "96": "Invalid signature",
    "98": "Invalid auth token",
    "99": "Insufficient permissions",
    "100": "Invalid API Key (Key not found)",
    "112": "Method not found",
    "1": "User not found",
}
NEEDS = {"read": 1, "write": 2, "delete": 3}


@dataclass
class Photo:
    id: str
    owner: people.User
    title: str
    description: str
    tags: str
    media: str  # photo or video
    uploaded: int
    is_public: str = "1"


@dataclass
class Ticket:
    id: str
    photo: Photo
    checks_left: int


@dataclass
class World:
    oauth: OAuth1Provider
    photos: list[Photo] = field(default_factory=list)
    tickets: dict[str, Ticket] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_SETTINGS))


def _world(clock: Clock) -> World:
    return World(flickr_oauth(clock))


def kind_of(head: bytes) -> str | None:
    """photo or video by the file's first bytes; None for anything else."""
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG", b"GIF8")) or head[:4] in (b"II*\x00", b"MM\x00*"):
        return "photo"
    if head[4:8] == b"ftyp" or head.startswith(b"\x1a\x45\xdf\xa3") or head.startswith(b"RIFF"):
        return "video"
    return None


def rsp_xml(inner: str = "", *, code: str | None = None) -> web.Response:
    body = (
        f'<rsp stat="fail">\n\t<err code="{code}" msg="{html.escape(MESSAGES.get(code, ""))}" />\n</rsp>'
        if code
        else f'<rsp stat="ok">\n{inner}\n</rsp>'
    )
    text = f'<?xml version="1.0" encoding="utf-8" ?>\n{body}\n'
    return web.Response(text=text, content_type="text/xml")


def _xml(tag: str, value: Any) -> str:
    """Flickr's JSON as its XML: keys are attributes, ``_content`` the text, dicts and lists
    child elements."""
    attrs, children, text = [], [], ""
    for key, item in value.items():
        if key == "_content":
            text = html.escape(str(item))
        elif isinstance(item, dict) and set(item) == {"_content"}:
            children.append(f"<{key}>{html.escape(str(item['_content']))}</{key}>")
        elif isinstance(item, dict):
            children.append(_xml(key, item))
        elif isinstance(item, list):
            children += [_xml(key, one) for one in item]
        else:
            attrs.append(f' {key}="{html.escape(str(item))}"')
    return f"<{tag}{''.join(attrs)}>{text}{''.join(children)}</{tag}>"


class FlickrServer(Emulator):
    kind = "flickr"
    network = "flickr"

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.world: World = shared(clock, _world)
        self.settings = self.world.settings
        oauth = self.world.oauth
        self.routes = Routes()
        self.routes.add("*", "/services/oauth/request_token", oauth.request_token)
        self.routes.add("GET", "/services/oauth/authorize", self.sync(oauth.authorize))
        self.routes.add("POST", "/services/oauth/authorize", self.sync(oauth.decide))
        self.routes.add("*", "/services/oauth/access_token", oauth.access_token)
        self.routes.add("*", "/services/rest", self.rest)
        self.routes.add("POST", "/services/upload", self.upload)
        self.routes.add("GET", "/images/buddyicon.gif", self.icon)
        self.routes.add("GET", "/{server}/buddyicons/{name}", self.icon)
        self.routes.add("GET", "/photos/{owner}/{id}", self.photo_page)
        self.routes.add("GET", "/services/auth/list.gne", self.sync(self.authorizations))
        self.routes.add("POST", "/services/auth/list.gne", self.sync(self.remove_authorization))

    @staticmethod
    def sync(handler: Any) -> Any:
        async def run(call: Call) -> web.StreamResponse:
            response: web.StreamResponse = handler(call)
            return response

        return run

    async def handle(self, call: Call) -> web.StreamResponse:
        found = self.routes.find(call.method, call.path)
        if found is None:
            return web.Response(status=404, text="Not Found")
        handler, call.match = found
        return await handler(call)

    def configure(self, values: dict[str, Any]) -> None:
        for key in DEFAULT_SETTINGS:
            if key in values:
                self.settings[key] = int(values[key])

    def published(self) -> list[Published]:
        return [
            Published(p.owner.username, f"{p.title}\n{p.description}" if p.description else p.title, 1)
            for p in self.world.photos
        ]

    def accepts(self, token: str) -> bool:
        return token in self.world.oauth.tokens

    # REST ----------------------------------------------------------------------------------------

    async def rest(self, call: Call) -> web.Response:
        fmt, bare = call.text("format"), call.text("nojsoncallback") == "1"

        def answer(body: dict[str, Any]) -> web.Response:
            if fmt == "json":
                text = json.dumps(body)
                if not bare:
                    text = f"jsonFlickrApi({text})"
                return web.Response(text=text, content_type="application/json")
            if body.get("stat") == "fail":
                return rsp_xml(code=str(body["code"]))
            return rsp_xml("".join(_xml(k, v) for k, v in body.items() if k != "stat"))

        def fail(code: str) -> web.Response:
            return answer({"stat": "fail", "code": int(code), "message": MESSAGES[code]})

        checked = await self.world.oauth.check(call)
        if not isinstance(checked, Signed):
            return fail(code_of(checked))
        method = call.text("method") or ""
        handler, needs = {
            "flickr.test.login": (self.test_login, "read"),
            "flickr.people.getInfo": (self.people_info, ""),
            "flickr.people.getLimits": (self.limits, "read"),
            "flickr.people.getPhotos": (self.people_photos, ""),
            "flickr.photos.getInfo": (self.photo_info, ""),
            "flickr.photos.upload.checkTickets": (self.check_tickets, ""),
        }.get(method, (None, ""))
        if handler is None:
            return fail("112")
        access = checked.access
        if needs and (access is None or NEEDS[access.perms] < NEEDS[needs]):
            return fail("99")
        body = handler(call, access)
        if isinstance(body, str):
            return fail(body)
        return answer({**body, "stat": "ok"})

    def test_login(self, call: Call, access: Access | None) -> dict[str, Any] | str:
        assert access is not None
        who = access.user
        return {"user": {"id": nsid(who), "username": {"_content": who.username}, "path_alias": None}}

    def person(self, user_id: str | None, access: Access | None) -> people.User | None:
        if user_id == "me" and access is not None:
            return access.user
        return next((u for u in people.USERS if nsid(u) == user_id), None)

    def people_info(self, call: Call, access: Access | None) -> dict[str, Any] | str:
        who = self.person(call.text("user_id"), access)
        if who is None:
            return "1"
        icon = ICON_SERVER if who is people.DEFAULT_USER else "0"
        return {
            "person": {
                "id": nsid(who), "nsid": nsid(who), "ispro": 0, "is_deleted": 0,
                "iconserver": icon, "iconfarm": FARM if icon != "0" else 0, "path_alias": None,
                "username": {"_content": who.username}, "realname": {"_content": who.display_name},
                "description": {"_content": who.note},
                "photosurl": {"_content": f"https://www.flickr.com/photos/{nsid(who)}/"},
                "profileurl": {"_content": f"https://www.flickr.com/people/{nsid(who)}/"},
                "photos": {"count": {"_content": len([p for p in self.world.photos if p.owner == who])}},
            }
        }  # fmt: skip

    def limits(self, call: Call, access: Access | None) -> dict[str, Any] | str:
        assert access is not None
        s = self.settings
        return {
            "person": {
                "nsid": nsid(access.user),
                "photos": {"maxdisplaypx": "1024", "maxupload": str(s["photo_maxupload"])},
                "videos": {
                    "maxduration": str(s["video_maxduration"]),
                    "maxupload": str(s["video_maxupload"]),
                },
            }
        }

    def listed(self, photo: Photo, extras: str = "") -> dict[str, Any]:
        """A photo in a list, with the attributes of the recorded photos.search answers
        (tests/fixtures/recorded/flickr), ``dateupload`` only when asked for."""
        row: dict[str, Any] = {
            "id": photo.id, "owner": nsid(photo.owner), "secret": photo.id[-10:], "server": "65535",
            "farm": FARM, "title": photo.title, "ispublic": int(photo.is_public), "isfriend": 0,
            "isfamily": 0,
        }  # fmt: skip
        if "date_upload" in extras.split(","):
            row["dateupload"] = str(photo.uploaded)
        return row

    def people_photos(self, call: Call, access: Access | None) -> dict[str, Any] | str:
        who = self.person(call.text("user_id"), access)
        if who is None:
            return "1"
        since = int(call.text("min_upload_date") or 0)
        visible = access is not None and access.user == who
        mine = [
            p
            for p in reversed(self.world.photos)
            if p.owner == who and p.uploaded >= since and (visible or p.is_public == "1")
        ]
        per_page = max(1, min(500, int(call.text("per_page") or 100)))
        shown = mine[:per_page]
        listing = [self.listed(p, call.text("extras") or "") for p in shown]
        pages = max(1, -(-len(mine) // per_page))
        return {
            "photos": {"page": 1, "pages": pages, "perpage": per_page, "total": len(mine), "photo": listing}
        }

    def photo_info(self, call: Call, access: Access | None) -> dict[str, Any] | str:
        """The photo with the elements and attributes of the recorded photos.getInfo answer."""
        found = next((p for p in self.world.photos if p.id == call.text("photo_id")), None)
        if found is None:
            return "1"
        who, owner = found.owner, nsid(found.owner)
        icon = ICON_SERVER if who is people.DEFAULT_USER else "0"
        return {
            "photo": {
                "id": found.id, "secret": found.id[-10:], "server": "65535", "farm": FARM,
                "dateuploaded": str(found.uploaded), "isfavorite": 0, "license": "0",
                "safety_level": "0", "rotation": 0, "views": "0", "media": found.media,
                "owner": {
                    "nsid": owner, "username": who.username, "realname": who.display_name, "location": "",
                    "iconserver": icon, "iconfarm": FARM if icon != "0" else 0, "path_alias": "",
                },
                "title": {"_content": found.title}, "description": {"_content": found.description},
                "visibility": {"ispublic": int(found.is_public), "isfriend": 0, "isfamily": 0},
                "dates": {"posted": str(found.uploaded), "lastupdate": str(found.uploaded)},
                "urls": {"url": [{"type": "photopage", "_content": f"https://www.flickr.com/photos/{owner}/{found.id}/"}]},
            }
        }  # fmt: skip

    def check_tickets(self, call: Call, access: Access | None) -> dict[str, Any] | str:
        tickets = []
        for ticket_id in (call.text("tickets") or "").split(","):
            ticket = self.world.tickets.get(ticket_id.strip())
            if ticket is None:
                tickets.append({"id": ticket_id, "invalid": 1})
            elif ticket.checks_left > 0:
                ticket.checks_left -= 1
                tickets.append({"id": ticket.id, "complete": 0})
            else:
                tickets.append({"id": ticket.id, "complete": 1, "photoid": ticket.photo.id, "imported": "0"})
        return {"uploader": {"ticket": tickets}}

    # Upload --------------------------------------------------------------------------------------

    async def upload(self, call: Call) -> web.Response:
        if call.request.content_type != "multipart/form-data":
            return rsp_xml(code="2")
        checked = await self.world.oauth.check(call)
        if not isinstance(checked, Signed):
            return rsp_xml(code=code_of(checked))
        access = checked.access
        if access is None or NEEDS[access.perms] < NEEDS["write"]:
            return rsp_xml(code="99")
        photo = call.params.get("photo")
        if not isinstance(photo, web.FileField):
            return rsp_xml(code="2")
        handle = photo.file
        head = handle.read(16)
        handle.seek(0, 2)
        size = handle.tell()
        if size == 0:
            return rsp_xml(code="4")
        media = kind_of(head)
        if media is None:
            return rsp_xml(code="5")
        s = self.settings
        if size > int(s["photo_maxupload" if media == "photo" else "video_maxupload"]):
            return rsp_xml(code="8")
        if len([p for p in self.world.photos if p.owner == access.user]) >= int(s["upload_quota"]):
            return rsp_xml(code="6")
        made = Photo(
            id=str(52_000_000_000 + secrets.randbelow(999_999_999)),
            owner=access.user,
            title=call.text("title") or "",
            description=call.text("description") or "",
            tags=call.text("tags") or "",
            media=media,
            uploaded=int(self.clock.now()),
            is_public=call.text("is_public") or "1",
        )
        self.world.photos.append(made)
        if call.text("async") == "1":
            ticket = Ticket(f"{secrets.randbelow(10**8)}-72157", made, int(s["ticket_checks"]))
            self.world.tickets[ticket.id] = ticket
            return rsp_xml(f"<ticketid>{ticket.id}</ticketid>")
        return rsp_xml(f"<photoid>{made.id}</photoid>")

    # Pages -----------------------------------------------------------------------------------------

    def authorizations(self, call: Call) -> web.Response:
        """Flickr's "apps you're using" page (``?user=`` picks the demo user, alice by default):
        where a person removes linkdeck, Flickr having no revoke call."""
        who = people.user(call.text("user"))
        if who is None:
            return page("Page Not Found", "<h1>Unknown user.</h1>", 404)
        perms = sorted({a.perms for a in self.world.oauth.tokens.values() if a.user == who})
        apps = [(DEMO_KEY, "linkdeck", perms)] if perms else []
        return pages.authorized_apps(f"{call.prefix}/services/auth/list.gne", "Flickr", call.host, who, apps)

    def remove_authorization(self, call: Call) -> web.Response:
        who = people.user(call.text("user"))
        if who is not None and call.text("client_id") == DEMO_KEY:
            tokens = self.world.oauth.tokens
            for token in [t for t, access in tokens.items() if access.user == who]:
                del tokens[token]
        return self.authorizations(call)

    async def icon(self, call: Call) -> web.Response:
        name = call.match.get("name", "").removesuffix(".jpg")
        who = next((u for u in people.USERS if nsid(u) == name), None)
        png = people.avatar_png(who.username if who else "")
        return web.Response(body=png, content_type="image/png")

    async def photo_page(self, call: Call) -> web.Response:
        found = next((p for p in self.world.photos if p.id == call.match["id"]), None)
        if found is None:
            return page("Page Not Found", "<h1>This page is private or not found.</h1>", 404)
        text = f"<h1>{html.escape(found.title)}</h1><p>{html.escape(found.description)}</p>"
        return page(found.title or found.id, text)


EMULATOR = FlickrServer
HOSTS = (WWW, API, UP, ICONS)
FIRST_LABELS: tuple[str, ...] = ()
CATCH_ALL = False
# The contract tests and the demo link Alice with the sandbox's API key and secret.
DEMO = SandboxDemo(host=UP, create_path="/services/upload/", client_id=DEMO_KEY, client_secret=DEMO_SECRET)
