"""Telegram's rules without a server: the Bot API's error answers as the outbox's errors, the
limits at their boundaries (at, one inside, one over), the links, the token and chat forms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest

from providers import catalog
from providers.media.model import MediaInfo, MediaKind
from providers.networks.telegram.botapi import TOKEN, chat_label, message_link, username_in
from providers.networks.telegram.link import TelegramSignIn, may_post, normalize_chat
from providers.networks.telegram.publish import TelegramPublisher
from providers.outbox.checks import problems
from providers.settings import Settings
from providers.store import Store
from providers.vault import Vault

SPEC = catalog.get("telegram")
MB = 1_000_000


def answer(status: int, description: str, **parameters: Any) -> httpx2.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return httpx2.Response(status, json=body)


def refused(response: httpx2.Response, *, committing: bool = True):  # type: ignore[no-untyped-def]
    publisher = TelegramPublisher(SPEC, httpx2.AsyncClient())
    return publisher.refused(response, "Telegram", "sending the post", committing=committing)


# The error answers ----------------------------------------------------------------------------------


def test_flood_control_waits_the_retry_after_telegram_names() -> None:
    error = refused(answer(429, "Too Many Requests: retry after 35", retry_after=35))
    assert error.kind == "try_later" and error.retry_after == 35.0 and not error.maybe_published
    assert "Telegram refused sending the post (429: Too Many Requests: retry after 35)" in error.message
    with_header = httpx2.Response(429, headers={"Retry-After": "7"}, json={"ok": False, "error_code": 429})
    assert refused(with_header).retry_after == 7.0


@pytest.mark.parametrize(("status", "words"), [(401, "Unauthorized"), (404, "Not Found")])
def test_a_revoked_or_unknown_token_asks_to_reconnect(status: int, words: str) -> None:
    error = refused(answer(status, words))
    assert error.kind == "reconnect" and error.unauthorized is (status == 401)
    assert "link Telegram again" in error.message


@pytest.mark.parametrize(
    ("status", "description", "says"),
    [
        (400, "Bad Request: chat not found", "The chat or channel is gone"),
        (403, "Forbidden: bot was kicked from the channel chat", "may no longer post there"),
        (403, "Forbidden: bot is not a member of the supergroup chat", "may no longer post there"),
        (400, "Bad Request: need administrator rights in the channel chat", "may no longer post there"),
        (403, "Forbidden: bot was blocked by the user", "may no longer post there"),
    ],
)
def test_a_target_that_is_gone_is_said_so_and_not_retried(status: int, description: str, says: str) -> None:
    error = refused(answer(status, description))
    assert error.kind == "refused" and says in error.message and description in error.message


def test_a_group_that_became_a_supergroup_asks_to_choose_it_again() -> None:
    error = refused(
        answer(400, "Bad Request: group chat was upgraded to a supergroup chat", migrate_to_chat_id=-1001)
    )
    assert error.kind == "refused" and "became a supergroup" in error.message


@pytest.mark.parametrize(
    ("status", "description"),
    [
        (400, "Bad Request: message caption is too long"),
        (400, "Bad Request: IMAGE_PROCESS_FAILED"),
        (413, ""),
    ],
)
def test_refused_media_is_fixed_not_retried(status: int, description: str) -> None:
    error = refused(
        answer(status, description) if description else httpx2.Response(413, text="Request Entity Too Large")
    )
    assert error.kind == "fix_media"


def test_an_album_refused_part_way_is_never_resent_blindly() -> None:
    said = 'Bad Request: failed to send message #2 with the error message "Too Many Requests: retry after 8"'
    error = refused(answer(400, said))  # words seen from the real server: rubenlagus/TelegramBots#1520
    assert error.kind == "try_later" and error.maybe_published and "Part of the album" in error.message


def test_a_lost_answer_to_the_post_may_have_published_it() -> None:
    error = refused(httpx2.Response(504, text="Gateway Time-out"))
    assert error.kind == "try_later" and error.maybe_published


# The limits ------------------------------------------------------------------------------------------


def info(kind: MediaKind, size: int, name: str = "file") -> MediaInfo:
    fmt = "jpeg" if kind is MediaKind.IMAGE else "mp4"
    extra: dict[str, Any] = {"codec": "h264", "duration": 3.0} if kind is MediaKind.VIDEO else {}
    return MediaInfo(Path(f"/tmp/{name}.{fmt}"), kind, fmt, size, 800, 600, **extra)


def codes(infos: list[MediaInfo], caption: str = "") -> list[str]:
    return [p.code for p in problems(SPEC, infos, caption)]


@pytest.mark.parametrize(("length", "ok"), [(1023, True), (1024, True), (1025, False)])
def test_a_caption_under_media_holds_1024_characters(length: int, ok: bool) -> None:
    assert (codes([info(MediaKind.IMAGE, MB)], "a" * length) == []) is ok


@pytest.mark.parametrize(("length", "ok"), [(4095, True), (4096, True), (4097, False)])
def test_a_text_message_holds_4096_characters(length: int, ok: bool) -> None:
    assert (codes([], "a" * length) == []) is ok


@pytest.mark.parametrize(("size", "ok"), [(10 * MB - 1, True), (10 * MB, True), (10 * MB + 1, False)])
def test_photos_up_to_10_mb(size: int, ok: bool) -> None:
    assert (codes([info(MediaKind.IMAGE, size)]) == []) is ok


@pytest.mark.parametrize(("size", "ok"), [(50 * MB - 1, True), (50 * MB, True), (50 * MB + 1, False)])
def test_videos_up_to_50_mb(size: int, ok: bool) -> None:
    assert (codes([info(MediaKind.VIDEO, size)]) == []) is ok


@pytest.mark.parametrize(("count", "ok"), [(9, True), (10, True), (11, False)])
def test_an_album_holds_up_to_10_photos(count: int, ok: bool) -> None:
    assert (codes([info(MediaKind.IMAGE, MB, f"p{i}") for i in range(count)]) == []) is ok


def test_an_album_may_mix_photos_and_videos() -> None:
    assert codes([info(MediaKind.IMAGE, MB), info(MediaKind.VIDEO, MB)]) == []


# Links, tokens, chats ------------------------------------------------------------------------------


def test_links_for_public_and_private_chats() -> None:
    public = {"id": -1001000000001, "type": "channel", "title": "Harbour News", "username": "harbour_news"}
    assert message_link(public, 42) == "https://t.me/harbour_news/42"
    assert (
        message_link({"id": -1001000000002, "type": "supergroup", "title": "Crew"}, 7)
        == "https://t.me/c/1000000002/7"
    )
    assert message_link({"id": -4000001, "type": "group", "title": "Family"}, 7) is None
    assert message_link({"id": 100000001, "type": "private", "username": "alice"}, 7) is None
    assert username_in(chat_label(public)) == "harbour_news"
    assert (
        username_in(chat_label({"id": 1, "type": "private", "first_name": "Alice", "username": "alice"}))
        is None
    )


def test_the_channel_page_is_where_an_unknown_post_is_checked() -> None:
    publisher = TelegramPublisher(SPEC, httpx2.AsyncClient())

    class Account:
        target_name = "Harbour News (@harbour_news)"

    assert publisher.profile_url(Account()) == "https://t.me/harbour_news"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("token", "ok"),
    [
        ("7000000001:AAE-sandbox-demo-bot-token-01234567", True),
        ("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", True),
        ("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", False),
        ("123456789:short", False),
        ("my password", False),
    ],
)
def test_what_a_bot_token_looks_like(token: str, ok: bool) -> None:
    assert bool(TOKEN.match(token)) is ok


@pytest.mark.parametrize(
    ("typed", "chat"),
    [
        ("@harbour_news", "@harbour_news"),
        ("harbour_news", "@harbour_news"),
        ("https://t.me/harbour_news", "@harbour_news"),
        ("-1001000000001", "-1001000000001"),
        ("", ""),
    ],
)
def test_the_chat_may_be_typed_as_a_name_a_link_or_an_id(typed: str, chat: str) -> None:
    assert normalize_chat(typed) == chat


def test_who_may_post() -> None:
    channel, group = {"type": "channel"}, {"type": "supergroup"}
    assert may_post(channel, {"status": "administrator", "can_post_messages": True})
    assert not may_post(channel, {"status": "administrator", "can_post_messages": False})
    assert not may_post(channel, {"status": "member"})
    assert may_post(group, {"status": "member"}) and not may_post(group, {"status": "left"})
    assert not may_post(group, {"status": "restricted", "can_send_messages": False})


def test_the_token_prompt_follows_the_documented_route(store: Store) -> None:
    settings = Settings(allow_plaintext_secrets=True)
    token, chat = TelegramSignIn(SPEC, store, Vault(settings), settings).credential_fields(None)
    assert (token.label, token.secret, token.required) == ("Bot token", True, True)
    assert (chat.label, chat.secret, chat.required) == ("Channel or group", False, False)
    # The same place and commands as the set-up guide and Help: @BotFather, /newbot, the keyring.
    for words in ("@BotFather", "/newbot"):
        assert words in token.hint and words in SPEC.setup_guide
    assert "keyring" in token.hint and "keyring" in SPEC.setup_guide
    assert "administrator" in chat.hint and "administrator" in SPEC.setup_guide
