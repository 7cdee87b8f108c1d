"""Crashes and stops, with real processes: ``kill -9`` of ``linkdeck post`` while its status
request is in flight, then ``linkdeck worker --once`` (exactly one post at the network), and a
long-running worker stopped with SIGTERM while it sends (it finishes and records the send)."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest

from providers.store import Store
from tests import media_corpus
from tests.support.cli import CLI, ROOT, run_cli
from tests.support.linking import link, statuses
from tests.support.processes import SandboxProcess, wait_until

# The store these processes share is SQLite, then PostgreSQL (conftest's store_engine, via env).
pytestmark = pytest.mark.both_engines


def _post_then_kill(env: dict[str, str], sandbox_process: SandboxProcess, *args: str) -> int:
    """Start ``linkdeck post``, kill -9 it once the sandbox has its status request; the delivery id."""
    sandbox_process.latency(2.0)
    process = subprocess.Popen(
        [*CLI, "post", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        wait_until(lambda: bool(sandbox_process.requests("/api/v1/statuses", "POST")), timeout=60)
    finally:
        process.kill()  # SIGKILL: no cleanup, no except/finally in the child
        process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL
    with Store.open() as store:
        [delivery] = store.deliveries()
    assert delivery.state == "sending" and delivery.committed_at is not None  # recorded before the request
    return delivery.id


def test_kill_9_during_a_mastodon_post_then_the_worker_sends_exactly_one(
    env: dict[str, str], sandbox_process: SandboxProcess, linkdeck_home: Path
) -> None:
    with Store.open() as store:
        alice = link(store, f"{sandbox_process.url}/mastodon.example")
    delivery_id = _post_then_kill(env, sandbox_process, "--to", "mastodon", "--caption", "through a crash")
    sandbox_process.latency(0)  # the killed request is still being answered: the resend may overtake it
    worker = run_cli(env, "worker", "--once")
    assert worker.returncode == 0, worker.stderr
    assert "1 sent" in worker.stdout
    wait_until(lambda: all(r["status"] for r in sandbox_process.requests("/api/v1/statuses", "POST")))

    posted = statuses(str(alice.instance))
    assert [s["content"] for s in posted] == ["<p>through a crash</p>"]
    with Store.open() as store:
        sent = store.delivery(delivery_id)
    assert sent is not None and (sent.state, sent.remote_post_id) == ("sent", posted[0]["id"])
    requests = sandbox_process.requests("/api/v1/statuses", "POST")
    assert len(requests) == 2 and {r["status"] for r in requests} == {200}  # the lost one and its resend


def test_kill_9_during_a_pixelfed_post_is_looked_up_not_resent(
    env: dict[str, str], sandbox_process: SandboxProcess, linkdeck_home: Path, tmp_path: Path
) -> None:
    with Store.open() as store:
        pixel = link(store, f"{sandbox_process.url}/pixelfed.example", network="pixelfed")
    photo = media_corpus.jpeg(tmp_path / "square.jpg", (300, 300))
    delivery_id = _post_then_kill(
        env, sandbox_process, str(photo), "--to", "pixelfed", "--caption", "no idempotency here"
    )
    # it completed
    wait_until(lambda: all(r["status"] for r in sandbox_process.requests("/api/v1/statuses", "POST")))
    sandbox_process.latency(0)
    worker = run_cli(env, "worker", "--once")
    assert worker.returncode == 0, worker.stderr
    [found] = statuses(str(pixel.instance))
    with Store.open() as store:
        sent = store.delivery(delivery_id)
    assert sent is not None and (sent.state, sent.remote_post_id) == ("sent", found["id"])
    assert "found on the network" in sent.reason
    assert len(sandbox_process.requests("/api/v1/statuses", "POST")) == 1  # never resent


def test_sigterm_lets_the_worker_finish_what_it_is_sending(
    env: dict[str, str], sandbox_process: SandboxProcess, linkdeck_home: Path
) -> None:
    with Store.open() as store:
        alice = link(store, f"{sandbox_process.url}/mastodon.example")
        _, [delivery] = store.create_post_with_deliveries("sent while stopping", [], None, [alice])
    sandbox_process.latency(1.5)
    worker = subprocess.Popen(
        [*CLI, "worker"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    wait_until(lambda: bool(sandbox_process.requests("/api/v1/statuses", "POST")), timeout=60)
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    with Store.open() as store:
        done = store.delivery(delivery.id)
    assert done is not None and done.state == "sent"
    assert f"delivery {delivery.id}" in out and "Traceback" not in err
    assert [s["content"] for s in statuses(str(alice.instance))] == ["<p>sent while stopping</p>"]
    listed = json.loads(run_cli(env, "queue", "--json").stdout)["deliveries"]
    assert [e["state"] for e in listed] == ["sent"]
