"""The declarative shape of one network, in the style of python-social-auth backends.

Each network module builds one :class:`NetworkSpec`; adapters (linking, profile, publishing) come
in their own modules later and read everything they need from here. Every fact carries its source
in ``sources`` (fact name → citation from ``shared/reference/networks.md``), and facts that the
reference marks unverified say so in their citation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class AuthKind(StrEnum):
    OAUTH2 = "oauth2"
    OAUTH1 = "oauth1"
    APP_PASSWORD = "app_password"  # Bluesky createSession (atproto OAuth comes later)
    BOT_TOKEN = "bot_token"  # Telegram
    API_KEY = "api_key"  # Ayrshare broker


class SignInKind(StrEnum):
    """Which base sign-in (providers.signin) links the network; read from the spec's facts by
    :attr:`NetworkSpec.sign_in`, so no code decides it."""

    REGISTERED = "registered"  # linkdeck registers itself on the user's server (POST /api/v1/apps)
    DEVELOPER_APP = "developer_app"  # OAuth 2 with the user's own developer app
    OAUTH1 = "oauth1"  # OAuth 1.0a with the user's consumer key and secret
    DEVICE = "device"  # the RFC 8628 device grant only
    PASTED_TOKEN = "pasted_token"  # a bot token or API key the user pastes
    CREDENTIALS = "credentials"  # typed credentials (atproto: handle and app password)


class TargetKind(StrEnum):
    PROFILE = "profile"  # the account itself
    PAGE = "page"
    INSTAGRAM_ACCOUNT = "instagram_account"
    ORGANIZATION = "organization"
    BLOG = "blog"
    BOARD = "board"
    SUBREDDIT = "subreddit"
    CHAT = "chat"
    LOCATION = "location"
    CHANNEL = "channel"
    # A delivery to the account's Story rather than its feed (Instagram): kept in the delivery's
    # target columns, so a scheduled Story stays one without a column of its own.
    STORY = "story"


class Availability(StrEnum):
    AVAILABLE = "available"
    LEGACY = "legacy"  # only for apps that already had access
    UNAVAILABLE = "unavailable"


class CaptionCounting(StrEnum):
    CHARS = "chars"  # Unicode code points
    GRAPHEMES = "graphemes"  # user-perceived characters (Bluesky)
    WEIGHTED = "weighted"  # X's twitter-text weighting, URLs as 23
    UTF8_BYTES = "utf8_bytes"
    # Mastodon's server: grapheme clusters, each URL as url_length, "@user@domain" as "@user".
    MASTODON = "mastodon"
    # Threads: characters, but a cluster with an emoji counts its UTF-8 bytes.
    EMOJI_BYTES = "emoji_bytes"

    @property
    def label(self) -> str:
        """A few words for listings (``linkdeck networks``)."""
        return {
            "chars": "chars",
            "graphemes": "graphemes",
            "weighted": "weighted chars",
            "utf8_bytes": "bytes",
            "mastodon": "graphemes, links fixed",
            "emoji_bytes": "chars, emoji as bytes",
        }[self.value]


@dataclass(frozen=True)
class Endpoints:
    authorize: str | None = None
    token: str | None = None
    revoke: str | None = None
    profile: str | None = None
    device: str | None = None  # RFC 8628 device authorization (or the network's own variant)
    api_base: str | None = None
    request_token: str | None = None  # OAuth 1.0a only
    upload: str | None = None  # a separate media upload host (Flickr, YouTube, Bluesky video, Facebook video)


@dataclass(frozen=True)
class AuthCapabilities:
    loopback_redirect: bool = False  # http://127.0.0.1:PORT/… accepted as redirect URI
    # The loopback port of the registered redirect URI (networks compare it exactly); None: any port.
    fixed_port: int | None = None
    pkce: bool = False  # S256 accepted; we never use "plain"
    device_flow: bool = False
    refresh: bool = False
    provider_revoke: bool = False  # an API call that revokes the grant
    paste_back: bool = True  # the user can paste the redirect URL or code
    oob: bool = False  # out-of-band code/verifier shown by the network
    needs_developer_app: bool = False  # the user's own client id (and maybe secret)
    needs_client_secret: bool = False
    dynamic_registration: bool = False  # Mastodon-style POST /api/v1/apps
    per_instance: bool = False  # the user names a server (Mastodon, Pixelfed, Bluesky PDS)


@dataclass(frozen=True)
class MediaLimits:
    images: bool = True
    videos: bool = True
    text_only: bool = True  # a post with no media is allowed
    max_images: int = 1
    max_videos: int | None = None  # uploaded videos in one post (Tumblr: 1); None: not limited here
    image_formats: tuple[str, ...] = ("jpeg", "png")
    image_max_bytes: int | None = None
    image_min_aspect: float | None = None  # width / height
    image_max_aspect: float | None = None
    image_min_width: int | None = None
    image_max_width: int | None = None
    image_max_pixels: int | None = None
    video_formats: tuple[str, ...] = ("mp4",)
    video_max_bytes: int | None = None
    video_min_seconds: float | None = None
    video_max_seconds: float | None = None
    video_min_aspect: float | None = None
    video_max_aspect: float | None = None
    mixed_media: bool = False  # images and video in one post
    alt_text_max_length: int | None = None  # a media file's description (Mastodon description_limit)
    limits_from_server: bool = False  # read live (Mastodon /api/v2/instance, Flickr getLimits)


@dataclass(frozen=True)
class CaptionLimits:
    max_length: int | None = None
    counting: CaptionCounting = CaptionCounting.CHARS
    max_hashtags: int | None = None
    url_length: int | None = None  # a URL counts as this many characters (X: 23)
    title_max_length: int | None = None  # Reddit, YouTube, Pinterest titles
    required: bool = False
    max_bytes: int | None = None  # a UTF-8 byte cap on top of max_length (Bluesky 3,000)
    text_max_length: int | None = None  # a post with no media, when it differs (Telegram 4,096)


@dataclass(frozen=True)
class BrokerRoutes:
    """What a broker (a service that links and posts to other networks for the user, with one key
    of its own) offers: the networks it links, by linkdeck id, each with the broker's own name for
    it (what its sign-in's ``network_field`` is given, so that card's link skips that question); and the
    networks it could but will not link here, with why (said on that network's card)."""

    network_field: str
    offers: Mapping[str, str]
    refused: Mapping[str, str] = field(default_factory=dict)

    def network_of(self, platform: str) -> str | None:
        """The linkdeck network an account posting to the broker's ``platform`` is on."""
        return next((network for network, named in self.offers.items() if named == platform), None)


@dataclass(frozen=True)
class NetworkSpec:
    id: str
    name: str
    brand_color: str  # "#rrggbb"
    auth: AuthKind
    endpoints: Endpoints
    scopes: tuple[str, ...]
    settings_url: str  # the user's own "connected apps" page, https
    capabilities: AuthCapabilities
    media: MediaLimits
    caption: CaptionLimits
    targets: tuple[TargetKind, ...] = (TargetKind.PROFILE,)
    availability: Availability = Availability.AVAILABLE
    availability_reason: str = ""
    token_lifetime: str = ""  # human summary, e.g. "60 days, refreshable"
    access_token_seconds: int | None = None
    # How long a refresh token lasts when the network documents it but its token answer does not
    # say (Tumblr: 42 days); the account's expiry then follows each new refresh token.
    refresh_token_seconds: int | None = None
    warn_before_expiry_days: int | None = None
    summary: str = ""  # one line for the card and the help
    notes: tuple[str, ...] = ()  # things the user must know (Business accounts only, …)
    setup_guide: str = ""  # Markdown: how to create the developer app, what to paste where
    docs_url: str = ""
    # Where the user creates the developer app a needs-setup card asks for (its "Open page").
    developer_url: str = ""
    sources: dict[str, str] = field(default_factory=dict)
    # Scopes asked for only when the user's app has the extra product/approval (LinkedIn organizations).
    optional_scopes: tuple[str, ...] = ()
    default_instance: str | None = None  # per-instance networks with a usual server (Bluesky)
    # A well-known server, shown as the example when the user is asked for theirs.
    example_instance: str = ""
    share_url: str = ""  # a web share link for what no API can post (a Facebook personal Timeline)
    # How a person ends linkdeck's access at the network when no API call can (Telegram: /revoke
    # in @BotFather); unlinking says it beside the settings page.
    revoke_by_hand: str = ""
    # Per-post options the network's API takes, offered on Upload: "visibility" (public, unlisted,
    # private, direct), "content_warning" (text shown before the post; marks media sensitive),
    # "story" (to the account's Story instead of its feed, judged against ``story_media``).
    post_options: tuple[str, ...] = ()
    story_media: MediaLimits | None = None  # what a Story takes, where the network has them
    # A broker's routes to other networks (Ayrshare): their cards offer "Link via <name>".
    broker: BrokerRoutes | None = None

    @property
    def instance_example(self) -> str:
        """The server to name in "e.g. …" (the usual one, a well-known one, or a placeholder)."""
        return self.default_instance or self.example_instance or "https://your.server"

    @property
    def sign_in(self) -> SignInKind:
        caps = self.capabilities
        if self.auth is AuthKind.OAUTH1:
            return SignInKind.OAUTH1
        if self.auth is AuthKind.APP_PASSWORD:
            return SignInKind.CREDENTIALS
        if self.auth in (AuthKind.BOT_TOKEN, AuthKind.API_KEY):
            return SignInKind.PASTED_TOKEN
        if caps.dynamic_registration:
            return SignInKind.REGISTERED
        if caps.device_flow and not caps.loopback_redirect and not self.endpoints.authorize:
            return SignInKind.DEVICE
        return SignInKind.DEVELOPER_APP

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["auth"] = str(self.auth)
        data["sign_in"] = str(self.sign_in)
        data["availability"] = str(self.availability)
        data["targets"] = [str(t) for t in self.targets]
        data["caption"]["counting"] = str(self.caption.counting)
        if self.broker is None:  # only a broker says which networks it links
            data.pop("broker")
        return data
