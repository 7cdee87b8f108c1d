"""Upload in a served tab takes a file from the user's own browser (issue 10 item 9): the session
waits on a one-shot capability, the server streams the file in (size-capped, type sniffed from its
bytes), and Upload shows it as if its path had been typed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from textual.widgets import Button, Static

from providers import uploads
from tests.media_corpus import jpeg
from tests.scenarios import PICTURES, _settle
from tests.support.tui import SIZE, pause_until
from tests.test_serve import TOKEN, login, start
from tui.app import LinkdeckApp
from tui.context import Context


async def chunks_of(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for start_at in range(0, len(data), size):
        yield data[start_at : start_at + size]


def kept_files(home: Path) -> list[Path]:
    folder = home / "data" / "uploads" / "files"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture
def photo(tmp_path: Path) -> bytes:
    return jpeg(tmp_path / "photo.jpg", (64, 48)).read_bytes()


async def test_a_photo_is_kept_privately_and_handed_to_the_waiting_session(
    linkdeck_home: Path, photo: bytes
) -> None:
    capability = uploads.offer()
    kept = await uploads.keep(capability, "../../Holiday photo!.jpg", chunks_of(photo))
    assert kept.name == "Holiday photo_.jpg"  # no folders from the browser's name
    assert kept.is_relative_to(linkdeck_home / "data" / "uploads" / "files")
    assert kept.read_bytes() == photo
    assert kept.stat().st_mode & 0o077 == 0 and kept.parent.stat().st_mode & 0o077 == 0
    assert await asyncio.wait_for(uploads.receive(capability), 5) == kept
    assert not uploads.is_waiting(capability)


@pytest.mark.parametrize(
    ("body", "limit", "status", "words"),
    [
        (b"hello, this is a text file named like a photo", 10**6, 415, "not a photo or a video"),
        (b"", 10**6, 400, "empty"),
        (b"\xff\xd8\xff" + b"\0" * 2000, 1000, 413, "larger than"),
    ],
    ids=["text", "empty", "too-big"],
)
async def test_refused_files_leave_nothing_behind_and_say_why(
    linkdeck_home: Path, body: bytes, limit: int, status: int, words: str
) -> None:
    capability = uploads.offer()
    with pytest.raises(uploads.UploadRefused) as refused:
        await uploads.keep(capability, "p.jpg", chunks_of(body, 300), limit=limit)
    assert refused.value.status == status and words in refused.value.message
    assert kept_files(linkdeck_home) == []
    assert uploads.is_waiting(capability)  # the user can pick another file for the same press


async def test_a_file_for_no_waiting_session_or_a_second_file_is_refused(
    linkdeck_home: Path, photo: bytes
) -> None:
    with pytest.raises(uploads.UploadRefused) as nobody:
        await uploads.keep("never-offered", "p.jpg", chunks_of(photo))
    assert nobody.value.status == 404
    capability = uploads.offer()
    await uploads.keep(capability, "first.jpg", chunks_of(photo))
    with pytest.raises(uploads.UploadRefused) as second:
        await uploads.keep(capability, "second.jpg", chunks_of(photo))
    assert second.value.status == 404  # the first file took the press
    assert [p.name for p in kept_files(linkdeck_home)] == ["first.jpg"]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("a/b/c.jpg", "c.jpg"),
        ("C:\\Users\\me\\x.png", "x.png"),
        (".hidden", "hidden"),
        ("$(rm).jpg", "_rm_.jpg"),
    ],
)
def test_browser_file_names_are_made_safe(given: str, kept: str) -> None:
    assert uploads.safe_name(given) == kept


def form(data: bytes, name: str = "photo.jpg") -> aiohttp.FormData:
    body = aiohttp.FormData()
    body.add_field("file", data, filename=name, content_type="application/octet-stream")
    return body


async def test_the_served_upload_route_needs_the_token_and_our_origin(
    linkdeck_home: Path, photo: bytes
) -> None:
    running = await start()
    base = running.served.base
    capability = uploads.offer()
    address = f"{base}{uploads.UPLOAD_PATH}/{capability}"
    try:
        async with running.served.client() as http:
            async with http.post(address, data=form(photo)) as resp:
                assert resp.status == 403  # no token cookie: not the user's browser
            await login(http, running.served)
            async with http.get(address) as resp:
                assert resp.status == 200 and "type=file" in await resp.text()
            async with http.post(
                address, data=form(photo), headers={"Origin": "https://evil.example"}
            ) as resp:
                assert resp.status == 403
            async with http.post(address, data=form(b"not media at all"), headers={"Origin": base}) as resp:
                assert resp.status == 415 and "not a photo or a video" in await resp.text()
            async with http.post(address, data=form(photo), headers={"Origin": base}) as resp:
                assert resp.status == 200 and "go back to your linkdeck tab" in await resp.text()
            async with http.get(address) as resp:
                assert resp.status == 404  # one file per press
        received = await asyncio.wait_for(uploads.receive(capability), 5)
        assert received.read_bytes() == photo
        assert TOKEN not in received.as_posix()
    finally:
        await running.close()


async def test_upload_in_a_served_tab_offers_the_browser_and_shows_the_file(
    linkdeck_home: Path, photo: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(uploads.URL_VARIABLE, "http://127.0.0.1:8123/upload")
    opened: list[str] = []
    monkeypatch.setattr(LinkdeckApp, "open_url", lambda self, url, **kw: opened.append(url))
    app = LinkdeckApp(Context(start_dir=PICTURES, run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        await pilot.pause()
        button = app.screen.query_one("#upload-from-browser", Button)
        button.focus()
        await pilot.press("enter")
        assert await pause_until(pilot, lambda: bool(opened))
        (address,) = opened
        assert address.startswith("http://127.0.0.1:8123/upload/")
        capability = address.rsplit("/", 1)[1]
        assert uploads.is_waiting(capability)
        status = str(app.screen.query_one("#upload-browser-status", Static).render())
        assert address in status
        await uploads.keep(capability, "from-phone.jpg", chunks_of(photo))  # what the server does
        facts = app.screen.query_one("#upload-facts", Static)
        assert await pause_until(pilot, lambda: "from-phone.jpg" in str(facts.render()), tries=200)
        await _settle(pilot)
        assert "JPEG · 64×48" in str(facts.render())
        await pilot.press("escape")
        await pilot.pause()
    assert not uploads.is_waiting(capability)


async def test_upload_outside_a_served_tab_has_no_browser_button(
    linkdeck_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(uploads.URL_VARIABLE, raising=False)
    app = LinkdeckApp(Context(start_dir=PICTURES, run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        await pilot.pause()
        assert type(app.screen).__name__ == "UploadScreen"
        assert not app.screen.query("#upload-from-browser")
