"""The emulated Pinterest (API v5): consent on ``www.pinterest.com/oauth/``, the API on
``api.pinterest.com/v5``, video uploads on its S3 bucket, avatars on ``i.pinimg.com``.

Shapes from pinterest/api-description@c05b189 ``v5/openapi.yaml`` (the PI source in
shared/reference), strict where linkdeck could get it wrong; OAuth and the shared memory are in
:mod:`.sandbox_oauth`, video uploads in :mod:`.sandbox_media`.

- ``GET /v5/user_account`` (user_accounts:read), ``GET /v5/boards`` (boards:read; ``page_size``
  and a ``bookmark`` to the next page): alice has two boards, bob one.
- ``POST /v5/pins`` (boards:read boards:write pins:read pins:write): ``board_id`` numeric and the
  user's own (404 "Board not found."); title ≤ 100, description ≤ 800, alt_text ≤ 500, link ≤
  2,048; ``media_source`` one of ``image_base64`` (``content_type`` image/jpeg or image/png, the
  data valid base64 whose bytes are that type, ≤ ``image_max_bytes``), ``multiple_image_base64``
  (2–5 such items) or ``video_id`` (this user's media, ``succeeded``, with a cover: an image URL,
  base64 data with its type, or a key frame time); ``image_url`` is refused here (the sandbox
  fetches nothing). With ``trial_access`` set (``POST /__sandbox__/instance``) every new Pin gets
  the recorded Trial refusal, code 29 (networks-2026.md §9, PZI #1084; HTTP 403 assumed).
  Validation errors are 400 ``{"code": 1, "message": …}`` (Pinterest's words: unverified).
- ``GET /v5/pins/{id}``, ``GET /v5/boards/{id}/pins`` (newest first).
- Video: ``POST /v5/media``, the S3 form upload and ``GET /v5/media/{id}``, in
  :mod:`.sandbox_media`.
- ``POST /v5/oauth/token/revoke`` refuses user tokens (system users only).
- Errors for the bearer: 401 ``{"code": 2, "message": "Authentication failed."}``; a missing
  scope 401 code 3 (unverified).
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from providers.emulation import people
from providers.emulation.framework import Call, Emulator, Published, Routes, SandboxDemo, json_reply
from providers.emulation.grants import Clock, Issued
from providers.media.sniff import HEAD_BYTES, mime_type
from providers.networks.pinterest.sandbox_media import UPLOAD_HOST, VideoMedia, invalid
from providers.networks.pinterest.sandbox_oauth import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    Board,
    Pin,
    PinterestState,
    state_for,
)

API_HOST = "api.pinterest.com"
WWW_HOST = "www.pinterest.com"
AVATAR_HOST = "i.pinimg.com"
DEFAULT_SETTINGS: dict[str, Any] = {
    "trial_access": False,
    "processing_polls": 1,
    "image_max_bytes": 20_000_000,
}
TRIAL_MESSAGE = (
    "Apps with Trial access may not create Pins in production https://api.pinterest.com - "
    "use API Sandbox https://api-sandbox.pinterest.com instead."
)  # verbatim, networks-2026.md §9 (PZI #1084)
PIN_SCOPES = ("boards:read", "boards:write", "pins:read", "pins:write")
LIMITS = {"title": 100, "description": 800, "alt_text": 500, "link": 2048}


def default_boards() -> list[Board]:
    alice, bob = people.USERS[0].id, people.USERS[1].id
    return [
        Board("549755885175", "Harbour photos", alice),
        Board("549755885176", "Recipes to try", alice),
        Board("549755885177", "Sketches", bob),
    ]


class PinterestServer(VideoMedia, Emulator):
    kind = "pinterest"
    network = "Pinterest"

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.state: PinterestState = state_for(clock, default_boards(), dict(DEFAULT_SETTINGS))
        self.settings = self.state.settings
        self.oauth = self.state.oauth
        self.routes = Routes()
        for method, path, handler in (
            ("GET", "/oauth", self.authorize),
            ("POST", "/oauth/authorize", self.decide),
            ("POST", "/v5/oauth/token", self.token),
            ("POST", "/v5/oauth/token/revoke", self.revoke),
            ("GET", "/v5/user_account", self.user_account),
            ("GET", "/v5/boards", self.list_boards),
            ("GET", "/v5/boards/{board_id}/pins", self.board_pins),
            ("GET", "/v5/boards/{board_id}", self.get_board),
            ("POST", "/v5/pins", self.create_pin),
            ("GET", "/v5/pins/{pin_id}", self.get_pin),
            ("POST", "/v5/media", self.register_media),
            ("GET", "/v5/media/{media_id}", self.get_media),
            ("GET", "/75x75_RS/{file}", self.avatar),
        ):
            self.routes.add(method, path, handler)

    # The emulator protocol -------------------------------------------------------------------------

    async def handle(self, call: Call) -> web.StreamResponse:
        if self.host == UPLOAD_HOST and call.method == "POST" and call.path == "/":
            return await self.s3_upload(call)
        found = self.routes.find(call.method, call.path)
        if found is None:
            return invalid("Not found.", 404, 404)
        handler, call.match = found
        return await handler(call)

    def configure(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if key in DEFAULT_SETTINGS:
                self.settings[key] = bool(value) if key == "trial_access" else int(value)

    def published(self) -> list[Published]:
        """The Pins (title and description as one text), listed by the API host only: the other
        Pinterest hosts share its memory."""
        if self.host != API_HOST:
            return []
        return [
            Published(pin.owner, "\n".join(t for t in (pin.title, pin.description) if t), pin.media_count)
            for pin in self.state.pins
        ]

    def accepts(self, token: str) -> bool:
        return self.oauth.accepts(token)

    # OAuth ------------------------------------------------------------------------------------------

    async def authorize(self, call: Call) -> web.Response:
        return self.oauth.authorize(call)

    async def decide(self, call: Call) -> web.Response:
        return self.oauth.decide(call)

    async def token(self, call: Call) -> web.Response:
        return self.oauth.token(call)

    async def revoke(self, call: Call) -> web.Response:
        return self.oauth.revoke_user_token(call)

    def signed_in(self, call: Call, *scopes: str) -> people.User | web.Response:
        issued = self.oauth.authenticate(call)
        if not isinstance(issued, Issued) or issued.user_id is None:
            return invalid("Authentication failed.", 401, 2)
        if any(s not in issued.scopes for s in scopes):
            return invalid("Authorization failed.", 401, 3)
        who = people.user_by_id(issued.user_id)
        return who if who is not None else invalid("Authentication failed.", 401, 2)

    # Accounts and boards ----------------------------------------------------------------------------

    async def user_account(self, call: Call) -> web.Response:
        who = self.signed_in(call, "user_accounts:read")
        if isinstance(who, web.Response):
            return who
        boards = [b for b in self.state.boards if b.owner == who.id]
        return json_reply(
            {
                "account_type": "PINNER",
                "id": who.id,
                "username": who.username,
                "about": who.note,
                "profile_image": f"https://{AVATAR_HOST}/75x75_RS/{who.username}.png",
                "website_url": "",
                "board_count": len(boards),
                "pin_count": sum(1 for p in self.state.pins if p.owner == who.id),
                "follower_count": 0,
                "following_count": 0,
                "monthly_views": 0,
            }
        )

    async def list_boards(self, call: Call) -> web.Response:
        who = self.signed_in(call, "boards:read")
        if isinstance(who, web.Response):
            return who
        mine = [b for b in self.state.boards if b.owner == who.id]
        size = max(1, min(250, int(call.text("page_size") or 25)))
        start = int(call.text("bookmark") or 0)
        page = mine[start : start + size]
        items = [self.board_json(b, who) for b in page]
        bookmark = str(start + size) if start + size < len(mine) else None
        return json_reply({"items": items, "bookmark": bookmark})

    @staticmethod
    def board_json(board: Board, who: people.User) -> dict[str, Any]:
        return {
            "id": board.id,
            "name": board.name,
            "description": "",
            "privacy": "PUBLIC",
            "owner": {"username": who.username},
        }

    async def get_board(self, call: Call) -> web.Response:
        who = self.signed_in(call, "boards:read")
        if isinstance(who, web.Response):
            return who
        board = self._board(call.match["board_id"], who)
        return json_reply(self.board_json(board, who)) if board else invalid("Board not found.", 404, 404)

    async def board_pins(self, call: Call) -> web.Response:
        who = self.signed_in(call, "boards:read", "pins:read")
        if isinstance(who, web.Response):
            return who
        board = self._board(call.match["board_id"], who)
        if board is None:
            return invalid("Board not found.", 404, 404)
        pins = [p for p in reversed(self.state.pins) if p.board_id == board.id]
        size = max(1, min(250, int(call.text("page_size") or 25)))
        return json_reply({"items": [self.pin_json(p) for p in pins[:size]], "bookmark": None})

    def _board(self, board_id: str, who: people.User) -> Board | None:
        return next((b for b in self.state.boards if b.id == board_id and b.owner == who.id), None)

    # Pins -------------------------------------------------------------------------------------------

    def pin_json(self, pin: Pin) -> dict[str, Any]:
        created = datetime.fromtimestamp(pin.created_at, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return {
            "id": pin.id,
            "created_at": created,
            "link": pin.link,
            "title": pin.title,
            "description": pin.description,
            "alt_text": pin.alt_text,
            "board_id": pin.board_id,
            "board_section_id": None,
            "board_owner": {"username": (people.user_by_id(pin.owner) or people.DEFAULT_USER).username},
            "is_owner": True,
            "is_standard": True,
            "media": {"media_type": pin.media_type},
            "parent_pin_id": None,
        }

    async def get_pin(self, call: Call) -> web.Response:
        who = self.signed_in(call, "pins:read")
        if isinstance(who, web.Response):
            return who
        pin = next((p for p in self.state.pins if p.id == call.match["pin_id"] and p.owner == who.id), None)
        return json_reply(self.pin_json(pin)) if pin is not None else invalid("Pin not found.", 404, 50)

    async def create_pin(self, call: Call) -> web.Response:
        who = self.signed_in(call, *PIN_SCOPES)
        if isinstance(who, web.Response):
            return who
        if call.request.content_type != "application/json":
            return invalid("Request body must be JSON.")
        if self.settings["trial_access"]:
            return invalid(TRIAL_MESSAGE, 403, 29)
        params = call.params
        board_id = params.get("board_id")
        if not isinstance(board_id, str) or not board_id.isdigit():
            return invalid("board_id: must be the board's numeric id.")
        for key, limit in LIMITS.items():
            value = params.get(key)
            if value is not None and (not isinstance(value, str) or len(value) > limit):
                return invalid(f"{key}: ensure this value has at most {limit} characters.")
        board = self._board(board_id, who)
        if board is None:
            return invalid("Board not found.", 404, 404)
        source = params.get("media_source")
        if not isinstance(source, dict):
            return invalid("media_source: a Pin needs an image or a video.")
        checked = self._media_source(source, who)
        if isinstance(checked, web.Response):
            return checked
        media_type, count = checked
        self.state.next_id += 1
        pin = Pin(
            id=str(self.state.next_id),
            owner=who.id,
            board_id=board.id,
            title=str(params.get("title") or ""),
            description=str(params.get("description") or ""),
            alt_text=params.get("alt_text"),
            link=params.get("link"),
            media_type=media_type,
            media_count=count,
            created_at=self.clock.now(),
        )
        self.state.pins.append(pin)
        return json_reply(self.pin_json(pin), 201)

    def _media_source(self, source: dict[str, Any], who: people.User) -> tuple[str, int] | web.Response:
        kind = source.get("source_type")
        if kind == "image_base64":
            problem = self._image(source, "media_source")
            return invalid(problem) if problem else ("image", 1)
        if kind == "multiple_image_base64":
            items = source.get("items")
            if not isinstance(items, list) or not 2 <= len(items) <= 5:
                return invalid("media_source.items: 2 to 5 images.")
            for number, item in enumerate(items):
                problem = self._image(item if isinstance(item, dict) else {}, f"media_source.items[{number}]")
                if problem:
                    return invalid(problem)
            return "multiple_images", len(items)
        if kind == "video_id":
            media = self.state.media.get(str(source.get("media_id") or ""))
            if media is None or media.owner != who.id:
                return invalid("media_source.media_id: media not found.")
            if media.status != "succeeded":
                return invalid(f"media_source.media_id: the media is {media.status}, not succeeded.")
            has_cover = (
                isinstance(source.get("cover_image_url"), str)
                or isinstance(source.get("cover_image_key_frame_time"), int)
                or (
                    isinstance(source.get("cover_image_data"), str)
                    and source.get("cover_image_content_type") in ("image/jpeg", "image/png")
                )
            )
            return ("video", 1) if has_cover else invalid("media_source: a video Pin needs a cover image.")
        if kind in ("image_url", "multiple_image_urls", "pin_url"):
            return invalid(
                f"media_source.source_type: {kind} needs a public URL; the sandbox fetches nothing."
            )
        return invalid("media_source.source_type: unknown source type.")

    def _image(self, item: dict[str, Any], where: str) -> str:
        content_type, data = item.get("content_type"), item.get("data")
        if content_type not in ("image/jpeg", "image/png"):
            return f"{where}.content_type: must be one of image/jpeg, image/png."
        if not isinstance(data, str) or not data:
            return f"{where}.data: required."
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            return f"{where}.data: not valid base64."
        if mime_type(raw[:HEAD_BYTES]) != content_type:
            return f"{where}.data: the image is not {content_type}."
        if len(raw) > int(self.settings["image_max_bytes"]):
            return f"{where}.data: the image is larger than {self.settings['image_max_bytes']} bytes."
        return ""

    async def avatar(self, call: Call) -> web.Response:
        return web.Response(
            body=people.avatar_png(call.match["file"].removesuffix(".png")), content_type="image/png"
        )


EMULATOR = PinterestServer
HOSTS = (API_HOST, WWW_HOST, UPLOAD_HOST, AVATAR_HOST)
FIRST_LABELS: tuple[str, ...] = ()
CATCH_ALL = False
DEMO = SandboxDemo(
    host=API_HOST,
    create_path="/v5/pins",
    client_id=DEMO_CLIENT_ID,
    client_secret=DEMO_CLIENT_SECRET,
)
