"""Pinterest (API v5): OAuth2 code flow with the user's own app; target = a board.

Built: linking (HTTP Basic client authentication at the token endpoint, ``continuous_refresh=true``
on every token request), choosing a board, image Pins (one image, or a carousel of 2–5 of the same
size) sent as ``image_base64``, video Pins (``POST /v5/media`` → S3 form upload → poll → the Pin
with the video's first frame as its cover). Not built: ``image_url`` and ``multiple_image_urls``
(they need a public address for the file, which linkdeck does not have), board sections, a
separate Pin link field (the caption's first web address is the link), and Pinterest's own API
sandbox host for Trial apps (``api-sandbox.pinterest.com``).
"""

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

PI = "pinterest/api-description@c05b189 v5/openapi.yaml"
PI26 = "shared/reference/networks-2026.md §9"
PZ = "gitroomhq/postiz-app@74b01ad libraries/nestjs-libraries/src/integrations/social/pinterest.provider.ts"
AY = "ayrshare.com/docs/media-guidelines/pinterest (3P)"
API = "https://api.pinterest.com/v5"

SPEC = NetworkSpec(
    id="pinterest",
    name="Pinterest",
    brand_color="#bd081c",
    auth=AuthKind.OAUTH2,
    endpoints=Endpoints(
        authorize="https://www.pinterest.com/oauth/",
        token=f"{API}/oauth/token",
        profile=f"{API}/user_account",
        api_base=API,
    ),
    scopes=("user_accounts:read", "boards:read", "boards:write", "pins:read", "pins:write"),
    settings_url="https://www.pinterest.com/settings/",
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
        max_images=5,
        image_formats=("jpeg", "png"),
        image_max_bytes=20_000_000,
        video_formats=("mp4", "mov", "m4v"),
        video_max_bytes=1_000_000_000,
        video_min_seconds=4,
        video_max_seconds=15 * 60,
    ),
    caption=CaptionLimits(max_length=800, counting=CaptionCounting.CHARS, title_max_length=100),
    targets=(TargetKind.BOARD,),
    token_lifetime="access about 30 days (3P), refreshed automatically; the 60-day continuous "
    "refresh token is renewed with every refresh, so the account lasts while linkdeck is used",
    access_token_seconds=30 * 24 * 3600,
    summary="Create Pins on your boards with your own Pinterest app.",
    notes=(
        "A new Pinterest app starts with Trial access. Pinterest's access-tiers page says a Trial "
        "app's Pins are visible only to you, but Pinterest has been refusing them with error 29 "
        '("Apps with Trial access may not create Pins in production"): apply for Standard access '
        "in the developer portal to publish. linkdeck does not post to Pinterest's API sandbox.",
        "Every Pin needs an image or a video: a post with only text is refused. A carousel has "
        "2–5 images of the same size; a 2:3 portrait image is recommended.",
        "Images go to Pinterest inside the request (image_base64), which takes JPEG and PNG only; "
        "GIF, WebP, BMP and TIFF would need a public web address for the file, which linkdeck "
        "does not have yet, so convert them to JPEG first.",
        "A video Pin's cover is the video's first frame.",
        "The caption's first line becomes the Pin's title (at most 100 characters, cut at a word "
        "with an ellipsis); the rest is the description (at most 800). The photo's description "
        "becomes the Pin's alt text (at most 500). The first web address in the caption becomes the "
        "Pin's link.",
        "Pinterest can't revoke a user's token through the API: remove linkdeck in your Pinterest "
        "settings to cut it off.",
    ),
    setup_guide=(
        "1. At developers.pinterest.com create an app (Trial access is granted first).\n"
        "2. Add the redirect URI `http://127.0.0.1:8080/callback` exactly as written.\n"
        "3. Copy the **App ID** into `LINKDECK_PINTEREST_CLIENT_ID`, or into `config.toml` as "
        '`[networks.pinterest] client_id = "…"`.\n'
        "4. Store the **App secret key** with `linkdeck config set-secret pinterest`: the token "
        "exchange authenticates with it."
    ),
    docs_url="https://developers.pinterest.com/docs/getting-started/",
    developer_url="https://developers.pinterest.com/apps/",
    sources={
        "endpoints": f"{PI}; {PZ} (authorize www.pinterest.com/oauth/, POST /v5/oauth/token, "
        "GET /v5/user_account)",
        "client_secret": f"{PI} /oauth/token (security: basic, so HTTP Basic client_id:secret: "
        "client_secret_basic)",
        "continuous_refresh": f"{PI} /oauth/token description (apps created before 2025-09-25 must "
        "set continuous_refresh=true; later apps get continuous refresh anyway); {PI26} (Postiz does "
        "not send it); sent on the code exchange and on every refresh",
        "pkce": f"not claimed: not in {PI} (unverified)",
        "device_flow": f"not claimed: none ({PI})",
        "refresh": f"{PI} /oauth/token (continuous refresh tokens: 60 days, refreshable indefinitely; "
        "apps created before 2025-09-25 send continuous_refresh=true)",
        "provider_revoke": f"not claimed: {PI} POST /v5/oauth/token/revoke is for system-user tokens only",
        "loopback": "developers.pinterest.com/docs/getting-started/ (exact match, several URIs "
        "allowed); localhost per docs.postiz.com/providers/pinterest (3P; official rule unverified)",
        "fixed_port": "8080 is the port the user registers in the redirect URI (exact match); "
        "same convention as X",
        "scopes": f"{PZ}; {PI} (POST /pins needs boards:read boards:write pins:read pins:write; "
        "GET /user_account user_accounts:read; GET /boards boards:read; GET /media/{{id}} pins:read)",
        "token_lifetime": f"{PI} (refresh 60 days); access ~30 days: 3P",
        "settings_url": "unverified: no app-revocation page in networks.md; Pinterest's general "
        "settings page",
        "access_tier": "developers.pinterest.com/docs/key-concepts/access-tiers/ (Trial: Pins visible "
        f"only to the creator), contradicted in practice by error 29 ({PI26}, PZI #1084); the 2026 "
        "file wins, so the note says both",
        "publish": f"{PI}; {PZ} (POST /v5/pins with board_id (numeric: {PI26}, postiz-docs PR #248); "
        "media_source image_base64 / multiple_image_base64 (2–5 items); video: POST /v5/media "
        "→ upload_url + upload_parameters (S3 form POST, the file as 'file') → GET /v5/media/{{id}} "
        "until succeeded → source_type video_id with a cover image ({PI26}: PZI PR #1802))",
        "image_formats": f"{PI} ContentType enum (image/jpeg, image/png) for image_base64; the other "
        f"formats of {AY} need image_url, i.e. a public URL",
        "title_description_alt": f"{PI} PinCreate (title ≤100, description ≤800, alt_text ≤500, link ≤2048)",
        "trial_access": f"{PI26} (error code 29 on POST /v5/pins for Trial apps, PZI #1084; HTTP "
        "status not recorded there, 403 assumed)",
        "recovery": f"{PI} GET /boards/{{board_id}}/pins (the board's Pins, newest first): matched "
        "by title, description and media kind, created after the send began",
        "media": f"{AY} (image ≤20 MB BMP/JPEG/PNG/TIFF/GIF/WEBP, 2:3 recommended; MP4/MOV/M4V "
        "≤1 GB, 4 s–15 min; carousel images share dimensions)",
        "caption": f"{PI} (description ≤800, title ≤100)",
        "brand_color": "simple-icons/simple-icons@34c2250 data/simple-icons.json (not in networks.md)",
    },
)
