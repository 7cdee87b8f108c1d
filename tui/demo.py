"""``linkdeck demo``: the app against the built-in sandbox networks, in a throw-away home.

Nothing real is touched: config, data and secrets live in a temporary folder that is deleted on
exit; secrets go to a plaintext file there (never the user's keyring); every request the app makes
to a network goes to the sandbox (``LINKDECK_SANDBOX_URL``). The per-instance networks start on
demo servers so linking is one key press and an Allow on the sandbox's consent page; networks that
need the user's own developer app get the one their emulation knows (``DEMO.client_id``).

Media staging (for networks that fetch photos from an address): where moto is installed (the
development set-up, so ``make demo``), the demo runs moto's S3 server on 127.0.0.1 as the
``[staging]`` bucket; elsewhere there is none, and such photo posts are refused with the fix named,
as they would be for a user who has not set staging up.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from providers.settings import env_key

if TYPE_CHECKING:
    from providers.emulation.framework import SandboxDemo

DEMO_CONFIG = """\
# linkdeck demo: every network host is served by the local sandbox.
[networks.mastodon]
base_url = "https://mastodon.example"

[networks.pixelfed]
base_url = "https://pixelfed.example"
"""


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def demo_config() -> tuple[str, dict[str, str]]:
    """The demo's config.toml and environment: the per-instance servers above, and for every
    network whose sandbox has a developer app (its ``DEMO``), that app's client id, settings and
    secret, so those networks link in the demo as they would with the user's own app."""
    from providers import networks

    text, env = DEMO_CONFIG, {}
    for package in networks.ORDER:
        demo = _sandbox_demo(package)
        if demo is None or not (demo.client_id or demo.client_secret):
            continue
        network = networks.spec_of(package).id
        if demo.client_id:
            # A free loopback port rather than the one a real app registers (8080 is often taken):
            # the sandbox's demo apps accept any, as every contract test links on a free port.
            values = {"client_id": demo.client_id, "port": _free_port(), **demo.settings}
            lines = [f"{k} = {json.dumps(v)}" for k, v in values.items()]
            text += f"\n[networks.{network}]\n" + "\n".join(lines) + "\n"
        if demo.client_secret:  # an app's secret, or an API key alone (no app to register)
            env[env_key(network, "client_secret")] = demo.client_secret
    return text, env


def sandbox_answers(network_id: str) -> dict[str, str]:
    """What to type when linking ``network_id`` against the sandbox (its emulation's demo handle
    and app password, a bot token…), by field name; nothing when the app is not on the sandbox."""
    from providers.http import sandbox_url

    demo = _sandbox_demo(network_id) if sandbox_url() else None
    return {name: value for name, value in (demo.fields if demo else {}).items() if value}


def _sandbox_demo(network: str) -> SandboxDemo | None:
    """The ``DEMO`` of a network's emulation (its package name or id), if it has one."""
    from providers import networks

    module = networks.part(network, networks.SANDBOX)
    demo: SandboxDemo | None = getattr(module, "DEMO", None) if module is not None else None
    return demo


def _start_sandbox(latency: float) -> tuple[str, threading.Event]:
    """Run the sandbox on its own event loop in a daemon thread; return its URL and a stop switch."""
    from providers.sandbox import start

    ready: dict[str, str] = {}
    started, stop = threading.Event(), threading.Event()

    async def main() -> None:
        running = await start(0, latency)
        ready["url"] = running.url
        started.set()
        while not stop.is_set():
            await asyncio.sleep(0.2)
        await running.close()

    threading.Thread(target=lambda: asyncio.run(main()), name="linkdeck-sandbox", daemon=True).start()
    if not started.wait(10):
        from providers.errors import SetupError

        raise SetupError("the sandbox networks server did not start within 10 s")
    return ready["url"], stop


def _start_staging() -> tuple[str, dict[str, str], Callable[[], None]]:
    """moto's S3 server on 127.0.0.1 with a bucket, as ``[staging]``, where moto is installed;
    (the config section, its secret variable, how to stop it)."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        return "", {}, lambda: None
    import logging

    import botocore.session

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # its request lines would draw on the TUI

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint, key_id, secret = f"http://127.0.0.1:{port}", "AKIALINKDECKDEMO", "linkdeck-demo-secret"
    client = botocore.session.Session().create_client(
        "s3",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
    )
    client.create_bucket(Bucket="linkdeck-demo")
    section = (
        f'\n[staging]\nendpoint_url = "{endpoint}"\nbucket = "linkdeck-demo"\nregion = "us-east-1"\n'
        f'access_key_id = "{key_id}"\n'
    )
    return section, {"LINKDECK_STAGING_CLIENT_SECRET": secret}, server.stop


@contextmanager
def demo_environment(latency: float = 0.0) -> Iterator[Path]:
    """Point linkdeck at a fresh sandbox and a throw-away home for the duration of the block."""
    home = Path(tempfile.mkdtemp(prefix="linkdeck-demo-"))
    url, stop = _start_sandbox(latency)
    config, secrets = demo_config()
    staging, staging_secret, stop_staging = _start_staging()
    extra = {**secrets, **staging_secret}
    saved = {key: os.environ.get(key) for key in (*_ENV_KEYS, *extra)}
    os.environ.update(extra)
    os.environ.update(
        LINKDECK_HOME=str(home),
        LINKDECK_SANDBOX_URL=url,
        LINKDECK_ALLOW_PLAINTEXT_SECRETS="1",
        # Never the user's real keyring: the vault then keeps secrets in the demo folder only.
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "config.toml").write_text(config + staging, encoding="utf-8")
    import keyring
    import keyring.core
    from keyring.backends.fail import Keyring as NoKeyring

    # The backend chosen before the demo, if one was: asking keyring.get_keyring() here would
    # choose one now, from the demo's environment, and "restore" that afterwards.
    previous_keyring = keyring.core._keyring_backend
    keyring.set_keyring(NoKeyring())  # also when a backend was chosen before (the env var is read once)
    try:
        yield home
    finally:
        if previous_keyring is None:  # chosen again when next asked, from the restored environment
            keyring.core._keyring_backend = None
        else:
            keyring.set_keyring(previous_keyring)
        stop.set()
        stop_staging()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(home, ignore_errors=True)


_ENV_KEYS = (
    "LINKDECK_HOME",
    "LINKDECK_SANDBOX_URL",
    "LINKDECK_ALLOW_PLAINTEXT_SECRETS",
    "PYTHON_KEYRING_BACKEND",
)


def run() -> int:
    from tui.app import LinkdeckApp

    with demo_environment():
        LinkdeckApp().run()
    print("linkdeck demo ended; its sandbox accounts and posts were thrown away.")
    return 0
