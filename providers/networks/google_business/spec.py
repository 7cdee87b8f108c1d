"""Google Business Profile: Google OAuth with the user's own (access-approved) Cloud project."""

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

GID = "developers.google.com/identity/protocols/oauth2/resources"
FAQ = "developers.google.com/my-business/content/faq"
V4 = "developers.google.com/my-business/reference/rest/v4/accounts.locations.localPosts"
N26 = "networks-2026.md §11"
PZ = "gitroomhq/postiz-app@74b01ad libraries/nestjs-libraries/src/integrations/social/gmb.provider.ts"
AY = "ayrshare.com/docs/media-guidelines/google_business_profile (3P)"

SPEC = NetworkSpec(
    id="google-business",
    name="Google Business Profile",
    brand_color="#4285f4",
    auth=AuthKind.OAUTH2,
    endpoints=Endpoints(
        authorize="https://accounts.google.com/o/oauth2/v2/auth",
        token="https://oauth2.googleapis.com/token",
        revoke="https://oauth2.googleapis.com/revoke",
        profile="https://mybusinessaccountmanagement.googleapis.com/v1/accounts",
        api_base="https://mybusiness.googleapis.com/v4",
    ),
    scopes=("https://www.googleapis.com/auth/business.manage",),
    settings_url="https://myaccount.google.com/connections",
    capabilities=AuthCapabilities(
        loopback_redirect=True,
        pkce=True,
        device_flow=False,
        refresh=True,
        provider_revoke=True,
        oob=False,
        needs_developer_app=True,
        needs_client_secret=True,
    ),
    media=MediaLimits(
        videos=False,
        max_images=1,
        image_formats=("jpeg", "png"),
        image_max_bytes=5_000_000,
        image_min_width=250,
        video_formats=(),
    ),
    caption=CaptionLimits(max_length=1500, counting=CaptionCounting.CHARS),
    targets=(TargetKind.LOCATION,),
    token_lifetime="1 hour, refreshed automatically",
    access_token_seconds=3600,
    summary="Post updates with one photo to your business locations on Google.",
    notes=(
        "Google's Business Profile APIs are not open to everyone: your Google Cloud project must "
        "request access first (Google reviews it in about 14 days).",
        "Posting needs the Google My Business API (v4) enabled in the project as well, separately "
        "from the two Business Profile APIs linking uses; without it Google answers "
        "SERVICE_DISABLED and linkdeck says which API to enable.",
        "One photo per post (JPEG or PNG, 10 KB–5 MB, at least 250×250 px); no video.",
        "Google fetches the photo from a public https address: linkdeck stages it in your own "
        "S3-compatible bucket ([staging] in config.toml) for the moment it takes, then deletes it. "
        "Without [staging], text posts work and photo posts are refused before anything is sent.",
        "Posts are “What's new” updates (topic STANDARD). Events, offers and alerts are not built in "
        "this version.",
        "The first web address in the caption becomes a “Learn more” button on the post; other "
        "buttons (Book, Order, Call…) are not offered.",
        "Posts containing phone numbers are rejected.",
    ),
    setup_guide=(
        "1. In the Google Cloud console create a project and request access to the Business Profile "
        "APIs for it (Google reviews requests in about two weeks).\n"
        "2. Once approved, enable its **Account Management**, **Business Information** and "
        "**My Business API v4.9** APIs.\n"
        "3. Configure the OAuth consent screen and create an OAuth client ID of type **Desktop app**; "
        "any `http://127.0.0.1:<port>` redirect is accepted, so nothing else needs registering.\n"
        "4. Copy the client ID into `LINKDECK_GOOGLE_BUSINESS_CLIENT_ID`, or into `config.toml` as "
        '`[networks.google-business] client_id = "…"`.\n'
        "5. Store the client secret with `linkdeck config set-secret google-business`.\n"
        "6. For photos, set up media staging: an S3-compatible bucket as `[staging]` in "
        "`config.toml` and its secret key with `linkdeck config set-secret staging` (see below)."
    ),
    docs_url=f"https://{FAQ}",
    sources={
        "access": f"{FAQ} (APIs not public; request access per Cloud project, ~14 days; enable "
        "Account Management, Business Information, My Business API v4.9)",
        "endpoints": f"{PZ} (accounts, locations, v4 localPosts); Google OAuth URLs as YouTube "
        f"(unverified excerpt); localPosts create/list/get still documented, not on the sunset "
        f"list ({V4}; {N26})",
        "pagination": f"all accounts and each one's locations must be paged ({N26}: postiz-app "
        "#1189, PR #1540); accounts.list pageSize ≤ 20, locations.list ≤ 100 with readMask",
        "v4_enablement": f"SERVICE_DISABLED on localPosts unless the v4 API is enabled ({N26}: "
        "postiz-app #1692; requirement in the FAQ)",
        "topic_type": f"required: 'Topic type is required for post creation' ({N26}: "
        "spotonlive/php-google-my-business#26); linkdeck sends STANDARD",
        "call_to_action": f"{V4} (LocalPost.callToAction: actionType LEARN_MORE with url); which "
        "address becomes the button is linkdeck's decision (the caption's first http(s) address)",
        "search_url": f"{V4} (LocalPost.searchUrl: the link to the post in Google Search)",
        "malformed_path": f"an HTML 404 instead of JSON for a malformed localPosts path ({N26}: "
        "postiz-app #1964)",
        "loopback": f"{GID}/loopback-migration (desktop clients)",
        "oob": f"not claimed: {GID}/oob-migration",
        "pkce": "unverified excerpt: supported per Google's native-app guide (as YouTube)",
        "offline_access": "access_type=offline (a refresh token) and prompt=consent, as "
        "networks.md §11 (YouTube) gives for Google's authorize endpoint",
        "device_flow": "not claimed: device flow documented for the YouTube Data API only",
        "refresh": f"{PZ}; networks.md §12 summary (refresh as YouTube)",
        "provider_revoke": "oauth2.googleapis.com/revoke (unverified excerpt, as YouTube)",
        "scopes": f"{FAQ} (business.manage)",
        "token_lifetime": "as YouTube: access 1 h (unverified)",
        "settings_url": "unverified (myaccount.google.com/connections, as YouTube)",
        "media": f"{PZ}; {AY}; docs.getlate.dev (3P) (1 photo, JPEG/PNG 10 KB–5 MB, ≥250×250, "
        "no video, public https URL)",
        "caption": f"{PZ} (summary 1,500 chars)",
        "phone_numbers": "docs.getlate.dev (3P): posts containing phone numbers are rejected",
        "video": f"networks.md §12 says no video in local posts; Postiz sends VIDEO items and "
        f"whether Google accepts them is unverified ({N26}); linkdeck refuses video",
        "brand_color": "simple-icons/simple-icons history before c7aa8e6 (Google My Business 4285F4; "
        "not in networks.md)",
    },
)
