"""``linkdeck keys new|rotate`` and ``linkdeck doctor`` in team mode, as a user runs them: exit
codes 0/1/2, a message naming the fix, never a traceback; and rotation's refusals in the engine."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from providers.errors import RotationIncomplete, SecretKeyError
from providers.secrets.backend import StoreSecrets
from providers.secrets.keys import ENV, new_key
from providers.secrets.rotation import rotate
from providers.store import Store
from providers.vault import Vault
from tests.support.cli import run_cli
from tests.support.team import key_file, team_mode, write_keys

KEY = re.compile(r"ldk1:[0-9a-f]{8}:[A-Za-z0-9_-]{43}")


@pytest.fixture
def env(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k != ENV}


def test_keys_new_prints_one_fresh_key(env: dict[str, str]) -> None:
    runs = [run_cli(env, "keys", "new") for _ in range(2)]
    assert all(r.returncode == 0 for r in runs)
    keys = [r.stdout.strip() for r in runs]
    assert all(KEY.fullmatch(k) for k in keys) and keys[0] != keys[1]


def test_keys_help_gives_the_rotation_steps(env: dict[str, str]) -> None:
    shown = run_cli(env, "keys", "--help")
    assert shown.returncode == 0
    for step in ("1. linkdeck keys new", "2. on every machine", "4. linkdeck keys rotate", "mode 0600"):
        assert step in shown.stdout


def _refused(env: dict[str, str], *args: str, code: int = 2, stdin: str = "") -> str:
    result = run_cli(env, *args, stdin=stdin)
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert any(line.startswith("linkdeck: ") for line in result.stderr.splitlines()), result.stderr
    return result.stderr


def test_rotate_needs_team_mode(env: dict[str, str]) -> None:
    assert "there is no team key to rotate" in _refused(env, "keys", "rotate")


def test_bad_keys_stop_the_commands_with_the_fix_and_no_traceback(env: dict[str, str]) -> None:
    key = new_key()
    team_mode(key)
    with Store.open() as store:
        Vault(team_mode(key), store=store).set_client_secret("x", "CS-7f0c2d9e4b1a6358")
    write_keys(key_file(), key, mode=0o644)
    assert "chmod 600" in _refused(env, "keys", "rotate")
    assert "chmod 600" in _refused(env, "config", "set-secret", "x", stdin="CS-5a8e0b3d6f2c1947\n")
    write_keys(key_file(), key)
    cut = key.written()[:-4]
    said = _refused({**env, ENV: cut}, "keys", "rotate")
    assert "LINKDECK_SECRET_KEY holds a key that is cut short" in said and cut not in said
    other = new_key()
    said = _refused({**env, ENV: other.written()}, "keys", "rotate")
    assert f"sealed with key {key.id}" in said and other.id in said and "nothing was changed" in said
    key_file().unlink()
    assert "does not exist" in _refused(env, "keys", "rotate")


def test_doctor_shows_the_secret_backend_and_whether_the_key_opens_the_secrets(env: dict[str, str]) -> None:
    key, other = new_key(), new_key()
    with Store.open() as store:
        vault = Vault(team_mode(key), store=store)
        vault.set_token("mastodon:https://a.example:1", {"access_token": "AT-3e9b1c7a0d5f2846"})
    ok = run_cli(env, "doctor")
    line = next(x for x in ok.stdout.splitlines() if x.split()[1:2] == ["secrets"])
    assert line.startswith("ok") and f"key {key.id}" in line and "1 secret" in line and "all open" in line
    assert not any(x.split()[1:2] == ["keyring"] for x in ok.stdout.splitlines())
    write_keys(key_file(), other)
    bad = run_cli(env, "doctor")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    line = next(x for x in bad.stdout.splitlines() if x.split()[1:2] == ["secrets"])
    assert line.startswith("FAIL") and f"sealed with key {key.id}" in line


def test_doctor_in_keyring_mode_says_so(env: dict[str, str]) -> None:
    shown = run_cli(env, "doctor")
    line = next(x for x in shown.stdout.splitlines() if x.split()[1:2] == ["keyring"])
    assert "one user" in line


def test_rotate_refuses_before_changing_anything_when_an_old_key_is_not_listed(store: Store) -> None:
    old, new = new_key(), new_key()
    vault = Vault(team_mode(old), store=store)
    vault.set_client_secret("x", "CS-1")
    write_keys(key_file(), new)
    team = vault.team
    assert team is not None
    with pytest.raises(SecretKeyError, match=f"sealed with key {old.id}, which is not in the key source"):
        rotate(team)
    assert store.secret_key_counts() == {old.id: 1}


def test_rotate_names_what_a_machine_still_sealing_with_the_old_key_left_behind(
    store: Store, tmp_path: Path
) -> None:
    old, new = new_key(), new_key()
    vault = Vault(team_mode(new, old), store=store)
    team = vault.team
    assert team is not None
    lagging_file = tmp_path / "lagging.key"
    write_keys(lagging_file, old, new)  # a machine that skipped step 3
    lagging = StoreSecrets(lagging_file, store)
    for n in range(3):
        lagging.set(f"client-secret:n{n}", f"CS-{n}")
    made = iter(range(100))
    with pytest.raises(RotationIncomplete) as caught:
        # Each time a row is re-sealed, the lagging machine seals a new one with the old key.
        rotate(team, progress=lambda _: lagging.set(f"client-secret:late{next(made)}", "CS-late"))
    assert caught.value.exit_code == 1
    assert f"still lists {old.id} first" in str(caught.value) and f"Put key {new.id} first" in str(
        caught.value
    )
    assert team.get("client-secret:n0") == "CS-0"  # what was re-sealed opens with the new key
    write_keys(lagging_file, new, old)  # step 3 done there too: the next run finishes
    done = rotate(team)
    assert done.key_id == new.id and store.secret_key_counts() == {new.id: len(store.sealed_secret_names())}


def test_rotate_exits_1_when_a_machine_keeps_sealing_with_the_old_key(env: dict[str, str]) -> None:
    """A machine that skipped step 3 is played by a trigger: each time a row is sealed again with
    the new key, the row is put back as that machine would write it (under the old key)."""
    old, new = new_key(), new_key()
    with Store.open() as store:
        vault = Vault(team_mode(old), store=store)
        vault.set_client_secret("x", "CS-6d2f8a0c4e1b9375")
        lagging = sqlite3.connect(store.path, isolation_level=None)
        lagging.execute(
            "CREATE TRIGGER lagging AFTER UPDATE ON secrets WHEN NEW.key_id <> OLD.key_id BEGIN "
            "UPDATE secrets SET key_id = OLD.key_id, nonce = OLD.nonce, ciphertext = OLD.ciphertext "
            "WHERE name = NEW.name; END"
        )
        lagging.close()
    write_keys(key_file(), new, old)
    said = _refused(env, "keys", "rotate", code=1)
    assert f"still sealed with key {old.id}" in said and f"Put key {new.id} first" in said
