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
N26 = "shared/reference/networks-2026.md §10"
QUOTA = "developers.google.com/youtube/data/determine_quota_cost"
MAX_VIDEO_BYTES = 274_877_906_944  # 256 GiB: mediaUpload.maxSize in youtube.v3.json
TITLE_MAX_CHARS = 100
DESCRIPTION_MAX_BYTES = 5000
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
        video_max_bytes=MAX_VIDEO_BYTES,
    ),
    caption=CaptionLimits(
        max_length=DESCRIPTION_MAX_BYTES,
        counting=CaptionCounting.UTF8_BYTES,
        title_max_length=TITLE_MAX_CHARS,
    ),
    targets=(TargetKind.CHANNEL,),
    token_lifetime="1 hour, renewed automatically with the refresh token; while the Google Cloud "
    "project's consent screen is in Testing, Google ends the sign-in 7 days after consent",
    access_token_seconds=3600,
    summary="Upload videos to your YouTube channel with your own Google Cloud OAuth client.",
    notes=(
        "Video only: YouTube has no photo or text posts, so linkdeck refuses a photo or a post "
        "without a video before sending anything.",
        "The caption's first line is the video title (at most 100 characters, cut at a word with an "
        "ellipsis, the whole line then kept in the description); the rest is the description "
        "(at most 5,000 bytes, so linkdeck holds the whole caption to 5,000 bytes). YouTube refuses "
        "< and > in either.",
        "Videos are uploaded private and declared not made for kids: publish them, or change the "
        "audience, in YouTube Studio. Google keeps every video uploaded through an unverified "
        "Google Cloud project (created after 28 Jul 2020) private until the project passes its "
        "audit, so private is also what an unverified project gets anyway. A per-post privacy "
        "choice is not built in this version.",
        "Quota: an upload is one call of the videos.insert bucket (100 a day by default); reading "
        "the channel costs 1 unit of the 10,000-unit daily budget. Older Google pages (and most "
        "tools) still say an upload costs 1,600 of the 10,000 units, about 6 uploads a day.",
        "While the Google Cloud project's consent screen is in Testing, Google ends the sign-in 7 "
        "days after consent and the account must be linked again; publish the consent screen "
        "(In production) to keep it.",
        "Brand Accounts: Google's account chooser is always shown (prompt=select_account); pick the "
        "channel there. linkdeck shows which channel was linked.",
        "Over SSH: the device-code route needs a second OAuth client of type 'TVs and Limited Input "
        "devices'. Google's device flow refuses the youtube.upload scope but allows the broader "
        "youtube scope (manage your YouTube account), so that route asks for more than the "
        "browser route does.",
        "Large uploads are resumable: after a dropped connection linkdeck asks YouTube how much "
        "arrived and sends only the rest.",
    ),
    setup_guide=(
        "1. In the Google Cloud console create a project and enable the **YouTube Data API v3**.\n"
        "2. Configure the OAuth consent screen (External) and add yourself as a test user. While it "
        "is in **Testing**, Google ends the sign-in 7 days after consent; publish it to avoid "
        "linking again every week.\n"
        "3. Create an OAuth client ID of type **Desktop app**. Google accepts any "
        "`http://127.0.0.1:<port>` redirect for this type, so nothing else needs registering.\n"
        "4. Copy the client ID into `LINKDECK_YOUTUBE_CLIENT_ID`, or into `config.toml` as "
        '`[networks.youtube] client_id = "…"`.\n'
        "5. Store the client secret with `linkdeck config set-secret youtube` (Google requires it in "
        "the token exchange even for desktop clients).\n"
        "6. Optional, for linking over SSH with a device code: create a second OAuth client of type "
        "**TVs and Limited Input devices** and set `LINKDECK_YOUTUBE_TV_CLIENT_ID` and "
        "`LINKDECK_YOUTUBE_TV_CLIENT_SECRET`. Google's device flow refuses the `youtube.upload` "
        'scope but allows `youtube`, so that route asks for the broader "manage your YouTube '
        'account" permission; the browser route asks only to upload and to read the channel.'
    ),
    docs_url=f"https://{YT}/docs/videos/insert",
    developer_url="https://console.cloud.google.com/apis/credentials",
    sources={
        "endpoints": f"{PZ} (googleapis client; authorize/token/revoke URLs: unverified excerpt); "
        "channels.list?part=snippet&mine=true for the profile",
        "loopback": f"{GID}/loopback-migration (loopback still supported for desktop apps)",
        "oob": f"not claimed: {GID}/oob-migration (OOB blocked since 31 Jan 2023)",
        "pkce": "unverified excerpt: supported per Google's native-app guide",
        "device_flow": f"{N26} (device flow allows only email/openid/profile, drive.appdata, "
        "drive.file, youtube, youtube.readonly: youtube.upload fails 'Invalid device flow scope'; "
        "videos.insert accepts youtube; verified copy of developers.google.com/identity/protocols/"
        "oauth2/limited-input-device); device endpoint oauth2.googleapis.com/device/code per that page",
        "device_scopes": f"{N26} (https://www.googleapis.com/auth/youtube for the device route)",
        "prompt": "developers.google.com/identity/protocols/OAuth2WebServer as quoted in "
        "aspnet/Security#971 (prompt: none, consent, select_account, or 'select_account consent'; "
        "3P quote, not in the reference) — select_account for Brand Accounts' channels, consent so "
        f"a refresh token comes back on a second link ({PZ} uses prompt=consent)",
        "refresh": f"{PZ} (access_type=offline, prompt=consent: long-lived refresh token)",
        "provider_revoke": "oauth2.googleapis.com/revoke (unverified excerpt)",
        "client_secret": "unverified: the desktop client secret is not truly confidential",
        "scopes": f"{YT}/docs/videos/insert (youtube.upload; youtube.readonly for channels.list mine=true)",
        "token_lifetime": f"access 1 h (unverified); {N26}: 'Authorizations by a test user will expire "
        "seven days from the time of consent' (support.google.com/cloud/answer/15549945; Postiz #1595)",
        "settings_url": "unverified (myaccount.google.com/connections)",
        "publish": f"{YT}/docs/videos/insert (resumable upload; unverified projects after 28 Jul "
        "2020 locked private)",
        "media": f"{N26} (youtube.v3.json mediaUpload.maxSize 274877906944, accept video/* and "
        "application/octet-stream); no images: {YT}/docs/videos/insert",
        "caption": f"{YT}/docs/videos#snippet.title (100 characters, no < or >) and "
        "#snippet.description (5,000 bytes, no < or >): unverified in the reference",
        "quota": f"{QUOTA} (2026: videos.insert and search.list have their own buckets of 100 calls a "
        "day, 1 per call; 10,000 units a day for the rest); the older {YT}/determine_quota_cost "
        "and networks.md say 1,600 of 10,000 units per upload",
        "privacy": f"{YT}/docs/videos/insert (unverified projects created after 28 Jul 2020: "
        "uploads locked private); linkdeck's default: private",
        "resumable": f"{N26} (Postiz probeUploadSession: PUT with Content-Range: bytes */TOTAL → 308 + "
        "Range: bytes=0-N, or 200/201 with the video; 404/410 the session expired)",
        "device_client": f"{N26} (only 'TVs and Limited Input devices' clients; invalid_client "
        "otherwise; the secret is sent when polling)",
        "brand_color": "simple-icons/simple-icons@34c2250 data/simple-icons.json (not in networks.md)",
    },
)
