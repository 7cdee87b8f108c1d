"""Mastodon (any instance): OAuth2 + PKCE after dynamic app registration; works with no setup."""

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

MD = "mastodon/documentation@2903485"

# Paths are relative to the instance ({instance} is replaced by the user's server URL).
SPEC = NetworkSpec(
    id="mastodon",
    name="Mastodon",
    brand_color="#6364ff",
    auth=AuthKind.OAUTH2,
    endpoints=Endpoints(
        authorize="{instance}/oauth/authorize",
        token="{instance}/oauth/token",
        revoke="{instance}/oauth/revoke",
        profile="{instance}/api/v1/accounts/verify_credentials",
        api_base="{instance}",
    ),
    scopes=("profile", "write:statuses", "write:media"),
    settings_url="{instance}/oauth/authorized_applications",
    capabilities=AuthCapabilities(
        loopback_redirect=True,
        fixed_port=8765,  # linkdeck registers this port itself; [networks.mastodon] port changes it
        pkce=True,
        refresh=False,
        provider_revoke=True,
        oob=True,
        dynamic_registration=True,
        per_instance=True,
    ),
    media=MediaLimits(
        alt_text_max_length=1500,
        max_images=4,
        image_formats=("jpeg", "png", "gif", "webp", "heic", "avif"),
        image_max_bytes=16 * 1024 * 1024,
        image_max_pixels=33_177_600,
        video_formats=("mp4", "mov", "webm"),
        video_max_bytes=99 * 1024 * 1024,
        limits_from_server=True,
    ),
    caption=CaptionLimits(max_length=500, counting=CaptionCounting.MASTODON, url_length=23),
    targets=(TargetKind.PROFILE,),
    token_lifetime="never expires (no refresh token)",
    summary="Any Mastodon server. No developer app needed: linkdeck registers itself.",
    notes=(
        "Limits (characters, attachments, sizes) are read live from your server's /api/v2/instance.",
        "Over SSH the server can show the code on its own page for you to paste back.",
    ),
    docs_url="https://docs.joinmastodon.org/client/token/",
    post_options=("visibility", "content_warning"),
    example_instance="https://mastodon.social",
    sources={
        "alt_text_max_length": "MD methods/instance.md: configuration.media_attachments."
        "description_limit 1,500 (read live from the instance)",
        "fixed_port": f"linkdeck's own choice of port, registered with POST /api/v1/apps ({MD} "
        "methods/apps.md); authorize checks redirect_uri against the registered ones (methods/oauth.md)",
        "post_options": "mastodon/documentation@2903485 methods/statuses.md (visibility, spoiler_text)",
        "registration": f"{MD} methods/apps.md (POST /api/v1/apps)",
        "endpoints": f"{MD} methods/oauth.md",
        "pkce": f"{MD} methods/oauth.md (S256 since 4.3)",
        "oob": f"{MD}; mastodon/mastodon config/initializers/doorkeeper.rb",
        "scopes": f"{MD} api/oauth-scopes.md (profile since 4.3; read:accounts before)",
        "token_lifetime": "mastodon/mastodon config/initializers/doorkeeper.rb (expires_in nil)",
        "settings_url": f"{MD} (oauth/authorized_applications)",
        "media": f"{MD} methods/instance.md (example configuration values)",
        "caption": f"{MD} methods/instance.md (statuses.max_characters 500 example); counting: "
        "mastodon/mastodon app/validators/status_length_validator.rb (graphemes, URLs as 23, "
        "remote mentions as @user)",
    },
)
