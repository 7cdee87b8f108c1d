"""The network catalog: every module present, well formed, sourced, and the key facts right.

Source convention: every auth capability a spec claims (pkce, device_flow, refresh, provider_revoke,
and a fixed_port) has a ``sources`` entry under that exact key. A provider_revoke claim may instead
be covered by the "endpoints" entry when the revoke URL is one of the cited endpoints.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import json
import re
from pathlib import Path

import pytest

from providers import catalog, networks
from providers.spec import (
    AuthKind,
    Availability,
    CaptionCounting,
    NetworkSpec,
    TargetKind,
)

NETWORKS_DIR = Path(networks.__file__).parent
SPECS = catalog.all_networks()
BY_ID = {spec.id: spec for spec in SPECS}
HEX = re.compile(r"^#[0-9a-f]{6}$", re.IGNORECASE)
AUTH_CAPABILITIES = ("pkce", "device_flow", "refresh", "provider_revoke")
DEVELOPER_APP = (
    "x",
    "facebook",
    "instagram",
    "threads",
    "linkedin",
    "tumblr",
    "flickr",
    "pinterest",
    "youtube",
    "google-business",
    "reddit",
)
NO_DEVELOPER_APP = ("mastodon", "pixelfed", "bluesky", "telegram", "ayrshare")


def _module_id(module: str) -> str:
    return module.replace("_", "-")


def _by_id(spec: NetworkSpec) -> str:
    return spec.id


def _url_ok(url: str) -> bool:
    return url.startswith("https://") or url.startswith("{instance}")


# --- presence and shape ---------------------------------------------------------------------------


def test_all_seventeen_networks_in_display_order() -> None:
    assert len(networks.ORDER) == 17
    assert catalog.ids() == tuple(_module_id(m) for m in networks.ORDER)


def test_ids_are_unique() -> None:
    ids = catalog.ids()
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("module", networks.ORDER)
def test_module_defines_its_spec(module: str) -> None:
    mod = importlib.import_module(f"providers.networks.{module}.spec")
    assert isinstance(mod.SPEC, NetworkSpec)
    assert mod.SPEC.id == _module_id(module)


@pytest.mark.parametrize("module", networks.ORDER)
def test_module_is_small_and_imports_only_the_spec(module: str) -> None:
    path = NETWORKS_DIR / module / "spec.py"
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) < 300
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            pytest.fail(f"{module}: plain import {[a.name for a in node.names]}")
        if isinstance(node, ast.ImportFrom):
            assert node.module in ("__future__", "providers.spec"), node.module


def test_get_returns_the_spec() -> None:
    for spec in SPECS:
        assert catalog.get(spec.id) is spec


@pytest.mark.parametrize("spec", SPECS, ids=_by_id)
def test_names_and_texts_are_filled(spec: NetworkSpec) -> None:
    assert spec.name.strip()
    assert spec.summary.strip()
    assert "\n" not in spec.summary
    assert spec.token_lifetime.strip()
    assert spec.docs_url.startswith("https://")
    assert all(note.strip() for note in spec.notes)


@pytest.mark.parametrize("spec", SPECS, ids=_by_id)
def test_brand_color_is_hex(spec: NetworkSpec) -> None:
    assert HEX.match(spec.brand_color), spec.brand_color


@pytest.mark.parametrize("spec", SPECS, ids=_by_id)
def test_settings_url_is_https_or_per_instance(spec: NetworkSpec) -> None:
    assert _url_ok(spec.settings_url), spec.settings_url
    if spec.settings_url.startswith("{instance}"):
        assert spec.capabilities.per_instance


@pytest.mark.parametrize("spec", SPECS, ids=_by_id)
def test_endpoints_are_https_or_per_instance(spec: NetworkSpec) -> None:
    for name, url in dataclasses.asdict(spec.endpoints).items():
        if url is None:
            continue
        assert _url_ok(url), f"{spec.id}.{name} = {url}"
        if "{instance}" in url:
            assert spec.capabilities.per_instance, f"{spec.id}.{name} uses {{instance}}"
    for url in (spec.share_url, spec.default_instance or ""):
        assert not url or url.startswith("https://"), url


@pytest.mark.parametrize("spec", SPECS, ids=_by_id)
def test_per_instance_networks_template_the_instance(spec: NetworkSpec) -> None:
    urls = [u for u in dataclasses.asdict(spec.endpoints).values() if u]
    templated = [u for u in urls if "{instance}" in u]
    if spec.capabilities.per_instance:
        assert templated and all(u.startswith("{instance}") for u in templated), urls
    else:  # one fixed service: an {instance} left in an address would never be filled in
        assert templated == [], urls


# --- sources -------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS, ids=_by_id)
def test_every_spec_has_sources(spec: NetworkSpec) -> None:
    assert spec.sources
    assert all(key.strip() and value.strip() for key, value in spec.sources.items())


@pytest.mark.parametrize("spec", SPECS, ids=_by_id)
def test_claimed_auth_capabilities_are_sourced(spec: NetworkSpec) -> None:
    caps = spec.capabilities
    for name in AUTH_CAPABILITIES:
        if not getattr(caps, name):
            continue
        if name == "provider_revoke" and "provider_revoke" not in spec.sources:
            assert spec.endpoints.revoke and "endpoints" in spec.sources, f"{spec.id}: {name} unsourced"
            continue
        assert name in spec.sources, f"{spec.id}: {name} claimed without a source"
        assert "not claimed" not in spec.sources[name]
    if caps.fixed_port is not None:
        assert "port" in spec.sources.get("fixed_port", ""), f"{spec.id}: fixed_port unsourced"


@pytest.mark.parametrize("spec", SPECS, ids=_by_id)
def test_capabilities_agree_with_endpoints(spec: NetworkSpec) -> None:
    caps = spec.capabilities
    if caps.device_flow:
        assert spec.endpoints.device
    if caps.provider_revoke:
        assert spec.endpoints.revoke
    if spec.auth is AuthKind.OAUTH1:
        assert spec.endpoints.request_token
    if spec.auth in (AuthKind.OAUTH2, AuthKind.OAUTH1) and spec.availability is Availability.AVAILABLE:
        assert spec.endpoints.authorize and spec.endpoints.token
    if caps.fixed_port is not None:
        assert caps.loopback_redirect and 1024 <= caps.fixed_port <= 65535
    if caps.needs_client_secret:
        assert caps.needs_developer_app


# --- limits --------------------------------------------------------------------------------------


def _positive_or_none(*values: float | None) -> bool:
    return all(v is None or v > 0 for v in values)


def _ordered(low: float | None, high: float | None) -> bool:
    return low is None or high is None or low <= high


@pytest.mark.parametrize("spec", SPECS, ids=_by_id)
def test_caption_limits_are_sane(spec: NetworkSpec) -> None:
    c = spec.caption
    assert _positive_or_none(
        c.max_length, c.max_hashtags, c.url_length, c.title_max_length, c.max_bytes, c.text_max_length
    )
    assert isinstance(c.counting, CaptionCounting)


@pytest.mark.parametrize("spec", SPECS, ids=_by_id)
def test_media_limits_are_sane(spec: NetworkSpec) -> None:
    m = spec.media
    assert m.max_images >= (1 if m.images else 0)
    assert m.images or m.videos or m.text_only
    if m.images:
        assert m.image_formats
    if m.videos:
        assert m.video_formats
    assert _positive_or_none(
        m.image_max_bytes,
        m.image_min_aspect,
        m.image_max_aspect,
        m.image_min_width,
        m.image_max_width,
        m.image_max_pixels,
        m.video_max_bytes,
        m.video_min_seconds,
        m.video_max_seconds,
        m.video_min_aspect,
        m.video_max_aspect,
    )
    assert _ordered(m.image_min_aspect, m.image_max_aspect)
    assert _ordered(m.image_min_width, m.image_max_width)
    assert _ordered(m.video_min_seconds, m.video_max_seconds)
    assert _ordered(m.video_min_aspect, m.video_max_aspect)


@pytest.mark.parametrize("spec", SPECS, ids=_by_id)
def test_to_json_is_serialisable(spec: NetworkSpec) -> None:
    data = json.loads(json.dumps(spec.to_json()))
    assert data["id"] == spec.id
    assert data["auth"] == str(spec.auth)
    assert data["availability"] == str(spec.availability)
    assert data["caption"]["counting"] == str(spec.caption.counting)


# --- availability, setup -------------------------------------------------------------------------


def test_only_foursquare_is_not_available() -> None:
    for spec in SPECS:
        expected = Availability.LEGACY if spec.id == "foursquare" else Availability.AVAILABLE
        assert spec.availability is expected, spec.id
        assert bool(spec.availability_reason) == (spec.id == "foursquare")


def test_foursquare_is_legacy_with_a_reason() -> None:
    spec = BY_ID["foursquare"]
    assert spec.availability is Availability.LEGACY
    assert "v2" in spec.availability_reason and "2021" in spec.availability_reason


@pytest.mark.parametrize("network_id", DEVELOPER_APP)
def test_developer_app_networks_say_where_the_id_goes(network_id: str) -> None:
    spec = BY_ID[network_id]
    env = f"LINKDECK_{network_id.upper().replace('-', '_')}_CLIENT_ID"
    assert spec.capabilities.needs_developer_app
    assert env in spec.setup_guide
    assert f"[networks.{network_id}]" in spec.setup_guide
    if spec.capabilities.needs_client_secret:
        assert f"linkdeck config set-secret {network_id}" in spec.setup_guide
    if spec.capabilities.fixed_port is not None:
        assert f"http://127.0.0.1:{spec.capabilities.fixed_port}/callback" in spec.setup_guide


@pytest.mark.parametrize("network_id", NO_DEVELOPER_APP)
def test_networks_without_a_developer_app(network_id: str) -> None:
    assert not BY_ID[network_id].capabilities.needs_developer_app


def test_ayrshare_needs_only_the_users_api_key() -> None:
    spec = BY_ID["ayrshare"]
    assert spec.auth is AuthKind.API_KEY
    assert "linkdeck config set-secret ayrshare" in spec.setup_guide


def test_telegram_uses_a_bot_token() -> None:
    spec = BY_ID["telegram"]
    assert spec.auth is AuthKind.BOT_TOKEN
    assert spec.targets == (TargetKind.CHAT, TargetKind.CHANNEL)
    assert spec.caption.max_length == 1024
    assert spec.caption.text_max_length == 4096


# --- specific facts ------------------------------------------------------------------------------


def test_x() -> None:
    spec = BY_ID["x"]
    assert spec.caption.counting is CaptionCounting.WEIGHTED
    assert spec.caption.max_length == 280
    assert spec.caption.url_length == 23
    assert spec.capabilities.pkce
    assert spec.capabilities.fixed_port == 8080
    assert not spec.capabilities.needs_client_secret
    assert spec.media.max_images == 4


def test_bluesky() -> None:
    spec = BY_ID["bluesky"]
    assert spec.auth is AuthKind.APP_PASSWORD
    assert spec.caption.counting is CaptionCounting.GRAPHEMES
    assert spec.caption.max_length == 300
    assert spec.media.max_images == 4
    assert spec.default_instance and spec.default_instance.startswith("https://")


def test_instagram() -> None:
    spec = BY_ID["instagram"]
    assert spec.media.image_min_aspect == pytest.approx(0.8)
    assert spec.media.image_max_aspect == pytest.approx(1.91)
    assert spec.caption.max_length == 2200
    assert spec.caption.max_hashtags == 30
    assert spec.targets == (TargetKind.INSTAGRAM_ACCOUNT,)
    assert not spec.media.text_only
    assert any("Business" in note and "Creator" in note for note in spec.notes)


def test_threads() -> None:
    assert BY_ID["threads"].caption.max_length == 500


def test_facebook_pages_and_the_2018_timeline_rule() -> None:
    spec = BY_ID["facebook"]
    assert spec.availability is Availability.AVAILABLE
    assert spec.targets == (TargetKind.PAGE,)
    timeline = [note for note in spec.notes if "Timeline" in note]
    assert timeline and "2018" in timeline[0]
    assert "https://www.facebook.com/sharer/sharer.php" in timeline[0]
    assert spec.share_url == "https://www.facebook.com/sharer/sharer.php"


def test_linkedin_warns_before_expiry() -> None:
    spec = BY_ID["linkedin"]
    assert spec.access_token_seconds == 60 * 24 * 3600
    assert spec.warn_before_expiry_days and 0 < spec.warn_before_expiry_days < 60
    assert not spec.capabilities.refresh
    assert spec.targets == (TargetKind.PROFILE, TargetKind.ORGANIZATION)


@pytest.mark.parametrize(
    ("network_id", "targets"),
    [
        ("facebook", (TargetKind.PAGE,)),
        ("instagram", (TargetKind.INSTAGRAM_ACCOUNT,)),
        ("linkedin", (TargetKind.PROFILE, TargetKind.ORGANIZATION)),
        ("tumblr", (TargetKind.BLOG,)),
        ("pinterest", (TargetKind.BOARD,)),
        ("reddit", (TargetKind.SUBREDDIT,)),
        ("telegram", (TargetKind.CHAT, TargetKind.CHANNEL)),
        ("google-business", (TargetKind.LOCATION,)),
        ("youtube", (TargetKind.CHANNEL,)),
    ],
)
def test_targets(network_id: str, targets: tuple[TargetKind, ...]) -> None:
    assert BY_ID[network_id].targets == targets


def test_youtube_is_video_only() -> None:
    media = BY_ID["youtube"].media
    assert media.videos and not media.images and not media.text_only


def test_google_business_one_photo_no_video() -> None:
    media = BY_ID["google-business"].media
    assert media.max_images == 1 and not media.videos


def test_mastodon_and_pixelfed_are_per_instance() -> None:
    for network_id in ("mastodon", "pixelfed"):
        caps = BY_ID[network_id].capabilities
        assert caps.per_instance and caps.dynamic_registration


def test_every_network_that_needs_a_developer_app_names_where_to_make_it() -> None:
    for spec in catalog.all_networks():
        if spec.capabilities.needs_developer_app:
            assert spec.developer_url.startswith("https://"), spec.id
