"""Media check benchmark: ``linkdeck check`` of a 50 MP JPEG against every network vs start-up.

Three whole-process timings, alternated run by run so that machine noise hits them alike:

- ``linkdeck --help``: the CLI's bare start-up (Python, argparse);
- ``linkdeck networks``: start-up plus the catalog (what ``check`` also loads), settings and keyring;
- ``linkdeck check photo.jpg``: start-up, catalog, Pillow's header parse, the truncation scan and 16
  verdicts (every available network), printed as a table.

The photo is a realistic one: 8660×5774 (50 MP) of noise-textured tiles, about 20 MB on disk, so
the end-of-image scan walks a real file. Prints the median of each and the differences; the goal is
check ≤ 0.1 s over start-up.

    .venv/bin/python bench/media.py [--runs N] [--json]
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


def make_photo(path: Path) -> Path:
    from PIL import Image

    tile = Image.merge("RGB", [Image.effect_noise((866, 577), 40) for _ in range(3)])
    photo = Image.new("RGB", (8660, 5774))
    for x in range(0, 8660, 866):
        for y in range(0, 5774, 577):
            photo.paste(tile, (x, y))
    photo.save(path, "JPEG", quality=90)
    return path


def timed(args: list[str], env: dict[str, str], expect: set[int]) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    elapsed = time.perf_counter() - started
    if result.returncode not in expect:
        raise SystemExit(f"linkdeck {' '.join(args)} exited {result.returncode}: {result.stderr.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="time `check --json` instead of the table")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        photo = make_photo(Path(tmp) / "photo-50mp.jpg")
        env = {**os.environ, "LINKDECK_HOME": str(home), "LINKDECK_ALLOW_PLAINTEXT_SECRETS": "1"}
        commands = {
            "help": (["--help"], {0}),
            "networks": (["networks"], {0}),
            "check": (["check", str(photo), *(["--json"] if args.json else [])], {0, 1}),
        }
        for argv, expect in commands.values():  # warm-up: OS caches, .pyc files
            timed(argv, env, expect)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, (argv, expect) in commands.items():
                times[name].append(timed(argv, env, expect))
        size_mb = photo.stat().st_size / 1e6
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"photo: 8660×5774 (50.0 MP) JPEG, {size_mb:.1f} MB; runs: {args.runs} each, alternated")
    for name, (argv, _) in commands.items():
        shown = " ".join("photo-50mp.jpg" if a.endswith(".jpg") else a for a in argv)
        print(f"  linkdeck {shown:<28} median {medians[name] * 1000:6.0f} ms")
    for base in ("help", "networks"):
        diff = medians["check"] - medians[base]
        paired = statistics.median(c - b for c, b in zip(times["check"], times[base], strict=True))
        verdict = "within" if diff <= 0.1 else "OVER"
        print(
            f"check − {base}: {diff * 1000:+.0f} ms (median of paired differences {paired * 1000:+.0f} ms); "
            f"goal ≤ +100 ms: {verdict}"
        )


if __name__ == "__main__":
    main()
