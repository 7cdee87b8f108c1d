"""config.toml's one schema: every key, the type it must have and its rule, in one table.

:mod:`providers.settings` and :mod:`providers.outbox_config` read their values through
:func:`load`, so a wrong value is refused the same way everywhere (``allow_plaintext = "false"``
is an error naming the key, the file and "a boolean", never a truthy string), and ``linkdeck
doctor`` lists every problem at once through :func:`check`. Keys the table does not know are
reported by doctor as warnings and otherwise ignored: a newer linkdeck's file still works here.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from providers.errors import SetupError

# Textual's built-in theme names (textual.theme.BUILTIN_THEMES, Textual pinned in pyproject.toml):
# the engine and the command line never import Textual, so doctor checks `theme` against this list;
# tests/hostile/test_config_types.py keeps it equal to Textual's.
THEMES = (
    "ansi-dark", "ansi-light", "atom-one-dark", "atom-one-light", "catppuccin-frappe",
    "catppuccin-latte", "catppuccin-macchiato", "catppuccin-mocha", "dracula", "flexoki", "gruvbox",
    "monokai", "nord", "rose-pine", "rose-pine-dawn", "rose-pine-moon", "solarized-dark",
    "solarized-light", "textual-dark", "textual-light", "tokyo-night",
)  # fmt: skip
DEFAULT_THEME = "textual-dark"


@dataclass(frozen=True)
class Key:
    """A key's type (``expected`` names it in messages) and, optionally, a rule on the value."""

    expected: str
    accepts: Callable[[Any], bool]
    hint: str | None = None
    # A string a person may set with `linkdeck config set NETWORK KEY VALUE` (checked by
    # ``accepts`` before anything is written).
    settable: bool = False


def _boolean(value: object) -> bool:
    return isinstance(value, bool)


def _text(value: object) -> bool:
    return isinstance(value, str)


def _whole(low: int, high: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


def _seconds(low: float, high: float) -> Callable[[Any], bool]:
    def accepts(value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return math.isfinite(value) and low <= value <= high

    return accepts


BOOLEAN = Key("a boolean (true or false, without quotes)", _boolean)
TEXT = Key("a string (in quotes)", _text, settable=True)
WEEK = 7 * 24 * 3600

# Section → key → Key. "networks.*" is every [networks.<id>] table; "" is the file's top level.
SCHEMA: dict[str, dict[str, Key]] = {
    "": {"theme": TEXT},
    "keyring": {"allow_plaintext": BOOLEAN},
    "networks.*": {
        "client_id": TEXT,
        "base_url": TEXT,
        "auto_share": BOOLEAN,
        "optional_scopes": BOOLEAN,
        # Another way to link than the network's default, where it has one (X: "pin").
        "route": TEXT,
        "share_to_facebook": Key(
            'a Facebook Page id (in quotes), or "off"',
            lambda v: isinstance(v, str) and (v == "off" or v.isdigit()),
            hint="It is the linked Page Instagram's posts also go to: `linkdeck accounts` shows it.",
            settable=True,
        ),
        "port": Key(
            "a whole number from 1024 to 65535",
            _whole(1024, 65535),
            hint="It is the loopback port of the redirect address linkdeck registers; "
            "remove it for the default.",
        ),
    },
    "staging": {
        "bucket": TEXT,
        "access_key_id": TEXT,
        "endpoint_url": Key(
            "an http(s) address (in quotes)",
            lambda v: isinstance(v, str) and v.startswith(("https://", "http://")),
        ),
        "region": TEXT,
        "url_seconds": Key("whole seconds from 60 to 604800", _whole(60, WEEK)),
        "prefix": TEXT,
    },
    "secrets": {
        "backend": Key(
            '"keyring" (the OS keyring, one user) or "store" (the database, sealed, for a team)',
            lambda v: v in ("keyring", "store"),
        ),
        "key_file": TEXT,
    },
    "store": {
        "url": Key(
            "a postgresql:// address (in quotes)",
            lambda v: isinstance(v, str) and v.startswith(("postgresql://", "postgres://")),
            hint="Remove it to use the SQLite store in linkdeck's data folder.",
        ),
    },
    "outbox": {
        "release_past_due": Key('"send" or "ask"', lambda v: v in ("send", "ask")),
        "max_attempts": Key("a whole number from 1 to 1000", _whole(1, 1000)),
        "concurrency": Key("a whole number from 1 to 1000", _whole(1, 1000)),
        "backoff_seconds": Key(f"a number of seconds between 0 and {WEEK}", _seconds(0, WEEK)),
        "backoff_max_seconds": Key(f"a number of seconds between 0 and {WEEK}", _seconds(0, WEEK)),
        "lease_seconds": Key(f"a number of seconds, at least 10 and at most {WEEK}", _seconds(10, WEEK)),
        "send_from_app": BOOLEAN,
    },
}


# The file's tables: a new one is a line in SCHEMA and a reader of ``Checked.section(name)``.
SECTIONS = tuple(name.removesuffix(".*") for name in SCHEMA if name)


@dataclass
class Checked:
    """The file's values by section (``values["networks.mastodon"]["port"]``), only those that
    passed; ``errors``: what is wrong; ``unknown``: keys and sections the schema does not know."""

    path: Path
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[SetupError] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def section(self, name: str) -> dict[str, Any]:
        return self.values.get(name, {})

    def raise_first(self) -> Checked:
        if self.errors:
            raise self.errors[0]
        return self


def _shown(value: object) -> str:
    if isinstance(value, str):
        return f'the string "{value}"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _label(section: str, key: str) -> str:
    return f"[{section}] {key}" if section else key


def read(path: Path) -> dict[str, Any]:
    """The file's TOML as a dict ({} when there is no file); SetupError when it cannot be read."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
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


def _check_table(result: Checked, section: str, schema: dict[str, Key], table: dict[str, Any]) -> None:
    values = result.values.setdefault(section, {})
    for key, value in table.items():
        if section == "" and key in SECTIONS:
            continue
        rule = schema.get(key)
        if rule is None:
            if not (section == "" and isinstance(value, dict)):
                result.unknown.append(f"{_label(section, key)} is not a setting linkdeck knows")
            else:
                result.unknown.append(f"[{key}] is not a section linkdeck knows")
            continue
        if rule.accepts(value):
            values[key] = value
            continue
        result.errors.append(
            SetupError(
                f"{_label(section, key)} in {result.path} must be {rule.expected}, not {_shown(value)}",
                hint=rule.hint,
            )
        )


def check(path: Path, raw: dict[str, Any]) -> Checked:
    """Every value of ``raw`` (the file at ``path``) against :data:`SCHEMA`, all problems kept."""
    result = Checked(path)
    _check_table(result, "", SCHEMA[""], raw)
    for section in SECTIONS:
        if section not in raw:
            continue  # a section the file lacks is absent, not empty ([staging] would want a bucket)
        table = raw[section]
        if not isinstance(table, dict):
            result.errors.append(SetupError(f"[{section}] in {path} must be a table, not {_shown(table)}"))
            continue
        if section != "networks":
            if section in raw:  # an absent section stays absent ([staging]: none set up)
                _check_table(result, section, SCHEMA[section], table)
            continue
        # [networks.<id>]: one table per network, each checked against "networks.*"
        for network_id, values in table.items():
            if not isinstance(values, dict):
                result.errors.append(
                    SetupError(f"[networks.{network_id}] in {path} must be a table, not {_shown(values)}")
                )
                continue
            _check_table(result, f"networks.{network_id}", SCHEMA["networks.*"], values)
    return result


def load(path: Path) -> Checked:
    """The checked file; SetupError (the first problem) when any value is wrong."""
    return check(path, read(path)).raise_first()
