"""Threads: Threads OAuth with the user's own Meta app (Threads use case); two-step publish."""

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

TD = "developers.facebook.com/documentation/threads"
TDOCS = "developers.facebook.com/docs/threads"
PZ = "gitroomhq/postiz-app@74b01ad libraries/nestjs-libraries/src/integrations/social/threads.provider.ts"
AY = "ayrshare.com/docs/media-guidelines/threads (3P)"

SPEC = NetworkSpec(
    id="threads",
    name="Threads",
    brand_color="#000000",
    auth=AuthKind.OAUTH2,
    endpoints=Endpoints(
        authorize="https://threads.com/oauth/authorize",
        token="https://graph.threads.net/oauth/access_token",
        profile="https://graph.threads.net/v1.0/me",
        api_base="https://graph.threads.net/v1.0",
    ),
    scopes=("threads_basic", "threads_content_publish"),
    settings_url="https://www.threads.com/settings",
    capabilities=AuthCapabilities(
        loopback_redirect=True,
        fixed_port=8080,
        pkce=False,
        device_flow=False,
        refresh=True,
        provider_revoke=False,
        needs_developer_app=True,
        needs_client_secret=True,
    ),
    media=MediaLimits(
        max_images=20,  # a carousel: photos and videos, 20 in all
        image_formats=("jpeg", "png"),
        image_max_bytes=8_000_000,
        image_max_aspect=10.0,
        image_min_width=320,
        image_max_width=1440,
        video_formats=("mp4", "mov"),
        video_max_bytes=1_000_000_000,
        video_max_seconds=5 * 60,
        mixed_media=True,
    ),
    caption=CaptionLimits(max_length=500, counting=CaptionCounting.EMOJI_BYTES),
    targets=(TargetKind.PROFILE,),
    token_lifetime="60 days, renewed automatically in its last week whenever linkdeck posts (a token "
    "must be at least 24 hours old and still valid to renew; once it has run out, link again)",
    access_token_seconds=60 * 24 * 3600,
    warn_before_expiry_days=7,
    summary="Post text, photos, videos and carousels to Threads with your own Meta app.",
    notes=(
        "Posts are limited to 500 characters, and Threads counts each emoji as its size in UTF-8 "
        "bytes (often 4), so emoji-heavy text runs out sooner than the counter may suggest.",
        "Threads fetches each photo and video from a public web address: linkdeck stages it in "
        "your own S3-compatible bucket ([staging] in config.toml) for as long as Threads needs, "
        "then deletes it. Without staging, text posts work and media posts are refused before "
        "sending.",
        "Several files make a carousel (up to 20 photos and videos, mixed); its text is the caption.",
        "At most 250 posts per account in any 24 hours (a carousel counts as one).",
        "Meta may refuse http redirect addresses for this app (unverified); if so, keep the app in "
        "Development mode or paste the final address back into linkdeck.",
        "Threads has no revoke call: unlinking forgets the token here; to cut linkdeck off, open "
        "the Threads app → Settings → Account → Website permissions and remove your app.",
    ),
    setup_guide=(
        "1. At developers.facebook.com create an app with the **Threads** use case; it gets its own "
        "Threads app ID and secret.\n"
        "2. In the Threads settings of the app add the redirect callback URL "
        "`http://127.0.0.1:8080/callback` exactly as written.\n"
        "3. While the app is in Development mode only accounts with a role on it can link: add your "
        "Threads account as a tester.\n"
        "4. Copy the **Threads app ID** into `LINKDECK_THREADS_CLIENT_ID`, or into `config.toml` as "
        '`[networks.threads] client_id = "…"`.\n'
        "5. Store the Threads app secret with `linkdeck config set-secret threads`."
    ),
    docs_url=f"https://{TD}/get-started/get-access-tokens-and-permissions",
    developer_url="https://developers.facebook.com/apps/",
    optional_scopes=(
        "threads_manage_replies",
        "threads_read_replies",
        "threads_manage_insights",
    ),
    sources={
        "auth": f"{TD}/get-started/get-access-tokens-and-permissions (authorize on threads.com, "
        "threads.net also used; token on graph.threads.net)",
        "endpoints": f"{TD}/get-started/get-access-tokens-and-permissions; {PZ} (me)",
        "pkce": f"not claimed: not documented ({PZ})",
        "device_flow": f"not claimed: none ({PZ})",
        "refresh": f"{TDOCS}/get-started/long-lived-tokens/ (th_refresh_token, ≥24 h old, 60 days)",
        "provider_revoke": "not claimed: no revoke endpoint found (unverified)",
        "loopback": f"unverified: exact match of a registered URI; {PZ} proxies non-https redirects, "
        "which suggests https is required",
        "fixed_port": "8080 is the port the user registers in the redirect URI (exact match); "
        "same convention as X",
        "client_secret": f"{TD}/get-started/get-access-tokens-and-permissions (client_secret in the "
        "code and long-lived exchanges)",
        "scopes": f"{TDOCS}/get-started (threads_basic, threads_content_publish; optional manage/read "
        "replies and insights)",
        "token_lifetime": f"{TDOCS}/get-started/long-lived-tokens/ (1 h, then 60 days; private "
        "profiles 90 days)",
        "settings_url": "unverified: no settings page in networks.md; this is Threads' general settings "
        "page (the app's path: Settings → Account → Website permissions, unverified)",
        "warn_before_expiry": "linkdeck choice: 7 days before the 60-day expiry, as LinkedIn",
        "hosts": f"{TD}/overview (graph.threads.com or graph.threads.net; authorize on threads.com, "
        "doc updated 2026-08-12)",
        "container_status": f"{PZ}; postiz-app PR #1991 (FINISHED, PUBLISHED, IN_PROGRESS, ERROR, "
        'EXPIRED; error_message may be "UNKNOWN")',
        "publish_timing": "postiz-app PR #2047 (subcode 4279009 when publishing before the container "
        "is ready: retried later, not a failure)",
        "alt_text": f"{TDOCS}/posts/accessibility (alt_text per image or video; no length documented)",
        "quota": f"{TD}/overview (GET /{{uid}}/threads_publishing_limit?fields=quota_usage,config; "
        "quota_total 250, quota_duration 86400)",
        "publish": f"{TDOCS}/posts; {PZ} (public image_url/video_url, container then publish)",
        "media": f"{AY} (JPEG/PNG ≤8 MB, width 320–1440, aspect ≤10:1; MOV/MP4 ≤1 GB, ≤5 min); "
        "carousel ≤20: docs.postsyncer.com/platforms/threads (3P, official unverified), mixed "
        f"photos and videos: {TDOCS}/posts (carousel items IMAGE or VIDEO)",
        "caption": f"{TDOCS}/posts (500 chars; emojis counted as their UTF-8 bytes)",
        "rate": f"{TDOCS}/overview (250 posts per 24 h, carousel counts 1)",
        "roles": "unverified: only accounts with a role on a Development-mode app can link "
        "(docs.mixpost.app/services/social/threads/app-review, 3P)",
        "brand_color": "simple-icons/simple-icons@34c2250 data/simple-icons.json (not in networks.md)",
    },
)
