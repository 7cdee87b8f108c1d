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
        "One photo per post (JPEG or PNG, 10 KB–5 MB, at least 250×250 px); no video.",
        "Google fetches the photo from a public https address, so it must be reachable from the "
        "internet while it publishes.",
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
        "5. Store the client secret with `linkdeck config set-secret google-business`."
    ),
    docs_url=f"https://{FAQ}",
    developer_url="https://console.cloud.google.com/apis/credentials",
    sources={
        "access": f"{FAQ} (APIs not public; request access per Cloud project, ~14 days; enable "
        "Account Management, Business Information, My Business API v4.9)",
        "endpoints": f"{PZ} (accounts, locations, v4 localPosts); Google OAuth URLs as YouTube "
        "(unverified excerpt)",
        "loopback": f"{GID}/loopback-migration (desktop clients)",
        "oob": f"not claimed: {GID}/oob-migration",
        "pkce": "unverified excerpt: supported per Google's native-app guide (as YouTube)",
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
        "brand_color": "simple-icons/simple-icons history before c7aa8e6 (Google My Business 4285F4; "
        "not in networks.md)",
    },
)
