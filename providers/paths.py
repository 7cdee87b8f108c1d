"""Where linkdeck keeps its files: one module so every path has one definition.

``LINKDECK_HOME`` puts config, data and cache under one folder (tests and the demo use it);
otherwise the platform's standard folders from platformdirs.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "linkdeck"


def home_override() -> Path | None:
    value = os.environ.get("LINKDECK_HOME")
    return Path(value).expanduser() if value else None


def _dir(kind: str) -> Path:
    home = home_override()
    if home is not None:
        path = home / kind
    else:
        import platformdirs  # lazy: only needed without LINKDECK_HOME

        getter = {
            "config": platformdirs.user_config_path,
            "data": platformdirs.user_data_path,
            "cache": platformdirs.user_cache_path,
        }[kind]
        path = getter(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    return _dir("config")


def data_dir() -> Path:
    return _dir("data")


def cache_dir() -> Path:
    return _dir("cache")


def config_file() -> Path:
    return config_dir() / "config.toml"


def database_file() -> Path:
    return data_dir() / "linkdeck.sqlite3"


def log_file() -> Path:
    return data_dir() / "linkdeck.log"


def avatar_dir() -> Path:
    path = cache_dir() / "avatars"
    path.mkdir(parents=True, exist_ok=True)
    return path
