"""Bluesky (AT Protocol): an app password (createSession) for now; atproto OAuth comes later."""

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

AT = "bluesky-social/atproto@d6296a1"

# XRPC paths are relative to the account's PDS ({instance}); most accounts live on default_instance.
SPEC = NetworkSpec(
    id="bluesky",
    name="Bluesky",
    brand_color="#1185fe",
    auth=AuthKind.APP_PASSWORD,
    endpoints=Endpoints(
        token="{instance}/xrpc/com.atproto.server.createSession",
        revoke="{instance}/xrpc/com.atproto.server.deleteSession",
        profile="{instance}/xrpc/app.bsky.actor.getProfile",
        api_base="{instance}/xrpc",
        upload="https://video.bsky.app",
    ),
    scopes=(),
    settings_url="https://bsky.app/settings/app-passwords",
    capabilities=AuthCapabilities(
        refresh=True,
        provider_revoke=True,
        paste_back=False,
        per_instance=True,
    ),
    media=MediaLimits(
        max_images=4,
        image_max_bytes=2_000_000,
        video_formats=("mp4",),
        video_max_bytes=300_000_000,
    ),
    caption=CaptionLimits(max_length=300, counting=CaptionCounting.GRAPHEMES, max_bytes=3000),
    targets=(TargetKind.PROFILE,),
    token_lifetime="session: access 2 hours, refresh 90 days (app password valid until you delete it)",
    access_token_seconds=120 * 60,
    summary="Sign in with a Bluesky app password; no developer app needed.",
    notes=(
        "Use an app password, never your main password. Create one (and delete it to cut linkdeck "
        "off) at https://bsky.app/settings/app-passwords.",
        "Sign-ins are limited to 30 per 5 minutes and 300 per day per account.",
        "Images: up to 4 per post, each at most 2 MB. A self-hosted PDS that is not up to date "
        "may still refuse images over 1 MB.",
        "Accounts on a self-hosted PDS: give its address when linking; everyone else uses the default.",
    ),
    setup_guide=(
        "1. Open https://bsky.app/settings/app-passwords and add an app password named `linkdeck`.\n"
        "2. Link Bluesky in linkdeck and enter your handle and that app password.\n\n"
        "No developer app, client id or secret is needed. Deleting the app password on that page "
        "signs linkdeck out everywhere."
    ),
    docs_url="https://atproto.com/specs/oauth",
    default_instance="https://bsky.social",
    sources={
        "auth": f"{AT} packages/pds/src/api/com/atproto/server/createSession.ts; "
        "lex-password-session/README.md",
        "endpoints": f"{AT} lexicons (createSession, deleteSession, app.bsky.actor.getProfile)",
        "refresh": f"{AT} packages/pds/src/account-manager/helpers/auth.ts (refreshJwt 90 days)",
        "provider_revoke": f"{AT} lexicons (com.atproto.server.deleteSession)",
        "pkce": "not claimed for app passwords; atproto OAuth (later) makes PKCE S256, PAR and DPoP "
        f"mandatory: {AT} packages/oauth/oauth-provider/src/metadata/build-metadata.ts",
        "device_flow": "not claimed: atproto OAuth has no device flow (atproto.com/specs/oauth)",
        "token_lifetime": f"{AT} packages/pds/src/account-manager/helpers/auth.ts (accessJwt 120 min)",
        "rate": f"{AT} createSession.ts (30/5 min, 300/day)",
        "settings_url": f"{AT} lex-password-session/README.md (bsky.app/settings/app-passwords)",
        "default_instance": "networks.md §10 (bsky.social production PDS)",
        "upload": f"{AT} lexicons app.bsky.video.uploadVideo (https://video.bsky.app)",
        "media": f"{AT} lexicons/app/bsky/embed/images.json (4 images, 2,000,000 B since d8801e2; "
        "was 1 MB), embed/video.json (mp4 ≤300 MB); video duration: unverified",
        "caption": f"{AT} lexicons/app/bsky/feed/post.json (300 graphemes, 3,000 bytes)",
        "brand_color": "simple-icons/simple-icons@34c2250 data/simple-icons.json (not in networks.md)",
    },
)
