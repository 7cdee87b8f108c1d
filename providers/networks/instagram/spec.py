"""Instagram (professional accounts): Instagram Login with the user's own Meta app; two-step publish."""

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

IGP = "developers.facebook.com/docs/instagram-platform"
IGD = "developers.facebook.com/documentation/instagram-platform"
PZ = "gitroomhq/postiz-app@74b01ad libraries/nestjs-libraries/src/integrations/social"
AY = "ayrshare.com/docs/media-guidelines/instagram (3P)"

# A Story: one photo or one video, shown full-screen at 9:16 (recommended by Meta and Ayrshare).
# linkdeck's rule, checked before upload: portrait, from 1:2 (a tall phone screen) to 4:5; a
# wider picture would be cut to a strip of itself. Video: 3-60 s, 100 MB (unverified: Meta's
# Story video specs as commonly quoted; the API's own page is not in the reference).
STORY_MEDIA = MediaLimits(
    text_only=False,
    max_images=1,
    max_videos=1,
    image_formats=("jpeg",),
    image_max_bytes=8_000_000,
    image_min_aspect=0.5,
    image_max_aspect=0.8,
    image_min_width=320,
    video_formats=("mp4", "mov"),
    video_max_bytes=100_000_000,
    video_min_seconds=3,
    video_max_seconds=60,
    video_min_aspect=0.5,
    video_max_aspect=0.8,
)

# Route A ("Instagram API with Instagram Login"): no Facebook Page needed.
SPEC = NetworkSpec(
    id="instagram",
    name="Instagram",
    brand_color="#ff0069",
    auth=AuthKind.OAUTH2,
    endpoints=Endpoints(
        authorize="https://www.instagram.com/oauth/authorize",
        token="https://api.instagram.com/oauth/access_token",
        profile="https://graph.instagram.com/v26.0/me",
        api_base="https://graph.instagram.com",
    ),
    scopes=("instagram_business_basic", "instagram_business_content_publish"),
    settings_url="https://www.instagram.com/accounts/manage_access/",
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
        text_only=False,
        max_images=10,
        image_formats=("jpeg",),
        image_max_bytes=8_000_000,
        image_min_aspect=0.8,
        image_max_aspect=1.91,
        image_min_width=320,
        image_max_width=1440,
        video_formats=("mp4", "mov"),
        video_max_bytes=300_000_000,
        video_min_seconds=3,
        video_max_seconds=15 * 60,
    ),
    caption=CaptionLimits(max_length=2200, counting=CaptionCounting.CHARS, max_hashtags=30),
    targets=(TargetKind.INSTAGRAM_ACCOUNT,),
    post_options=("story",),
    story_media=STORY_MEDIA,
    token_lifetime="60 days, refreshed automatically (a token must be at least 24 hours old to refresh)",
    access_token_seconds=60 * 24 * 3600,
    warn_before_expiry_days=7,
    summary="Post photos, carousels and Reels to an Instagram Business or Creator account.",
    notes=(
        "Only Business and Creator (professional) accounts can be posted to. A personal account can "
        "be switched to a professional one in the Instagram app's settings.",
        "Every post needs a photo or a video; text-only posts are not possible.",
        "Instagram fetches each photo from a public https address: linkdeck stages it in your own "
        "S3-compatible bucket ([staging] in config.toml) for the moment it takes, then deletes it. "
        "Without [staging], posts are refused before anything is sent.",
        "Photos, carousels (2–10 photos or videos), Reels (a single video is published as a "
        "Reel) and Stories (one photo or video: Upload's *As a Story*, or `linkdeck post --story`) "
        "are built.",
        "A Story is shown full-screen at 9:16 (recommended): linkdeck takes portrait pictures from "
        "1:2 to 4:5 and videos of 3–60 seconds up to 100 MB, checked before upload. A Story has "
        "no caption: the text is not sent.",
        "Photos: JPEG, up to 8 MB, aspect ratio between 4:5 (portrait) and 1.91:1 (landscape), "
        "320–1440 px wide (Upload resizes a wider photo with one key). A carousel has 2–10 photos.",
        "Captions: up to 2,200 characters and 30 hashtags.",
        "Instagram can also be reached through a Facebook Page (the account linked to that Page); "
        "that route is not built in this version: this card uses Instagram Login, which needs no Page.",
        "The sign-in lasts 60 days; linkdeck renews it when posting in its last 30 days (Meta renews "
        "tokens at least a day old). The card shows the days left and turns amber the last week.",
        "At most 50 posts per account in any 24 hours (the total is read from Instagram before each "
        "post); the card shows the posts left, read after linking, after each post and on refresh (r).",
        "Meta may refuse http redirect addresses for this app (unverified); if so, link Instagram "
        "while the app is in Development mode or paste the final address back into linkdeck.",
    ),
    setup_guide=(
        "1. At developers.facebook.com create an app and add the Instagram product with "
        "*Instagram API with Instagram Login* (Business Login for Instagram).\n"
        "2. Add the OAuth redirect URI `http://127.0.0.1:8080/callback` exactly as written.\n"
        "3. While the app is in Development mode only accounts with a role on it can link: add "
        "your Instagram account under the app's roles.\n"
        "4. Copy the **Instagram app ID** into `LINKDECK_INSTAGRAM_CLIENT_ID`, or into `config.toml` "
        'as `[networks.instagram] client_id = "…"`.\n'
        "5. Store the Instagram app secret with `linkdeck config set-secret instagram`.\n"
        "6. Set up media staging: an S3-compatible bucket as `[staging]` in `config.toml` and its "
        "secret key with `linkdeck config set-secret staging` (Instagram fetches photos from it)."
    ),
    docs_url=f"https://{IGP}/content-publishing/",
    developer_url="https://developers.facebook.com/apps/",
    sources={
        "variants": f"{IGP}/content-publishing/ (Instagram Login: no Page; Facebook Login: Page-linked)",
        "endpoints": f"{PZ}/instagram.standalone.provider.ts; {IGD}/reference/access_token, "
        "…/refresh_access_token",
        "scopes": f"{IGD}/instagram-api-with-instagram-login/business-login "
        "(instagram_business_* since the 27 Jan 2025 rename)",
        "pkce": f"not claimed: none documented (unverified) — {IGD}/reference/access_token",
        "device_flow": f"not claimed: none documented (unverified) — {IGD}/reference/access_token",
        "refresh": f"{IGD}/reference/refresh_access_token (ig_refresh_token, ≥24 h old, 60 days)",
        "provider_revoke": "not claimed: no revoke endpoint documented for Instagram Login (unverified)",
        "loopback": f"unverified: https redirect appears required ({PZ}/instagram.provider.ts proxies "
        "non-https redirects); Meta allows http://localhost only in Development mode (§1)",
        "fixed_port": "8080 is the port the user registers in the redirect URI (exact match); "
        "same convention as X",
        "client_secret": f"{IGD}/reference/access_token (token requests include the app secret)",
        "token_lifetime": f"{IGD}/reference/access_token (1 h, exchanged for 60 days)",
        "settings_url": "unverified (instagram.com/accounts/manage_access, Apps and websites)",
        "accounts": f"{IGP}/content-publishing/ (professional accounts only)",
        "publish": f"{IGP}/content-publishing/; …/ig-user/media.md (public URL, containers, "
        "single videos as Reels since 1 Jul 2023)",
        "media": f"{AY} (8 MB, 4:5–1.91:1, width 320–1440; Reels MOV/MP4 3 s–15 min, 300 MB en); "
        f"JPEG only: official doc, unverified; carousel 2–10: {PZ} check, AY",
        "text_only": f"{IGP}/content-publishing/ (a container needs image_url or video_url)",
        "caption": f"{AY} (2,200 chars, 30 hashtags; a newer locale says 5 hashtags: unverified)",
        "rate": f"{IGP}/…/ig-user/media_publish (50 posts per 24 h)",
        "roles": "unverified: only accounts with a role on a Development-mode app can link",
        "graph_version": "networks-2026.md §0.1 (Graph v26.0, released 2026-07-29)",
        "quota": "networks-2026.md §2a (read config.quota_total at run time; 50 today, 25 before)",
        "container_errors": "networks-2026.md §2a (2207xxx codes as Postiz maps them); 36003/2207009 "
        "reported payload (fixtures/recorded/_reported)",
        "renewal": f"{PZ}/instagram.standalone.provider.ts (refresh_access_token, ig_refresh_token); "
        "30 days ahead is linkdeck's decision",
        "video": f"a single video as REELS, carousel videos as VIDEO items ({PZ}/instagram.provider.ts; "
        "networks-2026.md §2a); Stories as media_type=STORIES (networks.md §2, Postiz)",
        "stories": f"{IGP}/content-publishing/ (STORIES containers); 9:16 recommended ({AY}, Reels); "
        "1:2–4:5, 3–60 s, 100 MB: linkdeck's rule (unverified against Meta's Story specs)",
        "brand_color": "simple-icons/simple-icons@34c2250 data/simple-icons.json (not in networks.md)",
    },
)
