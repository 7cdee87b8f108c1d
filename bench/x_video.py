"""X video upload memory: a generated 200 MB video posted to the sandbox's X through
initialize → append (4 MiB segments, each streamed from disk in 256 KiB pieces) → finalize →
STATUS (check_after_secs honoured) → POST /2/tweets, by the real X publisher.

``linkdeck sandbox`` runs in its own process (the emulated X keeps only the size of each segment).
The uploading process links Alice there with the sandbox's Native App client, then samples its
own resident memory from /proc/self/status every 5 ms while it publishes, as bench/fanout.py
measures the 1 GiB Mastodon upload; prints the growth over its baseline (goal ≤ 64 MB) and what
the sandbox received.

    .venv/bin/python bench/x_video.py [--size-mb M]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# An ISO BMFF "ftyp" box (mp4), so the publisher sniffs a video; the rest of the file is sparse.
FTYP = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"

UPLOADER = """
import asyncio, sys
from pathlib import Path

async def main(path):
    import httpx2
    from bench.rss import peak_while
    from providers import catalog, linking
    from providers.http import async_client
    from providers.networks.x.publish import XPublisher
    from providers.networks.x.sandbox_oauth import DEMO_CLIENT_ID
    from providers.settings import NetworkSettings, Settings
    from providers.store import Store
    from providers.vault import Vault
    from tests.link_driver import next_shown
    from tests.sandbox_browser import approve_async
    from tests.support.ports import free_port

    settings = Settings(
        networks={"x": NetworkSettings(client_id=DEMO_CLIENT_ID, port=free_port())},
        allow_plaintext_secrets=True,
    )
    vault = Vault(settings)
    with Store.open() as store:
        session = await linking.begin_link("x", settings=settings, store=store, vault=vault)
        step = await next_shown(session)
        answer = await approve_async(step.request.url)
        step.paste(answer.headers["location"])
        account = (await session.finish()).account
        token = vault.get_token(account.vault_key)
        post, [delivery] = store.create_post_with_deliveries("200 MB", [path], None, [account])
        async with async_client(timeout=httpx2.Timeout(120.0)) as client:
            publisher = XPublisher(catalog.get("x"), client, vault)
            sending = publisher.publish(account, post, delivery, token)
            baseline, peak, elapsed, result = await peak_while(sending)
    size = Path(path).stat().st_size
    print(f"{baseline} {peak} {elapsed:.3f} {size} {result.url}")

asyncio.run(main(sys.argv[1]))
"""


def video_memory(size_mb: int) -> None:
    from bench.sandbox_process import sandbox_in

    with tempfile.TemporaryDirectory() as home:
        big = Path(home) / "big.mp4"
        with big.open("wb") as handle:
            handle.write(FTYP)
            handle.truncate(size_mb * 1024 * 1024)  # sparse: no disk space, reads as zeros
        with sandbox_in(home) as (env, url):
            done = subprocess.run(
                [sys.executable, "-c", UPLOADER, str(big)],
                cwd=ROOT,
                env={**env, "LINKDECK_SANDBOX_URL": url},
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise SystemExit(done.stderr[-3000:])
            import httpx2

            record = httpx2.get(f"{url}/__sandbox__/requests", params={"host": "api.x.com"}, timeout=10)
            steps = [
                r["path"].rsplit("/", 1)[-1] for r in record.json()["requests"] if "/media/" in r["path"]
            ]
    baseline, peak, elapsed, size, post_url = done.stdout.split()
    growth_mb = (int(peak) - int(baseline)) / 1024
    print(
        f"X video upload memory: {int(size) / 2**20:.0f} MiB streamed in {float(elapsed):.1f} s "
        f"({int(size) / float(elapsed) / 2**20:.0f} MiB/s) as {steps.count('append')} appends "
        f"(initialize {steps.count('initialize')}, finalize {steps.count('finalize')}, STATUS "
        f"{steps.count('upload')}); RSS baseline {int(baseline) / 1024:.1f} MB, peak "
        f"{int(peak) / 1024:.1f} MB, growth {growth_mb:.1f} MB (goal < 64 MB); posted {post_url}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=int, default=200)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    video_memory(args.size_mb)


if __name__ == "__main__":
    main()
