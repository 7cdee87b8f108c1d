"""Start-up benchmark: whole-process time to the first Accounts frame.

Baseline, measured in the same run and alternated with linkdeck: a bare Textual app showing the
same number of cards (one Static per network in a Grid, a Header and a Footer). Both run headless
and exit right after the first refresh of the screen that shows the cards (``call_after_refresh``
from that screen's ``on_mount``), so each process ends at its first full frame. Prints the median
of each and the ratio.

    .venv/bin/python bench/startup.py [--runs N]
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

LINKDECK = """
import os, sys
from tui.app import LinkdeckApp
from tui.screens.accounts import AccountsScreen
mount = AccountsScreen.on_mount
def first_frame(app):
    if os.environ.get("BENCH_MODULES"):  # which modules were imported by the first frame
        with open(os.environ["BENCH_MODULES"], "w") as out:
            out.write("\\n".join(sorted(sys.modules)))
    app.exit()
def on_mount(self):
    mount(self)
    self.call_after_refresh(first_frame, self.app)
AccountsScreen.on_mount = on_mount
LinkdeckApp().run(headless=True, size=(140, 45))
"""

BARE = """
from textual.app import App
from textual.containers import Grid
from textual.widgets import Footer, Header, Static
CARDS = {cards}
class Bare(App):
    CSS = "Grid {{ grid-size: 4; grid-rows: 7; }} Static {{ border: round green; height: 7; }}"
    def compose(self):
        yield Header()
        with Grid():
            for i in range(CARDS):
                yield Static(f"Network {{i}}\\nnot linked")
        yield Footer()
    def first_frame(self):
        import os, sys
        if os.environ.get("BENCH_MODULES"):
            with open(os.environ["BENCH_MODULES"], "w") as out:
                out.write("\\n".join(sorted(sys.modules)))
        self.exit()
    def on_mount(self):
        self.call_after_refresh(self.first_frame)
Bare().run(headless=True, size=(140, 45))
"""


def timed(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def modules(code: str, env: dict[str, str], where: Path) -> list[str]:
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        env={**env, "BENCH_MODULES": str(where)},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    return where.read_text().split("\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from providers import catalog

    cards = len(catalog.all_networks())
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "LINKDECK_HOME": home, "TEXTUAL_ANIMATIONS": "none"}
        # As installed: Python keeps bytecode caches. Without them (PYTHONDONTWRITEBYTECODE, set on
        # some machines) every start recompiles linkdeck's sources, which no user pays.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        bare_code = BARE.format(cards=cards)
        timed(LINKDECK, env)  # warm-up: creates the database, fills OS caches
        timed(bare_code, env)
        ours: list[float] = []
        bare: list[float] = []
        for _ in range(args.runs):
            ours.append(timed(LINKDECK, env))
            bare.append(timed(bare_code, env))
        ours_modules = modules(LINKDECK, env, Path(home) / "ours.txt")
        bare_modules = modules(bare_code, env, Path(home) / "bare.txt")
    ours_median, bare_median = statistics.median(ours), statistics.median(bare)
    ratios = [o / b for o, b in zip(ours, bare, strict=True)]
    print(f"cards: {cards}, runs: {args.runs} each, alternated")
    print(f"bare Textual app : median {bare_median * 1000:.0f} ms")
    print(f"linkdeck Accounts: median {ours_median * 1000:.0f} ms")
    print(
        f"ratio (median of medians): {ours_median / bare_median:.2f}x; median of paired ratios: "
        f"{statistics.median(ratios):.2f}x (goal <= 1.2x, limit 1.5x)"
    )
    own = [m for m in ours_modules if m.split(".")[0] in ("providers", "tui")]
    # A network's package (its docstring) and spec are what cards need; anything else is too early.
    network_code = [
        m
        for m in own
        if m.count(".") >= 3 and m.startswith("providers.networks.") and not m.endswith(".spec")
    ]
    print(
        f"modules imported by the first frame: linkdeck {len(ours_modules)} ({len(own)} its own), "
        f"bare {len(bare_modules)}; extra {len(ours_modules) - len(bare_modules)}"
    )
    print(f"network modules other than specs imported by then: {network_code or 'none'}")


if __name__ == "__main__":
    main()
