"""PKCE S256 (RFC 7636)."""

from __future__ import annotations

import re

import pytest

from providers.auth import pkce


def test_verifier_is_long_random_and_unreserved() -> None:
    verifiers = {pkce.new_verifier() for _ in range(50)}
    assert len(verifiers) == 50
    for verifier in verifiers:
        assert 43 <= len(verifier) <= 128
        assert re.fullmatch(r"[A-Za-z0-9\-._~]+", verifier)


def test_challenge_matches_rfc7636_appendix_b() -> None:
    assert (
        pkce.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


@pytest.mark.parametrize("bad", ["short", "x" * 129, "a" * 42 + " ", "ü" * 50])
def test_challenge_refuses_a_verifier_rfc7636_forbids(bad: str) -> None:
    with pytest.raises(ValueError, match="43-128"):
        pkce.challenge(bad)


def test_there_is_no_plain_method() -> None:
    assert not any("plain" in name.lower() for name in dir(pkce))
