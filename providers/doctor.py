"""``linkdeck doctor``: the checks that explain why something will not work, before it fails."""

from __future__ import annotations

import asyncio
import shutil
import time
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from providers import catalog, clock, config_file, environment, paths
from providers import settings as settings_module
from providers.errors import LinkdeckError
from providers.http import rewrite

LOW_SPACE = 1024 * 1024  # bytes: less free space than this beside the database is a full disk


class Level(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Check:
    name: str
    level: Level
    detail: str


def _folders() -> Check:
    """The data and cache folders exist and take new files (nothing works without them)."""
    try:
        data = paths.data_dir()
        cache = paths.cache_dir()
    except paths.FolderUnusable as exc:
        return Check("data", Level.FAIL, str(exc))
    free = shutil.disk_usage(data).free
    if free < LOW_SPACE:
        return Check(
            "data",
            Level.FAIL,
            f"linkdeck's folder {data} cannot be used: the disk holding it is full "
            f"({free // 1024} KiB free); free some space and try again.",
        )
    return Check("data", Level.OK, f"{data} (cache {cache})")


def _line(exc: LinkdeckError) -> str:
    return f"{exc.message} ({exc.hint})" if exc.hint else exc.message


def _settings() -> tuple[list[Check], settings_module.Settings | None]:
    """One line per problem in config.toml (every wrong value the commands would refuse, each
    unknown key as a warning) and the theme; the settings when the commands could load them."""
    path = paths.config_file()
    try:
        checked = config_file.check(path, config_file.read(path))
    except LinkdeckError as exc:
        return [Check("config", Level.FAIL, str(exc))], None
    checks = [Check("config", Level.FAIL, _line(error)) for error in checked.errors]
    checks += [Check("config", Level.WARN, f"{unknown} (ignored) in {path}") for unknown in checked.unknown]
    theme = checked.section("").get("theme")
    if theme and theme not in config_file.THEMES:
        checks.append(
            Check(
                "config",
                Level.WARN,
                f"theme {theme!r} in {path} is not a theme: the TUI uses {config_file.DEFAULT_THEME}; "
                f"themes: {', '.join(config_file.THEMES)}",
            )
        )
    try:
        settings = settings_module.load(path)
    except LinkdeckError as exc:
        if not checked.errors:
            checks.append(Check("config", Level.FAIL, _line(exc)))
        return checks, None
    if not checks:
        where = f"{path}" if path.exists() else f"{path} (not created; defaults in use)"
        checks.append(Check("config", Level.OK, where))
    return checks, settings


def _keyring(settings: settings_module.Settings) -> Check:
    from providers.vault import Vault

    if settings.secret_backend == "store":
        return _team_secrets(settings)
    try:
        vault = Vault(settings)
        vault.check()
    except paths.FolderUnusable:  # said once, on the data line
        return Check("keyring", Level.FAIL, "the plaintext secrets file needs the data folder (see data)")
    except LinkdeckError as exc:
        return Check("keyring", Level.FAIL, str(exc))
    return Check("keyring", Level.OK, f"{vault.backend_name()} (tokens and secrets kept there: one user)")


def _team_secrets(settings: settings_module.Settings) -> Check:
    """Team mode: the key in use and whether every stored secret opens with the keys listed."""
    from providers.secrets.backend import StoreSecrets

    backend = StoreSecrets(settings.secret_key_file)
    try:
        opened = backend.check()
    except LinkdeckError as exc:
        return Check("secrets", Level.FAIL, f"the database (team mode): {_line(exc)}")
    finally:
        backend.close()
    where = f"the database (team mode), {opened.keys.described()}: {opened.summary()}"
    if opened.unopened:
        return Check(
            "secrets",
            Level.FAIL,
            f"{where}; {len(opened.unopened)} do not open: {opened.unopened[0]}",
        )
    behind = [key_id for key_id in opened.counts if key_id != opened.keys.current.id]
    if behind:
        return Check(
            "secrets",
            Level.WARN,
            f"{where}, all open; those sealed with {', '.join(behind)} wait for `linkdeck keys rotate`",
        )
    return Check("secrets", Level.OK, f"{where}, all open")


def _developer_apps(settings: settings_module.Settings) -> list[Check]:
    from providers import overview
    from providers.redirects import redirect_to_register

    result = []
    for spec in catalog.all_networks():
        if not spec.capabilities.needs_developer_app:
            continue
        configured = settings.network(spec.id).client_id
        redirect = redirect_to_register(spec, settings)
        shown = overview.card_for(spec, settings, [], clock.now()).label
        state = "client id set" if configured else f"no client id (card shows '{shown}')"
        result.append(
            Check(
                f"app:{spec.id}",
                Level.OK if configured else Level.WARN,
                f"{state}; redirect URI to register: {redirect}",
            )
        )
    return result


def _staging(settings: settings_module.Settings) -> Check:
    """Media staging ([staging]): set up or not; no request is made to the bucket."""
    from providers.staging import SECRET_NAME, unreachable
    from providers.vault import Vault

    config = settings.staging
    if config is None:
        return Check(
            "staging",
            Level.OK,
            "not set up: photos to networks that fetch them from an address are refused ([staging])",
        )
    where = urlsplit(config.endpoint_url).netloc if config.endpoint_url else "AWS S3"
    try:
        secret = Vault(settings).get_client_secret(SECRET_NAME)
    except LinkdeckError:
        secret = None
    if not secret:
        return Check(
            "staging",
            Level.WARN,
            f"bucket {config.bucket} ({where}) has no secret key: `linkdeck config set-secret staging`",
        )
    problem = unreachable(config)
    if problem is not None:
        return Check("staging", Level.WARN, problem)
    return Check(
        "staging", Level.OK, f"bucket {config.bucket} ({where}), addresses last {config.url_seconds} s"
    )


def _store() -> Check:
    """Which store is in use (SQLite file or PostgreSQL address, password masked) and its schema
    version; read only: doctor neither creates nor migrates it."""
    from providers.store import SCHEMA_VERSION, db

    try:
        engine, where, version = db.describe()
    except paths.FolderUnusable:  # said once, on the data line
        return Check("store", Level.FAIL, "the SQLite store needs the data folder (see data)")
    except LinkdeckError as exc:
        if exc.message.startswith(("config file ", "[")):  # said once, on the config lines
            return Check(
                "store", Level.FAIL, "which store to use is unknown until config.toml is fixed (see config)"
            )
        return Check("store", Level.FAIL, _line(exc))
    name = "PostgreSQL" if engine == "postgresql" else "SQLite"
    if version is None:
        return Check("store", Level.OK, f"{name} {where} (not created yet; schema version {SCHEMA_VERSION})")
    if version < SCHEMA_VERSION:
        state = f"schema version {version}, brought to {SCHEMA_VERSION} when linkdeck next opens it"
    else:
        state = f"schema version {version}"
    return Check("store", Level.OK, f"{name} {where}, {state}")


def _clock() -> Check:
    now = clock.now()
    local = now.astimezone()
    if now.year < 2024:
        return Check("clock", Level.FAIL, f"system clock says {now.isoformat()}: OAuth and TLS will fail")
    return Check("clock", Level.OK, f"UTC {now:%Y-%m-%d %H:%M}, local {local:%H:%M %Z}")


async def _reach(host: str, port: int, timeout: float) -> str | None:
    try:
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, TimeoutError) as exc:
        return type(exc).__name__ if not str(exc) else str(exc)
    writer.close()
    return None


async def _connectivity(timeout: float = 3.0) -> list[Check]:
    targets: dict[str, tuple[str, int]] = {}
    for spec in catalog.all_networks():
        url = spec.endpoints.api_base or spec.endpoints.token or ""
        if not url or "{instance}" in url:
            continue
        parts = urlsplit(rewrite(url))
        if parts.hostname:
            targets[spec.id] = (parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    started = time.monotonic()
    errors = await asyncio.gather(*[_reach(h, p, timeout) for h, p in targets.values()])
    failed = [f"{nid} ({err})" for nid, err in zip(targets, errors, strict=True) if err]
    took = time.monotonic() - started
    if not failed:
        return [Check("connectivity", Level.OK, f"{len(targets)} network hosts reachable ({took:.1f} s)")]
    return [Check("connectivity", Level.WARN, f"unreachable: {', '.join(failed)}")]


def run_checks() -> list[Check]:
    checks = [_folders()]
    config_checks, settings = _settings()
    checks += config_checks
    if settings is not None:
        checks.append(_keyring(settings))
        checks.extend(_developer_apps(settings))
        checks.append(_staging(settings))
    checks.append(_store())
    checks.append(_clock())
    place = environment.where()
    checks.append(
        Check(
            "browser",
            Level.OK,
            f"running {place.value}: "
            + (
                "opens the browser"
                if environment.may_launch_browser(place)
                else "shows URL, QR code and paste box instead of opening a browser"
            ),
        )
    )
    checks.extend(asyncio.run(_connectivity()))
    return checks
