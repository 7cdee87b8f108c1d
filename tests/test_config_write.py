"""``[networks.<id>] client_id`` written into config.toml with the rest of the file kept."""

from __future__ import annotations

import errno
import os
import tomllib
from pathlib import Path

import pytest

from providers.config_write import set_network_value, with_value
from providers.errors import SetupError, UsageError

KEPT = """# my linkdeck settings
theme = "nord"

[keyring]
allow_plaintext = false  # never

[networks.x]
# the X app
port = 8080
client_id = "old"   # replaced

[networks.mastodon]
base_url = "https://m.example"
"""


def test_a_value_replaced_in_its_table_and_nothing_else_changes() -> None:
    updated = with_value(KEPT, "x", "client_id", "new-id")
    assert updated == KEPT.replace('client_id = "old"   # replaced', 'client_id = "new-id"')


def test_a_key_added_under_its_table_header() -> None:
    updated = with_value(KEPT, "mastodon", "client_id", "abc")
    assert '[networks.mastodon]\nclient_id = "abc"\nbase_url = "https://m.example"\n' in updated
    assert updated.replace('client_id = "abc"\n', "", 1) == KEPT


def test_a_table_added_at_the_end() -> None:
    assert with_value("", "x", "client_id", "a") == '[networks.x]\nclient_id = "a"\n'
    assert with_value('theme = "nord"', "x", "client_id", "a") == (
        'theme = "nord"\n\n[networks.x]\nclient_id = "a"\n'
    )
    updated = with_value(KEPT, "pinterest", "client_id", "p")
    assert updated.startswith(KEPT) and updated.endswith('\n[networks.pinterest]\nclient_id = "p"\n')


def test_quotes_and_backslashes_are_escaped() -> None:
    odd = 'a"b\\c é'
    assert tomllib.loads(with_value("", "x", "client_id", odd))["networks"]["x"]["client_id"] == odd


def test_the_file_is_written_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "config.toml"
    set_network_value("x", "client_id", " id-1 ", path)  # the folder is made; spaces trimmed
    set_network_value("x", "client_id", "id-2", path)
    assert path.read_text(encoding="utf-8") == '[networks.x]\nclient_id = "id-2"\n'
    assert path.stat().st_mode & 0o777 == 0o600


def test_refused_without_touching_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    dotted = '[networks]\nx.client_id = "old"\n'
    path.write_text(dotted, encoding="utf-8")
    with pytest.raises(SetupError, match="cannot edit safely") as refused:
        set_network_value("x", "client_id", "new", path)
    assert 'client_id = "new"' in str(refused.value)  # the line to add by hand
    assert path.read_text(encoding="utf-8") == dotted
    path.write_text("[networks.x\n", encoding="utf-8")
    with pytest.raises(SetupError, match="not valid TOML"):
        set_network_value("x", "client_id", "new", path)
    with pytest.raises(UsageError, match="cannot be set"):
        set_network_value("x", "port", "9000", path)
    with pytest.raises(UsageError, match="empty"):
        set_network_value("x", "client_id", "  ", path)


def test_a_file_that_cannot_be_written_is_named_and_nothing_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(KEPT, encoding="utf-8")

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(SetupError, match="cannot be written: No space left on device"):
        set_network_value("x", "client_id", "new", path)
    assert path.read_text(encoding="utf-8") == KEPT
    assert not list(tmp_path.glob(".config.*"))  # no temporary file left
