"""A REAL Bluesky PDS for the tests: @atproto/pds 0.4.217 with a local PLC directory
(@did-plc/server 0.0.1), pinned in tests/servers/atproto/package-lock.json and installed by
``make node-deps`` (npm ci). :func:`running_pds` starts it on free 127.0.0.1 ports
(tests/servers/atproto/pds.mjs prints READY) and stops it at the end. No internet, no AppView.
"""

from __future__ import annotations

import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

from tests.support.processes import stop

ATPROTO = Path(__file__).resolve().parent / "atproto"
START_TIMEOUT = 60.0


@dataclass
class Pds:
    url: str  # http://127.0.0.1:PORT
    plc: str

    def xrpc(self, method: str, nsid: str, token: str | None = None, **kwargs: Any) -> httpx2.Response:
        headers = {**kwargs.pop("headers", {}), **({"Authorization": f"Bearer {token}"} if token else {})}
        return httpx2.request(method, f"{self.url}/xrpc/{nsid}", headers=headers, timeout=30, **kwargs)

    def account(self, name: str) -> tuple[str, str, str]:
        """A new account (no invite needed) and an app password for it: (handle, did, app password)."""
        handle = f"{name}.test"
        created = self.xrpc(
            "POST",
            "com.atproto.server.createAccount",
            json={"handle": handle, "email": f"{name}@example.com", "password": f"main-{name}-password"},
        )
        assert created.status_code == 200, created.text
        body = created.json()
        app = self.xrpc(
            "POST", "com.atproto.server.createAppPassword", body["accessJwt"], json={"name": "linkdeck"}
        )
        assert app.status_code == 200, app.text
        return handle, body["did"], app.json()["password"]


def pds_missing_reason() -> str | None:
    """Why the real-PDS tests cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed: the real-PDS tests need Node 20 (tests/servers/atproto)"
    if not (ATPROTO / "node_modules" / "@atproto" / "pds").is_dir():
        return "tests/servers/atproto/node_modules is missing: run `make node-deps` (npm ci there)"
    return None


@contextmanager
def running_pds(data: Path) -> Iterator[Pds]:
    """The PDS and its PLC directory with their data under ``data``, until the block ends."""
    node = shutil.which("node")
    assert node is not None, pds_missing_reason()
    log = (data / "pds.log").open("w")
    process = subprocess.Popen(
        [node, "pds.mjs", str(data / "store")], cwd=ATPROTO, stdout=subprocess.PIPE, stderr=log, text=True
    )
    try:
        assert process.stdout is not None
        deadline, line = time.monotonic() + START_TIMEOUT, ""
        while not line.startswith("READY") and time.monotonic() < deadline and process.poll() is None:
            ready, _, _ = select.select([process.stdout], [], [], 0.5)
            if ready:
                line = process.stdout.readline()
        if not line.startswith("READY"):
            raise AssertionError(f"the PDS did not start: {(data / 'pds.log').read_text()[-2000:]}")
        fields = dict(part.split("=", 1) for part in line.split()[1:])
        yield Pds(fields["pds"], fields["plc"])
    finally:
        stop(process)
        log.close()
