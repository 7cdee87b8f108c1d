"""Titles from captions, at their limit, one inside and one over."""

from __future__ import annotations

from providers.publishing.titles import shorten, split_title


def test_the_first_line_is_the_title_and_the_rest_the_body() -> None:
    titled = split_title("  Low tide\n\nBoats on the mud.\nMore later. ", 300)
    assert (titled.title, titled.body) == ("Low tide", "Boats on the mud.\nMore later.")
    assert titled.shortened is False


def test_a_title_at_its_limit_is_kept_whole() -> None:
    assert split_title("a" * 100, 100).title == "a" * 100
    assert split_title("a" * 99, 100).shortened is False


def test_a_title_one_over_is_cut_with_an_ellipsis_and_kept_in_the_body() -> None:
    first = "word " * 20 + "x"  # 101 characters
    titled = split_title(first + "\nrest", 100)
    assert len(titled.title) <= 100 and titled.title.endswith("…") and titled.shortened
    assert titled.body == first + "\n\nrest"


def test_a_long_word_is_cut_mid_word() -> None:
    assert shorten("a" * 50, 10) == "a" * 9 + "…"


def test_an_empty_caption_has_an_empty_title() -> None:
    assert split_title("   \n ", 100) == split_title("", 100)
    assert split_title("", 100).title == ""
