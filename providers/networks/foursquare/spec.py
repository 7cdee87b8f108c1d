"""Foursquare / Swarm check-ins: legacy v2 OAuth, only for apps that already had it."""

from __future__ import annotations

from providers.spec import (
    AuthCapabilities,
    AuthKind,
    Availability,
    CaptionLimits,
    Endpoints,
    MediaLimits,
    NetworkSpec,
    TargetKind,
)

FSQ = "docs.foursquare.com/developer"

SPEC = NetworkSpec(
    id="foursquare",
    name="Foursquare",
    brand_color="#3333ff",
    auth=AuthKind.OAUTH2,
    endpoints=Endpoints(api_base="https://api.foursquare.com/v2"),
    scopes=(),
    settings_url="https://foursquare.com/settings",
    capabilities=AuthCapabilities(needs_developer_app=True),
    media=MediaLimits(
        images=False,
        videos=False,
        max_images=0,
        image_formats=(),
        video_formats=(),
    ),
    caption=CaptionLimits(),
    targets=(TargetKind.PROFILE,),
    availability=Availability.LEGACY,
    availability_reason=(
        "Check-ins need Foursquare's legacy v2 API, which only projects created before "
        "18 Nov 2021 still have; newer projects get the Places API (API key only, no user "
        "check-ins), so a new app cannot link Foursquare."
    ),
    token_lifetime="unverified",
    summary="Legacy: check-ins through the old v2 API, for apps that already had access.",
    notes=(
        "Foursquare's newer Personalization API (public beta) mentions check-ins for its own apps' "
        "users; whether other apps may post check-ins there is unverified.",
        "A v2 check-in is made at a venue (with an optional short message), not as a free post.",
    ),
    setup_guide=(
        "Only possible with a Foursquare developer project created before 18 Nov 2021 that still "
        "has v2 OAuth. If you have one, put its client id in `LINKDECK_FOURSQUARE_CLIENT_ID` (or "
        '`[networks.foursquare] client_id = "…"` in `config.toml`) and its secret via '
        "`linkdeck config set-secret foursquare`. New projects cannot get v2 access."
    ),
    docs_url=f"https://{FSQ}/docs/using-oauth-authentication",
    sources={
        "availability": f"{FSQ}/docs/using-oauth-authentication (Legacy Foursquare v2 API only; "
        "projects after 11/18/2021 get the v3 Places API, API key only)",
        "endpoints": f"{FSQ}/docs/using-oauth-authentication; yql/yql-tables "
        "foursquare.checkins.add.xml (POST https://api.foursquare.com/v2/checkins/add: venueId, "
        "shout, broadcast, ll); v2 authorize/token URLs: not in networks.md",
        "pkce": "not claimed: unverified",
        "device_flow": "not claimed: unverified",
        "refresh": "not claimed: unverified",
        "provider_revoke": "not claimed: unverified",
        "loopback": "not claimed: unverified",
        "new_path": f"{FSQ}/reference/personalization-api-overview, …/authentication-v2 (third-party "
        "check-ins with photos: unverified)",
        "settings_url": "unverified: no settings page in networks.md; Foursquare's general settings",
        "token_lifetime": "unverified",
        "media": "unverified: checkins/add takes no media in the cited parameters",
        "caption": "unverified: shout length not in networks.md",
        "brand_color": "simple-icons/simple-icons@34c2250 data/simple-icons.json (not in networks.md)",
    },
)
