"""`make screenshots`: write an SVG of every screen and state to a folder (default screenshots/).

Run as ``python -m tests.screenshots [FOLDER]``. Uses the same scenarios as the snapshot tests.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

os.environ["TZ"] = "UTC"
os.environ["TEXTUAL_ANIMATIONS"] = "none"


async def shoot(folder: Path) -> list[Path]:
    from providers import clock
    from tests.conftest import FIXED_NOW
    from tests.scenarios import SCENARIOS, drive, prepare

    written = []
    for scenario in SCENARIOS:
        with tempfile.TemporaryDirectory() as home, clock.frozen(FIXED_NOW), scenario.pretending():
            os.environ["LINKDECK_HOME"] = home
            # A throw-away home: its secrets may live in its own file when the machine has no
            # keyring (make screenshots runs outside tests/with_keyring.sh), as the Link window needs.
            os.environ["LINKDECK_ALLOW_PLAINTEXT_SECRETS"] = "1"
            app = prepare(scenario, Path(home))
            async with app.run_test(size=scenario.size) as pilot:
                await drive(scenario, pilot)
                svg = app.export_screenshot(title=f"linkdeck — {scenario.description}")
            path = folder / f"{scenario.name}.svg"
            path.write_text(svg, encoding="utf-8")
            written.append(path)
    return written


def main() -> None:
    import time

    time.tzset()
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(shoot(folder)):
        print(path)


if __name__ == "__main__":
    main()
