"""Foursquare / Swarm check-ins: legacy v2 OAuth 2, only for projects that already had it."""

from __future__ import annotations

from providers.spec import (
    AuthCapabilities,
    AuthKind,
    Availability,
    CaptionCounting,
    CaptionLimits,
    Endpoints,
    MediaLimits,
    NetworkSpec,
    TargetKind,
)

FSQ = "docs.foursquare.com/developer"
LIB = "mLewisLogic/foursquare 1!2020.1.30 (foursquare/__init__.py; shared/reference/networks-2026.md §7)"

SPEC = NetworkSpec(
    id="foursquare",
    name="Foursquare",
    brand_color="#3333ff",
    auth=AuthKind.OAUTH2,
    endpoints=Endpoints(
        authorize="https://foursquare.com/oauth2/authenticate",
        token="https://foursquare.com/oauth2/access_token",
        profile="https://api.foursquare.com/v2/users/self",
        api_base="https://api.foursquare.com/v2",
    ),
    scopes=(),  # v2 has no scopes: a token may do everything the user may
    settings_url="https://foursquare.com/settings/connections",
    capabilities=AuthCapabilities(
        loopback_redirect=True,
        fixed_port=8080,
        pkce=False,
        device_flow=False,
        refresh=False,
        provider_revoke=False,
        needs_developer_app=True,
        needs_client_secret=True,
    ),
    media=MediaLimits(
        images=True,
        videos=False,
        text_only=True,  # a check-in with only a shout
        max_images=1,  # linkdeck adds one photo to a check-in
        image_formats=("jpeg",),
        image_max_bytes=5 * 1024 * 1024,
        video_formats=(),
    ),
    caption=CaptionLimits(max_length=140, counting=CaptionCounting.CHARS),
    targets=(TargetKind.LOCATION,),
    availability=Availability.LEGACY,
    availability_reason=(
        "Check-ins need Foursquare's legacy v2 API, which only projects created before "
        "18 Nov 2021 still have; newer projects get the Places API (API key only, no user "
        "check-ins), so a new app cannot link Foursquare."
    ),
    token_lifetime="does not expire (until you remove linkdeck's access at Foursquare)",
    summary="Legacy: check-ins with a shout and a photo, for a v2 project created before 18 Nov 2021.",
    notes=(
        "Only a Foursquare developer project created before 18 Nov 2021 has the v2 API that makes "
        "check-ins; without its client id linkdeck cannot link Foursquare, and says so.",
        "A post becomes a check-in at a venue: the caption is its shout (at most 140 characters), "
        "and one JPEG photo can go with it. No video.",
        "You choose the venue when linking: type a place (a town, an address) and a venue's name, "
        "then pick it from what Foursquare finds. Every post checks in there; to check in "
        "somewhere else, link Foursquare again and choose again.",
        "Check-ins are shared with your friends (broadcast=public); linkdeck does not post them to "
        "other networks through Foursquare.",
        "Foursquare has no call to revoke access: unlinking forgets the token here, and you remove "
        "linkdeck at foursquare.com/settings/connections.",
        "A check-in whose answer was lost is looked up among your newest check-ins (same venue and "
        "shout), never made twice; if its photo did not arrive, linkdeck adds it then.",
        "Foursquare's newer Personalization API (public beta) mentions check-ins for its own apps' "
        "users; whether other apps may post check-ins there is unverified, so linkdeck does not use it.",
    ),
    setup_guide=(
        "**Only possible with a Foursquare developer project created before 18 Nov 2021** that "
        'still has v2 OAuth ("Legacy Foursquare v2 API"). Projects created later get the Places '
        "API only, which cannot check a user in: linkdeck cannot link Foursquare for them.\n"
        "1. In your legacy project's settings, add the redirect URI `http://127.0.0.1:8080/callback`.\n"
        "2. Put its client id in `LINKDECK_FOURSQUARE_CLIENT_ID` (or "
        '`[networks.foursquare] client_id = "…"` in `config.toml`).\n'
        "3. Store its client secret: `linkdeck config set-secret foursquare` (or "
        "`LINKDECK_FOURSQUARE_CLIENT_SECRET`).\n"
        "4. `linkdeck link foursquare`: allow linkdeck on Foursquare's page, then type where you are "
        "(e.g. `Lisbon`) and the venue's name, and pick the venue your check-ins go to."
    ),
    docs_url=f"https://{FSQ}/docs/using-oauth-authentication",
    developer_url="https://foursquare.com/developers/apps",
    sources={
        "availability": f"{FSQ}/docs/using-oauth-authentication (Legacy Foursquare v2 API only; "
        "projects after 11/18/2021 get the v3 Places API, API key only); networks-2026.md §7",
        "endpoints": f"{LIB} (AUTH_ENDPOINT foursquare.com/oauth2/authenticate, TOKEN_ENDPOINT "
        "foursquare.com/oauth2/access_token, API_ENDPOINT api.foursquare.com/v2); users/self: same",
        "publish": f"{FSQ}/docs/using-oauth-authentication; yql/yql-tables foursquare.checkins.add.xml "
        "(POST https://api.foursquare.com/v2/checkins/add: venueId, shout, broadcast, ll); "
        f"{LIB} (photos/add: checkinId, the photo as multipart)",
        "version": f"{LIB} (every call carries v=YYYYMMDD and oauth_token)",
        "client": f"{LIB} (the token exchange sends client_id and client_secret as a GET query); "
        "linkdeck's OAuth client POSTs them as a form, as third-party code does (satellizer's "
        "example servers: POST form to /oauth2/access_token; 3P, unverified in Foursquare's docs); "
        "the sandbox takes both",
        "pkce": "not claimed: v2 OAuth has none (unverified)",
        "device_flow": "not claimed: none (unverified)",
        "refresh": "not claimed: v2 tokens do not expire (unverified)",
        "provider_revoke": "not claimed: no revoke call in the v2 API (unverified)",
        "loopback": "the redirect URI registered in the project (unverified whether the port must "
        "match exactly)",
        "fixed_port": "8080 is the port the user registers in the redirect URI; same convention as "
        "X and Reddit",
        "new_path": f"{FSQ}/reference/personalization-api-overview, …/authentication-v2 (third-party "
        "check-ins with photos: unverified)",
        "settings_url": "foursquare.com/settings/connections (unverified: not in networks.md)",
        "token_lifetime": "unverified: v2 access tokens are not documented to expire",
        "media": "one JPEG per check-in through photos/add (unverified: PNG and sizes not in the "
        "reference; 5 MB is linkdeck's cautious figure)",
        "caption": "shout at most 140 characters (unverified: not in networks.md; the issue's figure)",
        "recovery": "users/self/checkins (newest first) read back by venue and shout; checkins/add "
        "has no idempotency key (unverified)",
        "rate_limit": "X-RateLimit-Limit / X-RateLimit-Remaining headers; errorType "
        "rate_limit_exceeded (unverified: not in networks.md)",
        "brand_color": "simple-icons/simple-icons@34c2250 data/simple-icons.json (not in networks.md)",
    },
)
