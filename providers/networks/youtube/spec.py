"""YouTube: Google OAuth with the user's own Desktop client (loopback) or a device code; video only."""

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

GID = "developers.google.com/identity/protocols/oauth2/resources"
YT = "developers.google.com/youtube/v3"
PZ = "gitroomhq/postiz-app@74b01ad libraries/nestjs-libraries/src/integrations/social/youtube.provider.ts"

SPEC = NetworkSpec(
    id="youtube",
    name="YouTube",
    brand_color="#ff0000",
    auth=AuthKind.OAUTH2,
    endpoints=Endpoints(
        authorize="https://accounts.google.com/o/oauth2/v2/auth",
        token="https://oauth2.googleapis.com/token",
        revoke="https://oauth2.googleapis.com/revoke",
        profile="https://www.googleapis.com/youtube/v3/channels",
        device="https://oauth2.googleapis.com/device/code",
        api_base="https://www.googleapis.com/youtube/v3",
        upload="https://www.googleapis.com/upload/youtube/v3/videos",
    ),
    scopes=(
        "https://www.googleapis.com/auth/youtube.upload",
        "https://www.googleapis.com/auth/youtube.readonly",
    ),
    settings_url="https://myaccount.google.com/connections",
    capabilities=AuthCapabilities(
        loopback_redirect=True,
        pkce=True,
        device_flow=True,
        refresh=True,
        provider_revoke=True,
        oob=False,
        needs_developer_app=True,
        needs_client_secret=True,
    ),
    media=MediaLimits(
        images=False,
        text_only=False,
        max_images=0,
        image_formats=(),
        video_formats=("mp4", "mov", "webm", "mkv", "avi"),
        video_max_bytes=256_000_000_000,
    ),
    caption=CaptionLimits(
        max_length=5000,
        counting=CaptionCounting.UTF8_BYTES,
        title_max_length=100,
    ),
    targets=(TargetKind.CHANNEL,),
    token_lifetime="1 hour, refreshed automatically (7-day refresh tokens while the Google Cloud "
    "project is in Testing, unverified)",
    access_token_seconds=3600,
    summary="Upload videos to your YouTube channel with your own Google Cloud client.",
    notes=(
        "Video only: YouTube has no photo posts.",
        "Videos uploaded through an unverified Google Cloud project (created after 28 Jul 2020) stay "
        "private until the project passes Google's audit.",
        "Each upload costs 1,600 quota units of the default 10,000 a day: about 6 uploads a day.",
        "While the Google Cloud project is in Testing, linking may have to be repeated every 7 days "
        "(unverified); publishing the consent screen avoids it.",
        "If you have several channels (Brand Accounts), check which one linkdeck shows after linking.",
        "The device-code route (for SSH) needs a separate OAuth client of type 'TVs and Limited "
        "Input devices' (unverified), and Google may not allow the upload scope there.",
    ),
    setup_guide=(
        "1. In the Google Cloud console create a project and enable the **YouTube Data API v3**.\n"
        "2. Configure the OAuth consent screen (External) and add yourself as a test user.\n"
        "3. Create an OAuth client ID of type **Desktop app**. Google accepts any "
        "`http://127.0.0.1:<port>` redirect for this type, so nothing else needs registering.\n"
        "4. Copy the client ID into `LINKDECK_YOUTUBE_CLIENT_ID`, or into `config.toml` as "
        '`[networks.youtube] client_id = "…"`.\n'
        "5. Store the client secret with `linkdeck config set-secret youtube` (Google requires it in "
        "the token exchange even for desktop clients)."
    ),
    docs_url=f"https://{YT}/docs/videos/insert",
    sources={
        "endpoints": f"{PZ} (googleapis client; authorize/token/revoke URLs: unverified excerpt); "
        "channels.list?part=snippet&mine=true for the profile",
        "loopback": f"{GID}/loopback-migration (loopback still supported for desktop apps)",
        "oob": f"not claimed: {GID}/oob-migration (OOB blocked since 31 Jan 2023)",
        "pkce": "unverified excerpt: supported per Google's native-app guide",
        "device_flow": f"{YT}/guides/auth/devices (documented for the YouTube Data API; youtube.upload "
        "among the allowed scopes: unverified; device endpoint URL not quoted in networks.md: "
        "unverified)",
        "refresh": f"{PZ} (access_type=offline, prompt=consent: long-lived refresh token)",
        "provider_revoke": "oauth2.googleapis.com/revoke (unverified excerpt)",
        "client_secret": "unverified: the desktop client secret is not truly confidential",
        "scopes": f"{YT}/docs/videos/insert (youtube.upload; youtube.readonly for channel info)",
        "token_lifetime": "unverified (access 1 h; 7-day refresh tokens for Testing apps)",
        "settings_url": "unverified (myaccount.google.com/connections)",
        "publish": f"{YT}/docs/videos/insert (resumable upload; unverified projects after 28 Jul "
        "2020 locked private)",
        "media": f"{YT}/docs/videos/insert (≤256 GB, video/* or application/octet-stream; no images)",
        "caption": "unverified (title 100 chars, description 5,000 bytes)",
        "quota": f"{YT}/docs/videos/insert (1,600 units; default 10,000/day: unverified)",
        "device_client": f"{YT}/guides/auth/devices (client type 'TVs and Limited Input devices'; "
        "not in networks.md: unverified)",
        "brand_color": "simple-icons/simple-icons@34c2250 data/simple-icons.json (not in networks.md)",
    },
)
