"""Where linkdeck keeps its files: one module so every path has one definition.

``LINKDECK_HOME`` puts config, data and cache under one folder (tests and the demo use it);
otherwise the platform's standard folders from platformdirs.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from providers.errors import SetupError

APP_NAME = "linkdeck"


def home_override() -> Path | None:
    value = os.environ.get("LINKDECK_HOME")
    return Path(value).expanduser() if value else None


class FolderUnusable(SetupError):
    """A folder linkdeck keeps its files in cannot be created or written (exit 2)."""


_REASONS = {
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "no permission to write there",
    errno.EPERM: "no permission to write there",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.ENOTDIR: "a file is in the way where a folder must be",
    errno.EEXIST: "a file is in the way where a folder must be",
}


def folder_unusable(path: Path, exc: OSError) -> FolderUnusable:
    """One line naming the folder and why it cannot be used, and what to do."""
    reason = _REASONS.get(exc.errno or 0, exc.strerror or str(exc))
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        fix = "free some space and try again"
    else:
        fix = "make it a folder you can write" + (", or set LINKDECK_HOME to one" if home_override() else "")
    return FolderUnusable(f"linkdeck's folder {path} cannot be used: {reason}; {fix}.")


_usable: set[Path] = set()


def _dir(kind: str, *, create: bool = True) -> Path:
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
    if create and path not in _usable:
        _make_usable(path)
        _usable.add(path)
    return path


def _make_usable(path: Path) -> None:
    """Create ``path`` and prove it takes a new file (root passes permission bits, not a read-only
    file system): a folder that cannot is refused here, once, rather than by the first write."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".linkdeck-probe-{os.getpid()}"
        os.close(os.open(probe, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
        probe.unlink()
    except OSError as exc:
        raise folder_unusable(path, exc) from None


def config_dir() -> Path:
    return _dir("config")


def data_dir() -> Path:
    return _dir("data")


def cache_dir() -> Path:
    return _dir("cache")


def config_file() -> Path:
    """The config file's path; its folder is not created (reading needs none; `config set` does)."""
    return _dir("config", create=False) / "config.toml"


def database_file() -> Path:
    return data_dir() / "linkdeck.sqlite3"


def log_file() -> Path:
    return data_dir() / "linkdeck.log"


def avatar_dir() -> Path:
    path = cache_dir() / "avatars"
    path.mkdir(parents=True, exist_ok=True)
    return path
