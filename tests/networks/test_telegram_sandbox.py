"""Telegram against the sandbox in this process, through the real link session and the outbox:
the chat typed by name or chosen, refusals while linking (a wrong token, a chat the bot cannot see
or may not post in), where each kind of chat's posts can be seen (a public link, a members' link,
none), albums mixing photos and a video, more than 10 files, flood control, a bot kicked out of
its channel, a token revoked in @BotFather."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from providers import clock, linking
from providers.linking.steps import AskFields, ChooseTarget, Failed, Linked
from providers.networks.telegram.sandbox import DEMO_TOKEN, TelegramServer
from providers.outbox.queue import entries
from providers.outbox.runner import run_due
from providers.sandbox import Running
from providers.settings import Settings
from providers.store import Account, DeliveryState, Store
from providers.vault import Vault
from tests import media_corpus

HOST = "api.telegram.org"


@pytest.fixture
def telegram(sandbox: Running, monkeypatch: pytest.MonkeyPatch) -> TelegramServer:
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", sandbox.url)
    found = sandbox.sandbox.emulator(HOST)
    assert isinstance(found, TelegramServer)
    return found


@pytest.fixture
def vault() -> Vault:
    return Vault(Settings(allow_plaintext_secrets=True))


class Linking:
    """One link, answered as a person would: typed values in order, then a choice by name."""

    def __init__(self, store: Store, vault: Vault) -> None:
        self.store, self.vault = store, vault
        self.errors: list[str] = []
        self.choices: list[str] = []

    async def run(self, answers: list[dict[str, str]], choose: str | None = None) -> Linked | Failed:
        session = await linking.begin_link(
            "telegram", settings=self.vault.settings, store=self.store, vault=self.vault
        )
        pending = list(answers)
        async for step in session.steps():
            if isinstance(step, AskFields):
                if step.error:
                    self.errors.append(step.error)
                if not pending:
                    await session.cancel()
                    continue
                step.answer(pending.pop(0))
            elif isinstance(step, ChooseTarget):
                self.choices = [t.name for t in step.choices]
                wanted = next(i for i, t in enumerate(step.choices) if choose and choose in t.name)
                step.choose(wanted)
            elif isinstance(step, Linked | Failed):
                return step
        raise AssertionError("the steps ended without Linked or Failed")


async def linked(store: Store, vault: Vault, chat: str = "", choose: str | None = None) -> Account:
    step = await Linking(store, vault).run([{"token": DEMO_TOKEN, "chat": chat}], choose)
    assert isinstance(step, Linked) and step.account is not None, step
    return step.account


async def post(
    store: Store, vault: Vault, account: Account, caption: str, media: list[Path], now: clock.FrozenClock
) -> Any:
    made = store.create_post(caption, [str(m) for m in media], None)
    delivery = store.add_delivery(made.id, account)
    await run_due(store, vault, clock=now)
    return store.delivery(delivery.id)


# Linking ---------------------------------------------------------------------------------------------


async def test_a_typed_channel_name_is_the_target_at_once(
    telegram: TelegramServer, store: Store, vault: Vault
) -> None:
    account = await linked(store, vault, chat="https://t.me/harbour_news")
    assert (account.handle, account.display_name) == ("@linkdeck_demo_bot", "linkdeck demo")
    assert (account.target_kind, account.target_id) == ("channel", "-1001000000001")
    assert account.target_name == "Harbour News (@harbour_news)"
    assert vault.get_token(account.vault_key) == {"access_token": DEMO_TOKEN}


async def test_the_chooser_offers_only_chats_the_bot_may_post_in(
    telegram: TelegramServer, store: Store, vault: Vault
) -> None:
    driver = Linking(store, vault)
    step = await driver.run([{"token": DEMO_TOKEN, "chat": ""}], choose="Harbour crew")
    assert isinstance(step, Linked) and step.account is not None
    assert driver.choices == [
        "Harbour News (@harbour_news)",
        "Harbour crew (private group: posts get no public link)",
        "private chat with Alice Example (no public link)",
    ]  # not @old_harbour: the bot was removed from it
    assert (step.account.target_kind, step.account.target_id) == ("chat", "-1001000000002")


@pytest.mark.parametrize(
    ("values", "says"),
    [
        (
            {"token": "7000000001:AAE-not-the-token-of-any-bot-0000000", "chat": ""},
            "did not accept that bot token",
        ),
        ({"token": "hunter2", "chat": ""}, "is not a Telegram bot token"),
        (
            {"token": DEMO_TOKEN, "chat": "@no_such_channel"},
            "cannot see @no_such_channel (Bad Request: chat not found)",
        ),
        ({"token": DEMO_TOKEN, "chat": "@old_harbour"}, "may not post in Old harbour archive (@old_harbour)"),
    ],
)
async def test_refusals_while_linking_are_said_and_asked_again(
    telegram: TelegramServer, store: Store, vault: Vault, values: dict[str, str], says: str
) -> None:
    driver = Linking(store, vault)
    step = await driver.run([values])
    assert isinstance(step, Failed) and store.accounts() == []
    assert len(driver.errors) == 1 and says in driver.errors[0] and DEMO_TOKEN not in driver.errors[0]


async def test_the_one_chat_left_is_chosen_at_once(
    telegram: TelegramServer, store: Store, vault: Vault
) -> None:
    telegram.configure({"standing": {-1001000000001: "left", -1001000000002: "kicked"}})
    driver = Linking(store, vault)
    await driver.run([{"token": DEMO_TOKEN, "chat": ""}])
    assert driver.choices == [] and driver.errors == []  # only the private chat is left: no chooser
    assert store.accounts()[0].target_name == "private chat with Alice Example (no public link)"


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ({"updates": 0}, "has not seen a chat it may post in. Add it to your channel as an administrator"),
        ({"webhook": 1}, "sends its updates to a webhook"),  # getUpdates answers 409
    ],
)
async def test_without_chats_to_offer_the_name_is_asked_for(
    telegram: TelegramServer, store: Store, vault: Vault, setting: dict[str, int], says: str
) -> None:
    telegram.configure(setting)
    driver = Linking(store, vault)
    step = await driver.run(
        [{"token": DEMO_TOKEN, "chat": ""}, {"token": DEMO_TOKEN, "chat": "@harbour_news"}]
    )
    assert isinstance(step, Linked) and step.account is not None  # the @name typed the second time
    [said] = driver.errors
    assert says in said and "@name" in said


# Publishing -------------------------------------------------------------------------------------------


async def test_each_kind_of_chat_gets_the_link_it_has(
    telegram: TelegramServer, store: Store, vault: Vault, tmp_path: Path, frozen_clock: clock.FrozenClock
) -> None:
    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (800, 600))
    crew = await linked(store, vault, chat="-1001000000002")
    sent = await post(store, vault, crew, "Crew photo", [photo], frozen_clock)
    assert sent.state == DeliveryState.SENT and sent.url.startswith("https://t.me/c/1000000002/")
    alice = await linked(store, vault, chat="100000001")
    private = await post(store, vault, alice, "Just for you", [], frozen_clock)
    assert private.state == DeliveryState.SENT and private.url is None and private.remote_post_id
    [line] = [e.line() for e in entries(store) if e.delivery.id == private.id]
    assert "sent" in line and "None" not in line  # the queue copes with a post that has no link


async def test_an_album_mixes_photos_and_a_video_in_one_request(
    telegram: TelegramServer, sandbox: Running, store: Store, vault: Vault, tmp_path: Path,
    frozen_clock: clock.FrozenClock,
) -> None:  # fmt: skip
    account = await linked(store, vault, chat="@harbour_news")
    files = [
        media_corpus.jpeg(tmp_path / "a.jpg", (800, 600)),
        media_corpus.video(tmp_path / "b.mp4", seconds=1.0),
    ]
    sent = await post(store, vault, account, "Boats and waves", files, frozen_clock)
    assert sent.state == DeliveryState.SENT and sent.url.startswith("https://t.me/harbour_news/")
    [request] = [r for r in sandbox.sandbox.requests if r["path"].endswith("/sendMediaGroup")]
    assert (
        request["path"] == "/bot<token>/sendMediaGroup" and request["content_type"] == "multipart/form-data"
    )
    assert request["params"]["file0"] == request["params"]["file1"] == "<FileField>"
    assert [(p.text, p.media) for p in telegram.published()] == [("Boats and waves", 2)]


async def test_more_than_ten_files_are_refused_before_anything_is_sent(
    telegram: TelegramServer, store: Store, vault: Vault, tmp_path: Path, frozen_clock: clock.FrozenClock
) -> None:
    account = await linked(store, vault, chat="@harbour_news")
    photos = [media_corpus.jpeg(tmp_path / f"p{i}.jpg", (80, 60)) for i in range(10)]
    clip = media_corpus.video(tmp_path / "clip.mp4", seconds=1.0)
    failed = await post(store, vault, account, "Too many", [*photos, clip], frozen_clock)
    assert failed.state == DeliveryState.FAILED and "Telegram albums hold 2–10" in failed.reason
    assert telegram.published() == []


async def test_flood_control_is_tried_again_after_retry_after(
    telegram: TelegramServer, store: Store, vault: Vault, frozen_clock: clock.FrozenClock
) -> None:
    telegram.configure({"per_chat_per_minute": 1})
    account = await linked(store, vault, chat="@harbour_news")
    assert (await post(store, vault, account, "First", [], frozen_clock)).state == DeliveryState.SENT
    later = await post(store, vault, account, "Second", [], frozen_clock)
    assert later.state == DeliveryState.SCHEDULED and "retry after" in later.reason
    wait = later.next_attempt_at - frozen_clock()
    assert timedelta(seconds=1) <= wait <= timedelta(seconds=61)  # Telegram's retry_after, not a backoff


async def test_an_album_stopped_part_way_by_flood_control_is_left_to_check(
    telegram: TelegramServer, store: Store, vault: Vault, tmp_path: Path, frozen_clock: clock.FrozenClock
) -> None:
    telegram.configure({"per_chat_per_minute": 2})
    account = await linked(store, vault, chat="@harbour_news")
    assert (await post(store, vault, account, "First", [], frozen_clock)).state == DeliveryState.SENT
    photos = [media_corpus.jpeg(tmp_path / f"p{i}.jpg", (80, 60)) for i in range(3)]
    album = await post(store, vault, account, "Three boats", photos, frozen_clock)
    assert album.state == DeliveryState.UNKNOWN and "Part of the album" in album.reason
    assert [(p.text, p.media) for p in telegram.published()] == [("First", 0), ("Three boats", 1)]
    frozen_clock.advance(minutes=5)
    await run_due(store, vault, clock=frozen_clock)  # recovery: Telegram cannot be asked, so a person looks
    again = store.delivery(album.id)
    assert again is not None and again.state == DeliveryState.UNKNOWN and again.check_needed
    assert again.url == "https://t.me/harbour_news"  # where to look
    assert len(telegram.published()) == 2  # never sent again by itself


async def test_a_bot_kicked_out_of_its_channel_is_said_so(
    telegram: TelegramServer, store: Store, vault: Vault, frozen_clock: clock.FrozenClock
) -> None:
    account = await linked(store, vault, chat="@harbour_news")
    telegram.configure({"standing": {-1001000000001: "kicked"}})
    failed = await post(store, vault, account, "Anyone there?", [], frozen_clock)
    assert failed.state == DeliveryState.FAILED and not failed.retryable
    assert (
        "bot was kicked from the channel chat" in failed.reason
        and "may no longer post there" in failed.reason
    )


async def test_a_token_revoked_in_botfather_asks_to_reconnect(
    telegram: TelegramServer, store: Store, vault: Vault, frozen_clock: clock.FrozenClock
) -> None:
    account = await linked(store, vault, chat="@harbour_news")
    telegram.configure({"revoke": DEMO_TOKEN})
    held = await post(store, vault, account, "Still here?", [], frozen_clock)
    assert held.state == DeliveryState.HELD
    current = store.account(account.id)
    assert current is not None and current.state == "reconnect"


async def test_the_token_in_every_address_never_reaches_a_file_or_a_message(
    telegram: TelegramServer, store: Store, vault: Vault, tmp_path: Path, frozen_clock: clock.FrozenClock
) -> None:
    """The Bot API puts the token in the path of every request: with everything logged at DEBUG
    (httpx2's request lines too) through linkdeck's own filter, no file under LINKDECK_HOME but the
    keyring stand-in, and no reason shown to the user, holds it."""
    import logging

    from providers import paths
    from providers.logs import RedactingFilter
    from providers.vault import PLAINTEXT_FILENAME

    handler = logging.FileHandler(paths.log_file(), encoding="utf-8")
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    saved = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        account = await linked(store, vault, chat="@harbour_news")
        photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (800, 600))
        sent = await post(store, vault, account, "Logged", [photo], frozen_clock)
        telegram.configure({"revoke": DEMO_TOKEN})
        held = await post(store, vault, account, "Revoked", [], frozen_clock)
    finally:
        root.removeHandler(handler)
        root.setLevel(saved)
        handler.close()
    assert sent.state == DeliveryState.SENT and held.state == DeliveryState.HELD
    logged = paths.log_file().read_text(encoding="utf-8")
    assert "/bot***/sendPhoto" in logged  # httpx2's request line was captured, and masked
    home = paths.home_override()
    assert home is not None
    for path in home.rglob("*"):
        if path.is_file() and path.name != PLAINTEXT_FILENAME:
            assert DEMO_TOKEN.encode() not in path.read_bytes(), path
    reasons = [d.reason or "" for d in store.deliveries()] + [a.state_reason for a in store.accounts()]
    assert all(DEMO_TOKEN not in text for text in reasons)


async def test_unlinking_says_the_token_ends_only_with_revoke_in_botfather(
    telegram: TelegramServer, store: Store, vault: Vault
) -> None:
    from providers import unlinking

    account = await linked(store, vault, chat="@harbour_news")
    plan = unlinking.plan(store, account)
    assert not plan.can_revoke and "send /revoke to @BotFather" in plan.explain()
    result = await unlinking.unlink(store, vault, account)
    assert result.revoked is None and "send /revoke to @BotFather" in result.summary()
    assert telegram.accepts(DEMO_TOKEN)  # honest: linkdeck forgot it, Telegram still honours it
