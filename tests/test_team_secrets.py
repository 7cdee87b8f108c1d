"""Team mode's secrets: the key's written form, the key source, sealing in the real SQLite store,
and the vault on top of it (``[secrets] backend = "store"``)."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest

from providers import paths
from providers.errors import SecretKeyError, SetupError
from providers.secrets.keys import ENV, KeyRing, load_keys, new_key, parse_key
from providers.secrets.sealing import open_sealed, seal
from providers.settings import Settings
from providers.settings import load as load_settings
from providers.store import Store
from providers.vault import Vault
from tests.support.team import key_file, team_mode, write_keys

ACCESS = "AT-5d1e9a7c3b2f4068-access"
REFRESH = "RT-8c2a6e0f4d9b1375-refresh"
CLIENT_SECRET = "CS-0b7d3f9a1e5c2864-client"
ALICE = "mastodon:https://a.example:1001"
BOB = "mastodon:https://a.example:1002"


@pytest.fixture(autouse=True)
def _no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)


# The key's written form ------------------------------------------------------------------------


def test_a_new_key_is_written_with_its_version_and_id_and_reads_back() -> None:
    key = new_key()
    written = key.written()
    version, key_id, material = written.split(":")
    assert (version, key_id) == ("ldk1", key.id) and len(material) == 43
    assert parse_key(written, "test") == key
    assert new_key().id != key.id
    assert written not in repr(key) and material not in repr(key)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda w: w[:-5], "cut short"),
        # A character in the middle: the last one of 43 also holds two padding bits, and changing
        # only those would leave the key as it was.
        (lambda w: w[:-10] + ("A" if w[-10] != "A" else "B") + w[-9:], "mistyped"),
        (lambda w: "ldk2" + w[4:], "newer linkdeck"),
        (lambda w: w.replace(":", "-"), "not a linkdeck secret key"),
        (lambda w: "", "not a linkdeck secret key"),
    ],
)
def test_a_key_that_is_not_well_formed_is_refused_without_repeating_it(change, says: str) -> None:  # type: ignore[no-untyped-def]
    bad = change(new_key().written())
    with pytest.raises(SecretKeyError) as caught:
        parse_key(bad, "LINKDECK_SECRET_KEY")
    text = str(caught.value)
    assert says in text and "LINKDECK_SECRET_KEY" in text
    assert not bad or bad.split(":")[-1] not in text


# The key source --------------------------------------------------------------------------------


def test_no_key_anywhere_names_the_fix() -> None:
    with pytest.raises(SecretKeyError) as caught:
        load_keys(None)
    assert ENV in str(caught.value) and "linkdeck keys new" in str(caught.value)
    assert caught.value.exit_code == 2


def test_the_environment_may_list_several_keys_and_the_first_seals(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = new_key(), new_key()
    monkeypatch.setenv(ENV, f"{first.written()}, {second.written()}")
    keys = load_keys(key_file())  # the environment wins over the file
    assert keys.current == first and keys.ids == (first.id, second.id) and keys.origin == ENV


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_a_key_file_others_may_read_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "secret.key"
    write_keys(path, new_key(), mode=mode)
    with pytest.raises(SecretKeyError) as caught:
        load_keys(path)
    text = str(caught.value)
    assert f"mode {mode:04o}" in text and f"chmod 600 {path}" in text


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_a_key_file_only_its_owner_reads_is_used(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "secret.key"
    key, older = new_key(), new_key()
    path.write_text(f"# the team key\n{key.written()}\n\n{older.written()}  # until rotated\n")
    os.chmod(path, mode)
    assert load_keys(path).ids == (key.id, older.id)


def test_a_missing_key_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SecretKeyError, match="does not exist"):
        load_keys(tmp_path / "nowhere.key")


def test_the_secrets_settings_are_checked_and_keyring_is_the_default() -> None:
    assert Settings().secret_backend == "keyring" and Vault(load_settings()).team is None
    config = paths.config_file()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[secrets]\nbackend = "database"\n')
    with pytest.raises(SetupError, match=r'\[secrets\] backend .* must be "keyring" .* or "store"'):
        load_settings()
    assert team_mode(new_key()).secret_key_file == key_file()  # relative to config.toml's folder


# Sealing ---------------------------------------------------------------------------------------


def test_sealing_uses_a_fresh_nonce_and_binds_the_row_name() -> None:
    key = new_key()
    keys = KeyRing((key,), "test")
    one, two = seal(key, "token:x", ACCESS), seal(key, "token:x", ACCESS)
    assert one.nonce != two.nonce and one.ciphertext != two.ciphertext
    assert open_sealed(keys, one) == open_sealed(keys, two) == ACCESS
    moved = type(one)("token:y", one.key_id, one.nonce, one.ciphertext)
    with pytest.raises(SecretKeyError, match="altered, or copied from another secret's row"):
        open_sealed(keys, moved)


# The vault in team mode, on the real store ----------------------------------------------------


@pytest.fixture
def team(store: Store) -> Vault:
    return Vault(team_mode(new_key()), store=store)


def test_tokens_and_client_secrets_round_trip(team: Vault) -> None:
    team.set_token(ALICE, {"access_token": ACCESS, "refresh_token": REFRESH, "expires_in": 60})
    assert team.get_token(ALICE) == {"access_token": ACCESS, "refresh_token": REFRESH, "expires_in": 60}
    merged = team.merge_token(ALICE, {"access_token": "AT-2", "refresh_token": ""})
    assert merged == {"access_token": "AT-2", "refresh_token": REFRESH} == team.get_token(ALICE)
    assert team.merge_token(BOB, {"access_token": "AT-bob"}) == {"access_token": "AT-bob"}
    team.set_client_secret("x", CLIENT_SECRET)
    team.set_client_secret("mastodon", "CS-instance", instance="https://a.example")
    assert team.get_client_secret("x") == CLIENT_SECRET
    assert team.get_client_secret("mastodon", instance="https://a.example") == "CS-instance"
    assert team.get_client_secret("mastodon") is None
    team.delete_token(ALICE)
    team.delete_client_secret("x")
    assert team.get_token(ALICE) is None and team.get_client_secret("x") is None
    assert team.get_token(BOB) == {"access_token": "AT-bob"}
    team.check()
    assert "team mode" in team.backend_name() and ACCESS not in repr(team)


def test_a_second_process_with_the_same_key_reads_what_the_first_stored(team: Vault) -> None:
    team.set_token(ALICE, {"access_token": ACCESS})
    with Store.open() as other:
        assert Vault(load_settings(), store=other).get_token(ALICE) == {"access_token": ACCESS}


def test_a_wrong_key_is_a_clear_error_naming_both_keys(team: Vault, store: Store) -> None:
    team.set_token(ALICE, {"access_token": ACCESS})
    sealed_with = load_settings().secret_key_file
    assert sealed_with is not None
    old_id = load_keys(sealed_with).current.id
    other = new_key()
    write_keys(key_file(), other)
    with pytest.raises(SecretKeyError) as caught:
        team.get_token(ALICE)
    text = str(caught.value)
    assert f"sealed with key {old_id}" in text and f"the configured key is {other.id}" in text
    assert ACCESS not in text and caught.value.exit_code == 2
    with pytest.raises(SecretKeyError):
        team.check()


def test_a_missing_key_is_an_error_even_for_a_secret_never_stored(team: Vault) -> None:
    key_file().unlink()
    with pytest.raises(SecretKeyError, match="does not exist"):
        team.get_token(ALICE)


def _raw(store: Store) -> sqlite3.Connection:
    conn = sqlite3.connect(store.path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def test_a_tampered_ciphertext_does_not_open(team: Vault, store: Store) -> None:
    team.set_token(ALICE, {"access_token": ACCESS})
    raw = _raw(store)
    (text,) = raw.execute("SELECT ciphertext FROM secrets WHERE name = ?", (f"token:{ALICE}",)).fetchone()
    flipped = text[:-6] + ("A" if text[-6] != "A" else "B") + text[-5:]
    raw.execute("UPDATE secrets SET ciphertext = ? WHERE name = ?", (flipped, f"token:{ALICE}"))
    raw.close()
    with pytest.raises(SecretKeyError, match="altered, or copied from another secret's row"):
        team.get_token(ALICE)


def test_a_ciphertext_copied_into_another_accounts_row_does_not_open(team: Vault, store: Store) -> None:
    team.set_token(ALICE, {"access_token": ACCESS})
    team.set_token(BOB, {"access_token": "AT-bob"})
    raw = _raw(store)
    raw.execute(
        "UPDATE secrets SET (nonce, ciphertext) = (SELECT nonce, ciphertext FROM secrets WHERE name = ?) "
        "WHERE name = ?",
        (f"token:{ALICE}", f"token:{BOB}"),
    )
    raw.close()
    with pytest.raises(SecretKeyError, match=f"token:{BOB} does not open"):
        team.get_token(BOB)
    assert team.get_token(ALICE) == {"access_token": ACCESS}


def test_merges_from_two_processes_at_once_lose_nothing(team: Vault) -> None:
    """Each thread has its own store connection, as two workers would: every field each one merged
    is in the end result (the compare-and-set retried where the other wrote first)."""
    team.set_token(ALICE, {"access_token": ACCESS, "refresh_token": REFRESH})

    def merge(prefix: str) -> None:
        with Store.open() as own:
            vault = Vault(load_settings(), store=own)
            for n in range(40):
                vault.merge_token(ALICE, {f"{prefix}{n}": n})

    threads = [threading.Thread(target=merge, args=(prefix,)) for prefix in "pq"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    token = team.get_token(ALICE)
    assert token is not None and token["refresh_token"] == REFRESH
    assert {k for k in token if k[0] in "pq"} == {f"{p}{n}" for p in "pq" for n in range(40)}
