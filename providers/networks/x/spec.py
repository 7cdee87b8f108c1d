"""X (formerly Twitter), API v2: OAuth2 + PKCE with the user's own public "Native App" client."""

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

XD = "xdevplatform/docs@2871328"
OAUTH2 = f"{XD} fundamentals/authentication/oauth-2-0"

# Pay-per-use prices (USD, billed to the user's developer account) since 2026-04-20, in the one
# place messages and notes read them from (networks-2026.md §4a, XD getting-started/pricing.mdx).
PRICE_PER_POST = 0.015
PRICE_PER_POST_WITH_URL = 0.20
# Longest post for an account with a paid subscription (users/me subscription_type other than
# "None"): X's help says 25,000; Postiz uses 4,000 (unverified either way, networks.md §4). We
# allow 25,000 and let X's own refusal speak if it is less.
SUBSCRIBED_MAX_LENGTH = 25_000

SPEC = NetworkSpec(
    id="x",
    name="X",
    brand_color="#000000",
    auth=AuthKind.OAUTH2,
    endpoints=Endpoints(
        authorize="https://x.com/i/oauth2/authorize",
        token="https://api.x.com/2/oauth2/token",
        revoke="https://api.x.com/2/oauth2/revoke",
        profile="https://api.x.com/2/users/me",
        api_base="https://api.x.com",
    ),
    scopes=("tweet.read", "tweet.write", "users.read", "media.write", "offline.access"),
    settings_url="https://x.com/settings/connected_apps",
    capabilities=AuthCapabilities(
        loopback_redirect=True,
        fixed_port=8080,
        pkce=True,
        refresh=True,
        provider_revoke=True,
        needs_developer_app=True,
        needs_client_secret=False,
    ),
    media=MediaLimits(
        max_images=4,
        image_formats=("jpeg", "png", "gif", "webp"),
        image_max_bytes=5_000_000,
        video_formats=("mp4",),
        video_max_bytes=512_000_000,
        video_min_seconds=0.5,
        video_max_seconds=140,
        video_min_aspect=1 / 3,
        video_max_aspect=3.0,
    ),
    caption=CaptionLimits(max_length=280, counting=CaptionCounting.WEIGHTED, url_length=23),
    targets=(TargetKind.PROFILE,),
    token_lifetime="2 hours, refreshed automatically (offline.access) until you revoke it",
    access_token_seconds=2 * 3600,
    summary="Post to X with your own developer app (free Native App client, no secret).",
    notes=(
        "A post holds up to 4 photos, or 1 GIF, or 1 video. X takes GIFs up to 15 MB (1280×1080); "
        "linkdeck holds them to the 5 MB photo limit in this version.",
        "Emoji and CJK characters count twice and every link counts as 23 characters.",
        "X's larger media limits for subscribers are not used: linkdeck judges media by the common "
        "limits (video up to 140 s and 512 MB).",
        f"The X API is pay-per-use (since 2026-02-06) and billed to your developer account: "
        f"${PRICE_PER_POST} per post, ${PRICE_PER_POST_WITH_URL:.2f} per post that contains a link.",
        "Accounts with an X subscription (Basic, Premium, Premium+) may post up to "
        f"{SUBSCRIBED_MAX_LENGTH:,} characters; linkdeck reads the subscription when you link.",
        "Alt text (up to 1,000 characters) is sent for each photo, GIF and video.",
        "Posting is limited to 100 posts per 15 minutes per account.",
        "Without a local browser (SSH), open the link anywhere, then paste the address your browser "
        "ends on back into linkdeck.",
        "An app with only OAuth 1.0a keys (API Key and Secret) links by PIN: `linkdeck config set x "
        "route pin`, the API Key as client_id and the API Key Secret with `config set-secret x`.",
    ),
    setup_guide=(
        "1. In the X developer portal, create a Project and an App.\n"
        "2. Under *User authentication settings* choose the **Native App** type (a public client: "
        "no secret is needed) with *Read and write* permissions.\n"
        "3. Add the callback URI `http://127.0.0.1:8080/callback` exactly as written: X only "
        "accepts a redirect that matches a registered one, port included.\n"
        "4. Copy the **OAuth 2.0 Client ID** into `LINKDECK_X_CLIENT_ID`, or into "
        '`config.toml` as `[networks.x] client_id = "…"`. There is no secret to store for this type.'
    ),
    docs_url="https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code",
    developer_url="https://developer.x.com/en/portal/dashboard",
    sources={
        "auth": f"{OAUTH2}/authorization-code.mdx (PKCE mandatory; code valid 30 s)",
        "pkce": f"{OAUTH2}/authorization-code.mdx (PKCE mandatory; we send S256 only)",
        "device_flow": f"not claimed: {OAUTH2}/authorization-code.mdx (no device flow)",
        "endpoints": f"{OAUTH2}/user-access-token.mdx",
        "refresh": f"{OAUTH2}/authorization-code.mdx (refresh token only with offline.access)",
        "provider_revoke": f"{OAUTH2}/user-access-token.mdx (POST /2/oauth2/revoke)",
        "client": f"{OAUTH2}/authorization-code.mdx (Native App/SPA = public client, no secret)",
        "loopback": f"{XD} tools/xurl.mdx, x-ads-api/mcp.mdx (http://127.0.0.1:8080/callback registered)",
        "fixed_port": f"{XD} tools/xurl.mdx, x-ads-api/mcp.mdx: 8080 is the port the user registers in "
        "the callback URI (exact match required), following X's own tools",
        "oauth1_pin": f"{XD} fundamentals/authentication/oauth-1-0a/pin-based-oauth.mdx "
        "(request_token with oauth_callback=oob, authorize, access_token with the PIN as "
        "oauth_verifier; user_id and screen_name in the answer); invalidate: XD x-api/authentication/"
        "api-reference/post-oauth-invalidate_token (unverified path); networks.md §X (PIN suits SSH)",
        "scopes": f"{OAUTH2}/authorization-code.mdx",
        "token_lifetime": f"{OAUTH2}/authorization-code.mdx (access 2 h; refresh-token TTL: unverified)",
        "settings_url": f"{OAUTH2}/user-access-token.mdx",
        "media": f"{XD} x-api/media/quickstart/best-practices.mdx (4 photos or 1 GIF or 1 video; "
        "image 5 MB; GIF 15 MB; video 512 MB, 0.5–140 s, 1:3–3:1; limits follow the user's Premium status)",
        "caption": f"{XD} fundamentals/counting-characters.mdx (280 weighted, URLs 23); "
        "Premium length: PZ 4,000, 25,000 unverified",
        "rate": f"{XD} x-api/fundamentals/rate-limits.mdx (POST /2/tweets 100/15 min per user)",
        "pricing": f"{XD} getting-started/pricing.mdx, changelog.mdx (pay-per-use since 2026-02-06; "
        "$0.015 per post, $0.20 with URL since 2026-04-20); 402 when credits run out: "
        "tryethernal/ethernal#1324 (body unverified)",
        "upload": f"{XD} changelog.mdx 2025-04-30 (POST /2/media/upload one-shot; "
        "/2/media/upload/initialize, /{{id}}/append, /{{id}}/finalize; GET ?command=STATUS); "
        "XO paths + schemas (networks-2026.md §4a); alt text: POST /2/media/metadata (xdk 0.10.6 "
        "CreateMediaMetadataRequest)",
        "subscription": "xdk 0.10.6 schemas.User.subscription_type (None, Basic, Premium, "
        "PremiumPlus); length for subscribers: see SUBSCRIBED_MAX_LENGTH",
        "rate_headers": "tweepy cassette test_client_create_and_delete_tweet.yaml "
        "(x-rate-limit-limit/remaining/reset on POST /2/tweets)",
        "recovery": "POST /2/tweets takes no idempotency key (XO CreatePostsRequest); a lost "
        "answer is looked up in GET /2/users/{id}/tweets after the commit",
        "brand_color": "simple-icons/simple-icons@34c2250 data/simple-icons.json (not in networks.md)",
    },
)
