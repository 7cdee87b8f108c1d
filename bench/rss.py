"""The resident memory a process grows by while one awaitable runs: sampled from /proc/self/status
every 5 ms in a thread (bench/fanout.py's 1 GiB Mastodon upload, bench/x_video.py's X video)."""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


def rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def peak_while(awaitable: Awaitable[T]) -> tuple[int, int, float, T]:
    """(baseline KiB, peak KiB, seconds, result) of awaiting ``awaitable``."""
    baseline = rss_kb()
    peak = [baseline]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss_kb())
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        result = await awaitable
    finally:
        stop.set()
        sampler.join()
    return baseline, peak[0], time.perf_counter() - started, result
