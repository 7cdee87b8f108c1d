"""Which store linkdeck uses: ``LINKDECK_DATABASE_URL``, else ``[store] url`` in config.toml, else
the SQLite file under the data folder.

A PostgreSQL address carries a password more often than not, so everything shown (doctor, error
messages, logs) goes through :func:`masked`, never the address itself.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from providers import config_file, paths
from providers.errors import SetupError

ENV = "LINKDECK_DATABASE_URL"
SCHEMES = ("postgresql://", "postgres://")
RULE = "a postgresql:// address (in quotes)"


def is_postgres(url: str) -> bool:
    return url.startswith(SCHEMES)


def configured(*, strict: bool = True) -> str | None:
    """The PostgreSQL address to use, or None for SQLite. SetupError naming the rule for an
    address that is not a PostgreSQL one (a typo must not silently fall back to a local file).
    ``strict=False`` (doctor, which lists config.toml's problems itself): other settings' errors
    do not stop it; a wrong ``[store] url`` still does."""
    from_env = os.environ.get(ENV, "").strip()
    if from_env:
        if not is_postgres(from_env):
            raise SetupError(
                f"{ENV} must be {RULE.removesuffix(' (in quotes)')}, not {masked(from_env)!r}",
                hint="Unset it to use the SQLite store in linkdeck's data folder.",
            )
        return from_env
    path = paths.config_file()
    checked = config_file.check(path, config_file.read(path))
    if strict:
        checked.raise_first()
    wrong = [e for e in checked.errors if e.message.startswith("[store]")]
    if wrong:
        raise wrong[0]
    url = checked.section("store").get("url")
    return str(url) if url else None


def masked(url: str) -> str:
    """``url`` with any password (in the authority or a ``password=`` parameter) as ``***``."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, hostport = netloc.rpartition("@")
            user, colon, _password = userinfo.partition(":")
            netloc = f"{user}:***@{hostport}" if colon else netloc
        query = [(k, "***" if k.lower() == "password" else v) for k, v in parse_qsl(parts.query)]
        return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="/:-=%"), parts.fragment))
    except ValueError:
        return "(an address that cannot be parsed)"


def scrub(text: str, url: str) -> str:
    """``text`` (a driver's message) with the address's password removed, should it echo it."""
    try:
        parts = urlsplit(url)
        secrets = [parts.password or ""] + [v for k, v in parse_qsl(parts.query) if k.lower() == "password"]
    except ValueError:
        secrets = []
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
