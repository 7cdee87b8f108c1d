"""A real S3-compatible server for staging tests: moto in server mode (``moto_server``), in its own
process on a free 127.0.0.1 port, with a bucket made through the S3 API like a user would, and
what the tests read back from it (the objects under a prefix)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

from providers.settings import StagingSettings
from tests.support.ports import free_port
from tests.support.processes import stop, wait_until

ACCESS_KEY_ID = "AKIALINKDECKTEST"
SECRET_KEY = "linkdeck-moto-secret"
BUCKET = "linkdeck-photos"


@dataclass
class S3Server:
    url: str

    def client(self) -> Any:
        import botocore.session

        return botocore.session.Session().create_client(
            "s3",
            region_name="us-east-1",
            endpoint_url=self.url,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_KEY,
        )

    def make_bucket(self, name: str = BUCKET) -> None:
        self.client().create_bucket(Bucket=name)

    def keys(self, bucket: str = BUCKET) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=bucket)
        return [item["Key"] for item in listed.get("Contents", [])]

    def settings(self, bucket: str = BUCKET) -> StagingSettings:
        return StagingSettings(bucket=bucket, access_key_id=ACCESS_KEY_ID, endpoint_url=self.url)

    def config_toml(self, bucket: str = BUCKET) -> str:
        return (
            f'[staging]\nendpoint_url = "{self.url}"\nbucket = "{bucket}"\nregion = "us-east-1"\n'
            f'access_key_id = "{ACCESS_KEY_ID}"\n'
        )


@contextmanager
def running_s3(log_dir: Path) -> Iterator[S3Server]:
    """``moto_server`` on 127.0.0.1 and a free port until the block ends."""
    port = free_port()
    moto = Path(sys.executable).with_name("moto_server")
    with (log_dir / "moto.log").open("w") as log:
        process = subprocess.Popen(
            [str(moto), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx2.get(f"{url}/moto-api/", timeout=2).status_code < 500
        except httpx2.TransportError:
            return False

    try:
        wait_until(up, timeout=30)
        yield S3Server(url)
    finally:
        stop(process)
