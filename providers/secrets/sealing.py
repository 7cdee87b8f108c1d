"""Sealing one secret with AES-256-GCM, and opening it again.

Each sealing draws a fresh random 96-bit nonce (GCM's own size; with random nonces one key stays
far below the 2**32 sealings NIST allows per key). The associated data is a fixed label and the
secret's row name (``token:<network>:<instance>:<remote id>``, the account's identity, or
``client-secret:<network>``): it is authenticated, not stored, so a ciphertext copied into another
account's row, or an altered byte, fails to open instead of handing one account another's token.

``cryptography`` is imported when a secret is first sealed or opened: single users never load it.
"""

from __future__ import annotations

import base64
import binascii
import os

from providers.errors import SecretKeyError
from providers.secrets.keys import KeyRing, SecretKey
from providers.store.secrets import SealedSecret

NONCE_BYTES = 12
_LABEL = b"linkdeck secret v1\x00"


def _associated(name: str) -> bytes:
    return _LABEL + name.encode("utf-8")


def seal(key: SecretKey, name: str, plaintext: str) -> SealedSecret:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(key.material).encrypt(nonce, plaintext.encode("utf-8"), _associated(name))
    return SealedSecret(
        name=name,
        key_id=key.id,
        nonce=base64.b64encode(nonce).decode("ascii"),
        ciphertext=base64.b64encode(ciphertext).decode("ascii"),
    )


def open_sealed(keys: KeyRing, sealed: SealedSecret) -> str:
    """The plaintext of ``sealed``; SecretKeyError saying which key sealed it and which are
    configured when none of them opens it."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = keys.find(sealed.key_id)
    if key is None:
        raise SecretKeyError(
            f"the secret {sealed.name} was sealed with key {sealed.key_id}, and the configured "
            f"{'keys are ' + ', '.join(keys.ids) if len(keys.keys) > 1 else 'key is ' + keys.current.id} "
            f"({keys.origin})",
            hint=f"Give this linkdeck key {sealed.key_id} too (first the key that seals, then the "
            "others, during a rotation): `linkdeck keys --help` shows the steps.",
        )
    try:
        nonce = base64.b64decode(sealed.nonce, validate=True)
        ciphertext = base64.b64decode(sealed.ciphertext, validate=True)
        plaintext = AESGCM(key.material).decrypt(nonce, ciphertext, _associated(sealed.name))
        return plaintext.decode("utf-8")
    except (InvalidTag, binascii.Error, ValueError):
        # ValueError: a nonce of the wrong length, or bytes that are not UTF-8 after all.
        raise SecretKeyError(
            f"the secret {sealed.name} does not open with key {sealed.key_id}, the key that sealed "
            "it: its row was altered, or copied from another secret's row",
            hint="Store it again: link the account again, or `linkdeck config set-secret` for a "
            "client secret.",
        ) from None
