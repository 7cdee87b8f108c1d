"""Two ``linkdeck worker --once`` processes racing over 500 due deliveries against the sandbox:
every delivery is sent exactly once (counted at the sandbox: its statuses, and its request record
of status requests), and both workers did part of the work."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from providers.store import Store
from tests.test_outbox_support import CLI, ROOT, SandboxProcess, cli_env, link, statuses

HOSTS = [f"race{i}.example" for i in range(5)]
POSTS = 100  # × 5 accounts = 500 deliveries


@pytest.fixture
def env(linkdeck_home: Path) -> dict[str, str]:
    return cli_env(linkdeck_home)


@pytest.fixture
def sandbox(env: dict[str, str]) -> Iterator[SandboxProcess]:
    running = SandboxProcess(env)
    yield running
    running.stop()


def test_two_workers_send_each_of_500_deliveries_exactly_once(
    env: dict[str, str], sandbox: SandboxProcess, linkdeck_home: Path
) -> None:
    with Store.open() as store:
        accounts = [link(store, f"{sandbox.url}/{host}") for host in HOSTS]
        for n in range(POSTS):
            store.create_post_with_deliveries(f"race post {n}", [], None, accounts)
        assert store.counts_by_state()["due"] == POSTS * len(HOSTS)
    sandbox.control("DELETE", "requests")
    sandbox.latency(0.2)  # one worker alone would need over 12 s: the two runs overlap widely

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
    sandbox.latency(0)

    with Store.open() as store:
        deliveries = store.deliveries()
    assert Counter(d.state for d in deliveries) == {"sent": POSTS * len(HOSTS)}
    assert all(d.attempts == 1 for d in deliveries)
    owners = Counter(d.lease_owner for d in deliveries)
    assert len(owners) == 2, owners  # both workers took part

    for host in HOSTS:
        captions = Counter(s["content"] for s in statuses(f"{sandbox.url}/{host}"))
        assert captions == {f"<p>race post {n}</p>": 1 for n in range(POSTS)}, host
    posted = sandbox.requests("/api/v1/statuses", "POST")
    assert len(posted) == POSTS * len(HOSTS) and {r["status"] for r in posted} == {200}
    logged = [int(m) for out, _ in outputs for m in re.findall(r"  sent +delivery (\d+)  ", out)]
    assert sorted(logged) == sorted(d.id for d in deliveries)  # each logged once, by one worker
