"""The keyring vault.

Tests marked ``keyring`` use a REAL Secret Service (gnome-keyring in a private D-Bus session):
run them with ``tests/with_keyring.sh .venv/bin/python -m pytest -q tests/test_vault.py``. Outside
such a session they skip and say why, and fail under ``make test`` (tests/support/required.py).
Round trips, merging, the no-leak checks and the preference over plaintext all run there. The
unmarked tests force a backend explicitly (no keyring, a plaintext file, or a keyring that
misbehaves in a way a real Secret Service cannot be made to, each saying so) and restore the
previous one afterwards.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors
import pytest
from keyring.backends.chainer import ChainerBackend
from keyrings.alt.file import PlaintextKeyring

from providers import paths
from providers.errors import KeyringUnavailable, SetupError
from providers.settings import Settings
from providers.vault import PLAINTEXT_FILENAME, Vault, service_name
from tests.support.keyrings import MemoryKeyring, secret_service_missing_reason
from tests.support.required import missing

ACCESS = "AT-71c0e5b9d2a84f36-access"
REFRESH = "RT-2b8f4d6a0c9e1735-refresh"
CLIENT_SECRET = "CS-e4a1c7f09b3d5286-client"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LINKDECK_HOME", str(tmp_path / "home"))
    # Where keyrings.alt would write by default: must stay empty.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("LINKDECK_ALLOW_PLAINTEXT_SECRETS", raising=False)
    for name in list(os.environ):
        if name.startswith("LINKDECK_") and name.endswith("_CLIENT_SECRET"):
            monkeypatch.delenv(name)
    return tmp_path / "home"


class _LeakyKeyring(MemoryKeyring):
    """Fails the way a careless backend might: with the secret in the error text. In memory because
    gnome-keyring cannot be made to fail like that; the real one's no-leak test is below."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError(f"cannot store {password!r} for {username}")


# Service name --------------------------------------------------------------------------------


def test_service_name_is_isolated_per_linkdeck_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINKDECK_HOME", raising=False)
    assert service_name() == "linkdeck"
    monkeypatch.setenv("LINKDECK_HOME", str(tmp_path / "a"))
    a = service_name()
    digest = hashlib.sha256(str((tmp_path / "a").resolve()).encode()).hexdigest()[:12]
    assert a == f"linkdeck:{digest}"
    monkeypatch.setenv("LINKDECK_HOME", str(tmp_path / "b"))
    assert service_name() != a


# No keyring ----------------------------------------------------------------------------------


def test_no_backend_gives_a_clear_message_naming_the_fix(
    home: Path, use_keyring: Callable[[keyring.backend.KeyringBackend], None]
) -> None:
    use_keyring(keyring.backends.fail.Keyring())
    vault = Vault(Settings())
    with pytest.raises(KeyringUnavailable) as info:
        vault.check()
    text = str(info.value)
    for needed in (
        "no keyring backend found",
        "Secret Service",
        "gnome-keyring",
        "KWallet",
        "[keyring] allow_plaintext = true",
        "config.toml",
        "LINKDECK_ALLOW_PLAINTEXT_SECRETS=1",
        "plaintext file under the data folder",
        str(paths.data_dir()),
    ):
        assert needed in text, needed
    assert isinstance(info.value, SetupError) and info.value.exit_code == 2
    assert vault.backend_name().startswith("none (no keyring backend found")

    for call in (
        lambda: vault.set_token("x::1", {"access_token": ACCESS}),
        lambda: vault.get_token("x::1"),
        lambda: vault.merge_token("x::1", {"access_token": ACCESS}),
        lambda: vault.set_client_secret("x", CLIENT_SECRET),
    ):
        with pytest.raises(KeyringUnavailable, match="no keyring backend found") as failed:
            call()
        assert ACCESS not in str(failed.value) and CLIENT_SECRET not in str(failed.value)
    # Nothing was written in plaintext anywhere.
    assert not (paths.data_dir() / PLAINTEXT_FILENAME).exists()
    assert not (home.parent / "xdg-data").exists()


def test_environment_client_secret_works_without_a_keyring(
    home: Path, monkeypatch: pytest.MonkeyPatch, use_keyring: Callable[[keyring.backend.KeyringBackend], None]
) -> None:
    use_keyring(keyring.backends.fail.Keyring())
    monkeypatch.setenv("LINKDECK_GOOGLE_BUSINESS_CLIENT_SECRET", CLIENT_SECRET)
    assert Vault(Settings()).get_client_secret("google-business") == CLIENT_SECRET


def test_unencrypted_file_backend_is_not_used_without_opt_in(
    home: Path, tmp_path: Path, use_keyring: Callable[[keyring.backend.KeyringBackend], None]
) -> None:
    # keyring picks keyrings.alt's PlaintextKeyring on its own when there is no D-Bus session.
    silent = PlaintextKeyring()
    silent.file_path = str(tmp_path / "silent.cfg")
    use_keyring(silent)
    vault = Vault(Settings())
    with pytest.raises(KeyringUnavailable, match="unencrypted") as info:
        vault.set_token("x::1", {"access_token": ACCESS})
    assert "allow_plaintext" in str(info.value)
    assert not (tmp_path / "silent.cfg").exists()


def test_a_chain_is_searched_for_a_real_store(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    use_keyring: Callable[[keyring.backend.KeyringBackend], None],
) -> None:
    plain = PlaintextKeyring()
    plain.file_path = str(home / "chain-plain.cfg")
    # In memory: a chain in which a plaintext file outranks the real store is what keyring builds
    # on some machines, not here, so both members are given; what is checked is the vault's pick.
    real = MemoryKeyring()
    # As if the plaintext file ranked first in keyring's chain: the vault skips it.
    monkeypatch.setattr(ChainerBackend, "backends", [plain, real])
    use_keyring(ChainerBackend())
    vault = Vault(Settings())
    vault.set_token("x::1", {"access_token": ACCESS})
    assert real.entries[(vault.service, "token:x::1")]
    assert not Path(plain.file_path).exists()


# Plaintext opt-in ----------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["settings", "environment"])
def test_plaintext_opt_in_writes_a_0600_file_under_linkdeck_home(
    home: Path,
    how: str,
    monkeypatch: pytest.MonkeyPatch,
    use_keyring: Callable[[keyring.backend.KeyringBackend], None],
) -> None:
    use_keyring(keyring.backends.fail.Keyring())
    if how == "settings":
        vault = Vault(Settings(allow_plaintext_secrets=True))
    else:
        monkeypatch.setenv("LINKDECK_ALLOW_PLAINTEXT_SECRETS", "1")
        vault = Vault()  # reads config.toml (absent) and the environment

    vault.check()
    assert vault.is_plaintext
    file = paths.data_dir() / PLAINTEXT_FILENAME
    assert file.is_relative_to(home)
    assert "plaintext file" in vault.backend_name() and str(file) in vault.backend_name()

    vault.set_token("mastodon:https://m.example:1", {"access_token": ACCESS, "refresh_token": REFRESH})
    vault.set_client_secret("x", CLIENT_SECRET)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert vault.get_token("mastodon:https://m.example:1") == {
        "access_token": ACCESS,
        "refresh_token": REFRESH,
    }
    assert vault.get_client_secret("x") == CLIENT_SECRET
    # Really unencrypted (base64 only): that is what the user opted in to.
    assert base64.b64encode(CLIENT_SECRET.encode()).decode() in file.read_text()

    vault.delete_token("mastodon:https://m.example:1")
    vault.delete_client_secret("x")
    vault.delete_client_secret("x")  # deleting what is not there is fine
    assert vault.get_token("mastodon:https://m.example:1") is None
    assert vault.get_client_secret("x") is None
    assert not (home.parent / "xdg-data").exists()  # keyrings.alt's default place is untouched


def test_plaintext_file_permissions_are_tightened(
    home: Path, use_keyring: Callable[[keyring.backend.KeyringBackend], None]
) -> None:
    use_keyring(keyring.backends.fail.Keyring())
    file = paths.data_dir() / PLAINTEXT_FILENAME
    file.write_text("")
    file.chmod(0o644)
    Vault(Settings(allow_plaintext_secrets=True)).set_token("x::1", {"access_token": ACCESS})
    assert stat.S_IMODE(file.stat().st_mode) == 0o600


def test_secrets_never_appear_in_errors_or_reprs(
    home: Path, use_keyring: Callable[[keyring.backend.KeyringBackend], None]
) -> None:
    use_keyring(_LeakyKeyring())
    vault = Vault(Settings())
    with pytest.raises(KeyringUnavailable) as info:
        vault.set_token("x::1", {"access_token": ACCESS, "refresh_token": REFRESH})
    with pytest.raises(KeyringUnavailable) as info2:
        vault.set_client_secret("x", CLIENT_SECRET)
    for exc in (info.value, info2.value):
        text = f"{exc} {exc!r} {exc.message} {exc.hint}"
        assert "PasswordSetError" in text and "***" in text
        for secret in (ACCESS, REFRESH, CLIENT_SECRET):
            assert secret not in text
        assert exc.__cause__ is None and exc.__suppress_context__
    assert ACCESS not in repr(vault) and "linkdeck" in repr(vault)


# Real Secret Service -------------------------------------------------------------------------


@pytest.fixture
def secret_service(home: Path) -> Iterator[Vault]:
    reason = secret_service_missing_reason()
    if reason:
        missing(reason)
    vault = Vault(Settings())
    yield vault
    for key in ("mastodon:https://m.example:1", "x::9", "x::1", "linkedin::abc", "x::new"):
        vault.delete_token(key)
    vault.delete_client_secret("x")


def _items(service: str, username: str) -> list[str]:
    import secretstorage

    conn = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(conn)
        return [
            item.get_secret().decode("utf-8")
            for item in collection.search_items({"service": service, "username": username})
        ]
    finally:
        conn.close()


@pytest.mark.keyring
def test_secret_service_is_the_backend(secret_service: Vault) -> None:
    secret_service.check()
    assert secret_service.backend_name() == "keyring.backends.SecretService.Keyring"
    assert not secret_service.is_plaintext
    assert secret_service.service.startswith("linkdeck:")  # never the real "linkdeck" entries


@pytest.mark.keyring
def test_secret_service_token_round_trip(secret_service: Vault) -> None:
    key = "mastodon:https://m.example:1"
    token = {"access_token": ACCESS, "refresh_token": REFRESH, "token_type": "Bearer"}
    secret_service.set_token(key, token)
    assert secret_service.get_token(key) == token
    # Really stored in the Secret Service, under the isolated service name.
    stored = _items(secret_service.service, f"token:{key}")
    assert len(stored) == 1 and ACCESS in stored[0]
    assert _items("linkdeck", f"token:{key}") == []

    secret_service.set_token(key, {"access_token": "second"})  # replaces, no second item
    assert len(_items(secret_service.service, f"token:{key}")) == 1
    secret_service.delete_token(key)
    secret_service.delete_token(key)
    assert secret_service.get_token(key) is None
    assert _items(secret_service.service, f"token:{key}") == []


@pytest.mark.keyring
def test_merge_token_never_drops_the_refresh_token(secret_service: Vault) -> None:
    vault = secret_service
    key = "linkedin::abc"
    first = {"access_token": "a1", "refresh_token": REFRESH, "expires_in": 3600, "scope": "w_member_social"}
    vault.set_token(key, first)

    # A refresh response without a refresh token (RFC 6749 §6 allows it): the old one stays.
    merged = vault.merge_token(key, {"access_token": "a2", "token_type": "Bearer"})
    assert merged == {
        "access_token": "a2",
        "token_type": "Bearer",
        "refresh_token": REFRESH,
        "scope": "w_member_social",  # omitted scope means unchanged
    }  # and the old access token's expires_in does not carry over
    assert vault.get_token(key) == merged
    stored = _items(vault.service, f"token:{key}")  # one item in gnome-keyring, holding the merge
    assert len(stored) == 1 and REFRESH in stored[0] and '"a2"' in stored[0]

    for empty in ("", None):
        kept = vault.merge_token(key, {"access_token": "a3", "refresh_token": empty})
        assert kept["refresh_token"] == REFRESH
    assert vault.get_token(key)["refresh_token"] == REFRESH  # type: ignore[index]

    # A new non-empty refresh token replaces the old one.
    rotated = vault.merge_token(key, {"access_token": "a4", "refresh_token": "RT-new"})
    assert rotated["refresh_token"] == "RT-new"
    assert vault.get_token(key)["refresh_token"] == "RT-new"  # type: ignore[index]
    assert len(_items(vault.service, f"token:{key}")) == 1

    # Nothing stored yet: the new token is stored as is.
    assert vault.merge_token("x::new", {"access_token": "b1"}) == {"access_token": "b1"}
    assert _items(vault.service, "token:x::new") == ['{"access_token":"b1"}']


@pytest.mark.keyring
def test_a_real_keyring_is_preferred_even_with_the_plaintext_opt_in(secret_service: Vault) -> None:
    vault = Vault(Settings(allow_plaintext_secrets=True))
    vault.set_token("x::1", {"access_token": ACCESS})
    assert not vault.is_plaintext
    assert not (paths.data_dir() / PLAINTEXT_FILENAME).exists()
    assert _items(vault.service, "token:x::1") == [f'{{"access_token":"{ACCESS}"}}']


@pytest.mark.keyring
def test_secret_service_never_shows_a_secret_outside_the_secret(secret_service: Vault) -> None:
    """What gnome-keyring shows without unlocking an item (its label and attributes), the vault's
    repr and backend name, and the data folder hold no token or client secret."""
    import secretstorage

    secret_service.set_token("x::1", {"access_token": ACCESS, "refresh_token": REFRESH})
    secret_service.set_client_secret("x", CLIENT_SECRET)
    conn = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(conn)
        items = list(collection.search_items({"service": secret_service.service}))
        shown = " ".join(f"{item.get_label()} {item.get_attributes()}" for item in items)
    finally:
        conn.close()
    assert len(items) == 2 and "token:x::1" in shown and "client-secret:x" in shown
    visible = f"{shown} {secret_service!r} {secret_service.backend_name()}"
    for secret in (ACCESS, REFRESH, CLIENT_SECRET):
        assert secret not in visible
        for file in paths.data_dir().rglob("*") if paths.data_dir().exists() else []:
            assert not file.is_file() or secret.encode() not in file.read_bytes(), file


@pytest.mark.keyring
def test_unreadable_token_entry_reads_as_no_token(secret_service: Vault) -> None:
    # Written past the vault, straight into gnome-keyring, as another program or an old version might.
    keyring.set_password(secret_service.service, "token:x::1", "{not json")
    assert secret_service.get_token("x::1") is None
    keyring.set_password(secret_service.service, "token:x::1", "[1, 2]")
    assert secret_service.get_token("x::1") is None


@pytest.mark.keyring
def test_secret_service_client_secret(secret_service: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    secret_service.set_client_secret("x", CLIENT_SECRET)
    assert secret_service.get_client_secret("x") == CLIENT_SECRET
    assert _items(secret_service.service, "client-secret:x") == [CLIENT_SECRET]
    monkeypatch.setenv("LINKDECK_X_CLIENT_SECRET", "from-env")
    assert secret_service.get_client_secret("x") == "from-env"
    monkeypatch.delenv("LINKDECK_X_CLIENT_SECRET")
    secret_service.delete_client_secret("x")
    assert secret_service.get_client_secret("x") is None
    assert _items(secret_service.service, "client-secret:x") == []
    with pytest.raises(ValueError):
        secret_service.set_client_secret("x", "")


@pytest.mark.keyring
def test_secret_service_entries_are_separate_per_linkdeck_home(
    secret_service: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_service.set_token("x::9", {"access_token": ACCESS})
    monkeypatch.setenv("LINKDECK_HOME", str(tmp_path / "other-home"))
    other = Vault(Settings())
    assert other.service != secret_service.service
    assert other.get_token("x::9") is None
