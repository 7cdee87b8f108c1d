"""Prints ``linkdeck doctor``'s checks; exit 2 when a set-up check fails."""

from __future__ import annotations

from providers.doctor import Level, run_checks


def run() -> int:
    checks = run_checks()
    width = max(len(c.name) for c in checks)
    for check in checks:
        print(f"{check.level.value:<4}  {check.name:<{width}}  {check.detail}")
    return 2 if any(c.level is Level.FAIL for c in checks) else 0
