"""The "not in this version" path, kept while every network in the catalog is built: the next
network added starts on it. A stand-in (tests/support/unbuilt.py) has no link, publish or sandbox
part; what a person sees of it in `networks`, `link` and `post` is checked in this process."""

from __future__ import annotations

import json

import pytest

from providers import catalog
from providers.settings import env_key
from providers.spec import Availability
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


def test_a_client_id_never_makes_it_look_linkable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Setting up a developer app (its client id) is not what an unbuilt network lacks: the card
    still says "not in this version", where the same client id makes the built one available."""
    app_network = next(
        s
        for s in reversed(catalog.all_networks())
        if s.capabilities.needs_developer_app and s.availability is Availability.AVAILABLE
    )

    def status() -> str:
        assert main(["networks", "--json"]) == 0
        rows = json.loads(capsys.readouterr().out)["networks"]
        found: str = {r["id"]: r for r in rows}[app_network.id]["status"]
        return found

    assert status() == "needs_setup"
    monkeypatch.setenv(env_key(app_network.id, "client_id"), "my-app")
    with pretend_unbuilt(app_network.id):
        assert status() == "not_in_this_version"
    assert status() == "available"  # the same client id is the set-up the built network needed


def test_the_stand_in_is_whole_again_after_the_block() -> None:
    from providers import networks

    with pretend_unbuilt(SPEC.id):
        assert not networks.can_link(SPEC.id)
    assert networks.can_link(SPEC.id) and networks.can_publish(SPEC.id)
