"""Ayrshare (broker route): the user's Ayrshare API key; networks are linked on Ayrshare's own page."""

from __future__ import annotations

from providers.spec import (
    AuthCapabilities,
    AuthKind,
    BrokerRoutes,
    CaptionLimits,
    Endpoints,
    MediaLimits,
    NetworkSpec,
    TargetKind,
)

PEERS = "peers.md (3P, Ayrshare docs)"
# Since 2026-03-31 every X call through Ayrshare needs the user's own X app keys (§14).
OWN_KEYS_REASON = (
    "X through Ayrshare needs your own X app keys since 2026-03-31 (Ayrshare's X-Twitter-OAuth1 "
    "headers); linkdeck does not send them yet. Link X on its own card, which uses your X developer app."
)
# linkdeck's network ids → Ayrshare's platform for them: the cards that offer "Link via Ayrshare"
# (Snapchat and TikTok have no card in linkdeck; Mastodon and Pixelfed are not Ayrshare platforms).
CARDS: dict[str, str] = {
    "bluesky": "bluesky",
    "facebook": "facebook",
    "google-business": "gmb",
    "instagram": "instagram",
    "linkedin": "linkedin",
    "pinterest": "pinterest",
    "reddit": "reddit",
    "telegram": "telegram",
    "threads": "threads",
    "youtube": "youtube",
}
REFUSED_CARDS: dict[str, str] = {"x": OWN_KEYS_REASON}  # offered by Ayrshare, not linkable here

SPEC = NetworkSpec(
    id="ayrshare",
    name="Ayrshare",
    brand_color="#6b7280",
    auth=AuthKind.API_KEY,
    endpoints=Endpoints(
        api_base="https://api.ayrshare.com/api",
        revoke="https://api.ayrshare.com/api/profiles/social",  # DELETE {platform} + Profile-Key
        profile="https://api.ayrshare.com/api/user",
    ),
    scopes=(),
    settings_url="https://docs.ayrshare.com/gui-dashboard/revoke-access-to-social-media",
    # provider_revoke: Ayrshare's unlink (DELETE /api/profiles/social) ends linkdeck's access to that
    # network through Ayrshare; the network itself is not told (settings_url says where to remove it).
    capabilities=AuthCapabilities(paste_back=True, needs_developer_app=False, provider_revoke=True),
    media=MediaLimits(
        max_images=10,
        image_formats=("jpeg", "png", "webp", "heic", "avif"),
    ),
    caption=CaptionLimits(),
    targets=(TargetKind.PROFILE,),  # the account's target: the network it posts to on that profile
    token_lifetime=(
        "your API key: no expiry documented; each network's link at Ayrshare: the days Ayrshare "
        "reports until it needs reconnecting (refreshDaysRemaining), read when it is linked"
    ),
    warn_before_expiry_days=7,
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
        "Ayrshare allows 300 requests per 5 minutes per profile; linkdeck waits out a 429.",
        "linkdeck links one network at a time: your API key, a profile (brand) title (created here "
        "when new; titles must be unique, and a title Ayrshare already has for a profile linkdeck "
        "did not create is refused, because its Profile-Key is shown only once), then the network "
        "on Ayrshare's linking page. Each linked network is its own account (\"Instagram via "
        "Ayrshare\"), in linkdeck's brand named like the profile (made when new).",
        'With your API key stored, each network Ayrshare offers has "Link via Ayrshare" on its own '
        "card (its details, or the v key) and `linkdeck link NETWORK --via ayrshare`: the same link "
        "with that network already chosen; its card then shows it linked via Ayrshare.",
        "Not through Ayrshare: Tumblr, Flickr and Foursquare (Ayrshare does not offer them), and X "
        "(since 2026-03-31 it needs your own X app keys, which linkdeck does not send yet).",
        "Ayrshare's post history is imported into Posts (marked imported, with each network's link) "
        "after linking and on demand (Posts' i key, `linkdeck import-history`); posts linkdeck sent "
        "through Ayrshare are recognised by their Ayrshare id and not imported again.",
        "Not built yet: the Primary Profile (linkdeck always "
        "uses a User Profile), per-network options (YouTube or Reddit titles), scheduling at "
        "Ayrshare (linkdeck schedules itself).",
        "Ayrshare's real linking page needs your Business plan's domain and private key: set "
        "`[networks.ayrshare] client_id` to the domain and `LINKDECK_AYRSHARE_PRIVATE_KEY_FILE` to "
        "the private key's file once (linkdeck moves the key into your keyring).",
    ),
    setup_guide=(
        "1. Create an Ayrshare account and link your networks on its Social Accounts page "
        "(Ayrshare's hosted linking page).\n"
        "2. Copy your API key from the dashboard's API Key page (use the Primary Profile's key).\n"
        "3. Store it with `linkdeck config set-secret ayrshare` (or set "
        "`LINKDECK_AYRSHARE_CLIENT_SECRET`), or type it when linking; linkdeck keeps it in your "
        "keyring.\n"
        "4. `linkdeck link ayrshare`: the key (empty: the stored one), a profile title (one per "
        "brand), the network; finish on Ayrshare's page (valid 5 minutes; a new one is made when it "
        "runs out).\n\n"
        "No developer app is needed for any network on this route."
    ),
    docs_url="https://www.ayrshare.com/docs/apis/profiles/generate-jwt",
    # Each of these networks' cards offers "Link via Ayrshare": this sign-in with its network asked.
    broker=BrokerRoutes(network_field="network", offers=CARDS, refused=REFUSED_CARDS),
    sources={
        "auth": "PRODUCT.md Networks table (the user's Ayrshare API key; hosted linking page); "
        f"{PEERS} [A1] generate-jwt",
        "pkce": "not claimed: API key, no OAuth in linkdeck",
        "device_flow": "not claimed: API key, no OAuth in linkdeck",
        "refresh": "not claimed: API key",
        "endpoints": "networks-2026.md §14 (base https://api.ayrshare.com/api; Bearer API key; "
        "Profile-Key header; profiles, generateJWT, user, post, media/upload, uploadUrl, "
        "profiles/social; verified AYD, AYH, AYM, WHL social-post-api 1.3.0)",
        "provider_revoke": "networks-2026.md §14 (DELETE /api/profiles/social with the Profile-Key "
        f"unlinks the network at Ayrshare); {PEERS} [A4, A5] (tokens deleted at Ayrshare only)",
        "platforms": "networks-2026.md §14 (bluesky … youtube; no Tumblr, Flickr or Foursquare; X "
        "needs the account's own X keys since 2026-03-31)",
        "errors": "networks-2026.md §14 (errors[] codes 110/107 duplicate, 161/156/272 relink, "
        "106 quota; 429)",
        "idempotency": "networks-2026.md §0.4 and §14 (/post accepts idempotencyKey, verified AYM); "
        "the dedupe window is not documented (unverified: one hour assumed)",
        "warn_before_expiry_days": "linkdeck's choice (LinkedIn's 7 days); refreshDaysRemaining "
        "from networks-2026.md §14",
        "linking_poll": "networks-2026.md §14 (GET /api/user: activeSocialAccounts, displayNames "
        "with userImage, refreshDaysRemaining, refreshRequired; verified AYH user.hurl)",
        "profiles_unique": f"networks-2026.md §14 (title required, must be unique; profileKey only "
        f"returned on create); {PEERS} [A15, A16] (Duplicated Brand Issue)",
        "linking": f"{PEERS} [A1] (JWT URL valid 5 min by default, new tab/window because networks "
        "block iframes)",
        "profiles": f"{PEERS} [A2] (one connection to each social network per profile)",
        "settings_url": f"{PEERS} [A5] docs.ayrshare.com/gui-dashboard/revoke-access-to-social-media",
        "media": f"{PEERS} §5 [A12] (max images per post: FB/IG 10, X 4, …); [A11] (WebP/HEIC/AVIF "
        "converted to JPEG)",
        "rate": "networks-2026.md §14 (300 requests per 5 minutes per User Profile, verified AYD "
        f"errors-http; it wins over {PEERS} §5 [A9]'s 250)",
        "api_key": "ayrshare.com/docs quickstart (API Key page; Primary Profile): docs corpus, "
        "not in networks.md or peers.md",
        "brand_color": "unverified: Ayrshare's brand colour is not in any source; neutral grey used",
    },
)
