"""Every network's media and caption limits, at the limit, one step inside and one step outside.

The limits are written here as the reference documents them (/work/shared/reference/networks.md
"NM", networks-2026.md "N26", which wins where they differ; where neither gives a figure, the
spec's own cited source, named in the comment), never read from the code under test. First the
catalog's specs must equal this table, for every network in the catalog; then the judge
(providers/media, through :func:`providers.outbox.checks.problems`, what ``linkdeck post`` and the
runner's preflight use) and the caption counter (providers/captions.py) are tried at each edge on
real files: Pillow images of the exact size, tiny H.264 videos from PyAV of the exact length, and
sizes reached with sparse padding after the file's end (nothing reads it, the disk holds none).

"One step": one byte, one pixel (two for video, whose 4:2:0 frames need even sizes), one frame,
one character, one hashtag, one file.
"""

from __future__ import annotations

import fractions
import math
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from providers import catalog
from providers.captions import count
from providers.media import MediaInfo, inspect
from providers.outbox.checks import problems
from providers.publishing.titles import split_title
from providers.spec import NetworkSpec

MB, MIB = 1_000_000, 1024 * 1024
# The documented limits, per network. Media: max_images, max_videos, image_max_bytes,
# image_min/max_aspect (width / height), image_min/max_width, image_max_pixels, video_max_bytes,
# video_min/max_seconds, video_min/max_aspect, alt_text_max_length. Caption: max_length,
# max_bytes, max_hashtags, title_max_length, text_max_length (a post without media). A missing
# key: no limit documented.
DOCUMENTED: dict[str, dict[str, Any]] = {
    # NM §Mastodon (MD methods/instance.md example): 4 attachments, 16 MB images, 99 MB video,
    # 33,177,600 px, description 1,500, 500 characters.
    "mastodon": {
        "max_images": 4,
        "image_max_bytes": 16 * MIB,
        "image_max_pixels": 33_177_600,
        "video_max_bytes": 99 * MIB,
        "alt_text_max_length": 1500,
        "max_length": 500,
    },
    # NM §Pixelfed (config/pixelfed.php): 15,000 KB photos, album of 4, alt 1,000, caption 500.
    "pixelfed": {
        "max_images": 4,
        "image_max_bytes": 15_000 * 1024,
        "alt_text_max_length": 1000,
        "max_length": 500,
    },
    # NM §Bluesky: 4 images of 2,000,000 B, video 300 MB, 300 graphemes / 3,000 bytes.
    "bluesky": {
        "max_images": 4,
        "image_max_bytes": 2 * MB,
        "video_max_bytes": 300 * MB,
        "max_length": 300,
        "max_bytes": 3000,
    },
    # NM §4 X: 4 photos ≤5 MB, video ≤512 MB, 0.5–140 s, aspect 1:3–3:1, 280 weighted.
    "x": {
        "max_images": 4,
        "image_max_bytes": 5 * MB,
        "video_max_bytes": 512 * MB,
        "video_min_seconds": 0.5,
        "video_max_seconds": 140,
        "video_min_aspect": 1 / 3,
        "video_max_aspect": 3.0,
        "max_length": 280,
    },
    # NM §1 / N26 §1: Graph error 1366046, photos under 4 MB; caption 63,206 (PZ); 10 photos
    # per post is the spec's cited figure (PZ).
    "facebook": {"max_images": 10, "image_max_bytes": 4 * MB, "max_length": 63206},
    # NM §2: ≤8 MB, aspect 4:5–1.91:1, width 320–1440, Reels 3 s–15 min, 300 MB; carousel 10;
    # 2,200 characters, 30 hashtags.
    "instagram": {
        "max_images": 10,
        "image_max_bytes": 8 * MB,
        "image_min_aspect": 0.8,
        "image_max_aspect": 1.91,
        "image_min_width": 320,
        "image_max_width": 1440,
        "video_max_bytes": 300 * MB,
        "video_min_seconds": 3,
        "video_max_seconds": 15 * 60,
        "max_length": 2200,
        "max_hashtags": 30,
    },
    # NM §3 / N26 §3: ≤8 MB, width 320–1440, aspect ≤10:1; video ≤1 GB, ≤5 min; 20 items; 500.
    "threads": {
        "max_images": 20,
        "image_max_bytes": 8 * MB,
        "image_max_aspect": 10.0,
        "image_min_width": 320,
        "image_max_width": 1440,
        "video_max_bytes": 1000 * MB,
        "video_max_seconds": 5 * 60,
        "max_length": 500,
    },
    # NM §5: images ≤5 MB, under 36,152,320 px; up to 20; video ≤500 MB, 3 s–30 min,
    # 1:2.4–2.4:1; 3,000 characters.
    "linkedin": {
        "max_images": 20,
        "image_max_bytes": 5 * MB,
        "image_max_pixels": 36_152_320 - 1,
        "video_max_bytes": 500 * MB,
        "video_min_seconds": 3,
        "video_max_seconds": 30 * 60,
        "video_min_aspect": 1 / 2.4,
        "video_max_aspect": 2.4,
        "max_length": 3000,
    },
    # NM §6 (npf-spec.md): ≤30 image blocks, 1 native video, text block ≤4,096.
    "tumblr": {"max_images": 30, "max_videos": 1, "max_length": 4096},
    # NM §7 (getLimits doc example, read live per account): 15 MB, 90 s, 150 MB; one photo per
    # upload; title 255 is the spec's cited figure.
    "flickr": {
        "max_images": 1,
        "image_max_bytes": 15 * MB,
        "video_max_bytes": 150 * MB,
        "video_max_seconds": 90,
        "title_max_length": 255,
    },
    # NM §8: image ≤20 MB, carousel up to 5; video ≤1 GB, 4 s–15 min; description 800, title 100.
    "pinterest": {
        "max_images": 5,
        "image_max_bytes": 20 * MB,
        "video_max_bytes": 1000 * MB,
        "video_min_seconds": 4,
        "video_max_seconds": 15 * 60,
        "max_length": 800,
        "title_max_length": 100,
    },
    # NM §YouTube: ≤256 GB, no image posts; title 100, description 5,000 bytes.
    "youtube": {
        "max_images": 0,
        "video_max_bytes": 256 * 1024**3,
        "max_length": 5000,
        "title_max_length": 100,
    },
    # NM §Google Business Profile: 1 photo, JPEG/PNG ≤5 MB, ≥250×250; summary 1,500.
    "google-business": {
        "max_images": 1,
        "image_max_bytes": 5 * MB,
        "image_min_width": 250,
        "max_length": 1500,
    },
    # NM §Reddit: title 300, selftext 40,000 (unverified there); sizes are the spec's cited
    # figures (20 MiB images, 1 GiB video: S3's policy as PRAW meets it).
    "reddit": {
        "max_images": 1,
        "image_max_bytes": 20 * MIB,
        "video_max_bytes": 1024 * MIB,
        "max_length": 40000,
        "title_max_length": 300,
    },
    # NM / N26 §13 Telegram: photo ≤10 MB, ratio ≤20, files ≤50 MB, group of 10, caption
    # 1,024, text 4,096.
    "telegram": {
        "max_images": 10,
        "image_max_bytes": 10 * MB,
        "image_min_aspect": 1 / 20,
        "image_max_aspect": 20.0,
        "video_max_bytes": 50 * MB,
        "max_length": 1024,
        "text_max_length": 4096,
    },
    # Legacy Foursquare (N26 §7 has no figures): the spec's cited ones, one JPEG ≤5 MiB, shout 140.
    "foursquare": {"max_images": 1, "image_max_bytes": 5 * MIB, "max_length": 140},
    # Ayrshare (N26 §14) passes posts on to each network; 10 images per post.
    "ayrshare": {"max_images": 10},
}
MEDIA = (
    "max_images",
    "max_videos",
    "image_max_bytes",
    "image_min_aspect",
    "image_max_aspect",
    "image_min_width",
    "image_max_width",
    "image_max_pixels",
    "video_max_bytes",
    "video_min_seconds",
    "video_max_seconds",
    "video_min_aspect",
    "video_max_aspect",
    "alt_text_max_length",
)
CAPTION = ("max_length", "max_bytes", "max_hashtags", "title_max_length", "text_max_length")
EDGES = ("inside", "at", "outside")


def test_the_table_covers_the_whole_catalog() -> None:
    ids = catalog.ids()
    assert len(ids) >= 17 and sorted(DOCUMENTED) == sorted(ids)


@pytest.mark.parametrize("network", sorted(DOCUMENTED))
def test_the_spec_holds_the_documented_limits(network: str) -> None:
    spec = catalog.get(network)
    documented = DOCUMENTED[network]
    media = {f: getattr(spec.media, f) for f in MEDIA}
    caption = {f: getattr(spec.caption, f) for f in CAPTION}
    assert media == {f: documented.get(f) for f in MEDIA}
    assert caption == {f: documented.get(f) for f in CAPTION}


# Real files -------------------------------------------------------------------------------------


def padded(path: Path, size: int) -> Path:
    """``path`` grown to exactly ``size`` bytes with a sparse tail (readers stop at the data's end)."""
    assert path.stat().st_size <= size, "the file is already larger than the size to reach"
    with path.open("r+b") as handle:
        handle.truncate(size)
    return path


def image(path: Path, size: tuple[int, int]) -> Path:
    """A real image of exactly ``size`` pixels: a JPEG, or for huge sizes a 1-bit PNG (quick to
    write; the pixel rule does not care which)."""
    from PIL import Image

    if size[0] * size[1] > 4_000_000:
        Image.new("1", size).save(path.with_suffix(".png"), "PNG")
        return path.with_suffix(".png")
    Image.new("RGB", size, (40, 90, 160)).save(path, "JPEG", quality=60)
    return path


def video(path: Path, size: tuple[int, int], frames: int, fps: int) -> Path:
    """A real H.264 MP4 of ``frames`` frames at ``fps`` (no B-frames, so it lasts frames / fps)."""
    import av
    from PIL import Image

    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast", "bf": "0"}
        picture = Image.new("RGB", size, "purple")
        for index in range(frames):
            frame = av.VideoFrame.from_image(picture)
            frame.pts, frame.time_base = index, fractions.Fraction(1, fps)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def codes(spec: NetworkSpec, infos: list[MediaInfo], caption: str = "x", **kw: Any) -> set[str]:
    return {p.code for p in problems(spec, infos, caption, **kw)}


def square_side(spec: NetworkSpec) -> int:
    """A photo side every width rule of ``spec`` accepts."""
    low, high = spec.media.image_min_width or 1, spec.media.image_max_width or 10_000
    return max(low, min(400, high))


@cache
def clip_seconds(network: str) -> float:
    """A duration every rule of the network accepts."""
    spec = catalog.get(network)
    return max(1.0, float(spec.media.video_min_seconds or 0))


def limited(field: str) -> list[str]:
    return [n for n in sorted(DOCUMENTED) if DOCUMENTED[n].get(field) is not None]


def cases(*fields: str) -> Iterator[Any]:
    for field in fields:
        for network in limited(field):
            for edge in EDGES:
                yield pytest.param(network, field, edge, id=f"{network}-{field}-{edge}")


def expect(edge: str, code: str, found: set[str]) -> None:
    if edge == "outside":
        assert code in found, f"{code} expected, got {found}"
    else:
        assert code not in found, f"{code} not expected, got {found}"


# Images -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("network", "field", "edge"), list(cases("image_max_bytes")))
def test_photo_size_edges(network: str, field: str, edge: str, tmp_path: Path) -> None:
    spec, limit = catalog.get(network), DOCUMENTED[network][field]
    side = square_side(spec)
    size = limit + {"inside": -1, "at": 0, "outside": 1}[edge]
    photo = padded(image(tmp_path / "p.jpg", (side, side)), size)
    info = inspect(photo)
    assert info.bytes == size
    expect(edge, "too_large_bytes", codes(spec, [info]))


def aspect_size(ratio: float, low: int, high: int) -> tuple[int, int]:
    """Width and height whose ratio is exactly ``ratio``, with the widths one pixel either side
    still inside ``low``..``high``."""
    for height in range(100, 5000):
        width = ratio * height
        if abs(width - round(width)) < 1e-9 and low <= round(width) - 1 and round(width) + 1 <= high:
            return round(width), height
    raise AssertionError(f"no whole-pixel size has the ratio {ratio}")


@pytest.mark.parametrize(("network", "field", "edge"), list(cases("image_min_aspect", "image_max_aspect")))
def test_photo_aspect_edges(network: str, field: str, edge: str, tmp_path: Path) -> None:
    spec, limit = catalog.get(network), DOCUMENTED[network][field]
    width, height = aspect_size(limit, spec.media.image_min_width or 1, spec.media.image_max_width or 100_000)
    wider = {"at": 0, "inside": 1, "outside": -1}[edge] * (1 if field == "image_min_aspect" else -1)
    info = inspect(image(tmp_path / "p.jpg", (width + wider, height)))
    assert (info.width, info.height) == (width + wider, height)
    expect(edge, "aspect_ratio", codes(spec, [info]))


@pytest.mark.parametrize(("network", "field", "edge"), list(cases("image_min_width")))
def test_photo_min_width_edges(network: str, field: str, edge: str, tmp_path: Path) -> None:
    spec, limit = catalog.get(network), DOCUMENTED[network][field]
    side = limit + {"inside": 1, "at": 0, "outside": -1}[edge]
    expect(edge, "too_small", codes(spec, [inspect(image(tmp_path / "p.jpg", (side, side)))]))


@pytest.mark.parametrize(("network", "field", "edge"), list(cases("image_max_width")))
def test_photo_max_width_edges(network: str, field: str, edge: str, tmp_path: Path) -> None:
    spec, limit = catalog.get(network), DOCUMENTED[network][field]
    side = limit + {"inside": -1, "at": 0, "outside": 1}[edge]
    # Square photos: Instagram's aspect rule accepts 1:1, so only the width rule can object.
    expect(edge, "too_wide", codes(spec, [inspect(image(tmp_path / "p.jpg", (side, side)))]))


def factor(pixels: int) -> tuple[int, int]:
    """Width and height with exactly ``pixels`` pixels, as square as the number allows."""
    for height in range(math.isqrt(pixels), 0, -1):
        if pixels % height == 0:
            return pixels // height, height
    raise AssertionError("unreachable: 1 divides everything")


@pytest.mark.parametrize(("network", "field", "edge"), list(cases("image_max_pixels")))
def test_photo_pixel_count_edges(network: str, field: str, edge: str, tmp_path: Path) -> None:
    spec, limit = catalog.get(network), DOCUMENTED[network][field]
    width, height = factor(limit + {"inside": -1, "at": 0, "outside": 1}[edge])
    info = inspect(image(tmp_path / "p.jpg", (width, height)))
    assert info.pixels == limit + {"inside": -1, "at": 0, "outside": 1}[edge]
    expect(edge, "too_many_pixels", codes(spec, [info]))


@pytest.mark.parametrize(("network", "field", "edge"), list(cases("max_images")))
def test_photo_count_edges(network: str, field: str, edge: str, tmp_path: Path) -> None:
    spec, limit = catalog.get(network), DOCUMENTED[network][field]
    side = square_side(spec)
    one = inspect(image(tmp_path / "p.jpg", (side, side)))
    how_many = limit + {"inside": -1, "at": 0, "outside": 1}[edge]
    if not spec.media.images:  # YouTube: no photos at all, so a single one is outside
        expect(edge, "image_not_allowed", codes(spec, [one] * max(0, how_many)))
        return
    expect(edge, "too_many_images", codes(spec, [one] * how_many))


@pytest.mark.parametrize(("network", "field", "edge"), list(cases("alt_text_max_length")))
def test_alt_text_edges(network: str, field: str, edge: str, tmp_path: Path) -> None:
    spec, limit = catalog.get(network), DOCUMENTED[network][field]
    one = inspect(image(tmp_path / "p.jpg", (400, 400)))
    alt = "a" * (limit + {"inside": -1, "at": 0, "outside": 1}[edge])
    expect(edge, "alt_text_too_long", codes(spec, [one], descriptions=[alt]))


# Videos -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("network", "field", "edge"), list(cases("video_max_bytes")))
def test_video_size_edges(network: str, field: str, edge: str, tmp_path: Path) -> None:
    spec, limit = catalog.get(network), DOCUMENTED[network][field]
    size = limit + {"inside": -1, "at": 0, "outside": 1}[edge]
    clip = video(tmp_path / "v.mp4", (32, 32), round(clip_seconds(network) * 10), 10)
    info = inspect(padded(clip, size))
    assert info.bytes == size
    expect(edge, "too_large_bytes", codes(spec, [info]))


@pytest.mark.parametrize(("network", "field", "edge"), list(cases("video_min_seconds")))
def test_video_shortest_edges(network: str, field: str, edge: str, tmp_path: Path) -> None:
    spec, limit = catalog.get(network), DOCUMENTED[network][field]
    frames = round(limit * 10) + {"inside": 1, "at": 0, "outside": -1}[edge]  # a step: 0.1 s
    info = inspect(video(tmp_path / "v.mp4", (32, 32), frames, 10))
    assert info.duration == pytest.approx(frames / 10)
    expect(edge, "too_short", codes(spec, [info]))


@pytest.mark.parametrize(("network", "field", "edge"), list(cases("video_max_seconds")))
def test_video_longest_edges(network: str, field: str, edge: str, tmp_path: Path) -> None:
    spec, limit = catalog.get(network), DOCUMENTED[network][field]
    frames = round(limit) + {"inside": -1, "at": 0, "outside": 1}[edge]  # one frame a second
    info = inspect(video(tmp_path / "v.mp4", (16, 16), frames, 1))
    assert info.duration == pytest.approx(frames)
    expect(edge, "too_long", codes(spec, [info]))


def even_aspect_size(ratio: float) -> tuple[int, int]:
    """Even width and height (what 4:2:0 video needs) whose ratio is exactly ``ratio``."""
    for height in range(100, 2000, 2):
        width = ratio * height
        if abs(width - round(width)) < 1e-9 and round(width) % 2 == 0:
            return round(width), height
    raise AssertionError(f"no even size has the ratio {ratio}")


@pytest.mark.parametrize(("network", "field", "edge"), list(cases("video_min_aspect", "video_max_aspect")))
def test_video_aspect_edges(network: str, field: str, edge: str, tmp_path: Path) -> None:
    spec, limit = catalog.get(network), DOCUMENTED[network][field]
    width, height = even_aspect_size(limit)
    wider = {"at": 0, "inside": 2, "outside": -2}[edge] * (1 if field == "video_min_aspect" else -1)
    clip = video(tmp_path / "v.mp4", (width + wider, height), round(clip_seconds(network) * 10), 10)
    expect(edge, "aspect_ratio", codes(spec, [inspect(clip)]))


@pytest.mark.parametrize(("network", "field", "edge"), list(cases("max_videos")))
def test_video_count_edges(network: str, field: str, edge: str, tmp_path: Path) -> None:
    spec, limit = catalog.get(network), DOCUMENTED[network][field]
    clip = inspect(video(tmp_path / "v.mp4", (32, 32), round(clip_seconds(network) * 10), 10))
    how_many = limit + {"inside": -1, "at": 0, "outside": 1}[edge]
    if how_many < 1:
        return  # no videos at all is not a post with too many
    expect(edge, "too_many_videos", codes(spec, [clip] * how_many))


# Captions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("network", "field", "edge"), list(cases("max_length")))
def test_caption_length_edges(network: str, field: str, edge: str) -> None:
    spec, limit = catalog.get(network), DOCUMENTED[network][field]
    text = "a" * (limit + {"inside": -1, "at": 0, "outside": 1}[edge])
    counted = count(text, spec, has_media=True)
    assert counted.count == len(text)  # plain letters count one each in every network's way
    expect(edge, "caption_too_long", {p.code for p in counted.problems})


@pytest.mark.parametrize(("network", "field", "edge"), list(cases("text_max_length")))
def test_text_without_media_length_edges(network: str, field: str, edge: str) -> None:
    spec, limit = catalog.get(network), DOCUMENTED[network][field]
    text = "a" * (limit + {"inside": -1, "at": 0, "outside": 1}[edge])
    expect(edge, "caption_too_long", {p.code for p in count(text, spec, has_media=False).problems})


FLAG = "\U0001f3f3\ufe0f\u200d\U0001f308"  # one grapheme, 14 bytes of UTF-8


@pytest.mark.parametrize(("network", "field", "edge"), list(cases("max_bytes")))
def test_caption_byte_edges(network: str, field: str, edge: str) -> None:
    spec, limit = catalog.get(network), DOCUMENTED[network][field]
    size = limit + {"inside": -1, "at": 0, "outside": 1}[edge]
    flags, rest = divmod(size, len(FLAG.encode()))
    text = FLAG * flags + "a" * rest
    counted = count(text, spec, has_media=True)
    assert counted.utf8_bytes == size and counted.count <= DOCUMENTED[network]["max_length"]
    expect(edge, "caption_too_many_bytes", {p.code for p in counted.problems})


@pytest.mark.parametrize(("network", "field", "edge"), list(cases("max_hashtags")))
def test_hashtag_count_edges(network: str, field: str, edge: str) -> None:
    spec, limit = catalog.get(network), DOCUMENTED[network][field]
    text = " ".join(f"#tag{i}" for i in range(limit + {"inside": -1, "at": 0, "outside": 1}[edge]))
    expect(edge, "too_many_hashtags", {p.code for p in count(text, spec, has_media=True).problems})


@pytest.mark.parametrize(("network", "field", "edge"), list(cases("title_max_length")))
def test_title_length_edges(network: str, field: str, edge: str) -> None:
    """A first line longer than the title limit is shortened (never refused), kept in the body."""
    limit = DOCUMENTED[network][field]
    first = "a" * (limit + {"inside": -1, "at": 0, "outside": 1}[edge])
    titled = split_title(f"{first}\nthe rest", catalog.get(network).caption.title_max_length or 0)
    assert len(titled.title) <= limit and titled.shortened is (edge == "outside")
    assert titled.title == first or first in titled.body
