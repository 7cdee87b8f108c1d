"""Reading the recorded Mastodon responses in tests/fixtures/recorded/mastodon/ (vcrpy cassettes
recorded by Mastodon.py against a real Mastodon server, copied from the shared recordings so a
clone of the project alone passes; provenance in that folder's SOURCES.md, licence (MIT) in its
LICENSE.md, halcy/Mastodon.py@b9f2eff).

Why a reader of our own: PyYAML is not a linkdeck dependency. vcrpy writes one regular shape, so
this reads exactly what the tests need from each interaction: method, URI, status code and the
response body (single- or double-quoted YAML scalars, folded over several lines).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RECORDED = Path(__file__).resolve().parent / "fixtures/recorded/mastodon"
CASSETTES = RECORDED / "Mastodon.py"


@dataclass(frozen=True)
class Interaction:
    method: str
    uri: str
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def interactions(name: str) -> list[Interaction]:
    """The interactions of one cassette, e.g. ``interactions("test_verify_credentials.yaml")``."""
    lines = (CASSETTES / name).read_text(encoding="utf-8").splitlines()
    found: list[dict[str, object]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("- request:"):
            found.append({})
        elif found and line.startswith("    method: "):
            found[-1]["method"] = line.split(": ", 1)[1].strip()
        elif found and line.startswith("    uri: "):
            found[-1]["uri"] = line.split(": ", 1)[1].strip()
        elif found and line.startswith("      string: "):
            found[-1]["body"], index = _scalar(lines, index, len("      string: "))
        elif found and line.startswith("      code: "):
            found[-1]["status"] = int(line.split(": ", 1)[1])
        index += 1
    return [
        Interaction(str(i["method"]), str(i["uri"]), int(str(i["status"])), str(i.get("body", "")))
        for i in found
    ]


def find(name: str, method: str, path_end: str, status: int | None = None) -> Interaction:
    """The first interaction of ``name`` whose URI path ends with ``path_end``."""
    for interaction in interactions(name):
        uri_path = interaction.uri.split("?")[0].rstrip("/")
        if (
            interaction.method == method
            and uri_path.endswith(path_end)
            and (status is None or interaction.status == status)
        ):
            return interaction
    raise LookupError(f"{name}: no {method} …{path_end} ({status})")


def _scalar(lines: list[str], index: int, start: int) -> tuple[str, int]:
    text = lines[index][start:]
    if not text.startswith(("'", '"')):
        return text.strip(), index
    quote, rest, out = text[0], text[1:], []
    while True:
        position = 0
        while position < len(rest):
            char = rest[position]
            if quote == "'" and char == "'":
                if rest[position + 1 : position + 2] == "'":
                    out.append("'")
                    position += 2
                    continue
                return "".join(out), index
            if quote == '"' and char == "\\":
                if position == len(rest) - 1:  # escaped line break: join without a space
                    break
                out.append(rest[position : position + 2])
                position += 2
                continue
            if quote == '"' and char == '"':
                return json.loads('"' + "".join(out) + '"'), index
            out.append(char)
            position += 1
        escaped_break = quote == '"' and rest.endswith("\\") and not rest.endswith("\\\\")
        index += 1
        rest = lines[index].strip()
        if not escaped_break:
            out.append(" " if rest else "\n")
