"""Typed settings read from ``config.toml`` and the environment.

The file is optional. Per network: ``[networks.<id>] client_id``, ``base_url``, ``auto_share``,
``port`` (the loopback redirect port, for networks that register one), ``optional_scopes``.
``[staging]``: the S3-compatible bucket photos are staged in for networks that fetch media from a
public address (:class:`StagingSettings`; its secret key in the keyring, ``linkdeck config
set-secret staging``, or ``LINKDECK_STAGING_CLIENT_SECRET``).
Environment wins over the file: ``LINKDECK_<ID>_CLIENT_ID`` / ``LINKDECK_<ID>_CLIENT_SECRET``
(ID = catalog id upper-cased, ``-`` as ``_``). Client secrets never live in the file; they are in
the keyring (``linkdeck config set-secret``) or the environment.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from providers import paths
from providers.errors import SetupError


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

    def network(self, network_id: str) -> NetworkSettings:
        file_value = self.networks.get(network_id, NetworkSettings())
        env_id = os.environ.get(env_key(network_id, "client_id"))
        return NetworkSettings(
            client_id=env_id or file_value.client_id,
            base_url=file_value.base_url,
            auto_share=file_value.auto_share,
            port=file_value.port,
            optional_scopes=file_value.optional_scopes,
        )

    def client_secret_from_env(self, network_id: str) -> str | None:
        return os.environ.get(env_key(network_id, "client_secret")) or None


def load(path: Path | None = None) -> Settings:
    path = path or paths.config_file()
    raw: dict[str, object] = {}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SetupError(
                f"config file {path} is not valid TOML: {exc}",
                hint="Fix or remove the file; `linkdeck doctor` checks it.",
            ) from None
        except OSError as exc:  # a folder where the file belongs, no permission, an I/O error
            reason = "it is a folder" if path.is_dir() else (exc.strerror or str(exc))
            raise SetupError(
                f"config file {path} cannot be read: {reason}",
                hint="Move it aside or fix its permissions; linkdeck reads it as a TOML file.",
            ) from None
    networks: dict[str, NetworkSettings] = {}
    table = raw.get("networks", {})
    if isinstance(table, dict):
        for network_id, values in table.items():
            if not isinstance(values, dict):
                continue
            auto = values.get("auto_share")
            optional = values.get("optional_scopes")
            networks[str(network_id)] = NetworkSettings(
                client_id=_str_or_none(values.get("client_id")),
                base_url=_str_or_none(values.get("base_url")),
                auto_share=auto if isinstance(auto, bool) else None,
                port=_port(str(network_id), values.get("port"), path),
                optional_scopes=optional if isinstance(optional, bool) else None,
            )
    keyring_table = raw.get("keyring", {})
    plaintext = (
        bool(keyring_table.get("allow_plaintext", False)) if isinstance(keyring_table, dict) else False
    )
    plaintext = plaintext or os.environ.get("LINKDECK_ALLOW_PLAINTEXT_SECRETS") == "1"
    return Settings(
        networks=networks,
        allow_plaintext_secrets=plaintext,
        theme=_str_or_none(raw.get("theme")),
        sandbox_url=os.environ.get("LINKDECK_SANDBOX_URL") or None,
        path=path,
        staging=_staging(raw.get("staging"), path),
    )


def _staging(table: object, path: Path) -> StagingSettings | None:
    """The ``[staging]`` section, or None when there is none; SetupError naming what is wrong."""
    if table is None:
        return None
    if not isinstance(table, dict):
        raise SetupError(
            f"[staging] in {path} must be a table",
            hint="Help explains it on the page of each network that fetches photos from an address.",
        )
    bucket, key_id = _str_or_none(table.get("bucket")), _str_or_none(table.get("access_key_id"))
    missing = [name for name, value in (("bucket", bucket), ("access_key_id", key_id)) if not value]
    if bucket is None or key_id is None:
        raise SetupError(
            f"[staging] in {path} needs {' and '.join(missing)}",
            hint="Give the bucket and the access key id; the secret key goes in the keyring with "
            "`linkdeck config set-secret staging`.",
        )
    endpoint = _str_or_none(table.get("endpoint_url"))
    if endpoint is not None and not endpoint.startswith(("https://", "http://")):
        raise SetupError(f"[staging] endpoint_url in {path} must be an http(s) address, not {endpoint!r}")
    seconds = table.get("url_seconds", STAGING_URL_SECONDS)
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 60 <= seconds <= 7 * 24 * 3600:
        raise SetupError(f"[staging] url_seconds in {path} must be whole seconds from 60 to 604800")
    return StagingSettings(
        bucket=bucket,
        access_key_id=key_id,
        endpoint_url=endpoint,
        region=_str_or_none(table.get("region")) or "us-east-1",
        url_seconds=seconds,
        prefix=_str_or_none(table.get("prefix")) or "linkdeck-staging/",
    )


def _port(network_id: str, value: object, path: Path) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1024 <= value <= 65535:
        raise SetupError(
            f"[networks.{network_id}] port in {path} must be a whole number from 1024 to 65535, "
            f"not {value!r}",
            hint="It is the loopback port of the redirect address linkdeck registers; "
            "remove it for the default.",
        )
    return value


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
