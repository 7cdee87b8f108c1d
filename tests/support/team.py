"""Team mode for a test: ``[secrets] backend = "store"`` in this LINKDECK_HOME's config.toml and
a key file (mode 0600) holding the keys given, first the one that seals."""

from __future__ import annotations

import os
from pathlib import Path

from providers import paths
from providers.secrets.keys import SecretKey
from providers.settings import Settings
from providers.settings import load as load_settings


def write_keys(path: Path, *keys: SecretKey, mode: int = 0o600) -> None:
    """Replace the key file's content in one rename, as an operator's editor would (a reader never
    sees half a file)."""
    staging = path.with_name(path.name + ".new")
    staging.write_text("".join(f"{key.written()}\n" for key in keys), encoding="utf-8")
    os.chmod(staging, mode)
    staging.replace(path)


def team_mode(*keys: SecretKey) -> Settings:
    """Team mode in this test's config.toml, the key file beside it holding ``keys``; the
    settings as linkdeck now loads them."""
    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    key_file = config.parent / "secret.key"
    if keys:
        write_keys(key_file, *keys)
    config.write_text('[secrets]\nbackend = "store"\nkey_file = "secret.key"\n', encoding="utf-8")
    return load_settings()


def key_file() -> Path:
    return paths.config_file().parent / "secret.key"
