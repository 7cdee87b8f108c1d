"""Tumblr: OAuth2 (with a client secret) through the user's own registered app; target = a blog
(or its queue, or its drafts: see link.py)."""

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

TD = "tumblr/docs@708be10"
TD134 = "tumblr/docs#134 (maintainer cyle, 2024-08-06)"
DAY = 24 * 3600
# The refresh token lasts 42 days (TD134); each refresh answers a new one (TD api.md, refresh grant).
REFRESH_TOKEN_SECONDS = 42 * DAY

SPEC = NetworkSpec(
    id="tumblr",
    name="Tumblr",
    brand_color="#36465d",
    auth=AuthKind.OAUTH2,
    endpoints=Endpoints(
        authorize="https://www.tumblr.com/oauth2/authorize",
        token="https://api.tumblr.com/v2/oauth2/token",
        profile="https://api.tumblr.com/v2/user/info",
        api_base="https://api.tumblr.com/v2",
    ),
    scopes=("basic", "write", "offline_access"),
    settings_url="https://www.tumblr.com/settings/apps",
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
        max_images=30,
        max_videos=1,
        image_formats=("jpeg", "png", "gif"),
        video_formats=("mp4",),
        mixed_media=True,
    ),
    caption=CaptionLimits(max_length=4096, counting=CaptionCounting.CHARS),
    targets=(TargetKind.BLOG,),
    token_lifetime="access about 42 minutes, renewed automatically; the sign-in lasts 42 days",
    access_token_seconds=2520,
    warn_before_expiry_days=7,
    refresh_token_seconds=REFRESH_TOKEN_SECONDS,
    summary="Post text, photos and video to any of your Tumblr blogs, with your own Tumblr app.",
    notes=(
        "A post can hold up to 30 images and one uploaded video.",
        "Per account: 250 posts, 250 image uploads and 20 video uploads (60 minutes of video) a day.",
        "When you link, choose the blog and how posts arrive there: published at once, added to "
        "the blog's queue, or saved as drafts. To change it, link the account again.",
        "Tumblr's refresh token lasts 42 days: the card shows that date and turns amber a week "
        "before; link again then.",
        "Tumblr has no revoke call: remove linkdeck at https://www.tumblr.com/settings/apps to cut it off.",
    ),
    setup_guide=(
        "1. Register an application at https://www.tumblr.com/oauth/apps.\n"
        "2. Set its default callback URL and OAuth2 redirect URL to "
        "`http://127.0.0.1:8080/callback` exactly as written.\n"
        "3. Copy the **OAuth consumer key** (the client id) into `LINKDECK_TUMBLR_CLIENT_ID`, or into "
        '`config.toml` as `[networks.tumblr] client_id = "…"`.\n'
        "4. Store the **secret key** with `linkdeck config set-secret tumblr`: Tumblr requires it for "
        "every token exchange and refresh."
    ),
    docs_url="https://github.com/tumblr/docs/blob/master/api.md",
    developer_url="https://www.tumblr.com/oauth/apps",
    sources={
        "auth": f"{TD} api.md (OAuth 2.0; OAuth 1.0a also supported)",
        "endpoints": f"{TD} api.md (oauth2/authorize, v2/oauth2/token, /v2/user/info)",
        "pkce": f"not claimed: {TD} api.md (no PKCE documented)",
        "device_flow": f"not claimed: {TD} api.md (no device flow documented)",
        "refresh": f"{TD} api.md (grant_type=refresh_token + secret; only with offline_access)",
        "provider_revoke": f"not claimed: {TD} api.md (no revoke endpoint documented)",
        "client_secret": f"{TD} api.md (client_secret required for token and refresh)",
        "loopback": f"{TD} api.md (redirect URL registered at tumblr.com/oauth/apps); whether http "
        "loopback is accepted: unverified",
        "fixed_port": "8080 is the port the user registers in the redirect URL (a registered URL "
        "must match); same convention as X",
        "scopes": f"{TD} api.md (basic write offline_access)",
        "token_lifetime": f"{TD} api.md (example expires_in 2520 s); refresh token 42 days: {TD134}",
        "refresh_rotation": f"{TD} api.md (the refresh grant answers a new access and refresh token)",
        "post_state": f"{TD} api.md (NPF create: state published / queue / draft / private)",
        "avatar": f"{TD} api.md (/v2/blog/{{blog}}/avatar/{{size}}: unsigned requests get the PNG)",
        "errors": f"{TD} api.md (NPF create errors 8001-8023; body meta + errors[title, code, detail])",
        "rate_headers": "X-Ratelimit-Perday-*/Perhour-* (Limit, Remaining, Reset in seconds): unverified "
        "in TD; as third-party Tumblr clients read them",
        "settings_url": "tumblr.com/docs/en/account_security (revoke under Settings → Apps, the × by "
        "the app; also tumblr.com/docs/en/applications); the address /settings/apps itself: unverified",
        "media": f"{TD} npf-spec.md (≤30 image blocks, ≤10 video blocks with only 1 native upload, "
        "post ≤1 MB); media file sizes and formats: unverified",
        "caption": f"{TD} npf-spec.md (text block ≤4,096 code points)",
        "rate": f"{TD} api.md (250 posts/day, 250 image uploads/day, 20 video uploads/day, 60 min video)",
        "brand_color": "simple-icons/simple-icons@34c2250 data/simple-icons.json (not in networks.md)",
    },
)
