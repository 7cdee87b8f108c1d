"""PKCE (RFC 7636), S256 only.

Public API::

    new_verifier() -> str          # 86 characters from the RFC 7636 "unreserved" set
    challenge(verifier: str) -> str  # BASE64URL(SHA256(verifier)) without padding

Why only S256: ``plain`` sends the verifier itself in the authorize URL, which is exactly what PKCE
exists to keep out of the browser, history and logs. The product rule is "PKCE S256 wherever the
network accepts it (never plain)", so there is no function for ``plain`` at all.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

# RFC 7636 §4.1: code-verifier = 43*128unreserved, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def new_verifier() -> str:
    """A fresh code verifier: 64 random bytes, base64url without padding (86 characters, 512 bits).

    ``token_urlsafe`` only emits ``A-Z a-z 0-9 - _``, all of which are "unreserved"."""
    return secrets.token_urlsafe(64)


def challenge(verifier: str) -> str:
    """The S256 code challenge of ``verifier``. ValueError if the verifier breaks RFC 7636 §4.1
    (a wrong verifier would only fail later, at the token endpoint, with a vaguer message)."""
    if not _VERIFIER.fullmatch(verifier):
        raise ValueError("a PKCE code verifier must be 43-128 characters from A-Z a-z 0-9 - . _ ~")
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
