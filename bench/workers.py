"""Several ``linkdeck worker`` processes on one PostgreSQL store (issue 16's benchmarks).

1. Throughput: N deliveries (default 2,000), all due at the same moment, sent by 1, 2 and 4
   ``linkdeck worker`` processes to the sandbox (its own process, 0.2 s added to every reply);
   deliveries per second from the due moment until every one is sent, and the ratio to one worker
   (goal: near-linear).
2. Due-to-first-request with 4 workers: posts falling due one by one (every 0.05 s, at most 200 of
   them), and the time from each post's due moment to the sandbox receiving its creating request
   (the sandbox stamps each request on arrival); p50 and p99. The same figure for the burst of
   part 1 (queueing included) is printed beside it.

Each run gets a fresh schema on a PostgreSQL the benchmark starts itself in a temporary folder
(Debian's postgresql package, as the tests use: tests/support/postgres.py), team mode with a new
key, and five Mastodon accounts linked through the real flow on five emulated servers.

    .venv/bin/python bench/workers.py [--deliveries N]

Not in ``make bench``: it needs Debian's PostgreSQL (installed by ``make test``'s system packages,
not by ``make bench``'s) and takes minutes at the default N.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import postgres  # noqa: E402  (the tests' own PostgreSQL starter)

CLI = [sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())"]
HOSTS = [f"bench{i}.example" for i in range(5)]
LATENCY = 0.2
START_MARGIN = 4.0  # seconds for the workers to start before the posts fall due
SPREAD_STEP = 0.05
SPREAD_POSTS = 200


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _run(
    server: postgres.Server, sandbox_url: str, workers: int, offsets: list[float]
) -> tuple[float, list[float]]:
    """Seed one post per offset, start ``workers`` workers, then make post n due at T0 + offset n
    (T0 a moment after the workers are up) and wait until all are sent: (seconds from T0 to the
    last sent, due-to-first-request of each post)."""
    import httpx2
    import psycopg

    from providers.store import Store
    from providers.store.models import to_text
    from tests.support.linking import link

    url = server.fresh_url()
    os.environ["LINKDECK_DATABASE_URL"] = url
    httpx2.post(f"{sandbox_url}/__sandbox__/latency", json={"seconds": 0}, timeout=10)  # linking
    parked = datetime.now(UTC) + timedelta(days=1)  # not due while seeding, however long it takes
    with Store.open() as store:
        accounts = [link(store, f"{sandbox_url}/{host}") for host in HOSTS]
        for n in range(len(offsets)):
            store.create_post_with_deliveries(f"bench post {n}", [], parked, [accounts[n % len(accounts)]])
    httpx2.delete(f"{sandbox_url}/__sandbox__/requests", timeout=30)
    httpx2.post(f"{sandbox_url}/__sandbox__/latency", json={"seconds": LATENCY}, timeout=10)
    with tempfile.TemporaryFile("w+") as log:
        started = [
            subprocess.Popen([*CLI, "worker"], cwd=ROOT, env=dict(os.environ), stdout=log, stderr=log)
            for _ in range(workers)
        ]
        try:
            time.sleep(START_MARGIN)  # the workers start, recover, and wait on the queue
            t0 = time.time() + 1.0
            due_times = [t0 + offset for offset in offsets]
            # One transaction and a NOTIFY, as a post made due by linkdeck itself would wake them.
            with psycopg.connect(url) as conn:
                conn.cursor().executemany(
                    "UPDATE posts SET scheduled_at = %s WHERE caption = %s",
                    [
                        (to_text(datetime.fromtimestamp(due, UTC)), f"bench post {n}")
                        for n, due in enumerate(due_times)
                    ],
                )
                conn.execute("NOTIFY linkdeck_queue")
            with Store.open() as store:
                while store.counts_by_state()["sent"] < len(offsets):
                    if any(p.poll() is not None for p in started):
                        log.seek(0)
                        raise SystemExit(f"a worker ended early:\n{log.read()[-2000:]}")
                    time.sleep(0.05)
                done = time.time()
        finally:
            for process in started:
                process.send_signal(signal.SIGTERM)
            for process in started:
                process.wait(timeout=60)
    recorded = httpx2.get(f"{sandbox_url}/__sandbox__/requests", params={"method": "POST"}, timeout=60)
    first: dict[int, float] = {}
    for entry in recorded.json()["requests"]:
        caption = str(entry["params"].get("status", ""))
        if entry["path"].endswith("/api/v1/statuses") and caption.startswith("bench post "):
            n = int(caption.removeprefix("bench post "))
            first[n] = min(first.get(n, entry["time"]), entry["time"])
    if len(first) != len(due_times):
        raise SystemExit(f"the sandbox saw {len(first)} of {len(due_times)} posts")
    return done - due_times[0], [first[n] - due for n, due in enumerate(due_times)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=2000, help="deliveries per throughput run")
    args = parser.parse_args()
    if args.deliveries < 10:
        parser.error("--deliveries must be at least 10")

    from providers.secrets.keys import new_key

    home = tempfile.mkdtemp(prefix="linkdeck-bench-workers-")
    os.environ |= {
        "LINKDECK_HOME": home,
        "LINKDECK_ALLOW_PLAINTEXT_SECRETS": "1",
        "LINKDECK_SECRET_KEY": new_key().written(),
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.pop("LINKDECK_SANDBOX_URL", None)
    server = postgres.start()
    sandbox = subprocess.Popen(
        [*CLI, "sandbox"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert sandbox.stdout is not None
        sandbox_url = sandbox.stdout.readline().strip()
        print(
            f"{args.deliveries} deliveries, {LATENCY} s latency per request, "
            f"PostgreSQL {server.bin.parent.name}"
        )
        rates: dict[int, float] = {}
        burst: list[float] = []
        for workers in (1, 2, 4):
            seconds, delays = _run(server, sandbox_url, workers, [0.0] * args.deliveries)
            rates[workers] = args.deliveries / seconds
            burst = delays
            print(
                f"  {workers} worker{'s' if workers > 1 else ' '}: {seconds:6.1f} s, "
                f"{rates[workers]:6.1f} deliveries/s, {rates[workers] / rates[1]:.2f}x one worker"
            )
        spread = min(SPREAD_POSTS, args.deliveries)
        _, delays = _run(server, sandbox_url, 4, [i * SPREAD_STEP for i in range(spread)])
        print(
            f"due to first request, 4 workers, {spread} posts due {SPREAD_STEP} s apart: "
            f"p50 {_percentile(delays, 0.5) * 1000:.0f} ms, p99 {_percentile(delays, 0.99) * 1000:.0f} ms"
        )
        print(
            f"due to first request, 4 workers, the burst of {args.deliveries} (queueing included): "
            f"p50 {_percentile(burst, 0.5):.1f} s, p99 {_percentile(burst, 0.99):.1f} s"
        )
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
        server.stop()


if __name__ == "__main__":
    main()
