"""Flickr: OAuth 1.0a with the user's own API key (loopback callback or an `oob` verifier)."""

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

FA = "sybrenstuvel/flickrapi@21b9e72"
OAUTH = "https://www.flickr.com/services/oauth"

SPEC = NetworkSpec(
    id="flickr",
    name="Flickr",
    brand_color="#0063dc",
    auth=AuthKind.OAUTH1,
    endpoints=Endpoints(
        request_token=f"{OAUTH}/request_token",
        authorize=f"{OAUTH}/authorize",
        token=f"{OAUTH}/access_token",
        api_base="https://api.flickr.com/services/rest/",
        upload="https://up.flickr.com/services/upload/",
    ),
    scopes=("write",),
    settings_url="https://www.flickr.com/services/auth/list.gne",
    capabilities=AuthCapabilities(
        loopback_redirect=True,
        pkce=False,
        device_flow=False,
        refresh=False,
        provider_revoke=False,
        oob=True,
        needs_developer_app=True,
        needs_client_secret=True,
    ),
    media=MediaLimits(
        text_only=False,
        max_images=1,
        image_max_bytes=15_000_000,
        video_max_bytes=150_000_000,
        video_max_seconds=90,
        limits_from_server=True,
    ),
    # The caption's first line is the title, the rest the description (titles.split_title).
    caption=CaptionLimits(title_max_length=255),
    targets=(TargetKind.PROFILE,),
    token_lifetime="does not expire (unverified); valid until you remove linkdeck on Flickr",
    summary="Upload photos and videos to your Flickr photostream, with your own Flickr API key.",
    notes=(
        "One photo or video per post; Flickr has no text-only posts. The caption's first line is "
        "the title, the rest the description, its #hashtags the tags.",
        "Size and duration limits depend on your Flickr account; linkdeck reads them live "
        "(flickr.people.getLimits).",
        "Not built: albums (photosets), groups, licences, locations and choosing the safety level "
        "or who sees a photo beyond public/private.",
        "Over SSH, Flickr can show a verification code for you to type back into linkdeck.",
        "Flickr has no revoke call: unlinking forgets the token here; remove linkdeck at "
        "flickr.com/services/auth/list.gne to cut it off.",
        "Commercial use of the Flickr API needs Flickr's permission.",
    ),
    setup_guide=(
        "1. In Flickr's App Garden apply for an API key (non-commercial if that's your use).\n"
        "2. No redirect needs registering: linkdeck passes its own `http://127.0.0.1:<port>/callback` "
        "address with each sign-in, or asks Flickr to show a code instead.\n"
        "3. Copy the **Key** into `LINKDECK_FLICKR_CLIENT_ID`, or into `config.toml` as "
        '`[networks.flickr] client_id = "…"`.\n'
        "4. Store the **Secret** with `linkdeck config set-secret flickr`: OAuth 1.0a signs every "
        "request with it."
    ),
    docs_url="https://www.flickr.com/services/api/",
    developer_url="https://www.flickr.com/services/apps/create/",
    sources={
        "auth": f"{FA} flickrapi/auth.py (OAuth 1.0a; consumer secret ships with the app)",
        "endpoints": f"{FA} flickrapi/auth.py (request_token, authorize, access_token); "
        "REST URL from flickrapi core.py (REST_URL; not quoted in networks.md)",
        "upload": f"{FA} flickrapi/core.py; w3.org Socialwg Flickr API (up.flickr.com/services/upload/); "
        "flickr.com/services/api/upload.api.html (pages corpus: write permission, the photo not signed, "
        "title/description/tags/is_public/safety_level/content_type/hidden, error codes 0, 2-6, 96-105)",
        "upload_errors": "flickr.com/services/api/upload.api.html; codes 7-9 and 14 from networks-2026.md "
        "§6a (unverified 3P copy)",
        "buddyicon": "flickr.com/services/api/misc.buddyicons.html (pages corpus: built from NSID, icon "
        "server and farm when the server is greater than zero, else a default icon; the copy lacks the "
        "URLs, so farm{iconfarm}.staticflickr.com/{iconserver}/buddyicons/{nsid}.jpg and "
        "www.flickr.com/images/buddyicon.gif stay unverified, networks.md §7)",
        "post_url": "flickr.com/services/api/misc.urls.html (pages corpus: photo pages by NSID always "
        "work): https://www.flickr.com/photos/{nsid}/{photo_id}/",
        "lookup": "linkdeck's choice: flickr.people.getPhotos (user_id=me, min_upload_date, "
        "extras=date_upload), the newest with the post's title (Flickr has no idempotency key)",
        "pkce": f"not claimed: {FA} flickrapi/auth.py (OAuth 1.0a, no PKCE)",
        "device_flow": f"not claimed: {FA} flickrapi/auth.py (no device flow)",
        "refresh": "not claimed: OAuth 1.0a tokens don't expire (unverified)",
        "provider_revoke": "not claimed: no revoke API",
        "loopback": f"{FA} flickrapi/auth.py (auth_via_browser: http://localhost:<random 1100-20000>/)",
        "oob": f"{FA} flickrapi/auth.py (auth_via_console: oauth_callback='oob', user pastes verifier)",
        "scopes": f"{FA} flickrapi/auth.py (perms=read|write|delete)",
        "token_lifetime": "unverified (tokens don't expire)",
        "settings_url": "unverified (flickr.com/services/auth/list.gne)",
        "media": "flickr.com/services/api/flickr.people.getLimits via hex.pm flickrex copy (per "
        "account; old doc example 15 MB photo, 90 s / 150 MB video); one file per upload",
        "caption": "unverified: no title/description limits in networks.md or upload.api.html; 255 is "
        "linkdeck's own cap on the title (a longer first line is shortened and kept in the description)",
        "title": "linkdeck's choice: the first line of the caption (providers/publishing/titles.py)",
        "rate": "api-evangelist summary of flickr.com/services/api/tos (3P; commercial use needs permission)",
        "brand_color": "simple-icons/simple-icons@34c2250 data/simple-icons.json (not in networks.md)",
    },
)
