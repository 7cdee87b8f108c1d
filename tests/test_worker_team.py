"""Issue 16's must-show: two long-running ``linkdeck worker`` processes on one PostgreSQL store,
one killed with SIGKILL while it sends and started again, and each of 500 posts ends at the
sandbox exactly once (counted at the sandbox: the statuses it created on each instance).

The killed worker's claims are recovered by today's rules (the same idempotency key, or a lookup),
never by a blind resend: the sandbox's Mastodon honours Idempotency-Key, so a resend of a request
that had gone out before the kill creates nothing new, and the count shows it.
"""

from __future__ import annotations

import signal
import subprocess
from collections import Counter
from pathlib import Path
from typing import IO

import pytest

from providers.store import Store
from tests.support.cli import CLI, ROOT
from tests.support.linking import link, statuses
from tests.support.processes import SandboxProcess, wait_until

pytestmark = pytest.mark.postgresql_only

HOSTS = [f"team{i}.example" for i in range(5)]
POSTS = 500  # post n goes to account n % 5


def _worker(env: dict[str, str], log: IO[str]) -> subprocess.Popen[str]:
    # Output to a file: 500 "sent" lines would fill a pipe nobody reads while the test waits.
    return subprocess.Popen([*CLI, "worker"], cwd=ROOT, env=env, stdout=log, stderr=log, text=True)


def _in_flight_of(store: Store, pid: int) -> list[int]:
    """Deliveries the worker with this pid is sending, whose creating request has gone out."""
    return [
        d.id
        for d in store.deliveries(["sending"])
        if d.lease_owner and f":{pid}:" in d.lease_owner and d.committed_at is not None
    ]


def test_two_workers_one_killed_mid_send_each_of_500_posts_arrives_once(
    store_engine: str, env: dict[str, str], sandbox_process: SandboxProcess, tmp_path: Path
) -> None:
    assert store_engine == "postgresql"
    with Store.open() as store:
        accounts = [link(store, f"{sandbox_process.url}/{host}") for host in HOSTS]
        for n in range(POSTS):
            store.create_post_with_deliveries(f"team post {n}", [], None, [accounts[n % len(HOSTS)]])
    sandbox_process.control("DELETE", "requests")
    sandbox_process.latency(0.2)

    logs = [(tmp_path / f"worker-{i}.log").open("w") for i in range(3)]
    first, second = _worker(env, logs[0]), _worker(env, logs[1])
    restarted: subprocess.Popen[str] | None = None
    try:
        with Store.open() as store:
            wait_until(lambda: bool(_in_flight_of(store, first.pid)), timeout=120, interval=0.01)
            first.kill()  # SIGKILL: its claims stay "sending", some with a request on the wire
            first.wait(timeout=30)
            killed_in_flight = _in_flight_of(store, first.pid)
            assert first.returncode == -signal.SIGKILL and killed_in_flight
            restarted = _worker(env, logs[2])
            wait_until(lambda: store.counts_by_state()["sent"] == POSTS, timeout=300, interval=0.2)
            deliveries = store.deliveries()
    finally:
        for process in (first, second, restarted):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
        for log in logs:
            log.close()
    sandbox_process.latency(0)

    assert Counter(d.state for d in deliveries) == {"sent": POSTS}
    by_id = {d.id: d for d in deliveries}
    assert all(by_id[i].state == "sent" for i in killed_in_flight)  # recovered, not lost
    created = Counter()
    for n, host in enumerate(HOSTS):
        captions = Counter(s["content"] for s in statuses(f"{sandbox_process.url}/{host}"))
        assert captions == {f"<p>team post {p}</p>": 1 for p in range(n, POSTS, len(HOSTS))}, host
        created.update(captions)
    assert sum(created.values()) == POSTS  # every post once at the sandbox, none twice
    owners = {d.lease_owner.split(":")[1] for d in deliveries if d.lease_owner}
    assert str(second.pid) in owners and restarted is not None and str(restarted.pid) in owners
    for i in range(3):
        assert "Traceback" not in (tmp_path / f"worker-{i}.log").read_text()
