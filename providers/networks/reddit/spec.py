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
    # identity: who signed in; submit: posts, upload leases, post rules; mysubreddits: the
    # subreddits to choose from; flair: their flair templates; read: a typed subreddit's page;
    # history: the account's newest submissions (finding a photo post, recovery).
    scopes=("identity", "submit", "mysubreddits", "flair", "read", "history"),
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
        max_images=1,  # galleries (several photos in one post) are not built
        image_formats=("jpeg", "png", "gif"),
        image_max_bytes=20 * 1024 * 1024,
        video_formats=("mp4", "mov"),
        video_max_bytes=1024 * 1024 * 1024,
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
        "Every post needs a title: the caption's first line (at most 300 characters, cut at a word "
        "with an ellipsis); the lines after it are the post's text. A post without a file whose text "
        "is one web address (or a caption that is only one) becomes a link post.",
        "You choose a subreddit when linking: those you moderate or follow, once per post flair where "
        "the subreddit requires one (read for your first 40 subreddits), or your own profile; with "
        "none, you type a subreddit's name. To post elsewhere, link Reddit again and choose again.",
        "One photo or one video per post; galleries (several photos) are not built in this version. "
        "A video's poster is its first frame.",
        "Reddit tells when a photo or video post is ready only over a websocket linkdeck does not "
        "listen on: linkdeck finds the post in your newest submissions instead, and never submits "
        "it twice when an answer is lost.",
        "Each subreddit has its own rules (flair, allowed post types); a post that breaks them is "
        "refused by the subreddit, not by linkdeck.",
        "linkdeck checks photos against 20 MB and videos against 1 GB before uploading (unverified "
        "figures); Reddit's own limit shows when it refuses a file, and the message names it.",
    ),
    setup_guide=(
        "**Reddit must approve your API access first.** Since November 2025 (Reddit's Responsible "
        "Builder Policy) self-service access to the Data API is closed: a new app works only once "
        "Reddit has approved it (apps approved before keep working). Ask through Reddit's developer "
        "support (support.reddithelp.com, article 42728983564564), saying it is a personal, "
        "installed tool that posts to your own account; linkdeck cannot do this step for you.\n"
        "1. Once allowed, create an app at https://www.reddit.com/prefs/apps of type "
        "**installed app** (it has no secret).\n"
        "2. Set its redirect URI to `http://127.0.0.1:8080/callback` exactly as written.\n"
        "3. Copy the client ID (shown under the app's name) into `LINKDECK_REDDIT_CLIENT_ID`, or into "
        '`config.toml` as `[networks.reddit] client_id = "…"`. No secret is needed.\n'
        "4. `linkdeck link reddit`: Reddit asks you to allow identity, submit, mysubreddits, flair, "
        "read and history (permanently, until you unlink); then choose the subreddit posts go to."
    ),
    docs_url=f"https://{RW}",
    developer_url="https://www.reddit.com/prefs/apps",
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
        "scopes": f"{PZ} (identity submit, + read, flair); mysubreddits for /subreddits/mine/*, "
        "history for /user/{name}/submitted: reddit.com/dev/api scope tags (unverified: no stored "
        "copy read)",
        "token_lifetime": "PSRAW help; python-social-auth (access 60 min; permanent refresh token)",
        "settings_url": "n8n-io/n8n-docs#4510 (reddit.com/prefs/apps)",
        "publish": f"{PR} praw/endpoints.py, models/reddit/subreddit/subreddit.py (undocumented "
        "media endpoints; kind, sr, title)",
        "media": f"{PR} (upload size reported by the server via TooLargeMediaException, from S3's "
        "EntityTooLarge MaxSizeAllowed); 20 MB image / 1 GB video: unverified; formats: unverified; "
        "max_images 1: linkdeck builds no galleries yet",
        "user_agent": "support.reddithelp.com Data API Wiki (<platform>:<app ID>:<version> (by "
        "/u/<username>)), shared/reference/networks-2026.md §12a",
        "submit_errors": "PZI PR #1837, PRAW PR #1004 (HTTP 200 + json.errors; media posts answer a "
        "websocket_url only); networks-2026.md §12a",
        "recovery": "PZ reddit.provider.ts (never resubmits; looks the post up in "
        "/user/{name}/submitted?sort=new by title and subreddit)",
        "revoke_status": "prawcore 4.0.0 auth.py (revoke_token expects HTTP 200)",
        "caption": f"{PR} (gallery caption ≤180); title 300 / selftext 40,000: unverified",
        "brand_color": "simple-icons/simple-icons@34c2250 data/simple-icons.json (not in networks.md)",
    },
)
