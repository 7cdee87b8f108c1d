"""Bluesky facets: the byte ranges must index the UTF-8 encoding of the text, whatever comes before
(emoji with skin tones and ZWJ sequences, CJK, combining marks), and detection must follow the
official client's rules (links with trailing punctuation trimmed, bare domains, mentions only for
handles that resolve, tags that are not only digits)."""

from __future__ import annotations

import itertools

import pytest

from providers.networks.bluesky.facets import LINK, MENTION, TAG, build_facets, byte_offset, detect


def covered(text: str, start: int, end: int) -> str:
    """The text a facet highlights, read back from the UTF-8 bytes as the app does."""
    return text.encode("utf-8")[start:end].decode("utf-8")


def spans(text: str) -> list[tuple[str, str, str]]:
    return [(s.kind, covered(text, s.start, s.end), s.value) for s in detect(text)]


def test_byte_offset_counts_utf8_bytes() -> None:
    assert byte_offset("aé", 2) == 3
    assert byte_offset("👍🏽x", 2) == 8  # two code points of 4 bytes each
    assert byte_offset("日本", 1) == 3


@pytest.mark.parametrize(
    "prefix",
    [
        "👨‍👩‍👧‍👦 family ",  # one grapheme, 7 code points, 25 bytes
        "日本語のテキスト ",  # CJK: 3 bytes each
        "e\u0301te\u0301 ",  # combining acute accents: 2 bytes each
        "🏳️‍🌈 flag ",  # a variation selector and a ZWJ
        "",
    ],
)
def test_offsets_after_multibyte_text(prefix: str) -> None:
    text = f"{prefix}see https://example.com/a and @alice.bsky.social #tag"
    assert spans(text) == [
        ("link", "https://example.com/a", "https://example.com/a"),
        ("mention", "@alice.bsky.social", "alice.bsky.social"),
        ("tag", "#tag", "tag"),
    ]
    first = detect(text)[0]
    assert first.start == len(f"{prefix}see ".encode())


def test_several_links_mentions_and_tags_in_order() -> None:
    text = (
        "Hi @bob.test and @carol.example.com! Links: https://a.example/x?y=1#frag, "
        "(http://b.example/path_(1)) and linkdeck.dev/docs. #one #二 #３ #123 #a1 #ok."
    )
    assert spans(text) == [
        ("mention", "@bob.test", "bob.test"),
        ("mention", "@carol.example.com", "carol.example.com"),
        ("link", "https://a.example/x?y=1#frag", "https://a.example/x?y=1#frag"),
        ("link", "http://b.example/path_(1)", "http://b.example/path_(1)"),
        ("link", "linkdeck.dev/docs", "https://linkdeck.dev/docs"),
        ("tag", "#one", "one"),
        ("tag", "#二", "二"),
        ("tag", "#a1", "a1"),
        ("tag", "#ok", "ok"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "mail me at alice@example.com",  # an e-mail address is neither a mention nor a link
        "see file.txt and e.g. this",  # not TLDs
        "price#tag and a#b",  # a tag needs white space (or the start) before it
        "#123 #2024",  # only digits
        "@alice alone",  # a handle is a domain name
        "https:// nothing",
    ],
)
def test_not_facets(text: str) -> None:
    assert detect(text) == []


def test_trailing_punctuation_is_not_part_of_a_link_or_tag() -> None:
    text = "Go to https://example.com/page. Or https://example.com/q?x=1! #done, #yes…"
    assert [(k, c) for k, c, _ in spans(text)] == [
        ("link", "https://example.com/page"),
        ("link", "https://example.com/q?x=1"),
        ("tag", "#done"),
        ("tag", "#yes"),
    ]


def test_fullwidth_hash_and_long_tags() -> None:
    assert spans("＃タグ") == [("tag", "＃タグ", "タグ")]
    assert detect("#" + "a" * 64) != [] and detect("#" + "a" * 65) == []


async def test_build_facets_resolves_mentions_and_drops_unknown_ones() -> None:
    text = "👋 @alice.test @ghost.test https://x.example #hi"
    asked: list[str] = []

    async def resolve(handle: str) -> str | None:
        asked.append(handle)
        return "did:plc:alice" if handle == "alice.test" else None

    facets = await build_facets(text, resolve)
    assert asked == ["alice.test", "ghost.test"]
    assert [f["features"][0] for f in facets] == [
        {"$type": MENTION, "did": "did:plc:alice"},
        {"$type": LINK, "uri": "https://x.example"},
        {"$type": TAG, "tag": "hi"},
    ]
    shown = [covered(text, f["index"]["byteStart"], f["index"]["byteEnd"]) for f in facets]
    assert shown == ["@alice.test", "https://x.example", "#hi"]
    assert facets[0]["index"] == {"byteStart": 5, "byteEnd": 16}  # "👋 " is 5 bytes


def test_facets_never_overlap() -> None:
    found = detect("https://example.com/@bob.test/#tag https://example.com")
    assert [s.kind for s in found] == ["link", "link"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
