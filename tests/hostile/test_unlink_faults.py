"""Unlinking when the token cannot be read (no keyring backend, a locked one): refused with how to
unlock, nothing changed; or, with --forget (the TUI's "Forget here"), the account forgotten here
and the user told plainly that the access was not revoked and where to revoke it. Never
"unlinked" while the token still works."""

from __future__ import annotations

from pathlib import Path

import keyring.errors
import pytest

from providers import unlinking
from providers.store import Store
from providers.vault import Vault
from tests.support.cli import cli_env, run_cli
from tests.support.keyrings import MemoryKeyring

PAGE = "https://pix.example/settings/applications"


def _account(home: Path) -> int:
    with Store.open(home / "data" / "linkdeck.sqlite3") as store:
        account = store.upsert_account(
            "pixelfed", "7", handle="@ann@pix.example", instance="https://pix.example"
        )
        post = store.create_post("later", [], None)
        store.add_delivery(post.id, account)
        return account.id


def _no_keyring(home: Path) -> dict[str, str]:
    env = cli_env(home, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    env.pop("LINKDECK_ALLOW_PLAINTEXT_SECRETS")
    return env


def test_unlink_without_a_keyring_refuses_and_changes_nothing(linkdeck_home: Path) -> None:
    account_id = _account(linkdeck_home)
    result = run_cli(_no_keyring(linkdeck_home), "unlink", "pixelfed", "--yes")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "unlinked" not in result.stdout + result.stderr
    assert "@ann@pix.example's Pixelfed token cannot be read" in result.stderr
    assert "nothing was changed" in result.stderr
    assert "gnome-keyring-daemon --unlock" in result.stderr  # how to unlock
    assert "linkdeck unlink pixelfed --forget" in result.stderr and PAGE in result.stderr
    with Store.open() as store:
        assert store.account(account_id) is not None
        assert [d.state for d in store.deliveries()] == ["due"]  # not held


def test_unlink_forget_says_the_access_was_not_revoked_and_where_to_revoke(linkdeck_home: Path) -> None:
    account_id = _account(linkdeck_home)
    result = run_cli(_no_keyring(linkdeck_home), "unlink", "pixelfed", "--yes", "--forget")
    assert result.returncode == 0, result.stderr
    assert "unlinked" not in result.stdout
    assert "@ann@pix.example was forgotten by linkdeck, but its access was NOT revoked" in result.stdout
    assert f"Pixelfed's connected-apps page ({PAGE})" in result.stdout
    with Store.open() as store:
        assert store.account(account_id) is None
        assert [d.state for d in store.deliveries()] == ["held"]


class LockedKeyring(MemoryKeyring):
    """A keyring that is there but locked: every read and delete refused. In memory because locking
    the real gnome-keyring makes the next read ask a prompter for the password, which a test
    session has none of: it would wait, not refuse."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")


async def test_a_locked_keyring_keeps_the_account_until_forget(
    use_keyring: object, linkdeck_home: Path
) -> None:
    use_keyring(LockedKeyring())  # type: ignore[operator]
    _account(linkdeck_home)
    vault = Vault()
    with Store.open() as store:
        account = store.accounts()[0]
        with pytest.raises(unlinking.TokenUnreadable):
            await unlinking.unlink(store, vault, account)
        assert store.accounts() == [account]
        result = await unlinking.unlink(store, vault, account, forget=True)
        assert store.accounts() == []
    assert not result.token_forgotten and result.revoked is None
    assert "NOT revoked" in result.summary() and "unlinked" not in result.summary()


async def test_the_details_dialog_asks_before_forgetting(use_keyring: object, linkdeck_home: Path) -> None:
    from textual.widgets import Button

    from tests.support.tui import SIZE, pause_until, press_unlink
    from tui.app import LinkdeckApp
    from tui.context import Context

    use_keyring(LockedKeyring())  # type: ignore[operator]
    account_id = _account(linkdeck_home)
    app = LinkdeckApp(Context(run_outbox=False))
    async with app.run_test(size=SIZE) as pilot:
        await press_unlink(app, pilot, "pixelfed")
        await pilot.click("#yes")  # Unlink
        assert await pause_until(pilot, lambda: "cannot be read" in getattr(app.screen, "_title", ""))
        body = app.screen.query_one(".dialog-body").source  # type: ignore[attr-defined]
        assert "nothing was changed" in body and PAGE in body
        assert app.screen.query_one("#yes", Button).label.plain == "Forget here"
        await pilot.press("escape")  # the safe answer: nothing changes
        await pilot.pause()
        with Store.open() as store:
            assert store.account(account_id) is not None
        await pilot.click("#unlink")
        await pilot.pause()
        await pilot.click("#yes")
        assert await pause_until(pilot, lambda: "cannot be read" in getattr(app.screen, "_title", ""))
        await pilot.click("#yes")  # Forget here
        assert await pause_until(pilot, lambda: type(app.screen).__name__ == "AccountsScreen")

        def said_not_revoked() -> bool:  # the worker's notice may land after the screen changed
            return any("NOT revoked" in str(n.message) and PAGE in str(n.message) for n in app._notifications)

        assert await pause_until(pilot, said_not_revoked), [str(n.message) for n in app._notifications]
    with Store.open() as store:
        assert store.account(account_id) is None
