"""Telegram (Bot API): a bot token from @BotFather that the user pastes; target = a chat or channel."""

from __future__ import annotations

from providers.spec import (
    AuthCapabilities,
    AuthKind,
    CaptionCounting,
    CaptionLimits,
    Endpoints,
    MediaLimits,
    NetworkSpec,
    TargetKind,
)

PTB = "python-telegram-bot@1183d40 src/telegram/constants.py (Bot API 10.0)"
PZ = "gitroomhq/postiz-app@74b01ad libraries/nestjs-libraries/src/integrations/social/telegram.provider.ts"

# Methods live at {api_base}/bot<token>/<method> (getMe, getChat, sendPhoto, sendMediaGroup, …).
SPEC = NetworkSpec(
    id="telegram",
    name="Telegram",
    brand_color="#26a5e4",
    auth=AuthKind.BOT_TOKEN,
    endpoints=Endpoints(api_base="https://api.telegram.org"),
    scopes=(),
    settings_url="https://t.me/BotFather",
    capabilities=AuthCapabilities(paste_back=False),
    media=MediaLimits(
        max_images=10,
        image_formats=("jpeg", "png"),
        image_max_bytes=10_000_000,
        image_min_aspect=1 / 20,
        image_max_aspect=20.0,
        video_formats=("mp4",),
        video_max_bytes=50_000_000,
        mixed_media=True,
    ),
    caption=CaptionLimits(max_length=1024, counting=CaptionCounting.CHARS, text_max_length=4096),
    targets=(TargetKind.CHAT, TargetKind.CHANNEL),
    token_lifetime="does not expire; revoke it with /revoke in @BotFather",
    revoke_by_hand=(
        "send /revoke to @BotFather (https://t.me/BotFather) and choose the bot: its old token stops "
        "working at once. The bot stays in your channel or group until you remove it there."
    ),
    summary="Post to a Telegram channel or group through your own bot.",
    notes=(
        "linkdeck posts as your bot, not as you. To post to a channel, make the bot an "
        "administrator of that channel.",
        "Captions under a photo or video are limited to 1,024 characters; a text-only message may "
        "have 4,096.",
        "Photos up to 10 MB, other files (video) up to 50 MB; an album holds 2–10 photos and "
        "videos, mixed as you like.",
        "When linking, type the channel's or group's @name, or leave it empty to choose from the "
        "chats your bot has seen in the last 24 hours (Telegram keeps a bot's updates that long; "
        "a bot with a webhook must be given the @name).",
        "Posts in a public channel or group get a t.me link; in a private channel or supergroup a "
        "link that opens for its members only; private chats and basic groups have no links.",
        "If the answer to a post is lost, linkdeck cannot ask Telegram whether it was made (the "
        "Bot API takes no idempotency key and a bot cannot list its messages): the post is marked "
        "'unknown — check' with the channel's address, never sent twice.",
        "Telegram allows about 1 message per second per chat and 20 per minute in a group.",
        "Anyone with the bot token can act as the bot: if it leaks, get a new one with /revoke in "
        "@BotFather.",
        "Telegram photos have no alt text: descriptions written for other networks are not sent.",
    ),
    setup_guide=(
        "1. In Telegram, open @BotFather (https://t.me/BotFather), send `/newbot` and follow the "
        "questions; it replies with the bot token.\n"
        "2. Add the bot to your channel or group as an administrator allowed to post.\n"
        "3. Link Telegram in linkdeck and paste the token when asked; linkdeck keeps it in your "
        "system keyring, never in a file.\n\n"
        "No developer app or client id is needed."
    ),
    docs_url="https://core.telegram.org/bots/api",
    sources={
        "auth": f"{PZ} (bot token from @BotFather; no OAuth/PKCE)",
        "endpoints": f"{PTB} (api.telegram.org/bot<token>/sendPhoto|sendVideo|sendMediaGroup|"
        f"sendMessage); {PZ} (getMe, getChat, getFile)",
        "pkce": "not claimed: no OAuth",
        "device_flow": "not claimed: no OAuth",
        "refresh": "not claimed: bot tokens don't expire",
        "provider_revoke": f"not claimed: revoking is manual, /revoke in BotFather ({PZ}); Bot API "
        "logOut only logs the bot out of the cloud server",
        "settings_url": f"{PZ} (BotFather; the t.me link form is not quoted in networks.md)",
        "channel_admin": f"{PZ} (bot must be a channel admin: unverified excerpt)",
        "media": f"{PTB} (photo upload ≤10 MB, other files ≤50 MB, 2,000 MB with a local Bot API "
        "server; media group 2–10); photo width+height ≤10,000 and ratio ≤20: unverified",
        "mixed_media": "core.telegram.org/bots/api#sendmediagroup (an album of photos and videos; "
        "documents and audio only with their own kind); PTB InputMediaPhoto|InputMediaVideo",
        "links": "t.me/<username>/<id> and t.me/c/<id>/<id>: python-telegram-bot 22.8 Message.link "
        "(checked in tests/test_fidelity_telegram.py)",
        "targets": "core.telegram.org/bots/api (getUpdates, getChat, getChatMember: no method lists a "
        "bot's chats; #getting-updates: updates are kept at most 24 hours, getUpdates fails with 409 "
        "while a webhook is set)",
        "rate_limit_answer": "core.telegram.org/bots/api#responseparameters (retry_after)",
        "caption": f"{PTB} (caption ≤1,024, text ≤4,096); counted in code points, not UTF-16 units: "
        "FerroxLabs/wayland#934 (3P, 2026-08-29) measured 4,096 astral emoji accepted by sendMessage "
        "and 4,097 refused; captions assumed to count the same (unverified)",
        "rate": f"{PTB} (1 msg/s per chat, 30 msg/s overall, 20 msg/min per group)",
        "docs_url": "core.telegram.org/bots/api (not quoted in networks.md)",
        "brand_color": "simple-icons/simple-icons@34c2250 data/simple-icons.json (not in networks.md)",
    },
)
