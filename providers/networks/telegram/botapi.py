"""The Bot API as linkdeck's sign-in and publisher call it: ``{api_base}/bot<token>/<method>``,
answers ``{"ok": true, "result": …}`` or ``{"ok": false, "error_code", "description",
"parameters": {"retry_after", "migrate_to_chat_id"}}`` (core.telegram.org/bots/api "Making
requests"; python-telegram-bot@1183d40 ``telegram/request/_baserequest.py`` reads the same keys).

The token is part of the URL path, so no address built here is ever logged, shown or put into an
exception: :class:`BotApiError` carries the method name and Telegram's words only.

Also here, because the sign-in and the publisher both need them: what a chat is called in a
chooser and where a message in it can be seen (:func:`chat_label`, :func:`message_link`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

API_BASE = "https://api.telegram.org"
# A bot token as @BotFather gives it: the bot's numeric id, a colon, 35 URL-safe characters
# (core.telegram.org/bots/features#botfather: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw").
TOKEN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,64}$")
# Chat types (core.telegram.org/bots/api#chat): where a message has a public or members' link.
CHANNEL, SUPERGROUP, GROUP, PRIVATE = "channel", "supergroup", "group", "private"


def method_url(token: str, method: str, api_base: str = API_BASE) -> str:
    return f"{api_base.rstrip('/')}/bot{token}/{method}"


class BotApiError(Exception):
    """A Bot API refusal: its ``error_code`` (the HTTP status), Telegram's ``description`` and,
    for flood control, ``retry_after`` seconds. Never holds the URL (it carries the token)."""

    def __init__(
        self, method: str, code: int, description: str, parameters: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(f"{method}: {code} {description}")
        self.method, self.code, self.description = method, code, description
        self.parameters = dict(parameters or {})

    @property
    def retry_after(self) -> float | None:
        value = self.parameters.get("retry_after")
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def answer_of(body: object) -> tuple[bool, Any, int, str, dict[str, Any]]:
    """(ok, result, error_code, description, parameters) of a Bot API answer's JSON."""
    if not isinstance(body, dict):
        return False, None, 0, "", {}
    code = body.get("error_code")
    description = body.get("description")
    parameters = body.get("parameters")
    return (
        body.get("ok") is True,
        body.get("result"),
        code if isinstance(code, int) and not isinstance(code, bool) else 0,
        description if isinstance(description, str) else "",
        parameters if isinstance(parameters, dict) else {},
    )


def chat_kind(chat: Mapping[str, Any]) -> str:
    """The linkdeck target kind of a Telegram chat: a channel, or a chat (groups, private chats)."""
    return "channel" if chat.get("type") == CHANNEL else "chat"


def chat_label(chat: Mapping[str, Any]) -> str:
    """A chat as the chooser and the card name it: its title and @username, or what it is."""
    kind = str(chat.get("type") or "")
    title = str(chat.get("title") or "").strip()
    if kind == PRIVATE:
        person = " ".join(str(chat.get(k) or "") for k in ("first_name", "last_name")).strip()
        title = f"private chat with {person or 'someone'}"
    username = chat.get("username")
    if isinstance(username, str) and username and kind != PRIVATE:
        return f"{title or username} (@{username})"
    where = {CHANNEL: "private channel", SUPERGROUP: "private group", GROUP: "private group"}
    if kind in where:
        return f"{title or chat.get('id')} ({where[kind]}: posts get no public link)"
    return f"{title} (no public link)" if kind == PRIVATE else title or str(chat.get("id"))


def username_in(label: str) -> str | None:
    """The @username a :func:`chat_label` named (None for a chat without one)."""
    found = re.search(r"\(@([A-Za-z0-9_]{4,32})\)$", label)
    return found.group(1) if found else None


def message_link(chat: Mapping[str, Any], message_id: int | str) -> str | None:
    """Where a message can be seen: ``https://t.me/<username>/<id>`` in a public channel or group;
    ``https://t.me/c/<internal id>/<id>`` in a private channel or supergroup (it opens for its
    members only); None in a basic group or a private chat, which have no message links."""
    username = chat.get("username")
    if isinstance(username, str) and username and chat.get("type") != PRIVATE:
        return f"https://t.me/{username}/{message_id}"
    chat_id = str(chat.get("id") or "")
    if chat.get("type") in (CHANNEL, SUPERGROUP) and chat_id.startswith("-100"):
        return f"https://t.me/c/{chat_id[4:]}/{message_id}"
    return None
