"""Linking Telegram: the bot token the user pasted from @BotFather, checked with ``getMe``, and the
chat or channel the bot posts to.

Where the chat comes from (the Bot API has no "list my chats" method):

- the user types the channel's or group's ``@name`` (or its numeric id): ``getChat`` finds it;
- or leaves it empty, and linkdeck offers the chats in the updates the bot has seen
  (``getUpdates`` without an offset, so nothing is confirmed or taken from another program that
  reads them; Telegram keeps updates for 24 hours). A bot with a webhook gets no updates this way
  (409): then the @name is the way.

Either way ``getChatMember`` checks the bot may post there: in a channel it must be an
administrator allowed to post (``can_post_messages``), in a group a member that is not muted.
Private chats with the bot (someone wrote to it) are offered too; posts there have no link.

The token goes to the vault as ``{"access_token": …}``. The bot's photo is not fetched: its file
address carries the token, which must never reach the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from providers.errors import LinkError
from providers.interface import Authorized, CredentialField, Profile
from providers.networks.telegram.botapi import (
    API_BASE,
    CHANNEL,
    PRIVATE,
    TOKEN,
    BotApiError,
    answer_of,
    chat_kind,
    chat_label,
    method_url,
)
from providers.signin.pasted_token import PastedTokenSignIn

if TYPE_CHECKING:
    import httpx2

    from providers.auth.types import Token

NAME = "Telegram"
BOTFATHER = "@BotFather (https://t.me/BotFather)"
CHAT_FIELD = CredentialField(
    "chat",
    "Channel or group",
    hint="its @name (e.g. @harbour_news) or numeric id; leave it empty to choose from the chats "
    "your bot has seen. The bot must be an administrator allowed to post (in a group, a member).",
    required=False,
)
# The update kinds that name a chat the bot is in (core.telegram.org/bots/api#update).
UPDATE_CHATS = (
    "my_chat_member",
    "channel_post",
    "edited_channel_post",
    "message",
    "edited_message",
    "chat_member",
)
ORDER = {CHANNEL: 0, "supergroup": 1, "group": 1, PRIVATE: 2}


def normalize_chat(text: str) -> str:
    """``https://t.me/harbour_news``, ``t.me/harbour_news``, ``harbour_news`` → ``@harbour_news``;
    numeric ids (``-1001234567890``) as typed."""
    value = text.strip()
    for prefix in ("https://", "http://"):
        value = value.removeprefix(prefix)
    value = value.removeprefix("t.me/").removeprefix("telegram.me/").strip("/")
    if not value or value.lstrip("-").isdigit():
        return value
    return "@" + value.lstrip("@")


def may_post(chat: Mapping[str, Any], member: Mapping[str, Any]) -> bool:
    """Whether a bot with this ChatMember may post in the chat (core.telegram.org/bots/api#chatmember)."""
    status = member.get("status")
    if chat.get("type") == CHANNEL:
        return status == "creator" or (status == "administrator" and member.get("can_post_messages") is True)
    if status in ("creator", "administrator", "member"):
        return True
    return status == "restricted" and member.get("can_send_messages") is True


class TelegramSignIn(PastedTokenSignIn):
    token_label = "Bot token"
    token_hint = (
        f"from {BOTFATHER}: send /newbot to make a bot, or /token to see an existing bot's token; "
        "it looks like 123456789:AAH…; linkdeck keeps it in your system keyring."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._checked: dict[str, Profile] = {}

    def credential_fields(self, instance: str | None) -> tuple[CredentialField, ...]:
        return (*super().credential_fields(instance), CHAT_FIELD)

    async def sign_in(self, instance: str | None, values: Mapping[str, str]) -> Authorized:
        token = values.get("token", "").strip()
        if not TOKEN.match(token):
            raise LinkError(
                f"That is not a {NAME} bot token: a bot token looks like 123456789:AAH… (the bot's "
                f"number, a colon, 35 letters, digits, - or _). Nothing was sent. Copy it from {BOTFATHER}."
            )
        self._checked[token] = await self.read(token, values.get("chat", ""))
        return Authorized(None, {"access_token": token})

    async def profile(self, token: Token, instance: str | None) -> Profile:
        key = str(token.get("access_token") or "")
        return self._checked.pop(key, None) or await self.read(key, "")

    # Reading the bot and its chats -----------------------------------------------------------

    async def read(self, token: str, chat: str) -> Profile:
        from providers.http import async_client

        async with async_client(timeout=20.0) as client:
            api = _Api(client, token, self.spec.endpoints.api_base or API_BASE)
            try:
                me = await api.call("getMe")
            except BotApiError as exc:
                if exc.code in (401, 404):
                    raise LinkError(
                        f"{NAME} did not accept that bot token ({exc.description or exc.code}). Copy "
                        f"it again from {BOTFATHER} with /token; after a /revoke only the new one works."
                    ) from None
                raise LinkError(_problem(exc, "checking the bot token")) from None
            if not isinstance(me, dict) or not me.get("is_bot") or "id" not in me:
                raise LinkError(f"{NAME}: getMe did not describe a bot; is that a bot token?")
            wanted = normalize_chat(chat)
            chats = [await self._typed(api, me, wanted)] if wanted else await self._seen(api, me)
        username = str(me.get("username") or me["id"])
        return Profile(
            remote_id=str(me["id"]),
            handle=f"@{username}",
            display_name=str(me.get("first_name") or username),
            targets=[(chat_kind(c), str(c["id"]), chat_label(c)) for c in chats],
        )

    async def _typed(self, api: _Api, me: Mapping[str, Any], wanted: str) -> dict[str, Any]:
        bot = f"@{me.get('username')}"
        try:
            chat = await api.call("getChat", chat_id=wanted)
            if not isinstance(chat, dict) or "id" not in chat:
                raise LinkError(f"{NAME}: getChat did not describe {wanted}.")
            if chat.get("type") == PRIVATE:  # someone who wrote to the bot: it may answer them
                return chat
            member = await api.call("getChatMember", chat_id=chat["id"], user_id=me["id"])
        except BotApiError as exc:
            if exc.code in (400, 403):
                raise LinkError(
                    f"{NAME}: your bot {bot} cannot see {wanted} ({exc.description}). Check the name, "
                    f"and add {bot} to that channel or group as an administrator allowed to post."
                ) from None
            raise LinkError(_problem(exc, f"looking up {wanted}")) from None
        if not isinstance(member, dict) or not may_post(chat, member):
            status = member.get("status") if isinstance(member, dict) else None
            standing = status or "not a member"
            raise LinkError(
                f"{NAME}: your bot {bot} may not post in {chat_label(chat)} (it is {standing} there). "
                "Make it an administrator with the right to post messages, then try again."
            )
        return chat

    async def _seen(self, api: _Api, me: Mapping[str, Any]) -> list[dict[str, Any]]:
        bot = f"@{me.get('username')}"
        try:
            updates = await api.call("getUpdates", limit=100, timeout=0)
        except BotApiError as exc:
            if exc.code == 409:  # a webhook is set: updates go there, not to getUpdates
                raise LinkError(
                    f"{NAME}: your bot {bot} sends its updates to a webhook, so linkdeck cannot see its "
                    "chats. Type the channel's or group's @name instead."
                ) from None
            raise LinkError(_problem(exc, "reading the chats your bot has seen")) from None
        chats: dict[str, dict[str, Any]] = {}
        for update in updates if isinstance(updates, list) else []:
            for kind in UPDATE_CHATS:
                item = update.get(kind) if isinstance(update, dict) else None
                chat = item.get("chat") if isinstance(item, dict) else None
                if isinstance(chat, dict) and "id" in chat:
                    chats[str(chat["id"])] = chat  # the latest title and @name win
        usable = []
        for chat in chats.values():
            if chat.get("type") == PRIVATE or await self._may_post(api, me, chat):
                usable.append(chat)
        if not usable:
            raise LinkError(
                f"{NAME}: your bot {bot} has not seen a chat it may post in. Add it to your channel as "
                "an administrator allowed to post (or to your group), post something there, and try "
                "again; or type the channel's @name. (Telegram keeps a bot's updates for 24 hours.)"
            )
        return sorted(usable, key=lambda c: ORDER.get(str(c.get("type")), 3))

    async def _may_post(self, api: _Api, me: Mapping[str, Any], chat: Mapping[str, Any]) -> bool:
        try:
            member = await api.call("getChatMember", chat_id=chat["id"], user_id=me["id"])
        except BotApiError as exc:
            if exc.code in (400, 403):  # the chat is gone, or the bot was removed from it
                return False
            raise LinkError(_problem(exc, "checking where your bot may post")) from None
        return isinstance(member, dict) and may_post(chat, member)


class _Api:
    """Bot API calls for one token during a link."""

    def __init__(self, client: httpx2.AsyncClient, token: str, api_base: str) -> None:
        self.client, self.token, self.api_base = client, token, api_base

    async def call(self, method: str, **params: Any) -> Any:
        try:
            response = await self.client.post(method_url(self.token, method, self.api_base), data=params)
        except Exception as exc:  # the exception's text may hold the address, and so the token
            raise LinkError(f"{NAME} could not be reached ({type(exc).__name__}); try again.") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        ok, result, code, description, parameters = answer_of(body)
        if not ok:
            raise BotApiError(method, code or response.status_code, description, parameters)
        return result


def _problem(exc: BotApiError, what: str) -> str:
    if exc.code == 429:
        wait = f" in {exc.retry_after:.0f} s" if exc.retry_after is not None else " later"
        return f"{NAME} is limiting how fast your bot may call it when {what}; try again{wait}."
    said = f": {exc.description}" if exc.description else ""
    return f"{NAME} refused {what} (error {exc.code}{said})."


SIGN_IN = TelegramSignIn
