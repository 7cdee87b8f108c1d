"""Caption counters: each network counts its own way (X weighted, Bluesky graphemes and bytes…)."""

from __future__ import annotations

import pytest

from providers import catalog
from providers.captions import count, graphemes, hashtags
from providers.spec import NetworkSpec

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # four people joined by three ZWJs: 1 grapheme, 7 code points, 25 bytes
FLAG = "🇫🇷"  # two regional indicators: 1 grapheme
E_ACUTE = "e\u0301"  # e + combining acute accent: 1 grapheme, 2 code points
LONG_URL = "https://example.com/" + "a" * 200


def codes(result: object) -> list[str]:
    return [p.code for p in result.problems]  # type: ignore[attr-defined]


def test_grapheme_clusters() -> None:
    assert graphemes(FAMILY) == 1
    assert graphemes(FLAG) == 1
    assert graphemes(E_ACUTE * 3) == 3
    assert graphemes("日本語") == 3


def test_x_weighted_length_cjk_emoji_and_urls() -> None:
    x = catalog.get("x")
    assert count("你好", x).count == 4  # CJK counts 2
    assert count("hello", x).count == 5
    assert count(FAMILY, x).count == 2  # an emoji sequence counts 2
    assert count(LONG_URL, x).count == 23  # any URL counts 23
    assert count("see " + LONG_URL, x).count == 27
    assert count("你" * 140, x).ok
    over = count("你" * 141, x)
    assert not over.ok and (over.count, over.limit, over.unit) == (282, 280, "weighted characters")
    assert codes(over) == ["caption_too_long"]
    assert over.message.startswith("X captions must be at most 280 weighted characters")
    assert "(2 over)" in over.message


def test_bluesky_counts_graphemes_and_bytes() -> None:
    bluesky = catalog.get("bluesky")
    result = count(FAMILY * 10 + FLAG + E_ACUTE, bluesky)
    assert (result.count, result.unit, result.limit) == (12, "graphemes", 300)
    assert count("a" * 300, bluesky).ok
    over = count("a" * 301, bluesky)
    assert codes(over) == ["caption_too_long"]
    assert over.message == "Bluesky captions must be at most 300 graphemes; this one is 301 (1 over)"
    # 121 family emoji: only 121 graphemes, but 3,025 bytes of UTF-8 (over the 3,000-byte cap).
    heavy = count(FAMILY * 121, bluesky)
    assert heavy.count == 121 and heavy.utf8_bytes == 3025
    assert codes(heavy) == ["caption_too_many_bytes"]
    assert "3,000 bytes" in heavy.message
    assert count(FAMILY * 120, bluesky).ok


def test_bluesky_counts_urls_in_full() -> None:
    assert count(LONG_URL, catalog.get("bluesky")).count == len(LONG_URL)


def test_mastodon_urls_mentions_and_instance_limits() -> None:
    mastodon = catalog.get("mastodon")
    assert count(LONG_URL, mastodon).count == 23
    assert count(f"read {LONG_URL}.", mastodon).count == 5 + 23 + 1  # the full stop is not the link's
    assert count("@bob@mastodon.example hi", mastodon).count == len("@bob hi")
    assert count(FAMILY + E_ACUTE, mastodon).count == 2  # graphemes, as the server counts
    assert count("日本語", mastodon).count == 3
    assert not count("a" * 501, mastodon).ok
    instance = count("a" * 501 + " " + LONG_URL, mastodon, limits={"max_length": 5000, "url_length": 30})
    assert instance.ok and (instance.count, instance.limit) == (532, 5000)


def test_pixelfed_counts_code_points_and_full_urls() -> None:
    pixelfed = catalog.get("pixelfed")
    assert count(E_ACUTE, pixelfed).count == 2
    assert count(LONG_URL, pixelfed).count == len(LONG_URL)
    assert count(LONG_URL, pixelfed, limits={"url_length": 23}).count == 23


def test_threads_counts_emoji_as_utf8_bytes() -> None:
    threads = catalog.get("threads")
    assert count("👍", threads).count == 4
    assert count(FAMILY, threads).count == 25
    assert count("hi 👍", threads).count == 7
    assert count("👍" * 125, threads).ok
    over = count("👍" * 126, threads)
    assert not over.ok and over.count == 504
    assert "each emoji counts as its size in UTF-8 bytes" in over.message
    assert count("a" * 500, threads).ok


def test_instagram_length_and_hashtags() -> None:
    instagram = catalog.get("instagram")
    assert count("a" * 2200, instagram).ok
    assert codes(count("a" * 2201, instagram)) == ["caption_too_long"]
    thirty = " ".join(f"#tag{i}" for i in range(30))
    assert count(thirty, instagram).ok and count(thirty, instagram).hashtags == 30
    over = count(thirty + " #one_more", instagram)
    assert codes(over) == ["too_many_hashtags"]
    assert over.message == "Instagram captions can have at most 30 hashtags; this one has 31"


def test_hashtag_detection() -> None:
    assert hashtags("#one two #two_3 &#38; https://x.test/#frag #123 #日本") == ["one", "two_3", "日本"]


def test_telegram_caption_and_text_limits() -> None:
    telegram = catalog.get("telegram")
    assert count("a" * 1024, telegram).ok
    assert not count("a" * 1025, telegram).ok
    text_only = count("a" * 1025, telegram, has_media=False)
    assert text_only.ok and text_only.limit == 4096
    over = count("a" * 4097, telegram, has_media=False)
    assert over.message.startswith("Telegram messages must be at most 4,096 characters")


def test_youtube_counts_bytes_and_reddit_needs_text() -> None:
    youtube = count("é" * 2501, catalog.get("youtube"))
    assert (youtube.count, youtube.unit, youtube.ok) == (5002, "bytes", False)
    reddit = count("  ", catalog.get("reddit"))
    assert codes(reddit) == ["caption_required"]
    assert reddit.message == "Reddit posts need a title; this caption is empty"


def test_no_known_limit() -> None:
    flickr = count("a" * 10_000, catalog.get("flickr"))
    assert (
        flickr.ok and flickr.limit is None and flickr.message == "Flickr: 10,000 characters (no limit known)"
    )


@pytest.mark.parametrize("spec", catalog.all_networks(), ids=lambda s: s.id)
def test_every_message_names_its_network(spec: NetworkSpec) -> None:
    short, long = count("hello", spec), count("x" * 70_000, spec)
    assert short.message.startswith(spec.name)
    assert long.message.startswith(spec.name)
    assert long.ok is (long.limit is None)
