"""SVG snapshots of every screen and state (fixed size, animations off, fixed clock)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scenarios import SCENARIOS, Scenario, drive, prepare


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
@pytest.mark.usefixtures("frozen_clock")
def test_snapshot(scenario: Scenario, snap_compare, linkdeck_home: Path) -> None:  # type: ignore[no-untyped-def]
    app = prepare(scenario, linkdeck_home)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await drive(scenario, pilot)

    with scenario.pretending():
        assert snap_compare(app, terminal_size=scenario.size, run_before=run_before)
