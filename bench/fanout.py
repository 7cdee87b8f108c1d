"""Publishing benchmarks: fan-out time and upload memory.

1. Fan-out. ``linkdeck sandbox`` runs in its own process with 0.3 s of latency on every request;
   ten accounts are linked on ten emulated Mastodon servers. Each round posts once to each
   account alone (the slowest of those ten is "the slowest single") and once to all ten with
   ``publish_now`` (one task per delivery). Prints the medians and fan-out ÷ slowest single
   (goal ≤ 1.3×). Text posts (one request each) and photo posts (upload + post: two requests).
2. Upload memory. A 1 GB sparse file is uploaded by the real Mastodon publisher (streamed
   multipart) to a Mastodon-shaped sink in another process that reads and drops the body (the
   sandbox itself keeps uploads and refuses bodies over 200 MB, as a real server would refuse a
   1 GB video). The uploading process samples its own resident memory from /proc/self/status
   every 5 ms; prints the growth over its baseline (goal ≤ 64 MB).

    .venv/bin/python bench/fanout.py [--rounds N] [--size-mb M]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCOUNTS = 10
LATENCY = 0.3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# 1. Fan-out ------------------------------------------------------------------------------------


async def _fanout(sandbox_url: str, rounds: int, home: Path) -> None:
    import httpx2

    from providers import linking
    from providers.outbox.runner import publish_now
    from providers.outbox_config import OutboxConfig
    from providers.settings import NetworkSettings, Settings
    from providers.store import Store
    from providers.vault import Vault
    from tests.link_driver import next_shown
    from tests.media_corpus import jpeg
    from tests.sandbox_browser import approve_async

    settings = Settings(
        networks={"mastodon": NetworkSettings(port=_free_port())}, allow_plaintext_secrets=True
    )
    vault = Vault(settings)
    config = OutboxConfig(max_attempts=1)
    photo = jpeg(home / "photo.jpg", (1080, 1080))
    with Store.open() as store:
        accounts = []
        for i in range(ACCOUNTS):
            session = await linking.begin_link(
                "mastodon",
                settings=settings,
                store=store,
                vault=vault,
                instance=f"{sandbox_url}/fan{i}.example",
            )
            step = await next_shown(session)  # the server's address step
            answer = await approve_async(step.request.url)  # type: ignore[attr-defined]
            step.paste(answer.headers["location"])  # type: ignore[attr-defined]
            accounts.append((await session.finish()).account)
        async with httpx2.AsyncClient() as client:
            await client.post(f"{sandbox_url}/__sandbox__/latency", json={"seconds": LATENCY})

        async def timed(caption: str, media: list[str], targets: list[object]) -> float:
            post = store.create_post(caption, media, None)
            started = time.perf_counter()
            done = await publish_now(store, vault, post, targets, config=config)  # type: ignore[arg-type]
            elapsed = time.perf_counter() - started
            assert all(d.state == "sent" for d in done), [d.reason for d in done]
            return elapsed

        for kind, media in (("text", []), ("photo", [str(photo)])):
            await timed("warm-up", media, accounts)  # instance limits cached, connections open
            singles, fans, ratios = [], [], []
            for r in range(rounds):
                slowest = max([await timed(f"{kind} single {r}", media, [a]) for a in accounts])
                fan = await timed(f"{kind} fan-out {r}", media, accounts)
                singles.append(slowest)
                fans.append(fan)
                ratios.append(fan / slowest)
            requests = 1 if kind == "text" else 2
            print(
                f"fan-out, {kind} post ({requests} request(s) × {LATENCY} s latency), {rounds} rounds: "
                f"slowest single median {statistics.median(singles) * 1000:.0f} ms, "
                f"{ACCOUNTS} accounts at once median {statistics.median(fans) * 1000:.0f} ms, "
                f"ratio median {statistics.median(ratios):.2f}× (max {max(ratios):.2f}×; goal ≤ 1.3×)"
            )


def fanout(rounds: int) -> None:
    from bench.sandbox_process import sandbox_in

    with tempfile.TemporaryDirectory() as home, sandbox_in(home) as (_, url):
        os.environ.update({"LINKDECK_HOME": home, "LINKDECK_ALLOW_PLAINTEXT_SECRETS": "1"})
        asyncio.run(_fanout(url, rounds, Path(home)))


# 2. Upload memory ------------------------------------------------------------------------------

SINK = """
import sys
from aiohttp import web

received = [0]

async def media(request):
    async for chunk in request.content.iter_any():
        received[0] += len(chunk)
    return web.json_response({"id": "1", "type": "video", "url": "http://sink/1", "description": None})

async def statuses(request):
    await request.post()
    return web.json_response({"id": "2", "url": f"http://sink/@bench/{received[0]}"})

app = web.Application()
app.router.add_post("/api/v2/media", media)
app.router.add_post("/api/v1/statuses", statuses)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""

UPLOADER = """
import asyncio, sys
from pathlib import Path

async def main(path, instance):
    from bench.rss import peak_while
    from providers import catalog
    from providers.networks.mastodon.publish import MastodonPublisher
    from providers.http import async_client
    from providers.store import Store
    import httpx2

    with Store.open() as store:
        account = store.upsert_account("mastodon", "1", handle="@bench@sink", instance=instance)
        post, [delivery] = store.create_post_with_deliveries("1 GB", [path], None, [account])
        async with async_client(timeout=httpx2.Timeout(60.0)) as client:
            publisher = MastodonPublisher(catalog.get("mastodon"), client)
            sending = publisher.publish(account, post, delivery, {"access_token": "bench"})
            baseline, peak, elapsed, result = await peak_while(sending)
    size = Path(path).stat().st_size
    print(f"{baseline} {peak} {elapsed:.3f} {size} {result.url}")

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def upload_memory(size_mb: int) -> None:
    with tempfile.TemporaryDirectory() as home:
        big = Path(home) / "big.mp4"
        with big.open("wb") as handle:
            handle.truncate(size_mb * 1024 * 1024)  # sparse: no disk space, reads as zeros
        port = _free_port()
        sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)], cwd=ROOT, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.05)
            env = {**os.environ, "LINKDECK_HOME": home}
            env.pop("LINKDECK_SANDBOX_URL", None)
            done = subprocess.run(
                [sys.executable, "-c", UPLOADER, str(big), f"http://127.0.0.1:{port}"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
        finally:
            sink.terminate()
            sink.wait(timeout=10)
    baseline, peak, elapsed, size, url = done.stdout.split()
    growth_mb = (int(peak) - int(baseline)) / 1024
    received = int(url.rsplit("/", 1)[-1]) if url.rsplit("/", 1)[-1].isdigit() else None
    print(
        f"upload memory: {int(size) / 2**30:.2f} GiB streamed in {float(elapsed):.1f} s "
        f"({int(size) / float(elapsed) / 2**20:.0f} MiB/s); RSS baseline {int(baseline) / 1024:.1f} MB, "
        f"peak {int(peak) / 1024:.1f} MB, growth {growth_mb:.1f} MB (goal ≤ 64 MB)"
        + ("" if received is None else f"; the sink received {received:,} bytes of multipart body")
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    fanout(args.rounds)
    upload_memory(args.size_mb)


if __name__ == "__main__":
    main()
