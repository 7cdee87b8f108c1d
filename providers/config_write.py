"""Writing one text value of a ``[networks.<id>]`` table into config.toml (``linkdeck config set``,
a needs-setup card's details), keeping the rest of the file as the user wrote it: comments, order,
other tables. There is no TOML writer among the dependencies, and this needs only one key: the
line ``key = "value"`` is replaced inside its table, or added under the table's header, or the
table is added at the end. The result is read back before it replaces the file; a layout this
cannot edit safely (a dotted key or an inline table for that network) is refused with the line to
add by hand, and the file is left alone."""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from pathlib import Path

from providers import paths
from providers.config_file import SCHEMA, read
from providers.errors import SetupError, UsageError

# The keys a person sets this way: the settable strings of a network's table (client_id,
# base_url, route, Instagram's Page to share to); each key's rule is checked before writing.
SETTABLE = tuple(key for key, kind in SCHEMA["networks.*"].items() if kind.settable)
_HEADER = re.compile(r"\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?")


def _quoted(value: str) -> str:
    """A TOML basic string: JSON's escapes (\\", \\\\, \\n, \\uXXXX) are TOML's too."""
    return json.dumps(value, ensure_ascii=False)


def _table_name(line: str) -> str | None:
    found = _HEADER.fullmatch(line)
    if found is None or line.lstrip().startswith("[["):
        return None
    return ".".join(part.strip().strip('"').strip("'") for part in found.group(1).split("."))


def with_value(text: str, network_id: str, key: str, value: str) -> str:
    """``text`` (a config.toml) with ``[networks.<network_id>] key = value``; nothing else changes."""
    line = f"{key} = {_quoted(value)}"
    lines = text.splitlines(keepends=True)
    table = f"networks.{network_id}"
    start = next((i for i, row in enumerate(lines) if _table_name(row) == table), None)
    if start is None:
        gap = "" if not text else "\n" if text.endswith("\n") else "\n\n"
        return f"{text}{gap}[{table}]\n{line}\n"
    end = next((i for i in range(start + 1, len(lines)) if _table_name(lines[i])), len(lines))
    assignment = re.compile(rf"\s*{re.escape(key)}\s*=")
    for i in range(start + 1, end):
        if assignment.match(lines[i]):
            lines[i] = line + ("\n" if lines[i].endswith("\n") or i + 1 < len(lines) else "")
            return "".join(lines)
    lines.insert(start + 1, line + "\n")
    return "".join(lines)


def set_network_value(network_id: str, key: str, value: str, path: Path | None = None) -> Path:
    """Write ``[networks.<network_id>] key = "value"`` into config.toml; returns the file's path."""
    if key not in SETTABLE:
        raise UsageError(f"{key!r} cannot be set this way; these can: {', '.join(SETTABLE)}")
    value = value.strip()
    if not value or not value.isprintable():
        raise UsageError(f"the {key} is empty or has control characters")
    rule = SCHEMA["networks.*"][key]
    if not rule.accepts(value):
        raise UsageError(f"the {key} must be {rule.expected}, not {value!r}", hint=rule.hint)
    path = path or paths.config_file()
    read(path)  # a broken or unreadable file: SetupError naming it, and it is left alone
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    updated = with_value(text, network_id, key, value)
    try:
        written = tomllib.loads(updated).get("networks", {}).get(network_id, {}).get(key)
    except tomllib.TOMLDecodeError:
        written = None
    if written != value:
        raise SetupError(
            f"config file {path} sets [networks.{network_id}] in a way linkdeck cannot edit safely",
            hint=f"Add this line under [networks.{network_id}] yourself: {key} = {_quoted(value)}",
        )
    try:
        _replace(path, updated)
    except OSError as exc:  # a read-only or full disk, no permission: the file is as it was
        raise SetupError(
            f"config file {path} cannot be written: {exc.strerror or exc}",
            hint=f"Add this line under [networks.{network_id}] yourself: {key} = {_quoted(value)}",
        ) from None
    return path


def _replace(path: Path, text: str) -> None:
    """``path`` holds ``text`` afterwards, or (on any failure) what it held before."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".config.", suffix=".toml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
