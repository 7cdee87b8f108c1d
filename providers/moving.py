"""Moving up (``linkdeck store migrate --to postgresql://…``): one user's SQLite store and the OS
keyring's secrets of its accounts and apps, copied into an empty team database.

Order, so a refusal or a failure leaves both ends as they were: the team key is loaded first (no
key, no move: the secrets would have nowhere safe to go); the SQLite file is copied read-only into
memory; the keyring is read; every secret is sealed with the team key (the team backend's own
sealing, :mod:`providers.secrets.sealing`); then the rows and the sealed secrets go into the
target in one transaction, refused if it holds any data. Afterwards each table is counted at both
ends and every secret is opened back through the team backend and compared with the keyring's.

Which keyring entries belong to the store: each account's token (``token:<vault key>``), the
client secret of each app linkdeck registered on an instance (``client-secret:<network>:<URL>``),
and the user's own developer-app client secrets and staging key (``client-secret:<id>``) where the
keyring has them. Environment variables are not copied: they are the machine's, not the store's.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

from providers import catalog
from providers.errors import SecretKeyError, SetupError, UsageError
from providers.keyring_backend import KeyringSecrets
from providers.secrets.backend import StoreSecrets
from providers.secrets.keys import load_keys
from providers.secrets.sealing import seal
from providers.settings import Settings
from providers.staging import SECRET_NAME as STAGING_SECRET
from providers.store import Store, address, db, transfer
from providers.store.models import identity_key, to_text, utcnow
from providers.store.transfer import Counted, TargetNotEmpty

_UPSERT = """
    INSERT INTO secrets (name, key_id, nonce, ciphertext, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET
        key_id = excluded.key_id, nonce = excluded.nonce, ciphertext = excluded.ciphertext,
        updated_at = excluded.updated_at
"""


@dataclass(frozen=True)
class Moved:
    source: Path
    target: str  # the address, password masked
    counted: list[Counted]
    secrets: int  # keyring entries copied, sealed
    key_id: str

    @property
    def matches(self) -> bool:
        return all(c.source == c.target for c in self.counted)


def secret_names(source: sqlite3.Connection) -> list[str]:
    """The keyring usernames that may hold a secret of this store (see the module's docstring)."""
    names = [
        "token:" + identity_key(row["network"], row["instance"], row["remote_id"])
        for row in source.execute("SELECT network, instance, remote_id FROM accounts ORDER BY id")
    ]
    names += [
        f"client-secret:{row['network']}:{row['instance']}"
        for row in source.execute("SELECT network, instance FROM apps ORDER BY network, instance")
        if row["instance"]
    ]
    names += [f"client-secret:{network}" for network in (*catalog.ids(), STAGING_SECRET)]
    return list(dict.fromkeys(names))


def migrate(url: str, source_path: Path, settings: Settings) -> Moved:
    """Copy the SQLite store at ``source_path`` and its keyring secrets into the empty PostgreSQL
    store at ``url``. UsageError for an address that is not PostgreSQL's or a target with data;
    SecretKeyError without a usable team key; DatabaseUnusable when either end cannot be used."""
    if not address.is_postgres(url):
        raise UsageError(
            f"--to must be {address.RULE.removesuffix(' (in quotes)')}, not {address.masked(url)!r}"
        )
    try:
        keys = load_keys(settings.secret_key_file)
    except SecretKeyError as exc:
        raise SecretKeyError(
            f"store migrate seals the keyring's secrets with the team key: {exc.message}", hint=exc.hint
        ) from None
    source = transfer.read_only_copy(source_path)
    try:
        keyring = KeyringSecrets(replace(settings, secret_backend="keyring"))
        found = {name: value for name in secret_names(source) if (value := keyring.get(name)) is not None}
        sealed = [seal(keys.current, name, value) for name, value in found.items()]
        already = {row[0] for row in source.execute("SELECT name FROM secrets")}
        now = to_text(utcnow())
        target = db.connect_postgres(url)
        try:
            try:
                transfer.copy_rows(
                    source,
                    target,
                    [(_UPSERT, s.name, s.key_id, s.nonce, s.ciphertext, now) for s in sealed],
                )
            except TargetNotEmpty as exc:
                raise UsageError(
                    f"the team database {address.masked(url)} already holds data ({exc.table}: "
                    f"{exc.count} rows): `store migrate` only copies into an empty one",
                    hint="Nothing was copied. Give the address of a new, empty database (or schema).",
                ) from None
            counted = transfer.compare(source, target, {"secrets": len(set(found) - already)})
        finally:
            target.close()
    finally:
        source.close()
    _check_secrets(url, settings, found)
    return Moved(source_path, address.masked(url), counted, len(found), keys.current.id)


def _check_secrets(url: str, settings: Settings, found: dict[str, str]) -> None:
    """Open every copied secret through the team backend, as a worker will, and compare it with
    the keyring's (the names only in the message, never a value)."""
    with Store.open(url=url) as store:
        team = StoreSecrets(settings.secret_key_file, store)
        wrong = [name for name, value in found.items() if team.get(name) != value]
    if wrong:
        raise SetupError(
            f"{len(wrong)} of {len(found)} secrets copied to {address.masked(url)} do not read back "
            f"as the keyring holds them (first: {wrong[0]})",
            hint="Drop the team database's tables and run `linkdeck store migrate` again.",
        )
