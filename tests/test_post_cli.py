"""``linkdeck post``, ``queue`` and ``worker`` as a user runs them: each a subprocess, against
``linkdeck sandbox`` in another, on one real SQLite file. Accounts are linked through the real
OAuth flow (in this process: the consent page approved like a browser would)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest

from providers import clock
from providers.store import Account, Store
from tests import media_corpus
from tests.support.cli import run_cli, run_cli_at
from tests.support.linking import link, statuses
from tests.support.processes import SandboxProcess
from tests.support.unbuilt import REAL as UNBUILT

# Run on SQLite and on PostgreSQL (conftest's store_engine).
pytestmark = pytest.mark.both_engines


@pytest.fixture
def alice(sandbox_process: SandboxProcess, linkdeck_home: Path) -> Account:
    with Store.open() as store:
        return link(store, f"{sandbox_process.url}/mastodon.example")


def queue(env: dict[str, str]) -> list[dict[str, Any]]:
    done = run_cli(env, "queue", "--json")
    assert done.returncode == 0, done.stderr
    found: list[dict[str, Any]] = json.loads(done.stdout)["deliveries"]
    return found


def soon(seconds: float) -> str:
    """An ISO-8601 time with an offset, ``seconds`` from now on the machine's clock (what the
    ``linkdeck`` subprocesses read), in +02:00 to show any offset works."""
    from datetime import timezone

    return (clock.now() + timedelta(seconds=seconds)).astimezone(timezone(timedelta(hours=2))).isoformat()


def test_a_photo_post_prints_its_url_and_arrives_with_caption_and_alt_text(
    env: dict[str, str], sandbox_process: SandboxProcess, alice: Account, tmp_path: Path
) -> None:
    photo = media_corpus.jpeg(tmp_path / "harbour.jpg", (800, 600))
    Path(f"{photo}.alt.txt").write_text("Fishing boats in a small harbour\n", encoding="utf-8")
    done = run_cli(env, "post", str(photo), "--to", "mastodon", "--caption", "Harbour, 7 a.m.", "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    [delivery] = document["deliveries"]
    assert document["ok"] is True and document["post"]["descriptions"] == ["Fishing boats in a small harbour"]
    assert (delivery["state"], delivery["network"], delivery["account"]) == ("sent", "mastodon", alice.handle)
    assert delivery["url"].startswith("https://mastodon.example/@alice/")
    status = httpx2.get(f"{alice.instance}/api/v1/statuses/{delivery['remote_post_id']}").json()
    assert status["url"] == delivery["url"] and "Harbour, 7 a.m." in status["content"]
    [media] = status["media_attachments"]
    assert media["description"] == "Fishing boats in a small harbour"
    assert httpx2.get(media["url"]).content == photo.read_bytes()
    [record] = sandbox_process.requests("/api/v1/statuses", "POST")
    assert record["params"]["status"] == "Harbour, 7 a.m."

    human = run_cli(env, "post", "--to", "mastodon", "--caption", "and text only")
    assert human.returncode == 0, human.stderr
    assert human.stdout.startswith("sent ") and "https://mastodon.example/@alice/" in human.stdout


def test_to_refuses_unknown_unlinked_and_unbuilt_networks(
    env: dict[str, str], sandbox_process: SandboxProcess, alice: Account
) -> None:
    for to, message in (
        ("myspace", "unknown network id(s) in --to: myspace"),
        ("pixelfed", "no Pixelfed account is linked; link one with `linkdeck link pixelfed`"),
        ("x", "no X account is linked; link one with `linkdeck link x`"),
        ("mastodon:@nobody", "no linked Mastodon account matches '@nobody'"),
        ("", "--to names no network"),
        *([(UNBUILT.id, f"publishing to {UNBUILT.name} is not built yet")] if UNBUILT else []),
    ):
        done = run_cli(env, "post", "--to", to, "--caption", "hi")
        assert done.returncode == 2, (to, done.stderr)
        assert message in done.stderr and "Traceback" not in done.stderr
    assert queue(env) == []
    picked = run_cli(
        env, "post", "--to", f"mastodon:{alice.handle}", "--caption", "picked by handle", "--json"
    )
    assert picked.returncode == 0, picked.stderr
    by_name = run_cli(env, "post", "--to", "mastodon:alice", "--caption", "picked by name", "--json")
    assert by_name.returncode == 0, by_name.stderr
    assert len(statuses(str(alice.instance))) == 2


def test_media_and_caption_are_checked_before_anything_is_recorded(
    env: dict[str, str], sandbox_process: SandboxProcess, alice: Account, tmp_path: Path
) -> None:
    too_long = run_cli(env, "post", "--to", "mastodon", "--caption", "x" * 501, "--json")
    assert too_long.returncode == 1
    [problem] = json.loads(too_long.stdout)["problems"]
    assert (
        problem["code"] == "caption_too_long"
        and "Mastodon" in problem["message"]
        and "500" in problem["message"]
    )
    assert "Nothing was posted" in too_long.stderr
    broken = media_corpus.truncated_jpeg(tmp_path / "broken.jpg")
    unreadable = run_cli(env, "post", str(broken), "--to", "mastodon")
    assert unreadable.returncode == 2 and "broken.jpg" in unreadable.stderr
    nothing = run_cli(env, "post", "--to", "mastodon")
    assert nothing.returncode == 2 and "nothing to post" in nothing.stderr
    assert queue(env) == [] and sandbox_process.requests("/api/v1/statuses") == []


def test_at_needs_an_offset_and_a_future_time_and_is_stored_in_utc(
    env: dict[str, str], sandbox_process: SandboxProcess, alice: Account
) -> None:
    no_offset = run_cli(env, "post", "--to", "mastodon", "--caption", "x", "--at", "2099-05-01T09:00")
    assert no_offset.returncode == 2 and "no UTC offset" in no_offset.stderr
    past = run_cli(env, "post", "--to", "mastodon", "--caption", "x", "--at", "2020-05-01T09:00+02:00")
    assert past.returncode == 2 and "in the past" in past.stderr
    later = run_cli(
        env, "post", "--to", "mastodon", "--caption", "in May", "--at", "2099-05-01T09:00+02:00", "--json"
    )
    assert later.returncode == 0, later.stderr
    document = json.loads(later.stdout)
    assert document["post"]["scheduled_at"] == "2099-05-01T07:00:00Z"
    assert [d["state"] for d in document["deliveries"]] == ["scheduled"]
    [entry] = queue(env)
    assert (entry["state"], entry["when"], entry["caption"]) == (
        "scheduled",
        "2099-05-01T07:00:00Z",
        "in May",
    )
    assert entry["when_local"] is not None
    shown = run_cli(env, "queue")
    assert "scheduled (1)" in shown.stdout and "in May" in shown.stdout
    # The subprocess's clock frozen (libfaketime), so "in 2h" has one right answer.
    soon = run_cli_at(
        env, "2031-03-01 09:00:00", "post", "--to", "mastodon", "--caption", "soon", "--at", "in 2h"
    )
    assert soon.returncode == 0, soon.stderr
    [entry] = [e for e in queue(env) if e["caption"] == "soon"]
    assert entry["when"] == "2031-03-01T11:00:00Z"
    empty = run_cli(env, "post", "--to", "mastodon", "--caption", "x", "--at", "")
    assert empty.returncode == 2 and "--at is empty" in empty.stderr
    assert sandbox_process.requests("/api/v1/statuses") == []


def test_a_refused_post_exits_1_with_the_reason(
    env: dict[str, str], sandbox_process: SandboxProcess, alice: Account
) -> None:
    body = {"error": "Validation failed: Text contains a forbidden word"}
    sandbox_process.control(
        "POST", "fail", path="/mastodon.example/api/v1/statuses", status=422, times=1, body=body
    )
    done = run_cli(env, "post", "--to", "mastodon", "--caption", "forbidden", "--json")
    assert done.returncode == 1
    [delivery] = json.loads(done.stdout)["deliveries"]
    assert (delivery["state"], delivery["retryable"]) == ("failed", False)
    assert "forbidden word" in delivery["reason"] and delivery["reason"].startswith("Mastodon (")


def test_unlinking_holds_scheduled_posts_and_relinking_sends_each_once(
    env: dict[str, str], sandbox_process: SandboxProcess, alice: Account
) -> None:
    instance = str(alice.instance)
    first = run_cli(env, "post", "--to", "mastodon", "--caption", "already out", "--json")
    assert first.returncode == 0, first.stderr
    [history] = json.loads(first.stdout)["deliveries"]
    for caption in ("morning post", "evening post"):
        scheduled = run_cli(env, "post", "--to", "mastodon", "--caption", caption, "--at", soon(3600))
        assert scheduled.returncode == 0, scheduled.stderr

    unlinked = run_cli(env, "unlink", "mastodon", "--yes")
    assert unlinked.returncode == 0, unlinked.stderr
    assert "2 scheduled post(s) held" in unlinked.stdout
    held = [e for e in queue(env) if e["state"] != "sent"]
    assert [e["state"] for e in held] == ["held", "held"] and all("not linked" in e["reason"] for e in held)

    # Two hours on (the worker's clock moved by libfaketime, not slept for): both are past due.
    worker = run_cli_at(env, "+2h", "worker", "--once")
    assert worker.returncode == 0, worker.stderr
    entries = queue(env)
    assert sorted(e["state"] for e in entries) == ["held", "held", "sent"]
    assert [s["content"] for s in statuses(instance)] == ["<p>already out</p>"]

    with clock.frozen(clock.now() + timedelta(hours=2)), Store.open() as store:
        relinked = link(store, instance)  # two hours on here too
    assert relinked.remote_id == alice.remote_id
    assert {e["state"] for e in queue(env)} == {"scheduled", "sent"}  # released, past due: sent at once
    worker = run_cli_at(env, "+2h", "worker", "--once")
    assert worker.returncode == 0, worker.stderr
    assert "2 sent" in worker.stdout
    again = run_cli_at(env, "+2h", "worker", "--once")
    assert again.returncode == 0 and "nothing was due" in again.stdout

    contents = sorted(s["content"] for s in statuses(instance))
    assert contents == ["<p>already out</p>", "<p>evening post</p>", "<p>morning post</p>"]
    after = {e["id"]: e for e in queue(env)}
    assert {e["state"] for e in after.values()} == {"sent"}
    kept = after[history["id"]]
    assert (kept["url"], kept["remote_post_id"]) == (history["url"], history["remote_post_id"])


def test_queue_json_shows_held_entries_as_held(
    env: dict[str, str], sandbox_process: SandboxProcess, alice: Account
) -> None:
    scheduled = run_cli(env, "post", "--to", "mastodon", "--caption", "waiting", "--at", "2099-01-01T00:00Z")
    assert scheduled.returncode == 0, scheduled.stderr
    assert run_cli(env, "unlink", "mastodon", "--yes").returncode == 0
    [entry] = queue(env)
    assert entry["state"] == "held" and entry["hold_kind"] == "unlinked"
    human = run_cli(env, "queue")
    assert "held (1)" in human.stdout and " held " in human.stdout
