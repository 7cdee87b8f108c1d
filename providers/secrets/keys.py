"""The team secret key: its written form, a fresh one, and the key source it is read from.

Written form: ``ldk1:<id>:<material>``.

- ``ldk1`` names the format: a linkdeck key, version 1, 32 random bytes for AES-256-GCM. A later
  format gets a new prefix, so an older linkdeck says "made by a newer linkdeck" instead of
  guessing.
- ``<id>``: 8 hex digits of SHA-256 over a fixed label and the 32 bytes. It names the key in every
  secret's row and in messages ("sealed with key 3fa2c81d") without revealing it, and, being
  derived from the bytes, it catches a key mistyped or cut short when it is read, not later as a
  secret that "does not decrypt".
- ``<material>``: the 32 bytes in URL-safe base64 without padding (43 characters), so the key is
  one word a shell, a TOML file or a secrets manager keeps as it is.

Key source: ``LINKDECK_SECRET_KEY`` when set (the environment wins, as for every other setting),
else the file named by ``[secrets] key_file``, which only its owner may read (mode 0600 or 0400).
Either may hold several keys: the variable separated by commas or spaces, the file one per line
(``#`` starts a comment). The FIRST key seals every new secret; every listed key opens secrets. That
is what lets ``linkdeck keys rotate`` run with no moment where a worker cannot read a token (see
:mod:`providers.secrets.rotation`). The source is read at each use, so a worker picks up an edited
key file without a restart.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from providers.errors import SecretKeyError

PREFIX = "ldk1"
ENV = "LINKDECK_SECRET_KEY"
KEY_BYTES = 32
_ID_LABEL = b"linkdeck secret key id\x00"
_ID = re.compile(r"[0-9a-f]{8}")
_FIX = (
    "Make a key with `linkdeck keys new` and give it to every linkdeck of the team, in "
    f"{ENV} or in the file named by [secrets] key_file (mode 0600)."
)


def key_id(material: bytes) -> str:
    return hashlib.sha256(_ID_LABEL + material).hexdigest()[:8]


@dataclass(frozen=True)
class SecretKey:
    id: str
    material: bytes

    def __repr__(self) -> str:  # never the bytes
        return f"<SecretKey {self.id}>"

    def written(self) -> str:
        """The form ``linkdeck keys new`` prints and the key source holds."""
        encoded = base64.urlsafe_b64encode(self.material).rstrip(b"=").decode("ascii")
        return f"{PREFIX}:{self.id}:{encoded}"


def new_key() -> SecretKey:
    material = os.urandom(KEY_BYTES)
    return SecretKey(key_id(material), material)


def parse_key(text: str, where: str) -> SecretKey:
    """The key written as ``text``; SecretKeyError naming ``where`` it came from and what is wrong
    (the text itself is never repeated: it may be most of a real key)."""
    parts = text.strip().split(":")
    if len(parts) != 3 or not parts[0].startswith("ldk"):
        raise SecretKeyError(
            f"{where} holds something that is not a linkdeck secret key (one looks like "
            f"{PREFIX}:<8 hex digits>:<43 characters>)",
            hint=_FIX,
        )
    version, wanted_id, encoded = parts
    if version != PREFIX:
        raise SecretKeyError(
            f"{where} holds a key of format {version!r}, which this linkdeck does not know (it "
            f"reads {PREFIX}); it was made by a newer linkdeck",
            hint="Upgrade linkdeck on this machine.",
        )
    try:
        material = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        material = b""
    if len(material) != KEY_BYTES or not _ID.fullmatch(wanted_id):
        raise SecretKeyError(
            f"{where} holds a key that is cut short or has characters that do not belong in it "
            f"(a key is {PREFIX}:<8 hex digits>:<{KEY_BYTES} bytes in URL-safe base64>)",
            hint="Copy the key again, whole, from where it was made or kept.",
        )
    if key_id(material) != wanted_id:
        raise SecretKeyError(
            f"{where} holds key {wanted_id}, but its bytes do not match that id: it was mistyped",
            hint="Copy the key again, whole, from where it was made or kept.",
        )
    return SecretKey(wanted_id, material)


@dataclass(frozen=True)
class KeyRing:
    """The configured keys: ``keys[0]`` seals, every one opens. ``origin`` says where they came
    from, for messages ("LINKDECK_SECRET_KEY", "key file /etc/linkdeck/key")."""

    keys: tuple[SecretKey, ...]
    origin: str

    @property
    def current(self) -> SecretKey:
        return self.keys[0]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(key.id for key in self.keys)

    def find(self, wanted: str) -> SecretKey | None:
        return next((key for key in self.keys if key.id == wanted), None)

    def described(self) -> str:
        """``key 3fa2c81d (LINKDECK_SECRET_KEY)``, or with the keys it still accepts."""
        also = f", also opening with {', '.join(self.ids[1:])}" if len(self.keys) > 1 else ""
        return f"key {self.current.id} ({self.origin}{also})"


def _parse_all(words: list[str], origin: str) -> KeyRing:
    keys: list[SecretKey] = []
    for number, word in enumerate(words, start=1):
        key = parse_key(word, f"{origin} (key {number})" if len(words) > 1 else origin)
        if key.id not in (k.id for k in keys):
            keys.append(key)
    return KeyRing(tuple(keys), origin)


def _read_file(path: Path) -> list[str]:
    where = f"the key file {path} ([secrets] key_file)"
    try:
        info = path.stat()
    except FileNotFoundError:
        raise SecretKeyError(f"{where} does not exist", hint=_FIX) from None
    except OSError as exc:
        raise SecretKeyError(f"{where} cannot be read: {exc.strerror or exc}", hint=_FIX) from None
    if not stat.S_ISREG(info.st_mode):
        raise SecretKeyError(f"{where} is not a file", hint=_FIX)
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise SecretKeyError(
            f"{where} has mode {mode:04o}: others than its owner may read it, so linkdeck will not "
            "use it (it must be 0600 or 0400)",
            hint=f"Run `chmod 600 {path}`; if others could read it, make a new key and rotate to it.",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise SecretKeyError(f"{where} cannot be read: {detail}", hint=_FIX) from None
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()]


def load_keys(key_file: Path | None) -> KeyRing:
    """The keys from ``LINKDECK_SECRET_KEY`` or, without it, ``key_file``; SecretKeyError naming
    the fix when there are none or one is not well-formed."""
    from_env = os.environ.get(ENV, "").strip()
    if from_env:
        return _parse_all(re.split(r"[\s,]+", from_env), ENV)
    if key_file is None:
        raise SecretKeyError(
            f'team mode ([secrets] backend = "store") needs the secret key, and neither {ENV} nor '
            "[secrets] key_file is set",
            hint=_FIX,
        )
    words = _read_file(key_file)
    if not words:
        raise SecretKeyError(f"the key file {key_file} ([secrets] key_file) holds no key", hint=_FIX)
    return _parse_all(words, f"key file {key_file}")
