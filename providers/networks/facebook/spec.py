"""Facebook Pages: Facebook Login (or Login for Devices) with the user's own Meta app; target = a Page."""

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

FB = "developers.facebook.com"
PZ = "gitroomhq/postiz-app@74b01ad libraries/nestjs-libraries/src/integrations/social/facebook.provider.ts"
# The one Graph API version linkdeck speaks (networks-2026.md §0.1, §1a: v26.0 current since
# 2026-07-29; v20.0 expired 2026-09-24, v21.0 expires 2027-01-21). Every Graph URL is built from it.
GRAPH_VERSION = "v26.0"
GRAPH = f"https://graph.facebook.com/{GRAPH_VERSION}"
DIALOG = f"https://www.facebook.com/{GRAPH_VERSION}/dialog/oauth"
SHARE_DIALOG = "https://www.facebook.com/sharer/sharer.php"
LONG_LIVED_SECONDS = 60 * 24 * 3600
TIMELINE_REASON = (
    "Your personal Timeline cannot be posted to: Facebook removed the publish_actions permission "
    "on 1 Aug 2018 and no API has posted to a Timeline since."
)

SPEC = NetworkSpec(
    id="facebook",
    name="Facebook",
    brand_color="#0866ff",
    auth=AuthKind.OAUTH2,
    endpoints=Endpoints(
        authorize=DIALOG,
        token=f"{GRAPH}/oauth/access_token",
        revoke=f"{GRAPH}/me/permissions",
        profile=f"{GRAPH}/me",
        api_base=GRAPH,
        upload=f"https://graph-video.facebook.com/{GRAPH_VERSION}",
    ),
    scopes=("pages_show_list", "pages_manage_posts", "pages_read_engagement", "business_management"),
    settings_url="https://www.facebook.com/settings?tab=business_tools",
    capabilities=AuthCapabilities(
        loopback_redirect=True,
        fixed_port=8080,
        pkce=False,
        device_flow=False,  # Login for Devices is not RFC 8628: offered by link.py, not the base
        refresh=False,
        provider_revoke=True,
        needs_developer_app=True,
        needs_client_secret=True,
    ),
    media=MediaLimits(
        max_images=10,
        image_formats=("jpeg", "png"),
        image_max_bytes=4_000_000,
        video_formats=("mp4", "mov"),
        mixed_media=False,
    ),
    caption=CaptionLimits(max_length=63_206, counting=CaptionCounting.CHARS),
    targets=(TargetKind.PAGE,),
    token_lifetime="60 days (the long-lived user token; its Page tokens end with it at the latest), "
    "not renewable without you: link again before it runs out",
    access_token_seconds=LONG_LIVED_SECONDS,
    warn_before_expiry_days=7,
    summary="Post to the Facebook Pages you manage, with your own Meta app. Your own Timeline: "
    "no API since 2018 (Share dialog link instead).",
    notes=(
        f"Timeline: unavailable. {TIMELINE_REASON} To share a link on your own Timeline, open "
        f"Facebook's Share dialog: {SHARE_DIALOG}?u=<your link>.",
        "Only Pages can be posted to; Pages owned through a Business portfolio are listed too "
        "(business_management).",
        "Groups cannot be posted to either: Facebook removed the Groups publishing API on 22 Apr 2024.",
        "The http://127.0.0.1 (localhost) redirect works only while your Meta app is in Development "
        "mode; keep it there (it is your own app, and you are its admin).",
        "The sign-in lasts 60 days (Facebook's long-lived token; Facebook has no refresh token): the "
        "card shows the days left and warns a week ahead, then you link again.",
        "A video goes on its own in a post (no photos beside it). Facebook processes it after "
        "linkdeck has posted it: it may take a few minutes to show, and linkdeck does not wait.",
        "A vertical video (taller than 3:5) is posted as a Reel: Reels are 9:16, at least "
        "540 × 960 pixels and 3 to 90 seconds long, checked before anything is sent; Facebook "
        "allows 30 Reels a day per Page through the API. Any other video is a Page video.",
        "Not in this version: Stories, and alt text (photos are sent without the alt text you wrote).",
        "Facebook Login for Devices (a code typed at facebook.com/device) is offered beside the "
        "browser address when LINKDECK_FACEBOOK_CLIENT_TOKEN holds your app's client token; "
        "whether Facebook grants Page permissions that way is not confirmed.",
        "You need a Page role that lets you create content on the Page.",
    ),
    setup_guide=(
        "1. At developers.facebook.com create an app and add **Facebook Login**.\n"
        "2. In Facebook Login settings add the valid OAuth redirect URI "
        "`http://127.0.0.1:8080/callback` (an exact match is required) and keep the app in "
        "**Development mode**: Meta allows http://localhost redirects only there. Over SSH, "
        "`linkdeck link facebook --no-browser` prints the address to open elsewhere and takes the "
        "final address pasted back. For a code typed at facebook.com/device instead, turn on "
        "*Login from Devices* and put the app's client token (Settings → Advanced) in "
        "`LINKDECK_FACEBOOK_CLIENT_TOKEN`.\n"
        "3. Copy the App ID into `LINKDECK_FACEBOOK_CLIENT_ID`, or into `config.toml` as "
        '`[networks.facebook] client_id = "…"`.\n'
        "4. The app secret is needed to exchange the code: run `linkdeck config set-secret facebook` "
        "and paste it.\n\n"
        "Using the app for Pages you don't manage yourself needs Meta's App Review."
    ),
    docs_url=f"https://{FB}/documentation/facebook-login/guides/advanced/manual-flow",
    developer_url="https://developers.facebook.com/apps/",
    share_url=SHARE_DIALOG,
    sources={
        "endpoints": f"{PZ}; {FB}/docs/graph-api/reference/user/permissions/",
        "graph_version": "networks-2026.md §0.1 and §1a (v26.0 current, released 2026-07-29; v20.0 "
        "expired 2026-09-24; verified MGV); one constant, GRAPH_VERSION",
        "pkce": f"not claimed: PKCE unverified (not used by {PZ})",
        "device_flow": f"not claimed as RFC 8628: {FB}/docs/facebook-login/for-devices (POST "
        "/device/login with APP_ID|CLIENT_TOKEN, poll /device/login_status; subcodes 1349174 "
        "pending, 1349172 slow down, 1349152 expired: unverified here); offered by link.py when "
        "the client token is set; which permissions it allows is unverified (networks-2026.md §1a)",
        "refresh": "not claimed: no refresh_token; re-exchange with grant_type=fb_exchange_token "
        f"({FB}/documentation/facebook-login/guides/access-tokens/get-long-lived)",
        "provider_revoke": f"{FB}/docs/graph-api/reference/user/permissions/ (DELETE "
        "/{user-id}/permissions/{perm}); linkdeck sends DELETE /me/permissions (the whole edge, "
        "as the issue asks; that it de-authorizes the app: unverified)",
        "loopback": f"{FB}/documentation/facebook-login/guides/advanced/manual-flow; blog 2018/06/08 "
        "enforce-https (http://localhost only in Development mode; Strict mode = exact match)",
        "fixed_port": "8080 is the port the user registers in the redirect URI (Strict mode needs an "
        "exact match); same convention as X",
        "client_secret": f"{FB}/documentation/facebook-login/guides/advanced/manual-flow "
        "(secret needed for the code and long-lived exchanges); appsecret_proof = HMAC-SHA256(token, "
        f"app secret): {FB}/docs/graph-api/securing-requests (as python-facebook-api 0.24.0 sends it)",
        "scopes": f"{FB}/docs/page-stories-api; {PZ} (business_management for Business-owned Pages, "
        "asked always so those Pages are listed)",
        "token_lifetime": f"{FB}/documentation/facebook-login/guides/access-tokens/get-long-lived "
        "(long-lived ~60 days, expires_in 5183944; GET /oauth/access_token?grant_type="
        "fb_exchange_token); non-expiring Page token: official section unverified",
        "warn_before_expiry": "linkdeck choice: 7 days before the 60-day expiry (as LinkedIn)",
        "pages": f"{PZ} (/me/accounts, /me/businesses → owned_pages, client_pages; networks-2026.md §1a)",
        "settings_url": "unverified (facebook.com/settings?tab=business_tools, Business Integrations)",
        "timeline": f"{FB}/docs/graph-api/changelog/non-versioned-changes/apr-24-2018 (publish_actions "
        "removed 1 Aug 2018: use the Share dialog); sharer.php?u= from issue 12, not networks.md",
        "groups": f"{FB}/docs/graph-api/changelog/version19.0/ (removed for all versions 22 Apr 2024)",
        "publish": f"{PZ}; {FB}/docs/video-api/guides/publishing (CREATE_CONTENT task; graph-video host)",
        "media": f"{PZ} (Graph error 1366046: photos under 4 MB, JPG/PNG); feed video limits: unverified; "
        "max 10 images per post: peers.md §5 [A12] (3P); video: Resumable Upload API then "
        "graph-video /{page}/videos with fbuploader_video_file_chunk (networks.md §1 Publish; size "
        "and length limits unverified, none claimed)",
        "reels": "networks-2026.md §1a (a vertical video sent to /{page}/videos lands as a draft; "
        "Reels through /{page}/video_reels upload_phase=start → upload → finish; verified PZI PR "
        "#1740); limits (9:16, ≥540×960, 3–90 s, 30 API Reels per Page in 24 h), the rupload "
        "offset/file_size headers, video_state=PUBLISHED and the status phases: "
        f"{FB}/docs/video-api/guides/reels-publishing (updated 2026-07-30, docs corpus); "
        "'vertical' = width/height ≤ 0.6 is linkdeck's choice",
        "errors": f"{PZ} handleErrors (1366046, 1390008); networks.md §1 (368/1390008 posting too "
        "fast); recorded 190/463 and #200 in tests/fixtures/recorded/_reported",
        "recovery": "LOOKUP: no idempotency key on /{page-id}/feed (networks-2026.md §0.4); the "
        "Page's newest feed posts after the commit, matched by message",
        "caption": f"{PZ} (maxLength 63,206; official limit unverified)",
        "brand_color": "simple-icons/simple-icons@34c2250 data/simple-icons.json (not in networks.md)",
    },
)
