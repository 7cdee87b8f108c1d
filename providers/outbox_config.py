"""``[outbox]`` in config.toml: how the delivery runner retries, claims and releases.

Read here rather than in :mod:`providers.settings` so the outbox's knobs stay together, and beside
the :mod:`providers.outbox` package rather than in it because the store reads one of them too
(``release_past_due``, when an account is linked again) and the store never imports the outbox
(an import-linter contract in pyproject.toml)::

    [outbox]
    release_past_due = "send"   # or "ask": posts that fell due while their account was unlinked
                                # stay held after relinking until you confirm them on Posts
    max_attempts = 5            # tries per delivery for "try later" failures, then failed
    backoff_seconds = 30        # first wait without a Retry-After; doubles per attempt
    backoff_max_seconds = 1800  # the longest wait between two tries
    lease_seconds = 120         # a runner's claim on a delivery, renewed while it sends
    concurrency = 8             # deliveries sent at once by one runner

Every value is checked; a wrong one is a :class:`~providers.errors.SetupError` naming the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from providers import paths
from providers.errors import SetupError

PAST_DUE_CHOICES = ("send", "ask")


@dataclass(frozen=True)
class OutboxConfig:
    release_past_due: str = "send"
    max_attempts: int = 5
    backoff_seconds: float = 30.0
    backoff_max_seconds: float = 1800.0
    lease_seconds: float = 120.0
    concurrency: int = 8

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based) with no Retry-After."""
        return float(min(self.backoff_max_seconds, self.backoff_seconds * 2 ** max(0, attempt - 1)))


def load(path: Path | None = None) -> OutboxConfig:
    path = path or paths.config_file()
    if not path.exists():
        return OutboxConfig()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SetupError(f"config file {path} is not valid TOML: {exc}") from None
    table = raw.get("outbox", {})
    if not isinstance(table, dict):
        raise SetupError(f"[outbox] in {path} must be a table")
    known = {f.name: f for f in fields(OutboxConfig)}
    values: dict[str, object] = {}
    for key, value in table.items():
        if key not in known:
            raise SetupError(f"[outbox] {key} in {path} is not a setting; known: {', '.join(known)}")
        values[key] = _checked(key, value, path)
    return OutboxConfig(**values)  # type: ignore[arg-type]


def _checked(key: str, value: object, path: Path) -> object:
    where = f"[outbox] {key} in {path}"
    if key == "release_past_due":
        if value not in PAST_DUE_CHOICES:
            raise SetupError(f'{where} must be "send" or "ask", not {value!r}')
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SetupError(f"{where} must be a number, not {value!r}")
    if key in ("max_attempts", "concurrency"):
        if not isinstance(value, int) or not 1 <= value <= 1000:
            raise SetupError(f"{where} must be a whole number from 1 to 1000, not {value!r}")
        return value
    if not 0 <= value <= 7 * 24 * 3600:
        raise SetupError(f"{where} must be between 0 and 604800 seconds, not {value!r}")
    if key == "lease_seconds" and value < 10:
        raise SetupError(f"{where} must be at least 10 seconds, not {value!r}")
    return float(value)
