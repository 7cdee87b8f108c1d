"""The sandbox's Telegram as python-telegram-bot sees it: a client library no one here wrote
(python-telegram-bot 22.8, pinned in pyproject.toml's dev extra, Bot API 10.0), the most-used
Python client of the Bot API, pointed at the sandbox with ``base_url`` as its docs say for a local
Bot API server.

What a bot author does: ``getMe``, ``sendPhoto`` into the public channel, ``sendMediaGroup`` with an
album; the answers parsed into python-telegram-bot's own objects (a shape it cannot read fails here)
and its ``Message.link`` compared with the link linkdeck gives. Its exceptions for the refusals
linkdeck maps: a revoked token (InvalidToken), a chat that is not there (BadRequest), flood control
(RetryAfter with ``retry_after``). No Telegram server runs here; the shapes are the Bot API's
documented ones (core.telegram.org/bots/api).
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from PIL import Image
from telegram import Bot, InputMediaPhoto
from telegram.error import BadRequest, InvalidToken, RetryAfter

from providers.networks.telegram.botapi import message_link
from providers.networks.telegram.sandbox import DEMO_TOKEN, TelegramServer
from providers.sandbox import Running

HOST = "api.telegram.org"


def picture(fmt: str, color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (96, 64), color).save(buffer, fmt)
    return buffer.getvalue()


def bot_for(sandbox: Running, token: str = DEMO_TOKEN) -> Bot:
    return Bot(token, base_url=f"{sandbox.url}/{HOST}/bot", base_file_url=f"{sandbox.url}/{HOST}/file/bot")


@pytest.fixture
async def bot(sandbox: Running) -> AsyncIterator[Bot]:
    async with bot_for(sandbox) as started:  # initialize() calls getMe
        yield started


def emulator(sandbox: Running) -> TelegramServer:
    found = sandbox.sandbox.emulator(HOST)
    assert isinstance(found, TelegramServer)
    return found


async def test_get_me_describes_the_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.username == "linkdeck_demo_bot" and me.id == int(DEMO_TOKEN.split(":")[0])
    assert bot.username == "linkdeck_demo_bot"  # what initialize() read


async def test_send_photo_makes_a_channel_post_with_the_link_linkdeck_gives(
    bot: Bot, sandbox: Running
) -> None:
    message = await bot.send_photo("@harbour_news", photo=picture("JPEG", (40, 90, 160)), caption="Low tide")
    assert message.chat.type == "channel" and message.chat.username == "harbour_news"
    assert message.caption == "Low tide" and message.sender_chat is not None
    assert message.photo and message.photo[-1].width == 96 and message.photo[-1].height == 64
    ours = message_link(message.chat.to_dict(), message.message_id)
    assert ours == message.link == f"https://t.me/harbour_news/{message.message_id}"
    assert [(p.text, p.media) for p in emulator(sandbox).published()] == [("Low tide", 1)]


async def test_send_media_group_makes_one_album(bot: Bot, sandbox: Running) -> None:
    album = await bot.send_media_group(
        "@harbour_news",
        [
            InputMediaPhoto(picture("JPEG", (200, 30, 30)), caption="Two boats"),
            InputMediaPhoto(picture("PNG", (30, 200, 30))),
        ],
    )
    assert len(album) == 2 and album[0].media_group_id and album[0].media_group_id == album[1].media_group_id
    assert album[0].caption == "Two boats" and album[1].caption is None
    assert all(m.photo for m in album)
    assert [(p.text, p.media) for p in emulator(sandbox).published()] == [("Two boats", 2)]


async def test_a_private_supergroup_gets_a_members_link(bot: Bot) -> None:
    message = await bot.send_message(-1001000000002, "Crew meeting at noon")
    assert message.chat.type == "supergroup" and message.chat.username is None
    assert message_link(message.chat.to_dict(), message.message_id) == message.link
    assert message.link == f"https://t.me/c/1000000002/{message.message_id}"


async def test_refusals_are_the_exceptions_linkdeck_maps(
    bot: Bot, sandbox: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # retry_after as a timedelta, as PTB 23 will give it
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_photo("@no_such_channel", photo=picture("JPEG", (1, 2, 3)))
    emulator(sandbox).configure({"per_chat_per_minute": 1})
    await bot.send_message("@harbour_news", "First")
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message("@harbour_news", "Second, too soon")
    wait = flood.value.retry_after
    assert isinstance(wait, timedelta) and 1 <= wait.total_seconds() <= 61
    emulator(sandbox).configure({"revoke": DEMO_TOKEN})  # /revoke in @BotFather
    with pytest.raises(InvalidToken):
        await bot.get_me()
