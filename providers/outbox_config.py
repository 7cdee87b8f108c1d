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
    send_from_app = true        # whether the TUI sends due posts itself; default: true on the
                                # SQLite store, false on a PostgreSQL one (`linkdeck worker`s send)

Every value is checked (:mod:`providers.config_file`); a wrong one is a
:class:`~providers.errors.SetupError` naming the key; an unknown key is a warning in ``doctor``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from providers import config_file, paths


@dataclass(frozen=True)
class OutboxConfig:
    release_past_due: str = "send"
    max_attempts: int = 5
    backoff_seconds: float = 30.0
    backoff_max_seconds: float = 1800.0
    lease_seconds: float = 120.0
    concurrency: int = 8
    # None: the store's engine decides (sends_from_app).
    send_from_app: bool | None = None

    def sends_from_app(self, engine: str) -> bool:
        """Whether the TUI runs its own sender on a store of this engine. A team's PostgreSQL store
        has its workers (several people may open the TUI on it; each sending would be surprising),
        so there the app only shows deliveries unless ``send_from_app = true``."""
        return self.send_from_app if self.send_from_app is not None else engine == "sqlite"

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based) with no Retry-After."""
        return float(min(self.backoff_max_seconds, self.backoff_seconds * 2 ** max(0, attempt - 1)))


def load(path: Path | None = None) -> OutboxConfig:
    """``[outbox]``, each value checked by :data:`providers.config_file.SCHEMA`."""
    values = config_file.load(path or paths.config_file()).section("outbox")
    typed: dict[str, Any] = {k: float(v) if k.endswith("_seconds") else v for k, v in values.items()}
    return OutboxConfig(**typed)
