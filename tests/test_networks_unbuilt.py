"""The "not in this version" path, kept while every network in the catalog is built: the next
network added starts on it. A stand-in (tests/support/unbuilt.py) has no link, publish or sandbox
part; what a person sees of it in `networks`, `link` and `post` is checked in this process."""

from __future__ import annotations

import json

import pytest

from tests.support.unbuilt import pretend_unbuilt, unbuilt_network
from tui.cli import main

SPEC = unbuilt_network()


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pretend_unbuilt(SPEC.id):
        code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_networks_says_not_in_this_version_before_any_set_up(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "networks", "--json")
    row = {r["id"]: r for r in json.loads(out)["networks"]}[SPEC.id]
    assert code == 0 and row["status"] == "not_in_this_version"
    assert row["status_reason"] == f"Linking {SPEC.name} is not in this version of linkdeck."


def test_link_and_post_refuse_it_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "link", SPEC.id, "--no-browser")
    assert code == 2 and f"Linking {SPEC.name} is not in this version of linkdeck" in err
    code, _, err = _run(capsys, "post", "--to", SPEC.id, "--caption", "hi")
    assert code == 2 and f"publishing to {SPEC.name} is not built yet" in err


def test_the_stand_in_is_whole_again_after_the_block() -> None:
    from providers import networks

    with pretend_unbuilt(SPEC.id):
        assert not networks.can_link(SPEC.id)
    assert networks.can_link(SPEC.id) and networks.can_publish(SPEC.id)
