"""Start panva's oidc-provider (tests/servers/oidc_provider.mjs) on 127.0.0.1, and a tiny scripted
"browser" that walks its login and consent pages.

The provider is a real, OpenID-certified authorization server: it checks PKCE, redirect URIs,
code reuse, refresh-token rotation and revocation, so the contract tests prove the engine against
someone else's reading of the RFCs (the authlib server in :mod:`tests.servers.oauth1_server` shares
authlib's reading with our client and is only used where nothing else speaks OAuth 1.0a).

Node and npm must be installed; ``make test`` runs ``npm ci`` here first. When the packages are
missing but npm is present, :func:`start_oidc_provider` runs ``npm ci`` itself (no manual step).
"""

from __future__ import annotations

import queue
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx2

from providers.auth.types import ClientConfig

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "oidc_provider.mjs"
NATIVE = "linkdeck-native"
CONFIDENTIAL = "linkdeck-confidential"
CONFIDENTIAL_SECRET = "ci-only-confidential-secret"
DEVICE = "linkdeck-device"


def node_missing_reason() -> str | None:
    """Why the oidc-provider tests cannot run here, or None. Only a missing node/npm skips."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not installed: the OAuth contract tests run oidc-provider on Node"
    return None


def ensure_node_packages() -> None:
    if (HERE / "node_modules" / "oidc-provider" / "package.json").exists():
        return
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=HERE,
        check=True,
        timeout=300,
    )


@dataclass
class OidcProvider:
    issuer: str
    metadata: dict[str, Any]
    process: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)
    pump: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.issuer.rsplit(":", 1)[1])

    def config(
        self,
        client_id: str = NATIVE,
        *,
        scopes: tuple[str, ...] = ("openid", "offline_access"),
        **overrides: Any,
    ) -> ClientConfig:
        """A ClientConfig for one of the provider's clients. ``prompt=consent`` is what makes
        oidc-provider issue a refresh token for ``offline_access``."""
        values: dict[str, Any] = {
            "network_name": "Test OIDC",
            "client_id": client_id,
            "authorize_url": self.metadata["authorization_endpoint"],
            "token_url": self.metadata["token_endpoint"],
            "revoke_url": self.metadata["revocation_endpoint"],
            "device_url": self.metadata["device_authorization_endpoint"],
            "scopes": scopes,
            "extra_authorize_params": {"prompt": "consent"},
        }
        if client_id == CONFIDENTIAL:
            values["client_secret"] = CONFIDENTIAL_SECRET
            values["token_auth_method"] = "client_secret_basic"
        values.update(overrides)
        return ClientConfig(**values)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.pump is not None:
            self.pump.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


def start_oidc_provider(timeout: float = 30.0) -> OidcProvider:
    """Run the provider on a free 127.0.0.1 port and wait for its READY line."""
    ensure_node_packages()
    process = subprocess.Popen(
        ["node", str(SCRIPT), "0"],
        cwd=HERE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    log: list[str] = []

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line.rstrip())
            lines.put(line)
        lines.put(None)

    pumping = threading.Thread(target=pump, daemon=True, name="oidc-provider-output")
    pumping.start()
    deadline = time.monotonic() + timeout
    issuer = None
    while issuer is None:
        remaining = deadline - time.monotonic()
        try:
            line = lines.get(timeout=max(remaining, 0.01))
        except queue.Empty:
            line = ""
        if line is None or remaining <= 0:
            OidcProvider(issuer="", metadata={}, process=process, pump=pumping).stop()
            raise RuntimeError("oidc-provider did not start:\n" + "\n".join(log))
        match = re.match(r"READY (http://127\.0\.0\.1:\d+)\s*$", line)
        if match:
            issuer = match.group(1)
    provider = OidcProvider(issuer=issuer, metadata={}, process=process, log=log, pump=pumping)
    try:
        provider.metadata = httpx2.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    except BaseException:
        provider.stop()
        raise
    return provider


class LoginFailed(AssertionError):
    """The scripted browser ended on a page that is neither a form nor our redirect."""

    def __init__(self, status: int, url: str, body: str) -> None:
        super().__init__(f"HTTP {status} at {url}: {body[:500]}")
        self.status = status
        self.body = body


async def browser_login(
    authorize_url: str,
    *,
    stop_at: str,
    login: str = "alice",
    decline: bool = False,
) -> str:
    """Play the user's browser: open ``authorize_url``, log in as ``login`` and consent (or press
    Cancel when ``decline``), and return the first redirect whose URL starts with ``stop_at``
    (our redirect URI) *without* fetching it, so the test decides who receives it."""
    url = authorize_url
    async with httpx2.AsyncClient(follow_redirects=False, timeout=10) as browser:
        for _ in range(20):
            if url.startswith(stop_at):
                return url
            response = await browser.get(url)
            if response.is_redirect:
                url = urljoin(url, response.headers["location"])
                continue
            page = response.text
            if response.status_code != 200 or 'name="prompt"' not in page:
                raise LoginFailed(response.status_code, url, page)
            if decline:
                abort = re.search(r'href="([^"]*/abort)"', page)
                assert abort, "no Cancel link on the interaction page"
                url = urljoin(url, abort.group(1))
                continue
            action = re.search(r'action="([^"]+)"', page)
            prompt = re.search(r'name="prompt" value="(\w+)"', page)
            assert action and prompt, "unexpected interaction page"
            form = {"prompt": prompt.group(1)}
            if prompt.group(1) == "login":
                form.update(login=login, password="any")
            response = await browser.post(urljoin(url, action.group(1)), data=form)
            if not response.is_redirect:
                raise LoginFailed(response.status_code, url, response.text)
            url = urljoin(url, response.headers["location"])
    raise AssertionError("too many hops in the login")


def _first_form(page: str) -> tuple[str | None, dict[str, str]]:
    match = re.search(r"<form([^>]*)>(.*?)</form>", page, re.S)
    if match is None:
        return None, {}
    action = re.search(r'action="([^"]*)"', match.group(1))
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', match.group(2)))
    return (action.group(1) if action else None), fields


async def browser_device(verification_uri_complete: str, *, login: str = "alice", abort: bool = False) -> str:
    """Play the user on another device: open the verification URL (the code is in it), confirm
    (or press Abort), log in and consent. Returns the final page's text."""
    url = verification_uri_complete
    aborted = False
    async with httpx2.AsyncClient(follow_redirects=False, timeout=10) as browser:
        response = await browser.get(url)
        for _ in range(20):
            if response.is_redirect:
                url = urljoin(url, response.headers["location"])
                response = await browser.get(url)
                continue
            action, fields = _first_form(response.text)
            if action is None or aborted:
                return response.text
            if fields.get("confirm") == "yes" and abort:
                fields["abort"] = "yes"
                aborted = True
            if fields.get("prompt") == "login":
                fields.update(login=login, password="any")
            url = urljoin(url, action)
            response = await browser.post(url, data=fields)
    raise AssertionError("too many hops in the device login")
