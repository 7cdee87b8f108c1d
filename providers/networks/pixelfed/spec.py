"""Pixelfed (any instance): Mastodon-compatible OAuth2 after dynamic app registration; no setup."""

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

PF = "pixelfed/pixelfed@8aae92d (v0.11.13, may be older than the latest release)"

# Paths are relative to the instance ({instance} is replaced by the user's server URL).
SPEC = NetworkSpec(
    id="pixelfed",
    name="Pixelfed",
    brand_color="#6366f1",
    auth=AuthKind.OAUTH2,
    endpoints=Endpoints(
        authorize="{instance}/oauth/authorize",
        token="{instance}/oauth/token",
        profile="{instance}/api/v1/accounts/verify_credentials",
        api_base="{instance}",
    ),
    scopes=("read", "write"),
    settings_url="{instance}/settings/applications",
    capabilities=AuthCapabilities(
        loopback_redirect=True,
        fixed_port=8766,  # linkdeck registers this port itself; [networks.pixelfed] port changes it
        pkce=False,
        refresh=True,
        provider_revoke=False,
        dynamic_registration=True,
        per_instance=True,
    ),
    media=MediaLimits(
        alt_text_max_length=1000,
        videos=False,
        text_only=False,
        max_images=4,
        image_formats=("jpeg", "png", "gif"),
        image_max_bytes=15_000 * 1024,
        limits_from_server=True,
    ),
    caption=CaptionLimits(max_length=500, counting=CaptionCounting.CHARS),
    targets=(TargetKind.PROFILE,),
    token_lifetime="365 days by default, refreshable (refresh token 400 days); the server may differ",
    access_token_seconds=365 * 24 * 3600,
    summary="Any Pixelfed server, photos first. No developer app needed: linkdeck registers itself.",
    notes=(
        "Limits (caption length, photos per post, sizes, video) are your server's; "
        "linkdeck reads them live from its /api/v1/instance.",
        "Video is only accepted if your server's admin has turned it on.",
        "Pixelfed has no revoke call: to cut linkdeck off, remove it on your server's "
        "Settings → Applications page.",
    ),
    setup_guide=(
        "Nothing to set up. Type your server's address (for example `https://pixelfed.social`) "
        "when you link; linkdeck registers itself there and opens the server's sign-in page."
    ),
    docs_url="https://github.com/pixelfed/pixelfed",
    post_options=("visibility", "content_warning"),
    example_instance="https://pixelfed.social",
    sources={
        "alt_text_max_length": "PF config/pixelfed.php: alt text up to 1,000 characters "
        "(the instance's description_limit is read live)",
        "fixed_port": "linkdeck's own choice of port, registered with POST /api/v1/apps (routes/api.php); "
        "whether Pixelfed also accepts other loopback ports: unverified",
        "post_options": "unverified: Mastodon-compatible POST /api/v1/statuses (networks.md §16)",
        "registration": f"{PF} routes/api.php (POST /api/v1/apps, redirect_uris required)",
        "endpoints": f"{PF} routes/api.php; app/Providers/AuthServiceProvider.php (Laravel Passport)",
        "loopback": f"{PF} routes/api.php (we register our own redirect_uris); "
        "acceptance of http loopback: unverified",
        "pkce": "not claimed: PKCE unverified (league/oauth2-server supports S256)",
        "provider_revoke": "not claimed: no revoke endpoint found",
        "scopes": f"{PF} app/Providers/AuthServiceProvider.php "
        "(read write follow push; default read write follow)",
        "refresh": f"{PF} config/instance.php (OAUTH_REFRESH_DAYS default 400)",
        "token_lifetime": f"{PF} config/instance.php (OAUTH_TOKEN_DAYS default 365)",
        "settings_url": f"{PF} routes/web.php (/settings/applications)",
        "text_only": f"{PF} app/Http/Controllers/Api/ApiV1Controller.php statusCreate (a status without "
        "media is refused: 403 'Empty statuses are not allowed')",
        "media": f"{PF} config/pixelfed.php (max_photo_size 15,000 KB, max_album_length 4, "
        "media_types image/jpeg,image/png,image/gif; video only if enabled)",
        "caption": f"{PF} config/pixelfed.php (max_caption_length 500)",
        "brand_color": "simple-icons/simple-icons@34c2250 data/simple-icons.json (not in networks.md)",
    },
)
