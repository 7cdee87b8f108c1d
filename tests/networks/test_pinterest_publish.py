"""Publishing Pins against the emulation, through the outbox: the limits at, inside and one over
(title 100, description 800, alt text 500, link 2,048), the error codes (29: Trial access, in
words), image Pins as streamed base64, carousels, video Pins (register, S3 form upload, poll,
cover), and formats Pinterest's base64 route cannot take refused before anything is sent."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx2
import pytest
from PIL import Image

from providers import clock
from providers.errors import PublishError
from providers.linking.steps import Linked
from providers.networks.pinterest import publish as pinterest
from providers.networks.pinterest import video
from providers.networks.pinterest.media import CHUNK_SIZE, Base64Json, encoded_length
from providers.networks.pinterest.sandbox import PinterestServer
from providers.networks.pinterest.spec import SPEC
from providers.outbox.runner import run_due
from providers.sandbox import Running
from providers.settings import Settings
from providers.store import Account, Delivery, DeliveryState, Post, Store
from providers.vault import Vault
from tests import media_corpus
from tests.networks.pinterest_support import emulator, link, settings

__all__ = ["emulator", "settings"]  # fixtures


def post_of(caption: str, description: str = "") -> Post:
    from tests.conftest import FIXED_NOW  # the post's times are not what is checked here

    return Post(1, caption, ["x.jpg"], None, FIXED_NOW, FIXED_NOW, descriptions=[description])


# Limits ------------------------------------------------------------------------------------------


def test_the_title_is_the_first_line_up_to_100_characters() -> None:
    for length in (99, 100):
        title, body, _ = pinterest.pin_text(post_of("t" * length + "\nrest"), "Pinterest")
        assert (title, body) == ("t" * length, "rest")
    words = " ".join(["harbour"] * 13)  # 103 characters
    title, body, _ = pinterest.pin_text(post_of(words), "Pinterest")
    assert len(title) <= 100 and title.endswith("…") and body == words  # nothing is lost


def test_the_description_is_at_most_800_characters() -> None:
    for length in (799, 800):
        _, body, _ = pinterest.pin_text(post_of("Title\n" + "d" * length), "Pinterest")
        assert len(body) == length
    with pytest.raises(PublishError) as refused:
        pinterest.pin_text(post_of("Title\n" + "d" * 801), "Pinterest")
    assert refused.value.kind == "fix_media" and "at most 800" in refused.value.message
    assert "Pinterest" in refused.value.message


def test_the_alt_text_is_at_most_500_characters() -> None:
    for length in (499, 500):
        assert pinterest.pin_text(post_of("T", "a" * length), "Pinterest")[2] == "a" * length
    assert pinterest.pin_text(post_of("T", "  "), "Pinterest")[2] is None
    with pytest.raises(PublishError, match="alt text must be at most 500"):
        pinterest.pin_text(post_of("T", "a" * 501), "Pinterest")


def test_the_link_is_the_first_address_up_to_2048_characters() -> None:
    base = "https://example.org/"
    for length in (2047, 2048):
        url = base + "p" * (length - len(base))
        assert pinterest.first_link(f"See {url}. And https://other.example") == url
    assert pinterest.first_link(f"See {base + 'p' * (2049 - len(base))}") is None
    assert pinterest.first_link("No address here") is None


def test_the_spec_says_what_pins_take() -> None:
    assert SPEC.media.text_only is False and SPEC.media.image_formats == ("jpeg", "png")
    assert SPEC.caption.title_max_length == 100 and SPEC.caption.max_length == 800
    assert SPEC.capabilities.provider_revoke is False and SPEC.capabilities.refresh is True


# Error codes -------------------------------------------------------------------------------------


def answer(status: int, body: object) -> httpx2.Response:
    return httpx2.Response(
        status, json=body, request=httpx2.Request("POST", "https://api.pinterest.com/v5/pins")
    )


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (403, {"code": 29, "message": "Apps with Trial access may not create Pins in production"}, "refused"),
        (401, {"code": 2, "message": "Authentication failed."}, "reconnect"),
        (429, {"code": 8, "message": "Rate limited"}, "try_later"),
        (400, {"code": 1, "message": "title: too long"}, "fix_media"),
        (500, {"code": 0, "message": "oops"}, "try_later"),
    ],
)
def test_error_codes_become_what_the_user_can_do(status: int, body: dict[str, object], kind: str) -> None:
    publisher = pinterest.PinterestPublisher(SPEC, httpx2.AsyncClient())
    response = answer(status, body)
    assert publisher.error_code(response) == str(body["code"])
    error = publisher.refused(response, "Pinterest", "creating the Pin")
    assert error.kind == kind and "Pinterest" in error.message
    if body["code"] == 29:
        assert "Trial access" in error.message and "Standard access" in error.message
    assert publisher.error_code(answer(400, {"message": "no code"})) is None
    assert publisher.error_code(answer(400, {"code": True})) is None


def test_a_refused_video_upload_is_tried_again_not_a_reconnect() -> None:
    request = httpx2.Request("POST", "https://pinterest-media-upload.s3-accelerate.amazonaws.com/")
    denied = httpx2.Response(403, text="<Error><Code>AccessDenied</Code></Error>", request=request)
    error = video.upload_refused(denied, "Pinterest", "uploading tide.mp4")
    assert error.kind == "try_later" and "AccessDenied" in error.message and "Pinterest" in error.message
    busy = video.upload_refused(httpx2.Response(503, text="", request=request), "Pinterest", "uploading")
    assert busy.kind == "try_later"


# Through the outbox, against the emulator ----------------------------------------------------------


async def linked(settings: Settings, store: Store, vault: Vault) -> Account:
    done = await link(settings, store, vault)
    assert isinstance(done, Linked) and done.account is not None
    return done.account


async def send(
    store: Store, vault: Vault, account: Account, caption: str, media: list[Path], now: clock.FrozenClock
) -> Delivery:
    post = store.create_post(caption, [str(m) for m in media], None)
    delivery = store.add_delivery(post.id, account)
    await run_due(store, vault, clock=now)
    done = store.delivery(delivery.id)
    assert done is not None
    return done


def created(sandbox: Running) -> list[dict[str, object]]:
    return [r for r in sandbox.sandbox.requests if r["path"] == "/v5/pins" and r["method"] == "POST"]


async def test_trial_access_is_explained_in_words(
    settings: Settings, store: Store, vault: Vault, emulator: PinterestServer, tmp_path: Path,
    frozen_clock: clock.FrozenClock,
) -> None:  # fmt: skip
    account = await linked(settings, store, vault)
    emulator.configure({"trial_access": True})
    photo = media_corpus.jpeg(tmp_path / "a.jpg", (600, 900))
    done = await send(store, vault, account, "Harbour", [photo], frozen_clock)
    assert done.state == DeliveryState.FAILED and done.reason
    assert "(29: Apps with Trial access may not create Pins in production" in done.reason
    assert "apply for Standard access" in done.reason.replace("Apply", "apply")
    assert emulator.published() == []


async def test_a_carousel_of_same_size_images(
    settings: Settings, store: Store, vault: Vault, emulator: PinterestServer, sandbox: Running,
    tmp_path: Path, frozen_clock: clock.FrozenClock,
) -> None:  # fmt: skip
    account = await linked(settings, store, vault)
    photos = [media_corpus.jpeg(tmp_path / f"{n}.jpg", (600, 900)) for n in range(3)]
    done = await send(store, vault, account, "Three tides", photos, frozen_clock)
    assert done.state == DeliveryState.SENT and done.url, done.reason
    [pin] = emulator.published()
    assert (pin.text, pin.media) == ("Three tides", 3)
    [create] = created(sandbox)
    source = create["params"]["media_source"]  # type: ignore[index]
    assert source == "<dict>"  # files stay out of the request record
    assert emulator.state.pins[0].media_type == "multiple_images"


async def test_a_carousel_of_different_sizes_is_refused_before_the_pin(
    settings: Settings, store: Store, vault: Vault, emulator: PinterestServer, sandbox: Running,
    tmp_path: Path, frozen_clock: clock.FrozenClock,
) -> None:  # fmt: skip
    account = await linked(settings, store, vault)
    photos = [
        media_corpus.jpeg(tmp_path / "a.jpg", (600, 900)),
        media_corpus.jpeg(tmp_path / "b.jpg", (900, 600)),
    ]
    done = await send(store, vault, account, "Two", photos, frozen_clock)
    assert done.state == DeliveryState.FAILED and "same width and height" in (done.reason or "")
    assert created(sandbox) == []


async def test_a_gif_is_refused_before_anything_is_sent(
    settings: Settings, store: Store, vault: Vault, emulator: PinterestServer, sandbox: Running,
    tmp_path: Path, frozen_clock: clock.FrozenClock,
) -> None:  # fmt: skip
    account = await linked(settings, store, vault)
    gif = tmp_path / "still.gif"
    Image.new("RGB", (600, 900), "teal").save(gif)
    done = await send(store, vault, account, "A GIF", [gif], frozen_clock)
    assert done.state == DeliveryState.FAILED and "Pinterest" in (done.reason or "")
    assert "JPEG" in (done.reason or "").upper() and created(sandbox) == []


async def test_a_video_pin_registers_uploads_waits_and_has_a_cover(
    settings: Settings, store: Store, vault: Vault, emulator: PinterestServer, sandbox: Running,
    tmp_path: Path, frozen_clock: clock.FrozenClock, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(video, "POLL_DELAYS", (0.0, 0.0, 0.0))
    emulator.configure({"processing_polls": 2})
    account = await linked(settings, store, vault)
    clip = media_corpus.video(tmp_path / "tide.mp4", (240, 360), seconds=4.5, fps=10, audio=False)
    done = await send(store, vault, account, "Tide coming in\nA time lapse", [clip], frozen_clock)
    assert done.state == DeliveryState.SENT and done.url, done.reason
    [pin] = emulator.published()
    assert (pin.text, pin.media) == ("Tide coming in\nA time lapse", 1)
    assert emulator.state.pins[0].media_type == "video"
    requests = sandbox.sandbox.requests
    upload = [r for r in requests if r["host"] == "pinterest-media-upload.s3-accelerate.amazonaws.com"]
    assert len(upload) == 1 and upload[0]["authorization"] is None  # our token never goes to S3
    assert list(upload[0]["params"])[-1] == "file" and "x-amz-signature" in upload[0]["params"]
    polls = [r for r in requests if r["path"].startswith("/v5/media/")]
    assert len(polls) == 3  # processing, processing, succeeded
    media = next(iter(emulator.state.media.values()))
    assert media.status == "succeeded" and media.size == clip.stat().st_size


async def test_a_video_pin_sends_its_first_frame_as_the_cover(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clip = media_corpus.video(tmp_path / "tide.mp4", (240, 360), seconds=1, fps=5, audio=False)
    source = await video.video_source(clip, "42")
    assert source["source_type"] == "video_id" and source["media_id"] == "42"
    assert source["cover_image_content_type"] == "image/jpeg"
    cover = base64.b64decode(source["cover_image_data"])
    assert cover[:3] == b"\xff\xd8\xff"
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    assert (await video.video_source(broken, "43"))["cover_image_key_frame_time"] == 0


# The streamed base64 body ------------------------------------------------------------------------


@pytest.mark.parametrize("sizes", [(1,), (2, 3), (CHUNK_SIZE, CHUNK_SIZE + 1), (CHUNK_SIZE * 2 + 2,)])
async def test_the_body_is_the_json_with_each_file_in_base64(tmp_path: Path, sizes: tuple[int, ...]) -> None:
    files = []
    for number, size in enumerate(sizes):
        path = tmp_path / f"{number}.bin"
        path.write_bytes(bytes((number + i) % 251 for i in range(size)))
        files.append(path)
    marker = Base64Json.new_marker()
    document = {
        "title": 'Tide «ü» "quoted"',
        "media_source": {"items": [{"data": Base64Json.slot(marker, i)} for i in range(len(files))]},
    }
    seen: list[tuple[int, int, int]] = []
    body = Base64Json(document, files, marker, progress=lambda *p: seen.append(p))
    sent = b"".join([chunk async for chunk in body])
    assert len(sent) == body.content_length == int(body.headers["Content-Length"])
    parsed = json.loads(sent)
    for i, path in enumerate(files):
        data = parsed["media_source"]["items"][i]["data"]
        assert base64.b64decode(data, validate=True) == path.read_bytes()
        assert len(data) == encoded_length(path.stat().st_size)
        assert (i, path.stat().st_size, path.stat().st_size) in seen
    assert parsed["title"] == document["title"]


async def test_a_photo_without_a_caption_is_a_pin_without_a_title(
    settings: Settings, store: Store, vault: Vault, emulator: PinterestServer, sandbox: Running,
    tmp_path: Path, frozen_clock: clock.FrozenClock,
) -> None:  # fmt: skip
    account = await linked(settings, store, vault)
    done = await send(
        store, vault, account, "", [media_corpus.jpeg(tmp_path / "a.png", (600, 900))], frozen_clock
    )
    assert done.state == DeliveryState.SENT and done.url, done.reason
    [create] = created(sandbox)
    assert "title" not in create["params"] and "description" not in create["params"]  # type: ignore[operator]
