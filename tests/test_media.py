"""The media engine on a generated corpus: facts, verdicts with readable reasons, errors, fixes."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path
from typing import cast

import pytest

from providers import catalog
from providers.errors import MediaError
from providers.media import MediaKind, inspect, judge, judge_post
from providers.media import fixes as media_fixes
from tests import media_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return media_corpus.build(tmp_path_factory.mktemp("media-corpus"))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def codes(verdict_problems: tuple[object, ...]) -> list[str]:
    return [p.code for p in verdict_problems]  # type: ignore[attr-defined]


BROKEN = ("empty_jpg", "text_jpg", "truncated_jpg", "bomb_png", "truncated_mp4")
READABLE = [name for name in media_corpus.CORPUS if name not in BROKEN]


# --- inspect -------------------------------------------------------------------------------------


def test_photo_facts_come_from_headers_without_decoding_pixels(
    corpus: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import ImageFile

    def no_decoding(self: object) -> None:
        raise AssertionError("inspect decoded pixel data")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    huge = inspect(corpus["huge_jpg"])
    assert (huge.kind, huge.format, huge.width, huge.height) == (MediaKind.IMAGE, "jpeg", 8660, 5774)
    assert huge.pixels > 50_000_000 and huge.bytes == corpus["huge_jpg"].stat().st_size
    for name in ("square_jpg", "png_square", "animated_gif", "webp", "cmyk_jpg", "png16_grey", "gps_jpg"):
        assert inspect(corpus[name]).width > 0, name


def test_exif_orientation_6_turns_a_landscape_stored_photo_portrait(corpus: dict[str, Path]) -> None:
    info = inspect(corpus["exif_rotated_jpg"])
    assert (info.width, info.height, info.orientation) == (800, 1200, 6)
    assert info.aspect < 1
    heic = inspect(corpus["heic_rotated"])
    assert (heic.width, heic.height, heic.orientation) == (800, 1200, 6)
    converted = inspect(media_fixes.convert_to_jpeg(corpus["heic_rotated"]))
    assert (converted.width, converted.height, converted.orientation) == (800, 1200, 1)


@pytest.mark.parametrize(
    ("name", "fmt", "mode", "bits", "frames"),
    [
        ("cmyk_jpg", "jpeg", "CMYK", 8, 1),
        ("png16_grey", "png", "I;16", 16, 1),
        ("png16_rgb", "png", "RGB", 16, 1),
        ("animated_gif", "gif", "P", 8, 3),
        ("heic", "heic", "RGB", 8, 1),
        ("webp", "webp", "RGB", 8, 1),
        ("png_square", "png", "RGBA", 8, 1),
    ],
)
def test_format_colour_mode_bit_depth_and_frames(
    corpus: dict[str, Path], name: str, fmt: str, mode: str, bits: int, frames: int
) -> None:
    info = inspect(corpus[name])
    assert (info.format, info.mode, info.bits, info.frames) == (fmt, mode, bits, frames)
    assert info.animated is (frames > 1)


def test_gps_metadata_is_detected(corpus: dict[str, Path]) -> None:
    assert inspect(corpus["gps_jpg"]).has_location_metadata is True
    assert inspect(corpus["square_jpg"]).has_location_metadata is False


def test_video_facts_through_pyav(corpus: dict[str, Path]) -> None:
    info = inspect(corpus["landscape_mp4"])
    assert (info.kind, info.format, info.codec, info.audio_codec) == (MediaKind.VIDEO, "mp4", "h264", "aac")
    assert (info.width, info.height, info.fps) == (320, 180, 30.0)
    assert info.duration == pytest.approx(3.0, abs=0.1)
    assert "mp4" in info.container
    assert inspect(corpus["portrait_mp4"]).aspect == pytest.approx(9 / 16)
    assert inspect(corpus["mov"]).format == "mov"
    assert inspect(corpus["long_mp4"]).audio_codec is None


def test_video_display_rotation_is_applied(corpus: dict[str, Path]) -> None:
    info = inspect(corpus["rotated_mp4"])
    assert (info.width, info.height, info.rotation) == (180, 320, 90)


@pytest.mark.parametrize(
    ("name", "code", "words"),
    [
        ("empty_jpg", "empty", "empty"),
        ("text_jpg", "not_media", "not a photo or video"),
        ("truncated_jpg", "truncated", "cut short"),
        ("bomb_png", "decompression_bomb", "decompression bomb"),
        ("truncated_mp4", "corrupt", "cut short"),
    ],
)
def test_broken_files_give_a_clear_media_error(
    corpus: dict[str, Path], name: str, code: str, words: str
) -> None:
    path = corpus[name]
    with pytest.raises(MediaError) as caught:
        inspect(path)
    assert caught.value.code == code
    message = str(caught.value)
    assert message.startswith(f"{path.name}: ") and words in message
    assert caught.value.exit_code == 2


def test_the_bomb_names_its_claimed_size(corpus: dict[str, Path]) -> None:
    with pytest.raises(MediaError, match=r"1600\.0 MP \(1,600,000,000 pixels\)"):
        inspect(corpus["bomb_png"])


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="no such file") as missing:
        inspect(tmp_path / "nope.jpg")
    assert missing.value.code == "not_found"
    with pytest.raises(MediaError, match="is a folder") as folder:
        inspect(tmp_path)
    assert folder.value.code == "unreadable"


def test_importing_the_engine_loads_no_imaging_library() -> None:
    code = (
        "import sys, providers.media, providers.media.fixes, providers.captions\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "{'PIL', 'av', 'pillow_heif', 'twitter_text', 'regex', 'textual'}]\n"
        "print(heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# --- verdicts ------------------------------------------------------------------------------------


def test_instagram_aspect_ratio(corpus: dict[str, Path]) -> None:
    instagram = catalog.get("instagram")
    tall = judge(inspect(corpus["portrait_9x16_jpg"]), instagram)
    assert not tall.ok and codes(tall.problems) == ["aspect_ratio"]
    assert tall.problems[0].message.startswith(
        "Instagram photos must be between 4:5 and 1.91:1; this one is 9:16"
    )
    assert [f.function for f in tall.fixes] == ["crop", "pad"]
    assert tall.fixes[0].params == {"aspect_min": 0.8, "aspect_max": 1.91, "anchor": "center"}
    assert judge(inspect(corpus["portrait_4x5_jpg"]), instagram).ok
    wide = judge(inspect(corpus["wide_3x1_jpg"]), instagram)
    assert "aspect_ratio" in codes(wide.problems) and "this one is 3:1" in wide.problems[0].message


def test_bluesky_size_limit_names_both_sizes(corpus: dict[str, Path]) -> None:
    verdict = judge(inspect(corpus["noisy_jpg"]), catalog.get("bluesky"))
    assert codes(verdict.problems) == ["too_large_bytes"]
    assert re.fullmatch(
        r"Bluesky photos must be at most 2 MB \(this one is \d+\.\d MB\)", verdict.problems[0].message
    )
    assert verdict.fixes[0].function == "compress_under" and verdict.fixes[0].params == {
        "max_bytes": 2_000_000
    }
    assert judge(inspect(corpus["square_jpg"]), catalog.get("bluesky")).ok


def test_youtube_refuses_photos_and_takes_video(corpus: dict[str, Path]) -> None:
    youtube = catalog.get("youtube")
    photo = judge(inspect(corpus["square_jpg"]), youtube)
    assert codes(photo.problems) == ["image_not_allowed"]
    assert photo.problems[0].message == "YouTube takes videos only, not photos"
    assert judge(inspect(corpus["landscape_mp4"]), youtube).ok


def test_google_business_refuses_video(corpus: dict[str, Path]) -> None:
    verdict = judge(inspect(corpus["landscape_mp4"]), catalog.get("google-business"))
    assert codes(verdict.problems) == ["video_not_allowed"]
    assert verdict.problems[0].message.startswith("Google Business Profile posts can't carry video")
    assert "video_not_allowed" in codes(
        judge(inspect(corpus["landscape_mp4"]), catalog.get("pixelfed")).problems
    )


def test_x_takes_at_most_four_photos_per_post(corpus: dict[str, Path]) -> None:
    photo = inspect(corpus["square_jpg"])
    post = judge_post([photo] * 5, catalog.get("x"))
    assert not post.ok
    assert [item.ok for item in post.items] == [True, True, True, True, False]
    assert post.items[4].problems[0].code == "too_many_images"
    assert (
        post.items[4].problems[0].message
        == "X posts can have at most 4 photos; this post has 5 (this is photo 5)"
    )
    assert judge_post([photo] * 4, catalog.get("x")).ok


def test_mixing_photos_and_video(corpus: dict[str, Path]) -> None:
    photo, clip = inspect(corpus["square_jpg"]), inspect(corpus["landscape_mp4"])
    x = judge_post([photo, clip], catalog.get("x"))
    assert [codes(i.problems) for i in x.items] == [[], ["mixed_media"]]
    assert judge_post([photo, clip], catalog.get("tumblr")).ok  # Tumblr mixes


def test_text_only_posts(corpus: dict[str, Path]) -> None:
    instagram = judge_post([], catalog.get("instagram"))
    assert codes(instagram.problems) == ["media_required"] and not instagram.ok
    assert instagram.problems[0].message == "Instagram posts need a photo or video"
    assert judge_post([], catalog.get("youtube")).problems[0].message == "YouTube posts need a video"
    assert judge_post([], catalog.get("mastodon")).ok


def test_video_duration_and_aspect_rules(corpus: dict[str, Path]) -> None:
    long = judge(inspect(corpus["long_mp4"]), catalog.get("x"))
    assert codes(long.problems) == ["too_long"]
    assert long.problems[0].message == "X videos must be at most 2:20 long; this one is 2:30"
    short = judge(inspect(corpus["short_mp4"]), catalog.get("instagram"))
    assert codes(short.problems) == ["too_short"]
    assert short.problems[0].message == "Instagram videos must be at least 3 s long; this one is 1 s"
    wide = judge(inspect(corpus["wide_mp4"]), catalog.get("x"))
    assert codes(wide.problems) == ["aspect_ratio"]
    assert wide.problems[0].message.startswith("X videos must be between 1:3 and 3:1; this one is 4:1")


def test_pixel_width_and_format_limits(corpus: dict[str, Path]) -> None:
    huge = inspect(corpus["huge_jpg"])
    mastodon = judge(huge, catalog.get("mastodon"))
    assert codes(mastodon.problems) == ["too_many_pixels"]
    assert "Mastodon photos must be at most 33.2 MP" in mastodon.problems[0].message
    assert codes(judge(huge, catalog.get("instagram")).problems) == ["too_wide"]
    png = judge(inspect(corpus["png_square"]), catalog.get("instagram"))
    assert codes(png.problems) == ["format"]
    assert png.problems[0].message == "Instagram photos must be JPEG; this one is PNG"
    assert png.fixes[0].function == "convert_to_jpeg"
    small = judge(inspect(corpus["small_jpg"]), catalog.get("instagram"))
    assert codes(small.problems) == ["too_small"]


def test_location_and_cmyk_are_advice_not_failures(corpus: dict[str, Path]) -> None:
    gps = judge(inspect(corpus["gps_jpg"]), catalog.get("x"))
    assert gps.ok and codes(gps.advice) == ["location_metadata"]
    assert gps.fixes[0].function == "strip_location"
    cmyk = judge(inspect(corpus["cmyk_jpg"]), catalog.get("bluesky"))
    assert cmyk.ok and codes(cmyk.advice) == ["colour_mode"]


@pytest.mark.parametrize("name", READABLE)
def test_every_network_judges_every_readable_file_and_names_itself(
    corpus: dict[str, Path], name: str
) -> None:
    info = inspect(corpus[name])
    for spec in catalog.all_networks():
        verdict = judge(info, spec)
        for problem in verdict.problems:
            assert problem.code and spec.name in problem.message, (spec.id, problem)
        for fix in verdict.fixes:
            assert fix.function in media_fixes.FUNCTIONS


# --- fixes ---------------------------------------------------------------------------------------


@pytest.fixture
def untouched(corpus: dict[str, Path]) -> dict[str, str]:
    """Hashes of the whole corpus; the test that uses it checks they are the same afterwards."""
    return {name: sha(path) for name, path in corpus.items()}


def assert_untouched(corpus: dict[str, Path], before: dict[str, str]) -> None:
    assert {name: sha(path) for name, path in corpus.items()} == before
    assert sorted(p.name for p in next(iter(corpus.values())).parent.iterdir()) == sorted(
        p.name for p in corpus.values()
    ), "a fix wrote next to the originals"


def test_crop_to_instagram_aspect_passes(corpus: dict[str, Path], untouched: dict[str, str]) -> None:
    instagram = catalog.get("instagram")
    verdict = judge(inspect(corpus["portrait_9x16_jpg"]), instagram)
    out = media_fixes.apply(corpus["portrait_9x16_jpg"], verdict.fixes[0])
    info = inspect(out)
    assert (info.width, info.height) == (1080, 1350)
    assert judge(info, instagram).ok
    assert out.parent == media_fixes.fixed_dir() and out.name.startswith("portrait-9x16.linkdeck-crop-")
    assert media_fixes.apply(corpus["portrait_9x16_jpg"], verdict.fixes[0]) == out  # reused
    assert_untouched(corpus, untouched)


def test_crop_anchor_keeps_the_chosen_side(corpus: dict[str, Path]) -> None:
    from PIL import Image

    top = media_fixes.crop(corpus["portrait_9x16_jpg"], 0.8, 1.91, anchor="top")
    bottom = media_fixes.crop(corpus["portrait_9x16_jpg"], 0.8, 1.91, anchor="bottom")
    with Image.open(top) as im_top, Image.open(bottom) as im_bottom:
        r, g, _ = im_top.convert("RGB").getpixel((5, 5))  # type: ignore[misc]
        assert r > 200 and g < 60  # the red marker in the top-left corner survived
        r, _, _ = im_bottom.convert("RGB").getpixel((5, 5))  # type: ignore[misc]
        assert r < 100  # cut away
    with pytest.raises(ValueError, match="anchor"):
        media_fixes.crop(corpus["portrait_9x16_jpg"], 0.8, 1.91, anchor="middle")


def test_pad_reaches_the_range_without_cutting(corpus: dict[str, Path], untouched: dict[str, str]) -> None:
    instagram = catalog.get("instagram")
    verdict = judge(inspect(corpus["portrait_9x16_jpg"]), instagram)
    pad = next(f for f in verdict.fixes if f.function == "pad")
    info = inspect(media_fixes.apply(corpus["portrait_9x16_jpg"], pad))
    assert info.height == 1920 and info.aspect >= 0.8
    # Bars made it 1,536 px wide, over Instagram's 1,440: re-judging offers the next fix.
    again = judge(info, instagram)
    assert codes(again.problems) == ["too_wide"]
    assert judge(inspect(media_fixes.apply_all(info.path, media_fixes.plan(again))), instagram).ok
    assert_untouched(corpus, untouched)


def test_compress_under_meets_bluesky_limit(corpus: dict[str, Path], untouched: dict[str, str]) -> None:
    bluesky = catalog.get("bluesky")
    out = media_fixes.compress_under(corpus["noisy_jpg"], 2_000_000)
    info = inspect(out)
    assert info.bytes <= 2_000_000 and info.format == "jpeg"
    assert judge(info, bluesky).ok
    assert_untouched(corpus, untouched)


@pytest.mark.parametrize(
    ("name", "mode"),
    [
        ("cmyk_jpg", "RGB"),
        ("heic", "RGB"),
        ("png16_grey", "L"),
        ("png16_rgb", "RGB"),
        ("webp", "RGB"),
        ("animated_gif", "RGB"),
        ("png_square", "RGB"),
    ],
)
def test_convert_to_jpeg(corpus: dict[str, Path], untouched: dict[str, str], name: str, mode: str) -> None:
    out = media_fixes.convert_to_jpeg(corpus[name])
    info = inspect(out)
    assert (info.format, info.mode, info.bits, info.frames) == ("jpeg", mode, 8, 1)
    assert "format" not in codes(judge(info, catalog.get("instagram")).problems)
    assert_untouched(corpus, untouched)


def test_sixteen_bit_is_scaled_not_clipped(corpus: dict[str, Path]) -> None:
    from PIL import Image

    with Image.open(media_fixes.convert_to_jpeg(corpus["png16_grey"])) as im:
        low, high = cast(tuple[int, int], im.getextrema())  # one band (L): (min, max)
    assert high > 200 and low < 50  # a full-range gradient, not a white (clipped) image


def test_converted_photo_is_upright(corpus: dict[str, Path]) -> None:
    from PIL import Image

    out = media_fixes.convert_to_jpeg(corpus["exif_rotated_jpg"])
    info = inspect(out)
    assert (info.width, info.height, info.orientation) == (800, 1200, 1)
    with Image.open(out) as im:
        r, g, _ = im.convert("RGB").getpixel((795, 5))  # type: ignore[misc]
    assert r > 200 and g < 60  # orientation 6: the stored top-left marker is now top-right


def test_resize_to_pixel_and_width_limits(corpus: dict[str, Path], untouched: dict[str, str]) -> None:
    huge = inspect(corpus["huge_jpg"])
    for network in ("mastodon", "instagram"):
        spec = catalog.get(network)
        verdict = judge(huge, spec)
        info = inspect(media_fixes.apply_all(huge.path, media_fixes.plan(verdict)))
        assert judge(info, spec).ok, network
        assert info.aspect == pytest.approx(huge.aspect, rel=0.01)
    assert_untouched(corpus, untouched)


def test_plan_chains_several_fixes(corpus: dict[str, Path]) -> None:
    instagram = catalog.get("instagram")
    verdict = judge(inspect(corpus["wide_3x1_jpg"]), instagram)
    plan = media_fixes.plan(verdict)
    assert [f.function for f in plan] == ["crop", "resize"]
    assert judge(inspect(media_fixes.apply_all(corpus["wide_3x1_jpg"], plan)), instagram).ok


def test_strip_location_is_lossless_for_jpeg(corpus: dict[str, Path], untouched: dict[str, str]) -> None:
    from PIL import Image

    out = media_fixes.strip_location(corpus["gps_jpg"])
    assert inspect(out).has_location_metadata is False
    original, stripped = corpus["gps_jpg"].read_bytes(), out.read_bytes()
    scan = original.index(b"\xff\xda")
    assert stripped.endswith(original[scan:])  # compressed pixels byte for byte
    with Image.open(out) as im:
        assert im.getexif()[0x010F] == "linkdeck test camera"  # other metadata kept
    assert_untouched(corpus, untouched)


def test_fixes_on_broken_files_raise_media_error(corpus: dict[str, Path]) -> None:
    with pytest.raises(MediaError):
        media_fixes.convert_to_jpeg(corpus["truncated_jpg"])
    with pytest.raises(MediaError, match="only photos"):
        media_fixes.convert_to_jpeg(corpus["landscape_mp4"])


def test_out_dir_is_honoured(corpus: dict[str, Path], tmp_path: Path) -> None:
    out = media_fixes.convert_to_jpeg(corpus["webp"], out_dir=tmp_path)
    assert out.parent == tmp_path and out.suffix == ".jpg"


def test_damaged_files_only_ever_raise_media_error(corpus: dict[str, Path], tmp_path: Path) -> None:
    """A small deterministic fuzz: flipped bytes, cut files, damaged headers of every small file."""
    import random
    import warnings

    rng = random.Random(20261125)
    sources = [p for name, p in corpus.items() if name not in {"huge_jpg", "noisy_jpg", "empty_jpg"}]
    outcomes = {"facts": 0, "errors": 0}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(300):
            source = rng.choice(sources)
            data = bytearray(source.read_bytes())
            if i % 3 == 0:
                data = data[: rng.randrange(1, len(data))]
            else:
                span = 64 if i % 3 == 1 else len(data)  # the header, or anywhere
                for _ in range(rng.randint(1, 12)):
                    data[rng.randrange(min(span, len(data)))] = rng.randrange(256)
            damaged = tmp_path / f"damaged-{i}{source.suffix}"
            damaged.write_bytes(bytes(data))
            try:
                assert inspect(damaged).width > 0
                outcomes["facts"] += 1
            except MediaError as exc:
                assert str(exc).startswith(damaged.name + ": ")
                outcomes["errors"] += 1
    assert outcomes["facts"] > 0 and outcomes["errors"] > 0
    assert [str(w.message) for w in caught] == []  # nothing printed on the user's terminal


def test_icc_profiles_srgb_kept_and_unusable_ones_survived(tmp_path: Path) -> None:
    from PIL import Image, ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xyz = ImageCms.ImageCmsProfile(ImageCms.createProfile("XYZ")).tobytes()  # not an RGB display profile
    for name, icc in (("srgb.png", srgb), ("odd.png", xyz)):
        Image.new("RGB", (400, 400), (200, 40, 40)).save(tmp_path / name, "PNG", icc_profile=icc)
        info = inspect(tmp_path / name)
        assert info.has_icc_profile
        out = media_fixes.convert_to_jpeg(tmp_path / name)
        with Image.open(out) as im:
            assert im.mode == "RGB"
            assert (im.info.get("icc_profile") == srgb) is (name == "srgb.png")
