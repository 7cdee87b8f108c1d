"""Tokens live in the keyring only: after a full link, a refresh, a failed refresh and a revoke,
no file under LINKDECK_HOME (SQLite database, -wal, -shm, the log file) and no exception message
contains a token, the code or the PKCE verifier that went through the engine.

Logging is captured the worst way for us: everything at DEBUG on the root logger, including
httpx2's request lines and authlib, into linkdeck's own log file. The test's stand-in browser is
not the app (a real browser is another program), so its own log lines are filtered out by a
context variable set only in the browser's task.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx2
import pytest

from providers import paths
from providers.auth.oauth2 import AuthorizationCodeFlow
from providers.auth.refresh import TokenKeeper
from providers.auth.revoke import revoke
from providers.errors import LinkError
from providers.store import Store
from providers.vault import PLAINTEXT_FILENAME, Vault
from tests.auth.helpers import add_account
from tests.servers.oidc import OidcProvider, browser_login

T = TypeVar("T")
IN_BROWSER: contextvars.ContextVar[bool] = contextvars.ContextVar("in_test_browser", default=False)


@pytest.fixture
def log_file() -> Iterator[Path]:
    path = paths.log_file()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.addFilter(lambda record: not IN_BROWSER.get())
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    saved = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        root.setLevel(saved)
        handler.close()


async def as_browser(step: Callable[[], Awaitable[T]]) -> T:
    context = contextvars.copy_context()
    context.run(IN_BROWSER.set, True)
    return await asyncio.create_task(step(), context=context)  # type: ignore[arg-type]


def chain(exc: BaseException) -> list[str]:
    """Every message an error handler could show: the exception and what it was raised from."""
    texts: list[str] = []
    current: BaseException | None = exc
    while current is not None:
        texts += [str(current), repr(current)]
        current = current.__cause__ or current.__context__
    return texts


async def test_tokens_never_leave_the_keyring(
    oidc: OidcProvider, vault: Vault, store: Store, log_file: Path
) -> None:
    config = oidc.config()
    flow = AuthorizationCodeFlow(config)
    request = await flow.start()

    async def browse() -> str:
        redirect = await browser_login(request.url, stop_at=request.redirect_uri)
        async with httpx2.AsyncClient(timeout=10) as browser:
            assert (await browser.get(redirect)).status_code == 200
        return redirect

    redirect = await as_browser(browse)
    verifier = flow._verifier
    assert verifier
    token = await flow.wait()

    account = add_account(store)
    vault.set_token(account.vault_key, token)
    keeper = TokenKeeper(vault, store)
    refreshed = await keeper.after_unauthorized(account, config)

    messages: list[str] = [repr(flow), repr(keeper), repr(vault), repr(store)]
    # A refresh with the rotated-away token fails; its message and account state are shown to users.
    stale = add_account(store, "stale")
    vault.set_token(stale.vault_key, token)
    with pytest.raises(LinkError) as failed:
        await keeper.after_unauthorized(stale, config)
    messages += chain(failed.value)
    assert await revoke(config, refreshed) is True
    with pytest.raises(LinkError) as revoked:
        await keeper.after_unauthorized(account, config)
    messages += chain(revoked.value)
    messages += [a.state_reason for a in store.accounts()]

    secrets: dict[str, str] = {
        "code": str(httpx2.URL(redirect).params["code"]),
        "verifier": verifier,
    }
    for label, issued in (("first", token), ("refreshed", refreshed)):
        for field in ("access_token", "refresh_token", "id_token"):
            if issued.get(field):
                secrets[f"{label} {field}"] = str(issued[field])
    assert len(secrets) >= 7

    for handler in logging.getLogger().handlers:
        handler.flush()
    home = paths.home_override()
    assert home is not None

    def scan() -> set[str]:
        files = [p for p in home.rglob("*") if p.is_file()]
        for path in files:
            if vault.is_plaintext and path.name == PLAINTEXT_FILENAME:
                continue  # no Secret Service here: this *is* the keyring, by explicit opt-in
            data = path.read_bytes()
            for label, secret in secrets.items():
                assert secret.encode() not in data, f"{label} found in {path}"
        return {p.name for p in files}

    names = scan()  # while the store is open: the -wal and -shm files too
    assert {"linkdeck.sqlite3", "linkdeck.sqlite3-wal", log_file.name} <= names
    assert "refreshed the token" in log_file.read_text()  # the log really captured the engine
    store.close()  # and after the WAL is checkpointed into the database
    scan()
    for text in messages:
        for label, secret in secrets.items():
            assert secret not in text, f"{label} found in a message: {text[:80]}"
