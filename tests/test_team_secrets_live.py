"""Team mode against the sandbox: accounts linked through the real OAuth flow, posts sent by
``linkdeck worker`` processes, and the key rotated while they send.

- No token, client secret or key in plain text in the SQLite file, its WAL, the log, or the JSON
  the commands print.
- ``keys rotate`` (twice, each with the operator's five steps on the key file) while two workers
  send and a reader keeps opening every token: nothing fails, nothing is sent twice, every
  delivery goes on its first attempt, and every secret ends under the last key.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from providers import clock, paths
from providers.secrets.keys import ENV, SecretKey, new_key
from providers.store import Account, Store
from providers.vault import Vault
from tests.support.cli import CLI, ROOT, run_cli
from tests.support.linking import link, statuses
from tests.support.processes import SandboxProcess
from tests.support.team import key_file, team_mode, write_keys

HOSTS = [f"team{i}.example" for i in range(3)]
POSTS = 24  # × 3 accounts = 72 deliveries, due one post every 0.4 s


@pytest.fixture(autouse=True)
def _no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)


def _link_all(sandbox: SandboxProcess, key: SecretKey) -> tuple[Store, Vault, list[Account]]:
    store = Store.open()
    vault = Vault(team_mode(key), store=store)
    return store, vault, [link(store, f"{sandbox.url}/{host}", vault=vault) for host in HOSTS]


def test_no_token_client_secret_or_key_in_plain_text_anywhere(
    env: dict[str, str], sandbox_process: SandboxProcess
) -> None:
    key = new_key()
    store, vault, accounts = _link_all(sandbox_process, key)
    secrets: list[str] = []
    for account in accounts:
        token = vault.get_token(account.vault_key)
        assert token is not None and token["access_token"]
        secrets += [str(v) for k, v in token.items() if "token" in k and v]
        client = vault.get_client_secret("mastodon", instance=account.instance)
        assert client
        secrets.append(client)
    store.create_post_with_deliveries("a team post", [], None, accounts)
    database = paths.database_file()
    wal = Path(f"{database}-wal").read_bytes()  # while open: the last connection to close removes it
    store.close()
    sent = run_cli(env, "worker", "--once")
    assert sent.returncode == 0 and "Traceback" not in sent.stderr, sent.stderr
    printed = [run_cli(env, *command).stdout for command in (["accounts", "--json"], ["queue", "--json"])]
    assert '"sent"' in printed[1]

    material = key.written().split(":")[2]
    places = {
        "database": database.read_bytes(),
        "WAL": wal,
        "log": paths.log_file().read_bytes(),
        "JSON": "\n".join(printed).encode(),
    }
    assert b"token:mastodon:" in wal and b"token:mastodon:" in places["database"]  # the rows are there
    for where, data in places.items():
        for secret in secrets:
            assert secret.encode() not in data, f"a token or client secret in plain text in the {where}"
        for form in (key.written().encode(), material.encode(), key.material):
            assert form not in data, f"the key in the {where}"


def _reader(vault: Vault, accounts: list[Account], stop: threading.Event, errors: list[str]) -> int:
    """Open every account's token until ``stop``; what failed goes to ``errors``. Returns reads."""
    reads = 0
    while not stop.is_set():
        for account in accounts:
            try:
                token = vault.get_token(account.vault_key)
            except Exception as exc:  # anything at all is a failure this test reports
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            if not token or not token.get("access_token"):
                errors.append(f"no token for {account.vault_key}")
            reads += 1
    return reads


def _rotate(env: dict[str, str], old: SecretKey, new: SecretKey, pause: float) -> str:
    """The operator's five steps (``linkdeck keys --help``) on the key file every process reads;
    what ``keys rotate`` printed."""
    write_keys(key_file(), old, new)  # 2: the new key opens too
    time.sleep(pause)
    write_keys(key_file(), new, old)  # 3: the new key seals
    time.sleep(pause)
    rotated = run_cli(env, "keys", "rotate")  # 4
    assert rotated.returncode == 0 and "Traceback" not in rotated.stderr, rotated.stderr
    write_keys(key_file(), new)  # 5: the old key is gone
    time.sleep(pause)
    return rotated.stdout


def test_keys_rotate_while_workers_send_fails_nothing_and_sends_nothing_twice(
    env: dict[str, str], sandbox_process: SandboxProcess
) -> None:
    first, second, third = new_key(), new_key(), new_key()
    store, vault, accounts = _link_all(sandbox_process, first)
    start = clock.now() + timedelta(seconds=2)
    for n in range(POSTS):
        store.create_post_with_deliveries(
            f"rotation post {n}", [], start + timedelta(seconds=0.4 * n), accounts
        )
    total = POSTS * len(HOSTS)
    sandbox_process.control("DELETE", "requests")
    sandbox_process.latency(0.05)

    workers = [
        subprocess.Popen(
            [*CLI, "worker"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    stop, errors, reads = threading.Event(), list[str](), [0]
    reader = threading.Thread(target=lambda: reads.__setitem__(0, _reader(vault, accounts, stop, errors)))
    reader.start()
    try:
        time.sleep(2.5)  # the first posts are being sent
        said, sent_during = [], []
        for old, new in ((first, second), (second, third)):
            before = store.counts_by_state()["sent"]
            said.append(_rotate(env, old, new, 0.6))
            sent_during.append(store.counts_by_state()["sent"] - before)
        # The scenario holds: the workers were sending while the keys changed under them.
        assert any(sent_during), sent_during
        for _ in range(600):  # the last post falls due ~12 s after the start; wait for it, bounded
            if store.counts_by_state()["sent"] == total:
                break
            time.sleep(0.2)
    finally:
        stop.set()
        reader.join()
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        outputs = [worker.communicate(timeout=60) for worker in workers]
        sandbox_process.latency(0)

    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert "Traceback" not in err and "sealed with key" not in err, err
    assert errors == [] and reads[0] > 0
    assert all("every secret is now sealed with it" in text for text in said), said
    deliveries = store.deliveries()
    assert Counter(d.state for d in deliveries) == {"sent": total}
    assert all(d.attempts == 1 for d in deliveries)  # no delivery ever met a secret it could not open
    for host in HOSTS:
        captions = Counter(s["content"] for s in statuses(f"{sandbox_process.url}/{host}"))
        assert captions == {f"<p>rotation post {n}</p>": 1 for n in range(POSTS)}, host
    posted = sandbox_process.requests("/api/v1/statuses", "POST")
    assert len(posted) == total and {r["status"] for r in posted} == {200}
    assert store.secret_key_counts() == {third.id: 2 * len(HOSTS)}  # a token and an app secret each
    store.close()
