"""Typed settings read from ``config.toml`` and the environment.

The file is optional. Per network: ``[networks.<id>] client_id``, ``base_url``, ``auto_share``,
``port`` (the loopback redirect port, for networks that register one), ``optional_scopes``,
``share_to_facebook`` (Instagram's posts also to that linked Facebook Page: :mod:`providers.sharing`).
``[staging]``: the S3-compatible bucket photos are staged in for networks that fetch media from a
public address (:class:`StagingSettings`; its secret key in the keyring, ``linkdeck config
set-secret staging``, or ``LINKDECK_STAGING_CLIENT_SECRET``).
``[secrets]``: ``backend`` ("keyring", the default: the OS keyring; "store": team mode, sealed in the
database under the key from ``LINKDECK_SECRET_KEY`` or ``key_file``, see :mod:`providers.secrets`).
Environment wins over the file: ``LINKDECK_<ID>_CLIENT_ID`` / ``LINKDECK_<ID>_CLIENT_SECRET``
(ID = catalog id upper-cased, ``-`` as ``_``). Client secrets never live in the file; they are in
the keyring (``linkdeck config set-secret``) or the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from providers import config_file, paths
from providers.errors import SetupError

PLAINTEXT_ENV = "LINKDECK_ALLOW_PLAINTEXT_SECRETS"


def env_key(network_id: str, name: str) -> str:
    return f"LINKDECK_{network_id.upper().replace('-', '_')}_{name.upper()}"


@dataclass(frozen=True)
class NetworkSettings:
    client_id: str | None = None
    base_url: str | None = None
    auto_share: bool | None = None
    # The loopback redirect port registered with the network (Mastodon checks redirect URIs
    # exactly, so it is fixed per network); None: the network's default.
    port: int | None = None
    # Ask for the spec's optional scopes too (the user's app has the product that grants them,
    # e.g. LinkedIn's Community Management for company Pages).
    optional_scopes: bool | None = None
    # Another way to link than the network's default, for networks that offer one (X's "pin":
    # OAuth 1.0a keys, the PIN typed back); the network's sign-in checks the value.
    route: str | None = None
    # Instagram's "Share to Facebook": the id of the linked Facebook Page its posts also go to
    # (providers.sharing); "off" or None: not shared.
    share_to_facebook: str | None = None


STAGING_URL_SECONDS = 3600  # how long a staged file's presigned address works, by default


@dataclass(frozen=True)
class StagingSettings:
    """``[staging]``: an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO, Backblaze B2, …)
    where a file is put for the few seconds a network needs to fetch it from a public address.
    ``endpoint_url``: None for AWS itself; ``url_seconds``: how long the presigned GET address
    works; ``prefix``: the key prefix of staged objects. The secret access key is never here."""

    bucket: str
    access_key_id: str
    endpoint_url: str | None = None
    region: str = "us-east-1"
    url_seconds: int = STAGING_URL_SECONDS
    prefix: str = "linkdeck-staging/"


@dataclass(frozen=True)
class Settings:
    networks: dict[str, NetworkSettings] = field(default_factory=dict)
    # Plaintext secret storage is only ever used when the user asks for it explicitly.
    allow_plaintext_secrets: bool = False
    theme: str | None = None
    sandbox_url: str | None = None
    path: Path | None = None
    staging: StagingSettings | None = None  # None: no [staging] section
    # Where tokens and client secrets live: "keyring" (one user) or "store" (a team's database).
    secret_backend: str = "keyring"
    # [secrets] key_file, resolved (a relative path is taken from config.toml's folder).
    secret_key_file: Path | None = None

    def network(self, network_id: str) -> NetworkSettings:
        file_value = self.networks.get(network_id, NetworkSettings())
        env_id = os.environ.get(env_key(network_id, "client_id"))
        return NetworkSettings(
            client_id=env_id or file_value.client_id,
            base_url=file_value.base_url,
            auto_share=file_value.auto_share,
            port=file_value.port,
            optional_scopes=file_value.optional_scopes,
            route=file_value.route,
            share_to_facebook=file_value.share_to_facebook,
        )

    def client_secret_from_env(self, network_id: str) -> str | None:
        return os.environ.get(env_key(network_id, "client_secret")) or None


def load(path: Path | None = None) -> Settings:
    """The settings; SetupError naming the key, the file and the expected type for a wrong value
    (every key is checked against :data:`providers.config_file.SCHEMA`)."""
    path = path or paths.config_file()
    checked = config_file.load(path)
    networks: dict[str, NetworkSettings] = {}
    for section, values in checked.values.items():
        if section.startswith("networks."):
            networks[section.removeprefix("networks.")] = NetworkSettings(
                client_id=_str_or_none(values.get("client_id")),
                base_url=_str_or_none(values.get("base_url")),
                auto_share=values.get("auto_share"),
                port=values.get("port"),
                optional_scopes=values.get("optional_scopes"),
                route=_str_or_none(values.get("route")),
                share_to_facebook=_str_or_none(values.get("share_to_facebook")),
            )
    plaintext = checked.section("keyring").get("allow_plaintext", False)
    secrets = checked.section("secrets")
    return Settings(
        networks=networks,
        allow_plaintext_secrets=_plaintext_from_env() or plaintext,
        theme=_str_or_none(checked.section("").get("theme")),
        sandbox_url=os.environ.get("LINKDECK_SANDBOX_URL") or None,
        path=path,
        staging=_staging(checked.values.get("staging"), path),
        secret_backend=secrets.get("backend") or default_secret_backend(checked.section("store").get("url")),
        secret_key_file=_key_file(secrets.get("key_file"), path),
    )


def default_secret_backend(store_url: object) -> str:
    """Team mode: a PostgreSQL store keeps the secrets too (sealed), since workers on other
    machines need them; one user's SQLite store leaves them in the OS keyring."""
    from providers.store.address import ENV, is_postgres

    url = os.environ.get(ENV, "").strip() or (store_url if isinstance(store_url, str) else "")
    return "store" if url and is_postgres(url) else "keyring"


def _key_file(value: str | None, config: Path) -> Path | None:
    """``[secrets] key_file`` as a path: ``~`` expanded, a relative one beside config.toml."""
    if not value:
        return None
    given = Path(value).expanduser()
    return given if given.is_absolute() else config.parent / given


def _staging(table: dict[str, object] | None, path: Path) -> StagingSettings | None:
    """The ``[staging]`` section (its values already checked by type against
    :data:`providers.config_file.SCHEMA`), or None when there is none; SetupError naming what is
    missing."""
    if table is None:
        return None
    bucket, key_id = _str_or_none(table.get("bucket")), _str_or_none(table.get("access_key_id"))
    missing = [name for name, value in (("bucket", bucket), ("access_key_id", key_id)) if not value]
    if bucket is None or key_id is None:
        raise SetupError(
            f"[staging] in {path} needs {' and '.join(missing)}",
            hint="Give the bucket and the access key id; the secret key goes in the keyring with "
            "`linkdeck config set-secret staging`.",
        )
    endpoint = _str_or_none(table.get("endpoint_url"))
    seconds = table.get("url_seconds")
    return StagingSettings(
        bucket=bucket,
        access_key_id=key_id,
        endpoint_url=endpoint,
        region=_str_or_none(table.get("region")) or "us-east-1",
        url_seconds=seconds if isinstance(seconds, int) else STAGING_URL_SECONDS,
        prefix=_str_or_none(table.get("prefix")) or "linkdeck-staging/",
    )


def _plaintext_from_env() -> bool:
    value = os.environ.get(PLAINTEXT_ENV, "")
    if value not in ("", "0", "1"):
        raise SetupError(f"{PLAINTEXT_ENV} must be 1 (allow plaintext secrets) or 0, not {value!r}")
    return value == "1"


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
