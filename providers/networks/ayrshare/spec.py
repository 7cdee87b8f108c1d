"""Ayrshare (broker route): the user's Ayrshare API key; networks are linked on Ayrshare's own page."""

from __future__ import annotations

from providers.spec import (
    AuthCapabilities,
    AuthKind,
    CaptionLimits,
    Endpoints,
    MediaLimits,
    NetworkSpec,
    TargetKind,
)

PEERS = "peers.md (3P, Ayrshare docs)"

SPEC = NetworkSpec(
    id="ayrshare",
    name="Ayrshare",
    brand_color="#6b7280",
    auth=AuthKind.API_KEY,
    endpoints=Endpoints(),
    scopes=(),
    settings_url="https://docs.ayrshare.com/gui-dashboard/revoke-access-to-social-media",
    capabilities=AuthCapabilities(paste_back=False, needs_developer_app=False),
    media=MediaLimits(
        max_images=10,
        image_formats=("jpeg", "png", "webp", "heic", "avif"),
    ),
    caption=CaptionLimits(),
    targets=(TargetKind.PROFILE,),
    token_lifetime="your API key: no expiry documented",
    summary="Post through your Ayrshare account, for networks you have no developer app for.",
    notes=(
        "You need an Ayrshare account (a hosted service) and its API key.",
        "Networks are linked on Ayrshare's own linking page, which must open in a new browser tab "
        "or window (networks refuse to run inside frames). A linking address is valid for "
        "5 minutes by default.",
        "One connection per network per Ayrshare profile.",
        "Each network's own rules still apply to what you post (Ayrshare converts WebP, HEIC and "
        "AVIF photos to JPEG).",
        "Unlinking a network at Ayrshare deletes its token there only; the network itself is not "
        "told, so also remove Ayrshare in that network's connected-apps settings.",
        "Ayrshare allows 250 requests per 5 minutes.",
    ),
    setup_guide=(
        "1. Create an Ayrshare account and link your networks on its Social Accounts page "
        "(Ayrshare's hosted linking page).\n"
        "2. Copy your API key from the dashboard's API Key page (use the Primary Profile's key).\n"
        "3. Store it with `linkdeck config set-secret ayrshare` (or set "
        "`LINKDECK_AYRSHARE_CLIENT_SECRET`); linkdeck keeps it in your keyring.\n\n"
        "No developer app is needed for any network on this route."
    ),
    docs_url="https://www.ayrshare.com/docs/apis/profiles/generate-jwt",
    sources={
        "auth": "PRODUCT.md Networks table (the user's Ayrshare API key; hosted linking page); "
        f"{PEERS} [A1] generate-jwt",
        "pkce": "not claimed: API key, no OAuth in linkdeck",
        "device_flow": "not claimed: API key, no OAuth in linkdeck",
        "refresh": "not claimed: API key",
        "provider_revoke": f"not claimed: {PEERS} [A4, A5] (DELETE /profiles/social deletes tokens "
        "at Ayrshare only; no provider revoke)",
        "endpoints": "unverified: the API base URL is not in networks.md or peers.md",
        "linking": f"{PEERS} [A1] (JWT URL valid 5 min by default, new tab/window because networks "
        "block iframes)",
        "profiles": f"{PEERS} [A2] (one connection to each social network per profile)",
        "settings_url": f"{PEERS} [A5] docs.ayrshare.com/gui-dashboard/revoke-access-to-social-media",
        "media": f"{PEERS} §5 [A12] (max images per post: FB/IG 10, X 4, …); [A11] (WebP/HEIC/AVIF "
        "converted to JPEG)",
        "rate": f"{PEERS} §5 [A9] (250 requests per 5 min)",
        "api_key": "ayrshare.com/docs quickstart (API Key page; Primary Profile): docs corpus, "
        "not in networks.md or peers.md",
        "brand_color": "unverified: Ayrshare's brand colour is not in any source; neutral grey used",
    },
)
