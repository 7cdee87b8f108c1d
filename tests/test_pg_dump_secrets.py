"""Issue 16's must-show: the team database holds no token in plain text. Team mode on the test
suite's real PostgreSQL: an account linked through the real flow (its token, and the client secret
of the app linkdeck registered on the instance, sealed), a developer-app client secret stored with
``linkdeck config set-secret``, a post sent by ``linkdeck worker --once``; then a ``pg_dump`` of
the database is searched for every one of those secrets and for the team key.
"""

from __future__ import annotations

import os

import pytest

from providers.store import Store
from tests.support import postgres
from tests.support.cli import run_cli
from tests.support.linking import link, opted_in_vault, statuses
from tests.support.processes import SandboxProcess

pytestmark = pytest.mark.postgresql_only

DEVELOPER_SECRET = "x-dev-secret-5b0c1f7e9a2d4c68"


def test_a_pg_dump_after_linking_and_sending_holds_no_secret_in_plain_text(
    store_engine: str, env: dict[str, str], sandbox_process: SandboxProcess, postgres_server: postgres.Server
) -> None:
    assert store_engine == "postgresql"
    instance = f"{sandbox_process.url}/mastodon.example"
    with Store.open() as store:
        account = link(store, instance)
        store.create_post_with_deliveries("sent in team mode", [], None, [account])
    stored = run_cli(env, "config", "set-secret", "x", stdin=DEVELOPER_SECRET + "\n")
    assert stored.returncode == 0 and "in the database, sealed" in stored.stdout, stored.stderr
    sent = run_cli(env, "worker", "--once")
    assert sent.returncode == 0, sent.stderr
    assert [s["content"] for s in statuses(instance)] == ["<p>sent in team mode</p>"]

    vault = opted_in_vault()
    assert vault.team is not None
    token = vault.get_token(account.vault_key)
    app_secret = vault.get_client_secret("mastodon", instance=account.instance)
    assert token is not None and token["access_token"] and app_secret
    key = os.environ["LINKDECK_SECRET_KEY"]
    secrets = {
        "access token": token["access_token"],
        "app client secret": app_secret,
        "developer client secret": DEVELOPER_SECRET,
        "team key": key,
        "team key's bytes": key.rsplit(":", 1)[1],
    }
    if token.get("refresh_token"):
        secrets["refresh token"] = token["refresh_token"]

    dump = postgres_server.dump()
    # Not vacuous: the dump has this test's rows, the sealed secrets among them, by name.
    assert f"token:{account.vault_key}" in dump and "client-secret:x" in dump
    assert "sent in team mode" in dump
    found = [what for what, value in secrets.items() if value in dump]
    assert found == [], f"in plain text in pg_dump: {found}"
