"""``linkdeck check [FILE...] [--to N,N] [--caption TEXT] [--json]``: media and caption verdicts.

Decisions the spec leaves open, made here:

- The files form one post (as with ``linkdeck post``), so post rules apply across them: X's fifth
  photo gets ``too_many_images``. Each file still gets its own entry per network.
- Without ``--to`` every network whose availability is "available" is judged; legacy or
  unavailable ones (Foursquare) only when named in ``--to``. An unknown id exits 2 and lists the
  known ids.
- Caption entries appear only when ``--caption`` is given (``--caption ""`` checks an empty one).
- Without a file the caption is judged as a text-only post's, as ``linkdeck post`` takes no file
  for a text post: the text-post limit applies, and a network that cannot post text alone fails.
  Neither a file nor ``--caption`` is a usage error (exit 2): there would be nothing to check.
- Unreadable files (missing, empty, broken, not media, decompression bombs) don't stop the check:
  the readable ones are judged, and each unreadable one is listed under the document's top-level
  ``errors`` (``{"file", "code", "message"}``) and on stderr. The exit code is the contract:
  2 when any input was unreadable, else 1 when any verdict failed, else 0.
- ``fixes`` entries are ``{"fix", "params", "label", "resolves"}``; ``resolves`` may name advice
  that does not fail the verdict (``location_metadata``, ``colour_mode``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from providers import catalog
from providers.captions import CaptionCount, count
from providers.errors import MediaError, UsageError
from providers.media import MediaInfo, Problem, Verdict, inspect, judge_post
from providers.media.units import aspect_name, duration_name, megapixels, size_name
from providers.spec import Availability, NetworkSpec


def _networks(to: str | None) -> list[NetworkSpec]:
    specs = catalog.all_networks()
    if to is None:
        return [s for s in specs if s.availability is Availability.AVAILABLE]
    wanted = list(dict.fromkeys(part.strip() for part in to.split(",") if part.strip()))
    unknown = [w for w in wanted if catalog.find(w) is None]
    if unknown or not wanted:
        what = f"unknown network id(s) in --to: {', '.join(unknown)}" if unknown else "--to names no network"
        raise UsageError(what, hint="Known network ids: " + ", ".join(s.id for s in specs))
    return list({spec.id: spec for spec in map(catalog.get, wanted)}.values())


def _media_entry(spec: NetworkSpec, file: str, verdict: Verdict) -> dict[str, Any]:
    return {
        "network": spec.id,
        "subject": "media",
        "file": file,
        "ok": verdict.ok,
        "problems": [p.to_json() for p in verdict.problems],
        "fixes": [f.to_json() for f in verdict.fixes],
    }


def _caption_entry(result: CaptionCount) -> dict[str, Any]:
    return {
        "network": result.network,
        "subject": "caption",
        "ok": result.ok,
        "problems": [p.to_json() for p in result.problems],
        "fixes": [],
        "count": result.count,
        "limit": result.limit,
    }


def _post_entry(spec: NetworkSpec, problems: tuple[Problem, ...]) -> dict[str, Any]:
    return {
        "network": spec.id,
        "subject": "post",
        "ok": False,
        "problems": [p.to_json() for p in problems],
        "fixes": [],
    }


def _print_refusals(refusals: dict[str, list[str]], specs: list[NetworkSpec]) -> None:
    names = {s.id: s.name for s in specs}
    width = max((len(s.name) for s in specs), default=8) + 2
    if refusals:
        print("the post as a whole:")
    for network, messages in refusals.items():
        for n, message in enumerate(messages):
            print(f"  {names[network] if n == 0 else '':<{width}}FAIL  {message}")


def _facts(info: MediaInfo) -> str:
    size = f"{info.width}×{info.height}"
    if info.kind.value == "video":
        extra = [info.codec, duration_name(info.duration) if info.duration is not None else "?"]
        if info.fps:
            extra.append(f"{info.fps:g} fps")
        extra.append(f"audio {info.audio_codec}" if info.audio_codec else "no audio")
        shape = f"{size} ({aspect_name(info.aspect)})"
        return f"{info.format.upper()} video {shape}, {', '.join(extra)}, {size_name(info.bytes)}"
    frames = f", {info.frames} frames" if info.frames > 1 else ""
    return (
        f"{info.format.upper()} {size} ({megapixels(info.pixels)}, {aspect_name(info.aspect)}), "
        f"{size_name(info.bytes)}, {info.colour}{frames}"
    )


def _print_human(
    files: list[tuple[str, MediaInfo]],
    verdicts: dict[str, list[Verdict]],
    captions: list[CaptionCount],
    specs: list[NetworkSpec],
    caption: str | None,
) -> None:
    width = max((len(s.name) for s in specs), default=8) + 2
    for index, (file, info) in enumerate(files):
        print(f"{file}: {_facts(info)}")
        for spec in specs:
            verdict = verdicts[spec.id][index]
            if verdict.ok:
                print(f"  {spec.name:<{width}}ok")
            for n, problem in enumerate(verdict.problems):
                label, status = (spec.name, "FAIL") if n == 0 else ("", "    ")
                print(f"  {label:<{width}}{status}  {problem.message}")
            for note in verdict.advice:
                print(f"  {'':<{width}}note  {note.message}")
            for fix in verdict.fixes:
                print(f"  {'':<{width}}fix   {fix.label}")
        print()
    if caption is not None:
        shown = caption if len(caption) <= 40 else caption[:39] + "…"
        print(f"{'caption' if files else 'text post'} “{shown}”:")
        for result in captions:
            name = catalog.get(result.network).name
            counter = (
                f"{result.count:,}/{result.limit:,}" if result.limit is not None else f"{result.count:,}"
            )
            print(f"  {name:<{width}}{'ok  ' if result.ok else 'FAIL'}  {counter} {result.unit}")
            for problem in result.problems:
                print(f"  {'':<{width}}      {problem.message}")


def _without_staging(specs: list[NetworkSpec]) -> set[str]:
    """The networks that fetch photos from an address (their publisher stages media), when no
    media staging is set up: a photo to them would be refused before anything is sent."""
    from providers import networks
    from providers.errors import LinkdeckError
    from providers.settings import load
    from providers.staging import staging_for
    from providers.vault import Vault

    staging = [
        s.id for s in specs if (m := networks.part(s.id, networks.PUBLISH)) and m.PUBLISHER.stages_media
    ]
    if not staging:
        return set()
    try:
        settings = load()
        ready = staging_for(settings, Vault(settings)) is not None
    except LinkdeckError:
        ready = False
    return set() if ready else set(staging)


def check(args: argparse.Namespace) -> int:
    """Judge the files (and caption) against the networks; returns the exit code."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")  # a non-UTF-8 terminal must not turn "×" into a traceback
    if not args.files and args.caption is None:
        raise UsageError(
            "check needs a FILE to judge, or --caption TEXT to check a text post",
            hint='e.g. linkdeck check photo.jpg --to mastodon, or linkdeck check --to x --caption "Hello"',
        )
    specs = _networks(args.to)
    readable: list[tuple[str, MediaInfo]] = []
    errors: list[dict[str, str]] = []
    for file in args.files:
        try:
            readable.append((file, inspect(file)))
        except MediaError as exc:
            errors.append({"file": file, "code": exc.code, "message": str(exc)})
    results: list[dict[str, Any]] = []
    verdicts: dict[str, list[Verdict]] = {}
    captions: list[CaptionCount] = []
    refusals: dict[str, list[str]] = {}  # rules about the whole post (a network that needs media)
    infos = [info for _, info in readable]
    unstaged = _without_staging(specs) if infos else set()
    for spec in specs:
        post = judge_post(infos, spec) if infos or not args.files else None
        verdicts[spec.id] = list(post.items) if post else []
        for (file, _), verdict in zip(readable, verdicts[spec.id], strict=True):
            results.append(_media_entry(spec, file, verdict))
        whole = list(post.problems) if post is not None else []
        # Staging is named only for what would be sent otherwise (as the runner decides it).
        if spec.id in unstaged and not whole and all(v.ok for v in verdicts[spec.id]):
            from providers.staging import not_set_up

            whole.append(Problem("staging_not_set_up", not_set_up(spec.name)))
        if whole:
            refusals[spec.id] = [p.message for p in whole]
            results.append(_post_entry(spec, tuple(whole)))
        if args.caption is not None:
            result = count(args.caption, spec, has_media=bool(args.files))
            captions.append(result)
            results.append(_caption_entry(result))
    if args.json:
        print(json.dumps({"results": results, "errors": errors}, indent=2, ensure_ascii=False))
    else:
        _print_human(readable, verdicts, captions, specs, args.caption)
        _print_refusals(refusals, specs)
    for error in errors:
        print(f"linkdeck: {error['message']}", file=sys.stderr)
    if errors:
        return 2
    return 0 if all(entry["ok"] for entry in results) else 1
