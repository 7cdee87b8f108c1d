"""A queue of 10,000 scheduled posts must not slow the app's start.

Times the TUI's first Accounts frame the way bench/startup.py does (the screen's ``on_mount`` is
patched to exit right after the first refresh), whole process, headless, with an empty database
and with one holding 10,000 scheduled posts (one delivery each, to a linked Mastodon account).
Runs alternate; prints the medians and their ratio. Also times what a front end adds on start for
the outbox: crash recovery (``recover_on_start``) and the next due time, on the same two files.

    .venv/bin/python bench/queue_start.py [--runs N] [--posts N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(Path(__file__).resolve().parent))
from startup import LINKDECK as FIRST_FRAME  # noqa: E402  (the same first-frame measurement)

OUTBOX_START = """
import asyncio, time
from providers.outbox.startup import recover_on_start
from providers.store import Store
from providers.vault import Vault
with Store.open() as store:
    started = time.perf_counter()
    report = asyncio.run(recover_on_start(store, Vault()))
    store.next_due_at()
print(f"{time.perf_counter() - started:.4f}")
"""


def seed(home: Path, posts: int) -> None:
    os.environ["LINKDECK_HOME"] = str(home)
    from datetime import UTC, datetime, timedelta

    from providers.store import Store
    from providers.store import posts as store_posts

    with Store.open() as store:
        if posts:
            account = store.upsert_account(
                "mastodon", "109", handle="@alice@mastodon.example", instance="https://mastodon.example"
            )
            start = datetime.now(UTC) + timedelta(days=1)
            with store._write() as conn:  # one transaction: seeding speed is not what is measured
                for n in range(posts):
                    post = store_posts.create_post(
                        conn, f"scheduled post {n}", [], start + timedelta(minutes=n)
                    )
                    store_posts.add_delivery(conn, post.id, account)
        counts = store.counts_by_state()
    assert counts["scheduled"] == posts, counts


def timed(code: str, home: Path) -> float:
    env = {**os.environ, "LINKDECK_HOME": str(home), "TEXTUAL_ANIMATIONS": "none"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def inner(code: str, home: Path) -> float:
    env = {**os.environ, "LINKDECK_HOME": str(home), "LINKDECK_ALLOW_PLAINTEXT_SECRETS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, env=env, cwd=ROOT, capture_output=True, text=True
    )
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--posts", type=int, default=10_000)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as empty_dir, tempfile.TemporaryDirectory() as full_dir:
        empty, full = Path(empty_dir), Path(full_dir)
        seeded = time.perf_counter()
        seed(empty, 0)
        seed(full, args.posts)
        print(f"seeded {args.posts:,} scheduled posts in {time.perf_counter() - seeded:.1f} s")
        for home in (empty, full):  # warm-up: OS caches, compiled bytecode
            timed(FIRST_FRAME, home)
        frames: dict[Path, list[float]] = {empty: [], full: []}
        starts: dict[Path, list[float]] = {empty: [], full: []}
        for _ in range(args.runs):
            for home in (empty, full):
                frames[home].append(timed(FIRST_FRAME, home))
                starts[home].append(inner(OUTBOX_START, home))
    e, f = statistics.median(frames[empty]), statistics.median(frames[full])
    ratios = [b / a for a, b in zip(frames[empty], frames[full], strict=True)]
    print(f"runs: {args.runs} each, alternated")
    print(f"first frame, empty database      : median {e * 1000:.0f} ms")
    print(f"first frame, {args.posts:,} scheduled posts: median {f * 1000:.0f} ms")
    print(
        f"ratio (median of medians): {f / e:.2f}x; median of paired ratios: {statistics.median(ratios):.2f}x"
    )
    se, sf = statistics.median(starts[empty]), statistics.median(starts[full])
    print(
        f"outbox start (recover_on_start + next_due_at on an open store, imports excluded): "
        f"empty {se * 1000:.1f} ms, {args.posts:,} posts {sf * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
