"""Fixes: each one writes a NEW file and returns its path; the original is never touched.

The fixes, by kind: what the picture shows (:mod:`.geometry`: ``crop``, ``pad``, ``resize``) and
how it is stored (:mod:`.encoding`: ``convert_to_jpeg``, ``compress_under``, ``strip_location``);
where their files go and how they are written is :mod:`.output`. This module runs them from a
verdict: :func:`apply` one :class:`~providers.media.model.Fix`, :func:`plan` one per problem in
the order they should run, :func:`apply_all` that plan.

Every output honours the EXIF orientation (pixels are turned upright and the tag reset to 1) and
is converted to sRGB when the source has another ICC profile (a CMYK print profile, Display P3).
Other EXIF (camera, date) is kept; the GPS position is kept unless ``strip_location`` is asked for.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from providers.media.fixes.encoding import compress_under, convert_to_jpeg, strip_location
from providers.media.fixes.geometry import crop, pad, resize
from providers.media.fixes.output import fixed_dir
from providers.media.model import Fix, Verdict

# The order fixes are applied in by apply_all: format first, then geometry, then size in bytes.
STAGES = ("convert_to_jpeg", "strip_location", "crop", "pad", "resize", "compress_under")

FUNCTIONS: dict[str, Callable[..., Path]] = {
    "crop": crop,
    "pad": pad,
    "resize": resize,
    "convert_to_jpeg": convert_to_jpeg,
    "compress_under": compress_under,
    "strip_location": strip_location,
}


def apply(path: str | os.PathLike[str], fix: Fix, *, out_dir: Path | None = None) -> Path:
    """Run one :class:`Fix` from a verdict; returns the new file."""
    try:
        function = FUNCTIONS[fix.function]
    except KeyError:
        raise ValueError(f"unknown fix {fix.function!r}; known: {', '.join(FUNCTIONS)}") from None
    return function(Path(path), **fix.params, out_dir=out_dir)


def plan(verdict: Verdict, *, include_advice: bool = False) -> tuple[Fix, ...]:
    """One fix per problem (the first offered: crop before pad), in the order they should run."""
    wanted = {p.code for p in verdict.problems}
    if include_advice:
        wanted |= {a.code for a in verdict.advice}
    chosen: dict[str, Fix] = {}
    for fix in verdict.fixes:
        if fix.resolves in wanted and fix.resolves not in chosen:
            chosen[fix.resolves] = fix
    unique: dict[tuple[str, str], Fix] = {}
    for fix in chosen.values():
        unique.setdefault((fix.function, repr(sorted(fix.params.items()))), fix)
    return tuple(sorted(unique.values(), key=lambda f: STAGES.index(f.function)))


def apply_all(path: str | os.PathLike[str], fixes: Iterable[Fix], *, out_dir: Path | None = None) -> Path:
    """Run several fixes in sequence, each on the previous one's output; returns the last file.

    Pass :func:`plan`'s result. Intermediate files stay in the fixed folder (they are cached).
    """
    current = Path(path)
    ordered: Sequence[Fix] = sorted(fixes, key=lambda f: STAGES.index(f.function))
    for fix in ordered:
        current = apply(current, fix, out_dir=out_dir)
    return current


__all__ = [
    "FUNCTIONS",
    "STAGES",
    "apply",
    "apply_all",
    "compress_under",
    "convert_to_jpeg",
    "crop",
    "fixed_dir",
    "pad",
    "plan",
    "resize",
    "strip_location",
]
