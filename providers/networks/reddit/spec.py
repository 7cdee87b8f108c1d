"""Reddit: OAuth2 code flow with the user's own "installed app" client (no secret); target = a subreddit."""

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

RW = "github.com/reddit-archive/reddit/wiki/oauth2"
PR = "praw-dev/praw@7b69758"
PZ = "gitroomhq/postiz-app@74b01ad libraries/nestjs-libraries/src/integrations/social/reddit.provider.ts"

SPEC = NetworkSpec(
    id="reddit",
    name="Reddit",
    brand_color="#ff4500",
    auth=AuthKind.OAUTH2,
    endpoints=Endpoints(
        authorize="https://www.reddit.com/api/v1/authorize",
        token="https://www.reddit.com/api/v1/access_token",
        revoke="https://www.reddit.com/api/v1/revoke_token",
        profile="https://oauth.reddit.com/api/v1/me",
        api_base="https://oauth.reddit.com",
    ),
    scopes=("identity", "submit"),
    settings_url="https://www.reddit.com/prefs/apps",
    capabilities=AuthCapabilities(
        loopback_redirect=True,
        fixed_port=8080,
        pkce=False,
        device_flow=False,
        refresh=True,
        provider_revoke=True,
        needs_developer_app=True,
        needs_client_secret=False,
    ),
    media=MediaLimits(
        max_images=20,
        image_formats=("jpeg", "png", "gif"),
        video_formats=("mp4",),
    ),
    caption=CaptionLimits(
        max_length=40_000,
        counting=CaptionCounting.CHARS,
        title_max_length=300,
        required=True,
    ),
    targets=(TargetKind.SUBREDDIT,),
    token_lifetime="1 hour, refreshed automatically (permanent refresh token until you revoke it)",
    access_token_seconds=3600,
    summary="Submit posts to subreddits with your own Reddit app.",
    notes=(
        "Since November 2025 Reddit must approve new API apps (Responsible Builder Policy); "
        "creating one yourself at reddit.com/prefs/apps is blocked until Reddit says yes.",
        "Every post needs a title. Photo and video posts carry the title only; a gallery item's "
        "caption is limited to 180 characters.",
        "Each subreddit has its own rules (flair, allowed post types); a post that breaks them is "
        "refused by the subreddit, not by linkdeck.",
        "The largest upload Reddit accepts is only known when it refuses a file.",
    ),
    setup_guide=(
        "1. Request API access from Reddit (new apps need Reddit's approval since November 2025).\n"
        "2. Once allowed, create an app at https://www.reddit.com/prefs/apps of type "
        "**installed app** (it has no secret).\n"
        "3. Set its redirect URI to `http://127.0.0.1:8080/callback` exactly as written.\n"
        "4. Copy the client ID (shown under the app's name) into `LINKDECK_REDDIT_CLIENT_ID`, or into "
        '`config.toml` as `[networks.reddit] client_id = "…"`. No secret is needed.'
    ),
    docs_url=f"https://{RW}",
    optional_scopes=("read", "flair"),
    sources={
        "access": "support.reddithelp.com/hc/en-us/articles/42728983564564; n8n-io/n8n-docs#4510; "
        "praw-dev/praw#2094 (approval required since Nov 2025)",
        "endpoints": f"{RW} (authorize, access_token, revoke_token); {PZ} (oauth.reddit.com/api/v1/me)",
        "client": f"{RW} (installed app: public client, empty secret in Basic auth)",
        "pkce": "not claimed: not supported (unverified)",
        "device_flow": "not claimed: not supported (unverified)",
        "refresh": f"{RW} (duration=permanent gives a refresh token)",
        "provider_revoke": f"{RW} (POST /api/v1/revoke_token)",
        "loopback": "python-social-auth docs (registered redirect URI, exact match; "
        "http://localhost:8000/... works)",
        "fixed_port": "8080 is the port the user registers in the redirect URI (exact match); "
        "same convention as X",
        "scopes": f"{PZ} (identity submit, + read, flair)",
        "token_lifetime": "PSRAW help; python-social-auth (access 60 min; permanent refresh token)",
        "settings_url": "n8n-io/n8n-docs#4510 (reddit.com/prefs/apps)",
        "publish": f"{PR} praw/endpoints.py, models/reddit/subreddit/subreddit.py (undocumented "
        "media endpoints; kind, sr, title)",
        "media": f"{PR} (upload size reported by the server via TooLargeMediaException); gallery "
        "20 items: unverified; formats: unverified",
        "caption": f"{PR} (gallery caption ≤180); title 300 / selftext 40,000: unverified",
        "brand_color": "simple-icons/simple-icons@34c2250 data/simple-icons.json (not in networks.md)",
    },
)
