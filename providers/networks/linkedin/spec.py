"""LinkedIn: OAuth2 code flow with the user's own app; post as the member or as an organization."""

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

MS = "learn.microsoft.com/en-us/linkedin/shared/authentication"
PZ = "gitroomhq/postiz-app@74b01ad libraries/nestjs-libraries/src/integrations/social/linkedin.provider.ts"
AY = "ayrshare.com/docs/media-guidelines/linkedin (3P)"

SPEC = NetworkSpec(
    id="linkedin",
    name="LinkedIn",
    brand_color="#0a66c2",
    auth=AuthKind.OAUTH2,
    endpoints=Endpoints(
        authorize="https://www.linkedin.com/oauth/v2/authorization",
        token="https://www.linkedin.com/oauth/v2/accessToken",
        profile="https://api.linkedin.com/v2/userinfo",
        api_base="https://api.linkedin.com",
    ),
    scopes=("openid", "profile", "w_member_social"),
    settings_url="https://www.linkedin.com/mypreferences/d/permitted-services",
    capabilities=AuthCapabilities(
        loopback_redirect=True,
        fixed_port=8080,
        pkce=False,
        device_flow=False,
        refresh=False,
        provider_revoke=False,
        needs_developer_app=True,
        needs_client_secret=False,  # an app LinkedIn enabled native PKCE for signs in without it
    ),
    media=MediaLimits(
        max_images=20,
        image_formats=("jpeg", "png", "gif"),
        image_max_bytes=5_000_000,
        image_max_pixels=36_152_320 - 1,
        video_formats=("mp4",),
        video_max_bytes=500_000_000,
        video_min_seconds=3,
        video_max_seconds=30 * 60,
        video_min_aspect=1 / 2.4,
        video_max_aspect=2.4,
    ),
    caption=CaptionLimits(max_length=3000, counting=CaptionCounting.CHARS),
    targets=(TargetKind.PROFILE, TargetKind.ORGANIZATION),
    token_lifetime="60 days, not refreshable: link again before it runs out",
    access_token_seconds=60 * 24 * 3600,
    warn_before_expiry_days=7,
    summary="Post as yourself or as a company Page you administer, with your own LinkedIn app.",
    notes=(
        "LinkedIn tokens last 60 days and cannot be refreshed (refresh tokens are only for "
        "LinkedIn's approved partners): linkdeck warns a week ahead, then you link again.",
        "Posting as a company Page needs LinkedIn's Community Management API product, which "
        "LinkedIn must approve for your app.",
        "One video per post, and photos and video cannot be mixed.",
        "To cut linkdeck off, remove it from LinkedIn's Permitted services page: LinkedIn has no "
        "call that lets linkdeck revoke a member's sign-in itself.",
        "linkdeck reads every new post back and counts it as published only when LinkedIn has it. "
        "LinkedIn lets few apps read a member's own posts (r_member_social is private), so for "
        "posts as yourself LinkedIn's acceptance and the post's id are what linkdeck can go on; "
        "for a Page the read-back proves it.",
        "After an interrupted send linkdeck cannot look a post up on LinkedIn, so it asks you to "
        "check (with the link) rather than post twice.",
        "Captions are sent as LinkedIn's little text, with its reserved characters escaped: a "
        "#hashtag shows as written but is not a clickable hashtag, and @names are not mentions.",
    ),
    setup_guide=(
        "1. At the LinkedIn developer portal create an app (it must be tied to a LinkedIn company "
        "Page) and add the products **Sign In with LinkedIn using OpenID Connect** and **Share on "
        "LinkedIn**; for company Pages also request **Community Management API**.\n"
        "2. Under *Auth* add the redirect URL `http://127.0.0.1:8080/callback` exactly as written.\n"
        "3. Copy the Client ID into `LINKDECK_LINKEDIN_CLIENT_ID`, or into `config.toml` as "
        '`[networks.linkedin] client_id = "…"`.\n'
        "4. Store the Client Secret with `linkdeck config set-secret linkedin`. (Only if LinkedIn "
        "has enabled its native PKCE flow for your app may you leave the secret out: linkdeck then "
        "signs in with PKCE instead.)\n"
        "5. To post as company Pages, once LinkedIn has approved Community Management for the app, "
        "add `optional_scopes = true` under `[networks.linkedin]`: linkdeck then also asks for "
        "the organization scopes and lets you choose a Page when you link."
    ),
    docs_url=f"https://{MS}/authorization-code-flow-native",
    developer_url="https://www.linkedin.com/developers/apps",
    optional_scopes=("w_organization_social", "r_organization_social", "rw_organization_admin"),
    sources={
        "auth": f"{MS}/authorization-code-flow-native (3-legged code flow with client secret)",
        "endpoints": f"{PZ} (authorization, accessToken, /v2/userinfo)",
        "pkce": f"not claimed for every app: {MS}/authorization-code-flow-native (native PKCE only "
        "once LinkedIn enables it for the app, and then without the client secret); linkdeck uses "
        "PKCE S256 exactly when no client secret is stored",
        "device_flow": f"not claimed: {MS}/authorization-code-flow-native (no device flow)",
        "refresh": f"not claimed: {MS}/programmatic-refresh-tokens (approved MDP partners only, 365-day TTL)",
        "provider_revoke": f"not claimed: /oauth/v2/revoke unverified ({PZ}); networks.md and "
        "networks-2026.md name no documented member revocation, so unlink points to Permitted services",
        "loopback": f"{MS}/authorization-code-flow-native; next-auth.js.org/providers/linkedin "
        "(standard flow: exact registered URL, localhost works)",
        "fixed_port": "8080 is the port the user registers in the redirect URL (standard flow needs "
        "an exact match); same convention as X",
        "scopes": f"{PZ} (member: openid profile w_member_social; organization scopes need the "
        "Community Management product)",
        "token_lifetime": f"{MS}/programmatic-refresh-tokens (access 60 days)",
        "warn_before_expiry": "linkdeck choice: 7 days before the 60-day expiry",
        "settings_url": "unverified (linkedin.com/mypreferences/d/permitted-services)",
        "publish": f"{PZ}; linkedin.page.provider.ts (LinkedIn-Version, /rest/images, /rest/videos, "
        "/rest/posts); learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/"
        "posts-api (x-restli-id, read permissions: r_member_social private, r_organization_social)",
        "video_upload": "networks-2026.md §8a (uploadInstructions: each part to its own uploadUrl, "
        "etags collected, finalizeUpload uploadedPartIds)",
        "api_version": "networks-2026.md §0.1, §8a (monthly versions, ≥ 1 year; 426 "
        "NONEXISTENT_VERSION, postiz-app#2005; 202608 cited 2026-09-01); one constant in rest.py",
        "read_back": "networks-2026.md §8b (postiz-app#989 Page posts reported but absent: verify "
        "with a GET after create)",
        "recovery": "CHECK: listing a member's posts (q=author) needs r_member_social (private, "
        "posts-api permission table)",
        "media": f"{AY} (image ≤5 MB JPG/PNG/GIF, <36,152,320 px; MP4 ≤500 MB, 3 s–30 min, "
        f"1:2.4–2.4:1); multi-image up to 20: 3P n8n, unverified; {PZ} (1 video, no mixing)",
        "caption": f"{PZ}; {AY} (3,000 chars)",
        "developer_app": "unverified: the app must be tied to a company Page; product names from "
        "LinkedIn's portal, not networks.md",
        "brand_color": "simple-icons/simple-icons history before a9693e7 (0A66C2, brand.linkedin.com; "
        "not in networks.md)",
    },
)
