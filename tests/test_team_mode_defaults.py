"""A PostgreSQL store means team mode: secrets are sealed in the store unless the user says
otherwise; one user's SQLite store keeps them in the OS keyring (issue 16 item 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from providers import settings


def write(home: Path, text: str) -> None:
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text, encoding="utf-8")


def test_sqlite_keeps_the_keyring(linkdeck_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINKDECK_DATABASE_URL", raising=False)
    assert settings.load().secret_backend == "keyring"


def test_a_postgresql_address_in_the_environment_seals_secrets_in_the_store(
    linkdeck_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKDECK_DATABASE_URL", "postgresql://team@db.example/linkdeck")
    assert settings.load().secret_backend == "store"


def test_a_postgresql_store_in_config_seals_secrets_unless_told_otherwise(
    linkdeck_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LINKDECK_DATABASE_URL", raising=False)
    write(linkdeck_home, '[store]\nurl = "postgresql://team@db.example/linkdeck"\n')
    assert settings.load().secret_backend == "store"
    write(
        linkdeck_home,
        '[store]\nurl = "postgresql://team@db.example/linkdeck"\n[secrets]\nbackend = "keyring"\n',
    )
    assert settings.load().secret_backend == "keyring"
