"""The emulated Telegram Bot API (``api.telegram.org``): ``/bot<token>/<method>``.

Shaped like the Bot API's documentation (core.telegram.org/bots/api) and the shapes
python-telegram-bot 22.8 parses (tests/test_fidelity_telegram.py points it here with
``base_url``); no Bot API server can run here (tdlib/telegram-bot-api needs Telegram's network):

- every answer is ``{"ok": true, "result": …}`` or ``{"ok": false, "error_code", "description"
  [, "parameters"]}``; a token the server does not know (or one revoked, as BotFather's /revoke
  does: ``POST /__sandbox__/instance {"host": "api.telegram.org", "revoke": TOKEN}``) is 401
  "Unauthorized", a path that is not ``/bot<token>/<method>`` or an unknown method 404 "Not Found";
- parameters come as the Bot API takes them: query string, urlencoded or multipart form, JSON;
  nested ones (``media``) JSON-serialized in forms;
- ``getMe``, ``getUpdates`` (the demo bot's last day: added as an administrator to the public
  channel @harbour_news, a member of the private supergroup "Harbour crew", removed from
  @old_harbour, and a /start in a private chat from Alice), ``getChat``, ``getChatMember``;
- ``sendMessage`` (text 1–4,096), ``sendPhoto``, ``sendVideo``, ``sendMediaGroup`` (2–10 photos
  and videos, ``attach://<part>``), captions ≤ 1,024; the chat by id or @username (400 "chat not
  found"); the bot must be allowed to post there (403 "bot is not a member of the channel chat",
  400 "need administrator rights in the channel chat"); an uploaded photo must be an image;
  ``POST /__sandbox__/instance {"host": "api.telegram.org", "standing": {CHAT_ID: "kicked"}}``
  changes where the bot stands in a chat;
- flood control: more than ``per_chat_per_minute`` (settings, 20) messages to one chat in a minute
  answer 429 "Too Many Requests: retry after N" with ``parameters.retry_after``; an album that
  crosses the limit part-way leaves its first items in the chat and answers 400 "failed to send
  message #N with the error message …" (seen from the real server: rubenlagus/TelegramBots#1520).

Where it differs on purpose or without a source: the words for a photo over 10 MB, an album of the
wrong size and an ``attach://`` part that is missing are this sandbox's (the real server's words for
those were not found); message ids count from 1 per sandbox, not per chat; no file downloads.
"""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from providers.emulation.framework import Call, Emulator, Published, Routes, SandboxDemo, json_reply
from providers.emulation.grants import Clock
from providers.media.model import MediaKind
from providers.media.sniff import HEAD_BYTES, sniff

BOT_ID = 7000000001
DEMO_TOKEN = f"{BOT_ID}:AAE-sandbox-demo-bot-token-01234567"
BOT = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "linkdeck demo",
    "username": "linkdeck_demo_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}
ALICE = {"id": 100000001, "is_bot": False, "first_name": "Alice", "last_name": "Example", "username": "alice"}
CHATS: tuple[dict[str, Any], ...] = (
    {"id": -1001000000001, "type": "channel", "title": "Harbour News", "username": "harbour_news"},
    {"id": -1001000000002, "type": "supergroup", "title": "Harbour crew"},
    {"id": -1001000000003, "type": "channel", "title": "Old harbour archive", "username": "old_harbour"},
    {
        "id": ALICE["id"],
        "type": "private",
        "first_name": "Alice",
        "last_name": "Example",
        "username": "alice",
    },
)
ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_messages": True,
    "can_edit_messages": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
}
# The bot's standing in each chat (core.telegram.org/bots/api#chatmember).
STANDING = {-1001000000001: "administrator", -1001000000002: "member", -1001000000003: "left"}
DEFAULT_SETTINGS: dict[str, Any] = {
    "per_chat_per_minute": 20,
    "caption_max": 1024,
    "text_max": 4096,
    "photo_max_bytes": 10_000_000,
    "upload_max_bytes": 50_000_000,
    "updates": 1,  # 0: the bot has seen nothing in the last day (getUpdates answers [])
    "webhook": 0,  # 1: the bot has a webhook, so getUpdates answers 409
}
MEDIA_KINDS = ("photo", "video")
_TOKEN_IN_PATH = re.compile(r"/bot[^/]+/")


class Refusal(Exception):
    """A Bot API error answer."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters

    def reply(self) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return json_reply(body, self.code)


@dataclass
class Sent:
    chat_id: int
    message_ids: list[int]
    text: str
    media: int
    at: float = field(default_factory=time.time)


class TelegramServer(Emulator):
    kind = "telegram"
    network = "Telegram"

    def __init__(self, host: str, clock: Clock) -> None:
        super().__init__(host, clock)
        self.settings = dict(DEFAULT_SETTINGS)
        self.tokens: dict[str, dict[str, Any]] = {DEMO_TOKEN: BOT}
        self.standing: dict[int, str] = dict(STANDING)
        self.sent: list[Sent] = []
        self.next_message_id = 1
        self.routes = Routes()
        for method, handler in (
            ("getMe", self.get_me),
            ("getUpdates", self.get_updates),
            ("getChat", self.get_chat),
            ("getChatMember", self.get_chat_member),
            ("sendMessage", self.send_message),
            ("sendPhoto", self.send_one),
            ("sendVideo", self.send_one),
            ("sendMediaGroup", self.send_media_group),
        ):
            self.routes.add("*", f"/{{token}}/{method}", handler)

    # The emulator protocol ------------------------------------------------------------------------

    def accepts(self, token: str) -> bool:
        return token in self.tokens

    def configure(self, values: dict[str, Any]) -> None:
        self.settings.update({k: int(v) for k, v in values.items() if k in DEFAULT_SETTINGS})
        revoked = values.get("revoke")
        if isinstance(revoked, str):
            self.tokens.pop(revoked, None)  # as /revoke in @BotFather: the old token stops at once
        standing = values.get("standing")  # {chat id: "administrator" | "member" | "left" | "kicked"}
        if isinstance(standing, dict):
            self.standing.update({int(k): str(v) for k, v in standing.items()})

    def shown_path(self, path: str) -> str:
        return _TOKEN_IN_PATH.sub("/bot<token>/", path)

    def published(self) -> list[Published]:
        return [Published(str(BOT["username"]), s.text, s.media) for s in self.sent]

    async def handle(self, call: Call) -> web.StreamResponse:
        found = self.routes.find(call.method, call.path)
        segment = call.path.split("/")[1] if call.path.count("/") >= 2 else ""
        if not segment.startswith("bot"):
            return Refusal(404, "Not Found").reply()
        if segment[3:] not in self.tokens:
            return Refusal(401, "Unauthorized").reply()
        if found is None:
            return Refusal(404, "Not Found").reply()
        handler, call.match = found
        try:
            return await handler(call)
        except Refusal as refusal:
            return refusal.reply()

    # Reading ---------------------------------------------------------------------------------------

    async def get_me(self, call: Call) -> web.Response:
        return _ok(BOT)

    async def get_updates(self, call: Call) -> web.Response:
        now = int(self.clock.now())
        channel, group, archive, private = CHATS
        updates = [
            {"my_chat_member": _membership(channel, now - 7200, "left", "administrator")},
            {
                "channel_post": {
                    "message_id": 1,
                    "date": now - 7000,
                    "chat": channel,
                    "sender_chat": channel,
                    "text": "Welcome to Harbour News",
                }
            },
            {
                "message": {
                    "message_id": 2,
                    "date": now - 5000,
                    "chat": group,
                    "from": ALICE,
                    "text": "Morning, crew",
                }
            },
            {"my_chat_member": _membership(archive, now - 4000, "administrator", "left")},
            {
                "message": {
                    "message_id": 3,
                    "date": now - 3000,
                    "chat": private,
                    "from": ALICE,
                    "text": "/start",
                }
            },
        ]
        if self.settings["webhook"]:
            raise Refusal(409, "Conflict: can't use getUpdates method while webhook is active")
        if not self.settings["updates"]:
            return _ok([])
        limit = _int(call.text("limit"), 100)
        return _ok([{"update_id": 500000001 + i, **u} for i, u in enumerate(updates)][:limit])

    async def get_chat(self, call: Call) -> web.Response:
        chat = self._chat(call)
        return _ok({**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": _NO_GIFTS})

    async def get_chat_member(self, call: Call) -> web.Response:
        chat = self._chat(call)
        user = _int(call.text("user_id"), 0)
        if user != BOT_ID:
            if user == ALICE["id"] and chat["type"] != "channel":
                return _ok({"status": "member", "user": ALICE})
            raise Refusal(400, "Bad Request: user not found")
        status = self.standing.get(chat["id"], "member")
        if chat["type"] == "private":
            raise Refusal(400, "Bad Request: there are no administrators in the private chat")
        rights = ADMIN_RIGHTS if status == "administrator" else {}
        return _ok({"status": status, "user": BOT, **rights})

    def _chat(self, call: Call) -> dict[str, Any]:
        wanted = (call.text("chat_id") or "").strip()
        if not wanted:
            raise Refusal(400, "Bad Request: chat_id is empty")
        for chat in CHATS:
            named = wanted.startswith("@") and chat["type"] != "private"
            if named and wanted[1:].lower() == str(chat.get("username", "")).lower():
                return dict(chat)
            if wanted == str(chat["id"]):
                return dict(chat)
        raise Refusal(400, "Bad Request: chat not found")

    # Sending -------------------------------------------------------------------------------------

    def _may_post(self, chat: Mapping[str, Any]) -> int:
        """How many messages the bot may send to ``chat`` now (at least 1), or the refusal."""
        standing = self.standing.get(int(chat["id"]), "member")
        place = f"{chat['type']} chat" if chat["type"] != "private" else "chat"
        if standing == "left":
            raise Refusal(403, f"Forbidden: bot is not a member of the {place}")
        if standing == "kicked":
            raise Refusal(403, f"Forbidden: bot was kicked from the {place}")
        if chat["type"] == "channel" and standing != "administrator":
            raise Refusal(400, "Bad Request: need administrator rights in the channel chat")
        window = self.clock.now() - 60
        recent = [s for s in self.sent if s.chat_id == chat["id"] and s.at > window]
        count = sum(len(s.message_ids) for s in recent)
        if count >= self.settings["per_chat_per_minute"]:
            raise Refusal(
                429, f"Too Many Requests: retry after {self._wait(chat)}", {"retry_after": self._wait(chat)}
            )
        return int(self.settings["per_chat_per_minute"]) - count

    def _wait(self, chat: Mapping[str, Any]) -> int:
        """Seconds until the oldest message to ``chat`` in the last minute leaves the window."""
        window = self.clock.now() - 60
        oldest = min((s.at for s in self.sent if s.chat_id == chat["id"] and s.at > window), default=window)
        return max(1, int(oldest + 60 - self.clock.now()) + 1)

    def _caption(self, call: Call, name: str = "caption") -> str:
        caption = call.text(name) or ""
        if len(caption) > self.settings["caption_max"]:
            raise Refusal(400, "Bad Request: message caption is too long")
        return caption

    def _message(self, chat: Mapping[str, Any], **content: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self.next_message_id,
            "date": int(self.clock.now()),
            "chat": dict(chat),
            **{k: v for k, v in content.items() if v not in (None, "")},
        }
        if chat["type"] == "channel":
            message["sender_chat"] = dict(chat)
        else:
            message["from"] = BOT
        self.next_message_id += 1
        return message

    def _record(self, chat: Mapping[str, Any], messages: list[dict[str, Any]], text: str, media: int) -> None:
        ids = [int(m["message_id"]) for m in messages]
        self.sent.append(Sent(int(chat["id"]), ids, text, media, self.clock.now()))

    async def send_message(self, call: Call) -> web.Response:
        chat = self._chat(call)
        text = call.text("text") or ""
        if not text.strip():
            raise Refusal(400, "Bad Request: message text is empty")
        if len(text) > self.settings["text_max"]:
            raise Refusal(400, "Bad Request: message is too long")
        self._may_post(chat)
        message = self._message(chat, text=text)
        self._record(chat, [message], text, 0)
        return _ok(message)

    async def send_one(self, call: Call) -> web.Response:
        kind = "video" if call.path.endswith("/sendVideo") else "photo"
        chat = self._chat(call)
        caption = self._caption(call)
        upload = self._file(call, call.params.get(kind), kind)
        self._may_post(chat)
        message = self._message(chat, caption=caption, **{kind: _media_object(kind, upload)})
        self._record(chat, [message], caption, 1)
        return _ok(message)

    async def send_media_group(self, call: Call) -> web.Response:
        chat = self._chat(call)
        raw = call.params.get("media")
        try:
            media = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            raise Refusal(400, "Bad Request: can't parse media JSON object") from None
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise Refusal(400, "Bad Request: an album must have 2-10 items")
        items = []
        for item in media:
            kind = item.get("type") if isinstance(item, dict) else None
            if kind not in MEDIA_KINDS:
                raise Refusal(400, f"Bad Request: media group of {kind} is not supported here")
            reference = str(item.get("media") or "")
            part = (
                call.params.get(reference.removeprefix("attach://"))
                if reference.startswith("attach://")
                else None
            )
            if reference.startswith("attach://") and part is None:
                raise Refusal(400, "Bad Request: can't parse InputMedia: media not found")
            caption = str(item.get("caption") or "")
            if len(caption) > self.settings["caption_max"]:
                raise Refusal(400, "Bad Request: message caption is too long")
            items.append((kind, self._file(call, part, kind), caption))
        room = self._may_post(chat)
        group = str(10**17 + self.next_message_id)
        messages = [
            self._message(chat, media_group_id=group, caption=caption, **{kind: _media_object(kind, upload)})
            for kind, upload, caption in items[:room]
        ]
        self._record(chat, messages, next((c for _, _, c in items if c), ""), len(messages))
        if room < len(items):  # the items go out one by one: flood control stops it part-way
            flood = f'"Too Many Requests: retry after {self._wait(chat)}"'
            raise Refusal(
                400, f"Bad Request: failed to send message #{room + 1} with the error message {flood}"
            )
        return _ok(messages)

    def _file(self, call: Call, value: object, kind: str) -> bytes:
        """The bytes of an uploaded file (a multipart part); a string (a file_id or an URL) is
        refused: the sandbox keeps no files and reaches no URLs."""
        if isinstance(value, str) or value is None:
            raise Refusal(400, "Bad Request: wrong file identifier/HTTP URL specified")
        data: bytes = value.file.read() if hasattr(value, "file") else b""
        if len(data) > self.settings["upload_max_bytes"]:
            raise Refusal(413, "Request Entity Too Large")
        found, _ = sniff(data[:HEAD_BYTES])
        if kind == "photo":
            if found is not MediaKind.IMAGE:
                raise Refusal(400, "Bad Request: IMAGE_PROCESS_FAILED")
            if len(data) > self.settings["photo_max_bytes"]:
                raise Refusal(400, "Bad Request: photo is too big (at most 10 MB)")
        return data


_NO_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
}


def _membership(chat: Mapping[str, Any], date: int, old: str, new: str) -> dict[str, Any]:
    rights = ADMIN_RIGHTS if new == "administrator" else {}
    return {
        "chat": dict(chat),
        "from": ALICE,
        "date": date,
        "old_chat_member": {"status": old, "user": BOT},
        "new_chat_member": {"status": new, "user": BOT, **rights},
    }


def _media_object(kind: str, data: bytes) -> Any:
    width, height = _size(data)
    unique = f"{len(data):x}{sum(data[:4096]) % 65536:x}"
    if kind == "video":
        return {
            "file_id": f"BAAC{unique}",
            "file_unique_id": f"AgA{unique}",
            "width": width or 640,
            "height": height or 360,
            "duration": 1,
            "mime_type": "video/mp4",
            "file_size": len(data),
        }
    sizes = [(min(width, 90), min(height, 90)), (width, height)]
    return [
        {
            "file_id": f"AgAC{unique}{i}",
            "file_unique_id": f"AQA{unique}{i}",
            "width": w,
            "height": h,
            "file_size": len(data) if i else len(data) // 10,
        }
        for i, (w, h) in enumerate(sizes)
    ]


def _size(data: bytes) -> tuple[int, int]:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:  # not an image Pillow reads (a video): no size
        return 0, 0


def _ok(result: Any) -> web.Response:
    return json_reply({"ok": True, "result": result})


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


EMULATOR = TelegramServer
HOSTS = ("api.telegram.org",)
FIRST_LABELS: tuple[str, ...] = ()
CATCH_ALL = False
# The contract tests and the demo paste the demo bot's token and choose the first chat offered
# (the public channel @harbour_news, so every post there has a link).
DEMO = SandboxDemo(
    host="api.telegram.org", create_path="/bot*/send*", fields={"token": DEMO_TOKEN, "chat": ""}
)
