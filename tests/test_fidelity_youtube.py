"""The sandbox's YouTube as Google's own Python client sees it: google-api-python-client (pinned
in pyproject.toml's dev extra), built from its bundled discovery document, pointed at the sandbox.

What a user of that library does: read their channel (``channels.list mine=true``), upload a
video with ``MediaFileUpload(resumable=True)`` chunk by chunk (``next_chunk``: PUTs with
``Content-Range: bytes a-b/N``, 308 answers whose ``Range`` says where to go on), and get
Google's error reasons from ``HttpError``. Nothing here is linkdeck's code but the token, taken
from the emulated Google sign-in as a browser would.

The library keeps ``https`` for media-upload URLs whatever ``api_endpoint`` says
(shared/reference/networks-2026.md §0.5), so the http object given to it applies linkdeck's one
sandbox rule (providers.http.rewrite) to every URL it requests. google-api-python-client is
synchronous (httplib2): each scenario runs in a thread while the sandbox serves on the test loop.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import httplib2
import httpx2
from google.oauth2.credentials import Credentials
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaFileUpload

from providers.http import rewrite
from providers.networks.youtube.sandbox import DEMO
from providers.sandbox import Running
from tests.sandbox_browser import approve, query

REDIRECT = "http://127.0.0.1:8765/"  # never listened on: the consent page's 302 is read
SCOPES = "https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.readonly"


class SandboxHttp(httplib2.Http):  # type: ignore[misc]
    """httplib2 with the sandbox rule: https://<google host>/… → http://127.0.0.1:PORT/<host>/…"""

    def __init__(self, sandbox: str) -> None:
        super().__init__(timeout=10)
        self.sandbox = sandbox
        # As googleapiclient.http.build_http sets it: a resumable upload's 308 is no redirect.
        self.redirect_codes = self.redirect_codes - {308}

    def request(self, uri: str, *args: Any, **kwargs: Any) -> Any:
        return super().request(rewrite(uri, self.sandbox), *args, **kwargs)


def signed_in(sandbox: str) -> Credentials:
    """Google's sign-in as a browser and a token exchange would do it (no PKCE: it is optional)."""
    authorize = (
        f"{sandbox}/accounts.google.com/o/oauth2/v2/auth?response_type=code&client_id={DEMO.client_id}"
        f"&redirect_uri={REDIRECT}&scope={SCOPES.replace(' ', '%20')}&state=fidelity-state-0001"
        "&access_type=offline&prompt=consent"
    )
    code = query(approve(authorize).headers["location"])["code"]
    token = httpx2.post(
        f"{sandbox}/oauth2.googleapis.com/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": DEMO.client_id,
            "client_secret": DEMO.client_secret,
        },
    ).json()
    return Credentials(
        token=token["access_token"],
        refresh_token=token["refresh_token"],
        token_uri="https://oauth2.googleapis.com/token",
        client_id=DEMO.client_id,
        client_secret=DEMO.client_secret,
    )


def youtube(sandbox: str) -> Any:
    http = AuthorizedHttp(signed_in(sandbox), http=SandboxHttp(sandbox))
    return build(
        "youtube",
        "v3",
        http=http,
        static_discovery=True,
        client_options={"api_endpoint": "https://www.googleapis.com/"},
    )


async def test_the_channel_reads_as_the_library_expects(sandbox: Running) -> None:
    def scenario() -> dict[str, Any]:
        found: dict[str, Any] = (
            youtube(sandbox.url).channels().list(part="snippet,contentDetails", mine=True).execute()
        )
        return found

    answer = await asyncio.to_thread(scenario)
    [channel] = answer["items"]
    assert channel["id"].startswith("UC") and channel["snippet"]["customUrl"] == "@alice"
    assert channel["contentDetails"]["relatedPlaylists"]["uploads"] == "UU" + channel["id"][2:]


async def test_a_resumable_upload_in_chunks_makes_one_private_video(sandbox: Running, tmp_path: Path) -> None:
    clip = tmp_path / "waves.mp4"
    clip.write_bytes(os.urandom(600 * 1024))  # three 256 KiB chunks; the emulation keeps no pixels

    def scenario() -> tuple[list[int], dict[str, Any]]:
        client = youtube(sandbox.url)
        body = {
            "snippet": {"title": "Waves", "description": "Three chunks of them."},
            "status": {"privacyStatus": "public", "selfDeclaredMadeForKids": False},
        }
        media = MediaFileUpload(str(clip), mimetype="video/mp4", chunksize=256 * 1024, resumable=True)
        request = client.videos().insert(part="snippet,status", body=body, media_body=media)
        progress, response = [], None
        while response is None:
            status, response = request.next_chunk()
            if status is not None:
                progress.append(status.resumable_progress)
        return progress, response

    progress, video = await asyncio.to_thread(scenario)
    assert progress == [256 * 1024, 512 * 1024]  # two 308s, then the video
    assert video["snippet"]["title"] == "Waves" and video["status"]["privacyStatus"] == "private"
    puts = [r for r in sandbox.sandbox.requests if r["method"] == "PUT"]
    assert [r["body_bytes"] for r in puts] == [256 * 1024, 256 * 1024, 88 * 1024]


async def test_refusals_carry_googles_reasons(sandbox: Running, tmp_path: Path) -> None:
    clip = tmp_path / "long.mp4"
    clip.write_bytes(b"\0" * 1024)

    def scenario() -> HttpError:
        client = youtube(sandbox.url)
        body = {"snippet": {"title": "x" * 101}, "status": {"privacyStatus": "private"}}
        media = MediaFileUpload(str(clip), mimetype="video/mp4", resumable=True)
        try:
            client.videos().insert(part="snippet,status", body=body, media_body=media).execute()
        except HttpError as exc:
            return exc
        raise AssertionError("a 101-character title was accepted")

    error = await asyncio.to_thread(scenario)
    assert error.resp.status == 400 and error.error_details[0]["reason"] == "invalidTitle"
