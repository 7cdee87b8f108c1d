"""Two ``linkdeck worker --once`` processes racing over 500 due deliveries against the sandbox:
every delivery is sent exactly once (counted at the sandbox: its statuses, and its request record
of status requests), and both workers did part of the work."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from providers.store import Store
from tests.support.cli import CLI, ROOT
from tests.support.linking import link, statuses
from tests.support.processes import SandboxProcess

# The store these processes share is SQLite, then PostgreSQL (conftest's store_engine, via env).
pytestmark = pytest.mark.both_engines

HOSTS = [f"race{i}.example" for i in range(5)]
POSTS = 100  # × 5 accounts = 500 deliveries


def test_two_workers_send_each_of_500_deliveries_exactly_once(
    env: dict[str, str], sandbox_process: SandboxProcess, linkdeck_home: Path
) -> None:
    with Store.open() as store:
        accounts = [link(store, f"{sandbox_process.url}/{host}") for host in HOSTS]
        for n in range(POSTS):
            store.create_post_with_deliveries(f"race post {n}", [], None, accounts)
        assert store.counts_by_state()["due"] == POSTS * len(HOSTS)
    sandbox_process.control("DELETE", "requests")
    sandbox_process.latency(0.2)  # one worker alone would need over 12 s: the two runs overlap widely

    workers = [
        subprocess.Popen(
            [*CLI, "worker", "--once"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=300) for w in workers]
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert "Traceback" not in err
    sandbox_process.latency(0)

    with Store.open() as store:
        deliveries = store.deliveries()
    assert Counter(d.state for d in deliveries) == {"sent": POSTS * len(HOSTS)}
    assert all(d.attempts == 1 for d in deliveries)
    owners = Counter(d.lease_owner for d in deliveries)
    assert len(owners) == 2, owners  # both workers took part

    for host in HOSTS:
        captions = Counter(s["content"] for s in statuses(f"{sandbox_process.url}/{host}"))
        assert captions == {f"<p>race post {n}</p>": 1 for n in range(POSTS)}, host
    posted = sandbox_process.requests("/api/v1/statuses", "POST")
    assert len(posted) == POSTS * len(HOSTS) and {r["status"] for r in posted} == {200}
    logged = [int(m) for out, _ in outputs for m in re.findall(r"  sent +delivery (\d+)  ", out)]
    assert sorted(logged) == sorted(d.id for d in deliveries)  # each logged once, by one worker
