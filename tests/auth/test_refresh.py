"""TokenKeeper against the scripted server, with the real vault and store."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest

from providers.auth.refresh import TokenKeeper
from providers.errors import LinkError
from providers.store import Account, Store
from providers.vault import Vault
from tests.auth.helpers import add_account, epoch
from tests.servers.scripted_as import INVALID_GRANT, ScriptedAS


def row_of(store: Store, account: Account) -> Account:
    """The account's row as stored now (the test fails if the row is gone, rather than reading the
    state of the object it started with)."""
    row = store.account(account.id)
    assert row is not None, f"account {account.id} is no longer stored"
    return row


NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
OLD_ACCESS = "stored-access-9f2c"
OLD_REFRESH = "stored-refresh-7a1e"


def keeper(vault: Vault, store: Store) -> TokenKeeper:
    return TokenKeeper(vault, store, now=lambda: NOW)


def stored(vault: Vault, account: Account, expires_in: float, **extra: object) -> None:
    vault.set_token(
        account.vault_key,
        {
            "access_token": OLD_ACCESS,
            "refresh_token": OLD_REFRESH,
            "token_type": "Bearer",
            "scope": "read write",
            "expires_at": epoch(NOW + timedelta(seconds=expires_in)),
            **extra,
        },
    )


def refreshes(scripted: ScriptedAS) -> list[dict[str, str]]:
    return scripted.forms("/token", "refresh_token")


async def test_a_token_far_from_expiry_is_returned_as_is(
    scripted: ScriptedAS, vault: Vault, store: Store
) -> None:
    account = add_account(store)
    stored(vault, account, expires_in=3600)
    token = await keeper(vault, store).fresh_token(account, scripted.config())
    assert token["access_token"] == OLD_ACCESS
    assert refreshes(scripted) == []


@pytest.mark.parametrize("expires_in", [59, 0, -3600])
async def test_refresh_when_expiring_within_a_minute_or_past(
    scripted: ScriptedAS, vault: Vault, store: Store, expires_in: int
) -> None:
    account = add_account(store)
    stored(vault, account, expires_in=expires_in)
    token = await keeper(vault, store).fresh_token(account, scripted.config())
    assert token["access_token"] == "scripted-access-1" and token["refresh_token"] == "scripted-refresh-1"
    assert token["expires_at"] == epoch(NOW) + 3600  # from the injected clock
    assert token["scope"] == "read write"  # kept from the stored token
    assert vault.get_token(account.vault_key) == token
    (form,) = refreshes(scripted)
    assert form == {
        "grant_type": "refresh_token",
        "refresh_token": OLD_REFRESH,
        "client_id": "scripted-client",
    }


async def test_account_expiry_is_used_when_the_token_has_none(
    scripted: ScriptedAS, vault: Vault, store: Store
) -> None:
    account = add_account(store, expires_at=NOW + timedelta(seconds=30))
    vault.set_token(account.vault_key, {"access_token": OLD_ACCESS, "refresh_token": OLD_REFRESH})
    await keeper(vault, store).fresh_token(account, scripted.config())
    assert len(refreshes(scripted)) == 1


async def test_ten_concurrent_callers_share_one_refresh(
    scripted: ScriptedAS, vault: Vault, store: Store
) -> None:
    scripted.refresh_gate.clear()  # the refresh is held at the server until all ten are waiting
    account = add_account(store)
    stored(vault, account, expires_in=10)
    keeping = keeper(vault, store)
    callers = asyncio.gather(*(keeping.fresh_token(account, scripted.config()) for _ in range(10)))
    await scripted.refresh_arrived.wait()  # every caller ran up to its wait before the request left
    scripted.refresh_gate.set()
    tokens = await callers
    assert len(refreshes(scripted)) == 1
    assert {t["access_token"] for t in tokens} == {"scripted-access-1"}
    # Afterwards the fresh token is served without asking again.
    await keeping.fresh_token(account, scripted.config())
    assert len(refreshes(scripted)) == 1


async def test_a_caller_giving_up_does_not_lose_the_refresh(
    scripted: ScriptedAS, vault: Vault, store: Store
) -> None:
    scripted.refresh_gate.clear()  # the server holds the refresh while the caller gives up
    account = add_account(store)
    stored(vault, account, expires_in=10)
    keeping = keeper(vault, store)
    caller = asyncio.ensure_future(keeping.fresh_token(account, scripted.config()))
    await scripted.refresh_arrived.wait()
    caller.cancel()  # what asyncio.wait_for does to a caller whose time ran out
    with pytest.raises(asyncio.CancelledError):
        await caller
    scripted.refresh_gate.set()
    # A wait on the server's answer reaching the vault (another task's work): polled, with a deadline.
    deadline = time.monotonic() + 10
    while (vault.get_token(account.vault_key) or {}).get("refresh_token") != "scripted-refresh-1":
        assert time.monotonic() < deadline, "the refresh never reached the vault"
        await asyncio.sleep(0.01)
    # The rotated refresh token reached the vault even though nobody waited for it.
    assert (vault.get_token(account.vault_key) or {})["refresh_token"] == "scripted-refresh-1"


@pytest.mark.parametrize("answer_refresh", ["missing", "empty"])
async def test_a_refresh_without_a_refresh_token_keeps_the_stored_one(
    scripted: ScriptedAS, vault: Vault, store: Store, answer_refresh: str
) -> None:
    def no_rotation(form: dict[str, str]) -> tuple[int, dict[str, object]]:
        body: dict[str, object] = {"access_token": "new-access", "token_type": "Bearer", "expires_in": 600}
        if answer_refresh == "empty":
            body["refresh_token"] = ""
        return 200, body

    scripted.refresh_answer = no_rotation
    account = add_account(store)
    stored(vault, account, expires_in=0)
    token = await keeper(vault, store).fresh_token(account, scripted.config())
    assert token["access_token"] == "new-access" and token["refresh_token"] == OLD_REFRESH
    assert (vault.get_token(account.vault_key) or {})["refresh_token"] == OLD_REFRESH


async def test_invalid_grant_marks_the_account_reconnect(
    scripted: ScriptedAS, vault: Vault, store: Store
) -> None:
    scripted.refresh_answer = lambda form: INVALID_GRANT
    account = add_account(store)
    stored(vault, account, expires_in=0)
    with pytest.raises(LinkError) as info:
        await keeper(vault, store).fresh_token(account, scripted.config())
    message = str(info.value)
    assert message.startswith("Scripted refused the saved sign-in (invalid_grant")
    assert "Link the account again" in message
    assert OLD_REFRESH not in message and OLD_ACCESS not in message
    after = store.account(account.id)
    assert after is not None and after.state == "reconnect" and after.state_reason == message
    # The stored token is left as it was (unlinking deletes it, not a failed refresh).
    assert (vault.get_token(account.vault_key) or {})["refresh_token"] == OLD_REFRESH


async def test_other_refusals_mark_reconnect_too(scripted: ScriptedAS, vault: Vault, store: Store) -> None:
    scripted.refresh_answer = lambda form: (401, {"error": "invalid_client"})
    account = add_account(store)
    stored(vault, account, expires_in=0)
    with pytest.raises(LinkError, match="invalid_client"):
        await keeper(vault, store).fresh_token(account, scripted.config())
    assert row_of(store, account).state == "reconnect"


async def test_a_server_error_is_not_the_accounts_fault(
    scripted: ScriptedAS, vault: Vault, store: Store
) -> None:
    scripted.refresh_answer = lambda form: (503, {})
    account = add_account(store)
    stored(vault, account, expires_in=0)
    with pytest.raises(LinkError, match=r"HTTP 503\. The token was not renewed; try again later"):
        await keeper(vault, store).fresh_token(account, scripted.config())
    assert row_of(store, account).state == "linked"


async def test_unreachable_is_not_the_accounts_fault(
    vault: Vault, store: Store, scripted: ScriptedAS, refused_port: int
) -> None:
    account = add_account(store)
    stored(vault, account, expires_in=0)
    config = scripted.config(token_url=f"http://127.0.0.1:{refused_port}/token")
    with pytest.raises(LinkError, match="could not reach the token endpoint"):
        await keeper(vault, store).fresh_token(account, config)
    assert row_of(store, account).state == "linked"


async def test_no_refresh_token_means_reconnect(scripted: ScriptedAS, vault: Vault, store: Store) -> None:
    account = add_account(store)
    vault.set_token(account.vault_key, {"access_token": OLD_ACCESS, "expires_at": epoch(NOW)})
    with pytest.raises(LinkError, match="no refresh token"):
        await keeper(vault, store).fresh_token(account, scripted.config())
    assert row_of(store, account).state == "reconnect"
    assert refreshes(scripted) == []


async def test_no_stored_token_means_reconnect(scripted: ScriptedAS, vault: Vault, store: Store) -> None:
    account = add_account(store)
    with pytest.raises(LinkError, match="no saved sign-in was found in the keyring"):
        await keeper(vault, store).fresh_token(account, scripted.config())
    assert row_of(store, account).state == "reconnect"


async def test_after_unauthorized_forces_one_refresh(
    scripted: ScriptedAS, vault: Vault, store: Store
) -> None:
    account = add_account(store)
    stored(vault, account, expires_in=3600)
    keeping = keeper(vault, store)
    token = await keeping.after_unauthorized(account, scripted.config(), rejected_access_token=OLD_ACCESS)
    assert token["access_token"] == "scripted-access-1"
    # Other requests that failed with the old token do not refresh again.
    again = await asyncio.gather(
        *(
            keeping.after_unauthorized(account, scripted.config(), rejected_access_token=OLD_ACCESS)
            for _ in range(5)
        )
    )
    assert {t["access_token"] for t in again} == {"scripted-access-1"}
    assert len(refreshes(scripted)) == 1


async def test_a_refresh_lost_to_another_process_uses_its_token(
    scripted: ScriptedAS, vault: Vault, store: Store
) -> None:
    """Another linkdeck process rotated the refresh token while our request was in flight."""
    account = add_account(store)
    stored(vault, account, expires_in=0)

    def other_process_won(form: dict[str, str]) -> tuple[int, dict[str, object]]:
        vault.set_token(
            account.vault_key,
            {
                "access_token": "their-access",
                "refresh_token": "their-refresh",
                "expires_at": epoch(NOW) + 3600,
            },
        )
        return INVALID_GRANT

    scripted.refresh_answer = other_process_won
    token = await keeper(vault, store).fresh_token(account, scripted.config())
    assert token["access_token"] == "their-access"
    assert row_of(store, account).state == "linked"


async def test_confidential_clients_authenticate(scripted: ScriptedAS, vault: Vault, store: Store) -> None:
    account = add_account(store)
    stored(vault, account, expires_in=0)
    config = scripted.config(client_secret="app-secret", token_auth_method="client_secret_post")
    await keeper(vault, store).fresh_token(account, config)
    (form,) = refreshes(scripted)
    assert form["client_secret"] == "app-secret" and form["client_id"] == "scripted-client"
