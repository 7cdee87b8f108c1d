"""Numbers as people read them in verdict messages: sizes, aspect ratios, durations, megapixels.

Networks state their rules in these terms ("4:5", "2 MB", "2:20"), so messages quote them the same
way; where a rounded size would read the same as the limit, exact bytes are shown instead.
"""

from __future__ import annotations

# Ratios people know by name, in the orientation they are usually written.
_NAMED_RATIOS: tuple[tuple[float, float], ...] = (
    (1, 1),
    (4, 5),
    (5, 4),
    (3, 4),
    (4, 3),
    (2, 3),
    (3, 2),
    (9, 16),
    (16, 9),
    (1.91, 1),
    (1, 1.91),
    (2, 1),
    (1, 2),
    (3, 1),
    (1, 3),
    (21, 9),
    (9, 21),
    (2.4, 1),
    (1, 2.4),
    (10, 1),
    (1, 10),
    (20, 1),
    (1, 20),
)


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def aspect_name(ratio: float) -> str:
    """``0.5625`` → ``"9:16"``, ``1.91`` → ``"1.91:1"``, ``0.7`` → ``"1:1.43"``."""
    if ratio <= 0:
        return "?"
    for w, h in _NAMED_RATIOS:
        if abs(ratio - w / h) <= 0.005 * (w / h):
            return f"{_num(w)}:{_num(h)}"
    return f"{_num(ratio)}:1" if ratio >= 1 else f"1:{_num(1 / ratio)}"


def size_name(n: int) -> str:
    """A byte count as its owner would write it: ``2 MB``, ``16 MiB``, ``5.1 MB``, ``830 KB``."""
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0 and n % 1_000_000:
        return f"{n // (1024 * 1024):,} MiB"
    if n >= 1_000_000_000:
        return f"{_num(n / 1e9)} GB" if n % 100_000_000 else f"{n / 1e9:g} GB"
    if n >= 1_000_000:
        return f"{n / 1e6:g} MB" if n % 100_000 == 0 else f"{n / 1e6:.1f} MB"
    if n >= 1024 and n % 1024 == 0 and n % 1000:
        return f"{n // 1024:,} KiB"
    if n >= 1000:
        return f"{round(n / 1000):,} KB"
    return f"{n} bytes"


def sizes_compared(actual: int, limit: int) -> tuple[str, str]:
    """Both sizes, with exact bytes when rounding would make them look equal."""
    a, b = size_name(actual), size_name(limit)
    if a == b:
        return f"{actual:,} bytes", f"{limit:,} bytes"
    return a, b


def duration_name(seconds: float) -> str:
    """``2.5`` → ``"2.5 s"``, ``140`` → ``"2:20"``, ``3725`` → ``"1:02:05"``."""
    if seconds < 60:
        return f"{_num(seconds)} s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def megapixels(pixels: int) -> str:
    return f"{pixels / 1e6:.1f} MP"
