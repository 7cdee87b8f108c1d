"""``linkdeck keys rotate``: every team secret sealed again with the key that now seals.

The protocol, in the operator's steps (``linkdeck keys --help`` prints them):

1. ``linkdeck keys new`` makes the new key.
2. On every machine, add it to the key source AFTER the current key. Every linkdeck now opens
   secrets sealed with either key, and still seals with the old one.
3. On every machine, put the new key FIRST (the old one stays listed). New secrets and refreshed
   tokens are sealed with the new key; secrets sealed with the old one still open everywhere.
4. ``linkdeck keys rotate`` on one machine: each secret still sealed with another key is opened
   and sealed again with the first key, one row per transaction, each a compare-and-set on the
   row's nonce, so a token a worker refreshes meanwhile is never put back to its old value.
5. When it says every secret is under the new key, remove the old key everywhere.

Between steps nothing stops: every reader opens both keys from step 2 until step 5, so no worker
ever meets a secret it cannot open. (A key file is read at each use; a worker given the key in
``LINKDECK_SECRET_KEY`` picks up a change when restarted, one worker at a time.)

If step 3 was skipped somewhere, that machine keeps sealing refreshed tokens with the old key; the
rotation then ends by naming the secrets left behind (exit 1) instead of claiming it is done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from providers.errors import RotationIncomplete, SecretKeyError
from providers.secrets.backend import StoreSecrets

# Passes over what is left: a secret a lagging writer sealed again with the old key during one pass
# is picked up by the next; what remains after the last is reported, not hidden.
PASSES = 3


@dataclass(frozen=True)
class Rotation:
    key_id: str  # the key every secret is sealed with now
    resealed: int
    total: int
    old_keys: tuple[str, ...]  # the keys secrets were sealed with before, besides key_id


def rotate(backend: StoreSecrets, progress: Callable[[str], None] | None = None) -> Rotation:
    """Seal every secret with the first configured key. SecretKeyError when a secret was sealed
    with a key that is not configured (before anything is changed); RotationIncomplete when
    secrets are still under an old key after the last pass."""
    keys = backend.keys()
    store = backend.store()
    counts = store.secret_key_counts()
    missing = [key_id for key_id in counts if keys.find(key_id) is None]
    if missing:
        stranded = sum(counts[k] for k in missing)
        raise SecretKeyError(
            f"{stranded} secret{'s are' if stranded != 1 else ' is'} sealed with key "
            f"{', '.join(missing)}, which is not in the key source ({keys.origin}: key "
            f"{', '.join(keys.ids)}); nothing was changed",
            hint="List the new key first and the old one after it, then run `linkdeck keys rotate` "
            "again (`linkdeck keys --help` shows the steps).",
        )
    old = tuple(key_id for key_id in counts if key_id != keys.current.id)
    resealed = 0
    for _ in range(PASSES):
        left = store.sealed_secret_names(not_under=keys.current.id)
        if not left:
            break
        for name in left:
            if backend.reseal(name):
                resealed += 1
                if progress is not None:
                    progress(name)
    left = store.sealed_secret_names(not_under=keys.current.id)
    if left:
        under = sorted(set(store.secret_key_counts()) - {keys.current.id})
        raise RotationIncomplete(
            f"{len(left)} secret{'s are' if len(left) != 1 else ' is'} still sealed with key "
            f"{', '.join(under)} after {PASSES} passes "
            f"({resealed} were sealed again with {keys.current.id}): a linkdeck whose key source still "
            f"lists {', '.join(under)} first keeps sealing with it",
            hint=f"Put key {keys.current.id} first in every machine's key source, then run "
            "`linkdeck keys rotate` again.",
        )
    return Rotation(keys.current.id, resealed, sum(counts.values()), old)
