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
GRAPH = "https://graph.facebook.com/v21.0"  # version as in PRODUCT.md's example

SPEC = NetworkSpec(
    id="facebook",
    name="Facebook",
    brand_color="#0866ff",
    auth=AuthKind.OAUTH2,
    endpoints=Endpoints(
        authorize="https://www.facebook.com/v21.0/dialog/oauth",
        token=f"{GRAPH}/oauth/access_token",
        revoke=f"{GRAPH}/me/permissions",
        profile=f"{GRAPH}/me",
        device=f"{GRAPH}/device/login",
        api_base=GRAPH,
        upload="https://graph-video.facebook.com/v21.0",
    ),
    scopes=("pages_show_list", "pages_manage_posts", "pages_read_engagement"),
    settings_url="https://www.facebook.com/settings?tab=business_tools",
    capabilities=AuthCapabilities(
        loopback_redirect=True,
        fixed_port=8080,
        pkce=False,
        device_flow=True,
        refresh=False,
        provider_revoke=True,
        needs_developer_app=True,
        needs_client_secret=True,
    ),
    media=MediaLimits(
        max_images=10,
        image_formats=("jpeg", "png"),
        image_max_bytes=4_000_000,
        video_formats=("mp4",),
    ),
    caption=CaptionLimits(max_length=63_206, counting=CaptionCounting.CHARS),
    targets=(TargetKind.PAGE,),
    token_lifetime="Page token: no expiry (from a ~60-day user token); ends on a password change, "
    "a lost Page role, or removing the app",
    summary="Post to the Facebook Pages you manage, with your own Meta app.",
    notes=(
        "Only Pages can be posted to. A personal Timeline cannot be posted to by any API since 2018 "
        "(Facebook removed publish_actions on 1 Aug 2018): to share on your own Timeline, use "
        "Facebook's Share dialog (https://www.facebook.com/sharer/sharer.php) instead.",
        "Groups cannot be posted to either: Facebook removed the Groups publishing API on 22 Apr 2024.",
        "Pages owned through a Business portfolio also need the business_management permission.",
        "The http://127.0.0.1 redirect works only while your Meta app is in Development mode; keep it "
        "there (it is your own app) or link with a device code instead.",
        "You need a Page role that lets you create content on the Page.",
    ),
    setup_guide=(
        "1. At developers.facebook.com create an app and add **Facebook Login**.\n"
        "2. In Facebook Login settings add the valid OAuth redirect URI "
        "`http://127.0.0.1:8080/callback` (an exact match is required) and keep the app in "
        "**Development mode**, where http redirects are allowed. To link over SSH, also turn on "
        "*Login from Devices*.\n"
        "3. Copy the App ID into `LINKDECK_FACEBOOK_CLIENT_ID`, or into `config.toml` as "
        '`[networks.facebook] client_id = "…"`.\n'
        "4. The app secret is needed to exchange the code: run `linkdeck config set-secret facebook` "
        "and paste it.\n\n"
        "Using the app for Pages you don't manage yourself needs Meta's App Review."
    ),
    docs_url=f"https://{FB}/documentation/facebook-login/guides/advanced/manual-flow",
    developer_url="https://developers.facebook.com/apps/",
    share_url="https://www.facebook.com/sharer/sharer.php",
    optional_scopes=("business_management",),
    sources={
        "endpoints": f"{PZ}; {FB}/docs/graph-api/reference/user/permissions/; "
        "Graph version v21.0 from PRODUCT.md's example (the reference says vXX.X)",
        "pkce": f"not claimed: PKCE unverified (not used by {PZ})",
        "device_flow": f"{FB}/docs/facebook-login/for-devices; r-lib/httr demo/oauth2-facebook.r "
        "(POST /device/login; which permissions device login allows: unverified)",
        "refresh": "not claimed: no refresh_token; re-exchange with grant_type=fb_exchange_token "
        f"({FB}/documentation/facebook-login/guides/access-tokens/get-long-lived)",
        "provider_revoke": f"{FB}/docs/graph-api/reference/user/permissions/ (DELETE "
        "/{user-id}/permissions/{perm}; deleting the whole edge: unverified)",
        "loopback": f"{FB}/documentation/facebook-login/guides/advanced/manual-flow; blog 2018/06/08 "
        "enforce-https (http://localhost only in Development mode; Strict mode = exact match)",
        "fixed_port": "8080 is the port the user registers in the redirect URI (Strict mode needs an "
        "exact match); same convention as X",
        "client_secret": f"{FB}/documentation/facebook-login/guides/advanced/manual-flow "
        "(secret needed for the code and long-lived exchanges)",
        "scopes": f"{FB}/docs/page-stories-api; {PZ} (business_management for Business Manager)",
        "token_lifetime": f"{FB}/documentation/facebook-login/guides/access-tokens/get-long-lived "
        "(long-lived ~60 days, expires_in 5183944); non-expiring Page token: official section unverified",
        "settings_url": "unverified (facebook.com/settings?tab=business_tools, Business Integrations)",
        "timeline": f"{FB}/docs/graph-api/changelog/non-versioned-changes/apr-24-2018 (publish_actions "
        "removed 1 Aug 2018: use the Share dialog); share_url from the linkdeck brief, not networks.md",
        "groups": f"{FB}/docs/graph-api/changelog/version19.0/ (removed for all versions 22 Apr 2024)",
        "publish": f"{PZ}; {FB}/docs/video-api/guides/publishing (CREATE_CONTENT task; graph-video host)",
        "media": f"{PZ} (Graph error 1366046: photos under 4 MB, JPG/PNG); feed video limits: unverified; "
        "max 10 images per post: peers.md §5 [A12] (3P)",
        "caption": f"{PZ} (maxLength 63,206; official limit unverified)",
        "brand_color": "simple-icons/simple-icons@34c2250 data/simple-icons.json (not in networks.md)",
    },
)
