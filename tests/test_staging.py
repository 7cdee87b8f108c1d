"""Media staging (providers/staging) against a real S3-compatible server: moto in server mode, in
its own process on a free 127.0.0.1 port. A staged file is uploaded streamed, fetchable at its
presigned address for the block, and gone after it, however the block ends; wrong settings are
refused naming the fix; the ``[staging]`` section is read and checked; without it (or its secret)
there is no staging, and the outbox refuses a post that needs it before anything is sent."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from providers.errors import PublishError, SetupError
from providers.settings import StagingSettings, load
from providers.staging import not_set_up, staging_for, unreachable
from providers.staging.s3 import S3Staging
from providers.vault import Vault
from tests import media_corpus
from tests.support.cli import run_cli
from tests.support.s3 import SECRET_KEY, S3Server, running_s3


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with running_s3(tmp_path_factory.mktemp("s3")) as server:
        server.make_bucket()
        yield server


@pytest.fixture(autouse=True)
def networks_on_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every network host is the sandbox here, so the bucket on 127.0.0.1 is one they can fetch
    from (without it, a loopback bucket is refused: test_a_bucket_no_network_can_reach)."""
    monkeypatch.setenv("LINKDECK_SANDBOX_URL", "http://127.0.0.1:9")


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    return media_corpus.jpeg(tmp_path / "harbour.jpg", (1600, 1200))


async def test_a_staged_file_is_fetchable_while_staged_and_gone_after(s3: S3Server, photo: Path) -> None:
    staging = S3Staging(s3.settings(), SECRET_KEY)
    seen: list[tuple[int, int]] = []
    async with staging.staged(photo, content_type="image/jpeg", progress=lambda *p: seen.append(p)) as url:
        [key] = s3.keys()
        assert key.startswith("linkdeck-staging/") and key.endswith(".jpg") and len(key) > 35
        query = parse_qs(urlsplit(url).query)
        assert query["X-Amz-Expires"] == ["3600"] and query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
        async with httpx2.AsyncClient() as client:
            fetched = await client.get(url)
        assert fetched.status_code == 200 and fetched.content == photo.read_bytes()
        assert fetched.headers["Content-Type"] == "image/jpeg"
        unsigned = await httpx2.AsyncClient().get(url.split("?")[0])
        assert unsigned.status_code == 403  # only the presigned address reads it
    assert s3.keys() == []
    size = photo.stat().st_size
    assert seen[0] == (0, size) and seen[-1] == (size, size)  # streamed, with progress


async def test_the_staged_file_is_deleted_when_publishing_fails(s3: S3Server, photo: Path) -> None:
    staging = S3Staging(s3.settings(), SECRET_KEY)
    with pytest.raises(PublishError, match="the network said no"):
        async with staging.staged(photo, content_type="image/jpeg"):
            assert len(s3.keys()) == 1
            raise PublishError("refused", "the network said no")
    assert s3.keys() == []


async def test_a_missing_bucket_is_refused_naming_the_fix(s3: S3Server, photo: Path) -> None:
    config = dataclasses.replace(s3.settings(), bucket="no-such-bucket")
    with pytest.raises(PublishError) as caught:
        async with S3Staging(config, SECRET_KEY).staged(photo, content_type="image/jpeg"):
            raise AssertionError("nothing is staged")
    error = caught.value
    assert error.kind == "refused" and "NoSuchBucket" in error.message
    assert "the staging bucket no-such-bucket (127.0.0.1:" in error.message
    assert "linkdeck config set-secret staging" in error.message and SECRET_KEY not in error.message


async def test_a_bucket_no_network_can_reach_is_refused_before_uploading(
    s3: S3Server, photo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LINKDECK_SANDBOX_URL")
    with pytest.raises(PublishError) as caught:
        async with S3Staging(s3.settings(), SECRET_KEY).staged(photo, content_type="image/jpeg"):
            raise AssertionError("nothing is staged")
    assert caught.value.kind == "refused" and "cannot fetch the photo" in caught.value.message
    assert s3.keys() == []
    for endpoint, problem in (
        ("https://s3.eu-west-1.amazonaws.com", None),
        ("https://abc.r2.cloudflarestorage.com", None),
        ("http://s3.example.com", "must be https"),
        ("https://10.0.0.5:9000", "private network"),
        ("https://minio.local:9000", "private network"),
        ("http://localhost:9000", "on this computer"),
    ):
        found = unreachable(StagingSettings(bucket="b", access_key_id="k", endpoint_url=endpoint))
        assert (found is None) if problem is None else (found is not None and problem in found), endpoint
    assert unreachable(StagingSettings(bucket="b", access_key_id="k")) is None  # AWS S3 itself


def test_s3_error_answers_become_what_to_do() -> None:
    """moto accepts any key, so a refused signature is AWS's documented answer, replayed."""
    staging = S3Staging(StagingSettings(bucket="photos", access_key_id="AK"), "secret")
    denied = httpx2.Response(
        403,
        content=b"<?xml version='1.0'?><Error><Code>SignatureDoesNotMatch</Code><Message>The request "
        b"signature we calculated does not match the signature you provided.</Message></Error>",
    )
    error = staging.refused(denied, "staging a.jpg")
    assert error.kind == "refused" and "SignatureDoesNotMatch" in error.message
    assert error.message.startswith("the staging bucket photos (AWS S3) refused staging a.jpg")
    busy = staging.refused(
        httpx2.Response(503, content=b"<Error><Code>SlowDown</Code></Error>"), "staging a.jpg"
    )
    assert busy.kind == "try_later" and "SlowDown" in busy.message


def test_the_staging_section_is_read_and_checked(linkdeck_home: Path) -> None:
    config = linkdeck_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    assert load(config).staging is None
    config.write_text(
        '[staging]\nendpoint_url = "https://s3.example.com"\nbucket = "photos"\naccess_key_id = "AK"\n'
    )
    assert load(config).staging == StagingSettings(
        bucket="photos", access_key_id="AK", endpoint_url="https://s3.example.com"
    )
    config.write_text(
        '[staging]\nbucket = "photos"\nregion = "eu-west-1"\naccess_key_id = "AK"\nurl_seconds = 600\n'
    )
    loaded = load(config).staging
    assert loaded is not None and (loaded.endpoint_url, loaded.region, loaded.url_seconds) == (
        None,
        "eu-west-1",
        600,
    )
    for text, words in (
        ('[staging]\nbucket = "photos"\n', "needs access_key_id"),
        ('[staging]\naccess_key_id = "AK"\n', "needs bucket"),
        (
            '[staging]\nbucket = "b"\naccess_key_id = "AK"\nendpoint_url = "s3.example.com"\n',
            "http(s) address",
        ),
        ('[staging]\nbucket = "b"\naccess_key_id = "AK"\nurl_seconds = 59\n', "from 60 to 604800"),
        ('staging = "yes"\n', "must be a table"),
    ):
        config.write_text(text)
        with pytest.raises(SetupError, match=words.replace("(", r"\(").replace(")", r"\)")):
            load(config)


def test_no_staging_without_the_section_or_its_secret(
    s3: S3Server, plaintext_ok: None, linkdeck_home: Path
) -> None:
    config = linkdeck_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(s3.config_toml())
    settings = load(config)
    vault = Vault(settings)
    vault.delete_client_secret("staging")
    assert staging_for(dataclasses.replace(settings, staging=None), vault) is None
    assert staging_for(settings, vault) is None  # the section, but no secret key yet
    stored = run_cli(
        {**__import__("os").environ, "LINKDECK_HOME": str(linkdeck_home)},
        "config",
        "set-secret",
        "staging",
        stdin=f"{SECRET_KEY}\n",
    )
    assert stored.returncode == 0 and SECRET_KEY not in stored.stdout + stored.stderr, stored.stderr
    assert isinstance(staging_for(settings, Vault(settings)), S3Staging)
    Vault(settings).delete_client_secret("staging")
    message = not_set_up("Some Network")
    assert message.startswith("Some Network fetches photos from a public address")
    assert "[staging]" in message and "linkdeck config set-secret staging" in message


def test_doctor_says_whether_staging_is_set_up(
    s3: S3Server, plaintext_ok: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from providers.doctor import Level, _staging
    from providers.settings import Settings

    none = _staging(Settings(allow_plaintext_secrets=True))
    assert none.level is Level.OK and "not set up" in none.detail
    settings = Settings(allow_plaintext_secrets=True, staging=s3.settings())
    Vault(settings).delete_client_secret("staging")
    missing = _staging(settings)
    assert missing.level is Level.WARN and "linkdeck config set-secret staging" in missing.detail
    monkeypatch.setenv("LINKDECK_STAGING_CLIENT_SECRET", SECRET_KEY)
    ready = _staging(settings)
    assert ready.level is Level.OK and "bucket linkdeck-photos (127.0.0.1:" in ready.detail
    monkeypatch.delenv("LINKDECK_SANDBOX_URL")
    local = _staging(settings)
    assert local.level is Level.WARN and "cannot fetch the photo" in local.detail
