"""Facebook Reels in the sandbox (in this process): a vertical video goes through the Page's
``video_reels`` (start, the bytes to rupload, finish PUBLISHED, the status until ready), never
``/videos``; a Reel Facebook would refuse is refused before anything is sent; the emulator answers
a wrong order, missing headers and a too-short clip the way Graph does; and the refusals map to
what the person can do."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from providers import clock
from providers.errors import PublishError
from providers.networks.facebook.publish import FacebookPublisher
from providers.networks.facebook.spec import SPEC
from providers.store import DeliveryState
from tests.media_corpus import video
from tests.networks.test_facebook_sandbox import Facebook, publish
from tests.networks.test_facebook_sandbox import fb as fb  # the same linked-Facebook fixture

PAGE = "1010000000000001"
GRAPH = "graph.facebook.com"


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FacebookPublisher, "reel_poll_delays", (0.01, 0.01, 0.01))


def reel_calls(fb: Facebook) -> list[tuple[str, str, str]]:
    """(method, host, path) of every video request the sandbox saw, status reads left out."""
    wanted = ("/video_reels", "/video-upload/", "/videos", "/uploads", "/upload:")
    return [
        (r["method"], r["host"], r["path"])
        for r in fb.sandbox.sandbox.requests
        if any(w in r["path"] for w in wanted)
    ]


async def test_a_vertical_video_is_published_as_a_reel_through_video_reels(
    fb: Facebook, tmp_path: Path, frozen_clock: clock.FrozenClock
) -> None:
    await fb.link()
    clip = video(tmp_path / "tide.mp4", (540, 960), seconds=3.2, audio=False)
    done = await publish(fb, "The tide, as a Reel", [str(clip)], frozen_clock)
    assert done.state == DeliveryState.SENT, done.reason
    assert done.url == f"https://www.facebook.com/reel/{done.remote_post_id}"
    video_id = done.remote_post_id
    assert reel_calls(fb) == [
        ("POST", GRAPH, f"/v26.0/{PAGE}/video_reels"),
        ("POST", "rupload.facebook.com", f"/video-upload/v26.0/{video_id}"),
        ("POST", GRAPH, f"/v26.0/{PAGE}/video_reels"),
    ]  # never /videos, where it would land as a draft
    reads = [r for r in fb.sandbox.sandbox.requests if r["path"] == f"/v26.0/{video_id}"]
    assert len(reads) >= 2 and all(r["method"] == "GET" for r in reads)
    start, finish = [r for r in fb.sandbox.sandbox.requests if r["path"].endswith("/video_reels")]
    assert start["params"]["upload_phase"] == "start"
    assert finish["params"] == {
        **{k: v for k, v in finish["params"].items() if k == "appsecret_proof"},
        "upload_phase": "finish",
        "video_id": video_id,
        "video_state": "PUBLISHED",
        "description": "The tide, as a Reel",
    }
    reel = fb.emulator.world.reels[video_id]
    assert (reel.received, reel.size, reel.finished) == (clip.stat().st_size,) * 2 + ("PUBLISHED",)
    assert reel.reads >= 2  # the status was read until ready
    assert [(p.text, p.media) for p in fb.emulator.published()] == [("The tide, as a Reel", 1)]


@pytest.mark.parametrize(
    ("size", "seconds", "words"),
    [
        ((540, 960), 1.0, "Reels last 3 s to 1:30 (this one is 1 s); trim it."),
        ((270, 480), 3.2, "Reels are at least 540 × 960 pixels (this one is 270 × 480)"),
        ((540, 1080), 3.2, "Reels are 9:16 (this one is 540 × 1080)"),
    ],
)
async def test_a_reel_facebook_would_refuse_is_refused_before_anything_is_sent(
    fb: Facebook,
    tmp_path: Path,
    frozen_clock: clock.FrozenClock,
    size: tuple[int, int],
    seconds: float,
    words: str,
) -> None:
    await fb.link()
    clip = video(tmp_path / "short.mp4", size, seconds=seconds, audio=False)
    done = await publish(fb, "Too short", [str(clip)], frozen_clock)
    assert done.state == DeliveryState.FAILED and not done.retryable
    assert "vertical video, which Facebook posts as a Reel" in done.reason
    assert words in done.reason, done.reason
    assert reel_calls(fb) == []  # nothing was sent


async def test_a_landscape_video_is_still_a_page_video(
    fb: Facebook, tmp_path: Path, frozen_clock: clock.FrozenClock
) -> None:
    await fb.link()
    done = await publish(fb, "Wide", [str(video(tmp_path / "wide.mp4", seconds=1.0))], frozen_clock)
    assert done.state == DeliveryState.SENT, done.reason
    assert "/videos/" in (done.url or "")
    assert not [r for r in fb.sandbox.sandbox.requests if r["path"].endswith("/video_reels")]


async def test_the_emulator_answers_the_reel_flow_strictly(fb: Facebook, tmp_path: Path) -> None:
    _, token = await fb.linked_page()
    page_token = token["page_tokens"][PAGE]
    base = f"{fb.sandbox.url}/{GRAPH}/v26.0"
    auth = {"Authorization": f"Bearer {page_token}"}
    clip = video(tmp_path / "short.mp4", (540, 960), seconds=1.0, audio=False).read_bytes()
    async with httpx2.AsyncClient() as client:
        user = await client.post(
            f"{base}/{PAGE}/video_reels",
            data={"upload_phase": "start"},
            headers={"Authorization": f"Bearer {token['access_token']}"},
        )
        assert user.json()["error"]["code"] == 200  # the user's token may not publish as the Page
        started = await client.post(
            f"{base}/{PAGE}/video_reels", data={"upload_phase": "start"}, headers=auth
        )
        video_id, upload_url = started.json()["video_id"], started.json()["upload_url"]
        assert upload_url == f"https://rupload.facebook.com/video-upload/v26.0/{video_id}"
        finish = {"upload_phase": "finish", "video_id": video_id, "video_state": "PUBLISHED"}
        early = await client.post(f"{base}/{PAGE}/video_reels", data=finish, headers=auth)
        assert (
            early.json()["error"]["code"] == 100 and "not been uploaded" in early.json()["error"]["message"]
        )
        rupload = f"{fb.sandbox.url}/rupload.facebook.com/video-upload/v26.0/{video_id}"
        headerless = await client.post(
            rupload, content=clip, headers={"Authorization": f"OAuth {page_token}"}
        )
        assert headerless.status_code == 400
        assert "Offset" in headerless.json()["debug_info"]["message"]
        bearer = await client.post(
            rupload, content=clip, headers={**auth, "offset": "0", "file_size": str(len(clip))}
        )
        assert "OAuth" in bearer.json()["debug_info"]["message"]
        sent = await client.post(
            rupload,
            content=clip,
            headers={"Authorization": f"OAuth {page_token}", "offset": "0", "file_size": str(len(clip))},
        )
        assert sent.json() == {"success": True}
        status = await client.get(f"{base}/{video_id}", params={"fields": "status"}, headers=auth)
        assert status.json()["status"]["uploading_phase"] == {
            "status": "complete",
            "bytes_transferred": len(clip),
        }
        stateless = await client.post(
            f"{base}/{PAGE}/video_reels", data={**finish, "video_state": ""}, headers=auth
        )
        assert "video_state" in stateless.json()["error"]["message"]
        short = await client.post(f"{base}/{PAGE}/video_reels", data=finish, headers=auth)
        assert short.json()["error"]["code"] == 100 and "3 to 90 seconds" in short.json()["error"]["message"]
    assert fb.emulator.published() == []


def graph_answer(status: int, body: object) -> httpx2.Response:
    import json

    return httpx2.Response(
        status, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )


@pytest.mark.parametrize(
    ("body", "what", "kind", "words"),
    [
        (
            {"error": {"message": "(#100) Reels must be 3 to 90 seconds long", "code": 100}},
            "publishing the Reel",
            "fix_media",
            "3 to 90 seconds",
        ),
        (
            {"error": {"message": "Error validating access token", "code": 190, "error_subcode": 463}},
            "publishing the Reel",
            "reconnect",
            "link the account again",
        ),
        (
            {"error": {"message": "(#368) You're posting too fast", "code": 368, "error_subcode": 1390008}},
            "starting the Reel's upload",
            "try_later",
            "too fast",
        ),
        (
            {"debug_info": {"type": "ParameterValidationError", "message": "Header Offset not convertable"}},
            "uploading tide.mp4",
            "fix_media",  # a 400 on the upload itself: classify blames the file, with rupload's words
            "Header Offset",
        ),
        (
            {"error": {"message": "(#200) Requires pages_manage_posts permission", "code": 200}},
            "publishing the Reel",
            "reconnect",
            "pages_manage_posts",
        ),
    ],
)
def test_reel_refusals_map_to_what_to_do(body: object, what: str, kind: str, words: str) -> None:
    publisher = FacebookPublisher(SPEC, httpx2.AsyncClient())
    refuse = publisher.reel_upload("Facebook (Harbour Photo Co.)").refuse
    found = refuse(graph_answer(400, body), what, "publishing" in what)
    assert isinstance(found, PublishError)
    assert found.kind == kind, found.message
    assert words in found.message, found.message


def test_processing_errors_name_the_video_as_the_problem() -> None:
    upload = FacebookPublisher(SPEC, httpx2.AsyncClient()).reel_upload("Facebook (Tide Club)")
    words = upload.processing_failed({"status": "error", "errors": [{"code": 1, "message": "Bad audio."}]})
    assert words.startswith("Facebook (Tide Club) could not process the Reel (Bad audio)")
    assert "9:16, 3 to 90 seconds" in words


async def test_a_reel_upload_resumes_from_where_it_broke(
    fb: Facebook, tmp_path: Path, frozen_clock: clock.FrozenClock
) -> None:
    from providers.sandbox.server import Fault

    await fb.link()
    clip = video(tmp_path / "tide.mp4", (540, 960), seconds=3.2, audio=False)
    assert clip.stat().st_size > 4000
    fb.sandbox.sandbox.faults.append(Fault("/video-upload/*", method="POST", drop_after_bytes=3000))
    done = await publish(fb, "Resumed", [str(clip)], frozen_clock)
    assert done.state == DeliveryState.SENT, done.reason
    calls = [
        (r["method"], r["status"])
        for r in fb.sandbox.sandbox.requests
        if "/video-upload/" in r["path"] or r["path"] == f"/v26.0/{done.remote_post_id}"
    ]
    assert calls[:3] == [("POST", "dropped"), ("GET", 200), ("POST", 200)]  # on from bytes_transferred
    reel = fb.emulator.world.reels[done.remote_post_id]
    assert reel.received == reel.size == clip.stat().st_size  # every byte, once
