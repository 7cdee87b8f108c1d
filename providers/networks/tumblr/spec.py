"""Tumblr: OAuth2 (with a client secret) through the user's own registered app; target = a blog."""

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
        image_formats=("jpeg", "png", "gif"),
        video_formats=("mp4",),
        mixed_media=True,
    ),
    caption=CaptionLimits(max_length=4096, counting=CaptionCounting.CHARS),
    targets=(TargetKind.BLOG,),
    token_lifetime="about 42 minutes, refreshed automatically (offline_access)",
    access_token_seconds=2520,
    summary="Post text, photos and video to any of your Tumblr blogs, with your own Tumblr app.",
    notes=(
        "A post can hold up to 30 images and one uploaded video.",
        "Per account: 250 posts, 250 image uploads and 20 video uploads (60 minutes of video) a day.",
        "Tumblr has no revoke call: remove linkdeck from your Tumblr app settings to cut it off.",
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
        "token_lifetime": f"{TD} api.md (example expires_in 2520 s)",
        "settings_url": "unverified (tumblr.com/settings/apps)",
        "media": f"{TD} npf-spec.md (≤30 image blocks, ≤10 video blocks with only 1 native upload, "
        "post ≤1 MB); media file sizes and formats: unverified",
        "caption": f"{TD} npf-spec.md (text block ≤4,096 code points)",
        "rate": f"{TD} api.md (250 posts/day, 250 image uploads/day, 20 video uploads/day, 60 min video)",
        "brand_color": "simple-icons/simple-icons@34c2250 data/simple-icons.json (not in networks.md)",
    },
)
